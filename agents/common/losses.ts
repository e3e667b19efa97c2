// DQN's loss as one custom-gradient op: as tensor ops (tfjs's tf.losses.* add weighting and reduction
// machinery: casts, fills, selects) it cost kernels on every update, each a fixed dispatch cost on the
// native backend. Values and gradients equal the tensor formulas' (test/agents/losses.test.ts, against
// the references in test/helpers/td-reference.ts).
import type { Scalar, Tensor } from '@tensorflow/tfjs-node';
import { tf } from '../../src/backend.ts';

/** A replay batch as the TD head reads it (JavaScript arrays: they never need to be tensors). */
export interface TdHeadInput {
  /** Transitions in the batch (the first `batch` rows of the head's input are Q(s, ·)). */
  batch: number;
  actions: ArrayLike<number>;
  rewards: Float32Array;
  /** 1 where the transition terminated (no bootstrap); truncated transitions bootstrap. */
  terminated: Float32Array;
  gamma: number;
  huberDelta: number;
  /** Q_target(s', ·) [batch × A], or null: no target network (the bootstrap comes from the online values). */
  nextTarget: Float32Array | null;
  /**
   * Q_online(s', ·) [batch × A] for Double DQN's a* (or the bootstrap without a target network): an
   * array, 'rows' when they are rows batch..2·batch of the head's input (one training-mode pass over
   * [s; s'], CrossQ; they get no gradient), or null (vanilla DQN: a* maximizes Q_target).
   */
  nextOnline: Float32Array | 'rows' | null;
}

/** What the TD head reports: the loss and the mean Q(s, a) of the batch. */
export interface TdStats {
  loss: number;
  qMean: number;
}

/**
 * DQN's loss in one op: TD targets y = r + γ(1 − terminated)·Q(s', a*) (Double DQN: a* from the online
 * values, evaluated by the target's) and the mean Huber loss of Q(s, a) against them, from one read-back of the Q-values;
 * the gradient, clip(Q(s, a) − y, ±δ)/batch at each taken action and zero elsewhere, is one upload.
 * As tensor ops (one-hot, gather, max or argmax, the target's arithmetic, Huber and their gradients) this
 * was ~25 kernels per gradient step; `stats` is filled when the op runs.
 */
export function tdLossHead(q: Tensor, x: TdHeadInput, stats: TdStats): Scalar {
  const op = tf.customGrad(((qIn: Tensor) => {
    const A = qIn.shape[1]!;
    const B = x.batch;
    const data = qIn.dataSync() as Float32Array;
    const nextOnline = x.nextOnline === 'rows' ? data.subarray(B * A, 2 * B * A) : x.nextOnline;
    const nextTarget = x.nextTarget ?? nextOnline;
    if (nextTarget === null) throw new Error('tdLossHead: needs the target network\'s values or the online network\'s at s\'');
    const grad = new Float32Array(data.length);
    let loss = 0;
    let qSum = 0;
    const delta = x.huberDelta;
    // a*: argmax of the online values (Double DQN, first maximum as tf.argMax) or of the target's own
    const picker = nextOnline ?? nextTarget;
    for (let i = 0; i < B; i++) {
      const row = i * A;
      let best = 0;
      for (let a = 1; a < A; a++) if (picker[row + a]! > picker[row + best]!) best = a;
      const y = x.rewards[i]! + x.gamma * (1 - x.terminated[i]!) * nextTarget[row + best]!;
      const taken = row + x.actions[i]!;
      const qa = data[taken]!;
      const e = qa - y;
      const m = Math.min(Math.abs(e), delta);
      loss += m * (Math.abs(e) - 0.5 * m);
      qSum += qa;
      grad[taken] = Math.min(Math.max(e, -delta), delta) / B;
    }
    stats.loss = loss / B;
    stats.qMean = qSum / B;
    return { value: tf.scalar(stats.loss), gradFunc: (dy: Tensor) => tf.mul(tf.tensor(grad, qIn.shape), dy) };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(q) as Scalar;
}
