// PPO's loss head in one op: from the networks' outputs (logits or Gaussian means, the log-std, values) to
// the scalar loss, with its gradient with respect to those outputs in closed form.
//
// As tensor ops the head (log-softmax, the log-probability of the taken action, the entropy, the ratio,
// clip, min, the value loss and their gradients) is ~60 kernels per minibatch, each a dispatch that
// costs tens of microseconds on the native backend whatever its size, for a few hundred numbers. Here it
// is one read-back of the outputs, a loop in JavaScript (float64), and one upload of the gradient; the
// statistics (approximate KL, clip fraction, entropy) come out of the same loop with no extra read-back.
// The result equals `ppoLoss` on `logProbEntropy` (agents/ppo.ts, kept as the reference) to float32
// rounding, down to tfjs's tie rules (min's gradient goes to the unclipped term on equality, the clip's
// bounds are inclusive); test/agents/ppo-loss.test.ts checks losses and gradients against it.
import type { Scalar, Tensor } from '@tensorflow/tfjs-node';
import { tf } from '../../src/backend.ts';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** The minibatch's targets and settings (JavaScript arrays: they never need to be tensors). */
export interface PpoHeadInput {
  /**
   * 'clipped' (PPO, default): −mean(min(ρA, clip(ρ, 1 ± ε)A)). 'vanilla' (A2C): −mean(A · log π(a|s)),
   * where oldLogProb and clipRange are not used (and approxKl, clipFraction are 0).
   */
  objective?: 'clipped' | 'vanilla';
  /** Discrete (logits [n, actSize]) or Gaussian (means [n, actSize] and a state-independent log-std). */
  discrete: boolean;
  actSize: number;
  /** Action indices [n] (discrete) or actions [n × actSize]. */
  actions: Float32Array;
  oldLogProb: Float32Array;
  /** Already normalized if wanted. */
  advantages: Float32Array;
  returns: Float32Array;
  oldValues: Float32Array;
  clipRange: number;
  clipRangeVf: number | null;
  entropyCoef: number;
  valueCoef: number;
}

/** The loss and its parts on the minibatch, as `ppoLoss` reports them. */
export interface PpoStats {
  loss: number;
  policyLoss: number;
  valueLoss: number;
  entropy: number;
  approxKl: number;
  clipFraction: number;
}

/**
 * What the loss reads: policy outputs ([n, actSize] logits or means) and values ([n] or [n, 1]), or the
 * stacked heads' joint output `joint` [2, n, width] (policy outputs in [0], values in column 0 of [1]),
 * which the loss then reads and differentiates directly (one read-back, no slicing ops).
 */
export interface HeadOutputs {
  readonly policy: Tensor;
  readonly value: Tensor;
  readonly joint?: Tensor | null;
}

/**
 * The PPO loss of the networks' outputs and, for Gaussian policies, `logStd` ([actSize]), as one
 * differentiable op (gradients flow to all of them). `stats` is filled with the loss's parts when the op runs.
 */
export function ppoLossHead(out: HeadOutputs, logStd: Tensor | null, x: PpoHeadInput, stats: PpoStats): Scalar {
  const gaussian = logStd !== null;
  const joint = out.joint ?? null;
  // customGrad passes its `save` function after the inputs: take exactly the inputs.
  const op = tf.customGrad(((...args: Tensor[]) => {
    const s = gaussian ? args[joint === null ? 2 : 1] : undefined;
    const logStdData = s === undefined ? null : (s.dataSync() as Float32Array);
    if (joint !== null) {
      // [2, n, width]: the policy block is the first n·actSize values; value i at n·width + i·width
      const [, n, width] = joint.shape as [number, number, number];
      if (width !== x.actSize) throw new Error(`ppoLossHead: the joint output is ${width} wide; expected the ${x.actSize} policy outputs`);
      const data = joint.dataSync() as Float32Array;
      const values = new Float32Array(n);
      for (let i = 0; i < n; i++) values[i] = data[(n + i) * width]!;
      const grads = forward(data.subarray(0, n * width), values, logStdData, x, stats);
      return {
        value: tf.scalar(stats.loss),
        gradFunc: (dy: Tensor) => {
          const dJoint = new Float32Array(data.length);
          dJoint.set(grads.policy);
          for (let i = 0; i < n; i++) dJoint[(n + i) * width] = grads.value[i]!;
          const result = [tf.mul(tf.tensor(dJoint, joint.shape), dy)];
          if (s !== undefined) result.push(tf.mul(tf.tensor(grads.logStd!, s.shape), dy));
          return result;
        },
      };
    }
    const [p, v] = args as [Tensor, Tensor];
    const grads = forward(p.dataSync() as Float32Array, v.dataSync() as Float32Array, logStdData, x, stats);
    return {
      value: tf.scalar(stats.loss),
      gradFunc: (dy: Tensor) => {
        const result = [tf.mul(tf.tensor(grads.policy, p.shape), dy), tf.mul(tf.tensor(grads.value, v.shape), dy)];
        if (s !== undefined) result.push(tf.mul(tf.tensor(grads.logStd!, s.shape), dy));
        return result;
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const inputs = joint === null ? [out.policy, out.value] : [joint];
  return op(...inputs, ...(logStd === null ? [] : [logStd])) as Scalar;
}

/** The loss (into `stats`) and its gradients with respect to the outputs. */
function forward(out: Float32Array, values: Float32Array, logStd: Float32Array | null, x: PpoHeadInput, stats: PpoStats): { policy: Float32Array; value: Float32Array; logStd: Float32Array | null } {
  const n = values.length;
  const A = x.actSize;
  const eps = x.clipRange;
  const vanilla = x.objective === 'vanilla';
  const dPolicy = new Float32Array(n * A);
  const dValue = new Float32Array(n);
  const dLogStd = logStd === null ? null : new Float32Array(A);
  let policySum = 0;
  let entropySum = 0;
  let klSum = 0;
  let clipped = 0;
  let valueSum = 0;
  const logp = new Float64Array(A);
  // Gaussian: σ and the entropy per row are the same for every row.
  let gaussEntropy = 0;
  const sigma = new Float64Array(A);
  const z = new Float64Array(A);
  if (logStd !== null) {
    for (let j = 0; j < A; j++) {
      gaussEntropy += logStd[j]! + 0.5 + HALF_LOG_2PI;
      sigma[j] = Math.exp(logStd[j]!);
    }
  }
  for (let i = 0; i < n; i++) {
    const row = i * A;
    let lp: number;
    let H: number;
    if (x.discrete) {
      let max = -Infinity;
      for (let j = 0; j < A; j++) max = Math.max(max, out[row + j]!);
      let sum = 0;
      for (let j = 0; j < A; j++) sum += Math.exp(out[row + j]! - max);
      const logZ = max + Math.log(sum);
      H = 0;
      for (let j = 0; j < A; j++) {
        logp[j] = out[row + j]! - logZ;
        H -= Math.exp(logp[j]!) * logp[j]!;
      }
      lp = logp[x.actions[i]!]!;
    } else {
      lp = 0;
      for (let j = 0; j < A; j++) {
        z[j] = (x.actions[row + j]! - out[row + j]!) / sigma[j]!;
        lp += -0.5 * z[j]! * z[j]! - logStd![j]! - HALF_LOG_2PI;
      }
      H = gaussEntropy;
    }
    const adv = x.advantages[i]!;
    let g: number;
    if (vanilla) {
      policySum += adv * lp;
      g = -adv / n;
    } else {
      const logRatio = lp - x.oldLogProb[i]!;
      const ratio = Math.exp(logRatio);
      const unclippedTerm = ratio * adv;
      const inRange = ratio >= 1 - eps && ratio <= 1 + eps;
      const clippedTerm = Math.min(Math.max(ratio, 1 - eps), 1 + eps) * adv;
      policySum += Math.min(unclippedTerm, clippedTerm);
      // d(−mean(min(u, c)))/d log π: min's gradient to u when u ≤ c, else through the clip (zero outside it).
      g = unclippedTerm <= clippedTerm || inRange ? (-adv * ratio) / n : 0;
      klSum += ratio - 1 - logRatio;
      if (Math.abs(ratio - 1) > eps) clipped++;
    }
    entropySum += H;
    if (x.discrete) {
      const a = x.actions[i]!;
      for (let j = 0; j < A; j++) {
        const p = Math.exp(logp[j]!);
        // d log π(a)/dz_j = δ_aj − p_j;  dH/dz_j = −p_j (log p_j + H)
        dPolicy[row + j] = g * ((j === a ? 1 : 0) - p) + (x.entropyCoef / n) * p * (logp[j]! + H);
      }
    } else {
      for (let j = 0; j < A; j++) {
        dPolicy[row + j] = (g * z[j]!) / sigma[j]!; // d log π/dμ_j = z_j/σ_j
        dLogStd![j] = dLogStd![j]! + g * (z[j]! * z[j]! - 1); // d log π/ds_j = z_j² − 1
      }
    }
    const v = values[i]!;
    const old = x.oldValues[i]!;
    let pred = v;
    let through = 1;
    if (x.clipRangeVf !== null) {
      const d = v - old;
      pred = old + Math.min(Math.max(d, -x.clipRangeVf), x.clipRangeVf);
      through = d >= -x.clipRangeVf && d <= x.clipRangeVf ? 1 : 0;
    }
    const err = x.returns[i]! - pred;
    valueSum += err * err;
    dValue[i] = (x.valueCoef * 2 * -err * through) / n;
  }
  if (dLogStd !== null) for (let j = 0; j < A; j++) dLogStd[j] = dLogStd[j]! - x.entropyCoef; // −c_e · d mean(H)/ds_j
  stats.policyLoss = -policySum / n;
  stats.valueLoss = valueSum / n;
  stats.entropy = entropySum / n;
  stats.loss = stats.policyLoss + x.valueCoef * stats.valueLoss - x.entropyCoef * stats.entropy;
  stats.approxKl = klSum / n;
  stats.clipFraction = clipped / n;
  return { policy: dPolicy, value: dValue, logStd: dLogStd };
}
