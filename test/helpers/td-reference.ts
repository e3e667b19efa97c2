// Reference implementations of DQN's targets and Huber loss as tensor ops: what agents/common/losses.ts's
// tdLossHead computes in one op (and what DQN ran before it), kept for the tests that check it.
import type { Scalar, Tensor } from '@tensorflow/tfjs-node';
import { tf } from '../../src/backend.ts';

type HuberFn = (labels: Tensor, predictions: Tensor) => Scalar;
const huberOps = new Map<number, HuberFn>();

/**
 * mean over elements of Huber(predictions − labels; δ): ½e² where |e| ≤ δ, δ(|e| − ½δ) beyond.
 * Written as m(|e| − ½m) with m = min(|e|, δ); the gradient to the predictions is clip(e, −δ, δ)/n (and
 * its negative to the labels).
 */
export function huberLoss(labels: Tensor, predictions: Tensor, delta = 1): Scalar {
  let op = huberOps.get(delta);
  if (op === undefined) {
    op = tf.customGrad(((y: Tensor, q: Tensor, save: (t: Tensor[]) => void) => {
      const e = tf.sub(q, y);
      const a = tf.abs(e);
      const m = tf.minimum(a, delta);
      save([e]);
      return {
        value: tf.mean(tf.mul(m, tf.sub(a, tf.mul(m, 0.5)))) as Scalar,
        gradFunc: (dy: Tensor, saved: Tensor[]) => {
          const [es] = saved as [Tensor];
          const dq = tf.mul(tf.clipByValue(es, -delta, delta), tf.div(dy, es.size));
          return [tf.neg(dq), dq];
        },
      };
    }) as never) as unknown as HuberFn;
    huberOps.set(delta, op);
  }
  return op(labels, predictions);
}

/**
 * TD targets y = r + γ (1 − terminated) Q_target(s', a*). With `nextQOnline` (Double DQN) the online
 * network picks a* = argmax_a Q_online(s', a) and the target network evaluates it; without, a* maximizes
 * Q_target itself. `notDone` is 1 − terminated: truncated transitions bootstrap.
 */
export function dqnTargets(rewards: Tensor, notDone: Tensor, nextQTarget: Tensor, nextQOnline: Tensor | null, gamma: number): Tensor {
  return tf.tidy(() => {
    const nextQ =
      nextQOnline === null
        ? tf.max(nextQTarget, 1)
        : tf.sum(tf.mul(nextQTarget, tf.oneHot(tf.argMax(nextQOnline, 1), nextQTarget.shape[1]!)), 1);
    return tf.add(rewards, tf.mul(tf.mul(notDone, gamma), nextQ));
  });
}

