// Action distributions. Sampling and the log-probabilities stored with a rollout are computed in
// JavaScript (float64) from one read-back of the network outputs; the loss recomputes log-probabilities
// and entropies as tensors, so gradients flow.
import type { Tensor } from '@tensorflow/tfjs-node';
import type { Rng } from '../../envs/rng.ts';
import { tf } from '../../src/backend.ts';

const LOG_2PI = Math.log(2 * Math.PI);

// --- categorical (Discrete actions) ---

/** Samples (or takes the argmax of) softmax(logits) per row; returns actions and their log-probabilities. */
export function sampleCategorical(logits: ArrayLike<number>, rows: number, n: number, rng: Rng | null, out: Int32Array, logProbs: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let a = 0; a < n; a++) max = Math.max(max, logits[r * n + a]!);
    let sum = 0;
    for (let a = 0; a < n; a++) sum += Math.exp(logits[r * n + a]! - max);
    const logZ = max + Math.log(sum);
    let chosen = 0;
    if (rng === null) {
      for (let a = 1; a < n; a++) if (logits[r * n + a]! > logits[r * n + chosen]!) chosen = a;
    } else {
      let u = rng.random() * sum;
      chosen = n - 1;
      for (let a = 0; a < n; a++) {
        u -= Math.exp(logits[r * n + a]! - max);
        if (u < 0) {
          chosen = a;
          break;
        }
      }
    }
    out[r] = chosen;
    logProbs[r] = logits[r * n + chosen]! - logZ;
  }
}

/** log π(a|s) for integer actions [B] under logits [B, n], and the entropy per row. */
export function categoricalLogProbEntropy(logits: Tensor, actionMask: Tensor): { logProb: Tensor; entropy: Tensor } {
  const logP = tf.logSoftmax(logits);
  const logProb = tf.sum(tf.mul(logP, actionMask), 1);
  const entropy = tf.neg(tf.sum(tf.mul(tf.exp(logP), logP), 1));
  return { logProb, entropy };
}

// --- diagonal Gaussian (Box actions) with a state-independent log-std ---

/** Samples mean + std·ε (or the mean); log-probabilities of the unclipped sample. */
export function sampleGaussian(mean: ArrayLike<number>, logStd: ArrayLike<number>, rows: number, d: number, rng: Rng | null, out: Float32Array, logProbs: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    let lp = 0;
    for (let j = 0; j < d; j++) {
      const s = logStd[j]!;
      const z = rng === null ? 0 : rng.normal();
      out[r * d + j] = mean[r * d + j]! + Math.exp(s) * z;
      lp += -0.5 * z * z - s - 0.5 * LOG_2PI;
    }
    logProbs[r] = lp;
  }
}

/** Σ_j log N(a_j; μ_j, σ_j²) per row, and the entropy Σ_j (½ log(2πe) + log σ_j) per row. */
export function gaussianLogProbEntropy(mean: Tensor, logStd: Tensor, actions: Tensor): { logProb: Tensor; entropy: Tensor } {
  const z = tf.div(tf.sub(actions, mean), tf.exp(logStd));
  const logProb = tf.sum(tf.sub(tf.mul(tf.square(z), -0.5), tf.add(logStd, 0.5 * LOG_2PI)), 1);
  const perRow = tf.sum(tf.add(logStd, 0.5 * (1 + LOG_2PI)));
  const entropy = tf.mul(tf.onesLike(logProb), perRow);
  return { logProb, entropy };
}
