// Generalized advantage estimation (Schulman et al. 2016) over a rollout of T steps × N envs, with the
// episode boundaries of a same-step-autoreset vector env:
//   δ_t = r_t + γ (1 − terminated_t) V_next(t) − V(s_t)
//   A_t = δ_t + γ λ (1 − done_t) A_{t+1},   done_t = terminated_t or truncated_t
// where V_next(t) is V(s_{t+1}) inside an episode, V(final observation) when the episode was truncated at
// t (a time limit: the state had a future), and irrelevant when it terminated (multiplied by 0). The
// trace never crosses an episode boundary. Returns R_t = A_t + V(s_t) are the value targets.

export interface GaeInput {
  /** [T × N] row-major: index t * N + i. */
  rewards: Float32Array;
  values: Float32Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  /** V(final observation) where truncated (other entries ignored). */
  truncationValues: Float32Array;
  /** V(s_T): the observations after the last step of the rollout. */
  lastValues: Float32Array;
  numEnvs: number;
  gamma: number;
  gaeLambda: number;
}

/** Generalized advantage estimates (Schulman et al. 2016) and returns over a T × N rollout: terminations cut the trace, truncations bootstrap from V(final observation). */
export function computeGae(input: GaeInput): { advantages: Float32Array; returns: Float32Array } {
  const { rewards, values, terminated, truncated, truncationValues, lastValues, numEnvs: N, gamma, gaeLambda } = input;
  const T = rewards.length / N;
  const advantages = new Float32Array(T * N);
  const returns = new Float32Array(T * N);
  for (let i = 0; i < N; i++) {
    let next = 0; // A_{t+1}
    for (let t = T - 1; t >= 0; t--) {
      const k = t * N + i;
      const term = terminated[k] === 1;
      const done = term || truncated[k] === 1;
      const nextValue = term ? 0 : done ? truncationValues[k]! : t === T - 1 ? lastValues[i]! : values[k + N]!;
      const delta = rewards[k]! + gamma * nextValue - values[k]!;
      next = delta + (done ? 0 : gamma * gaeLambda * next);
      advantages[k] = next;
      returns[k] = next + values[k]!;
    }
  }
  return { advantages, returns };
}

/**
 * (A − mean(A)) / (std(A) + 1e-8) over `advantages` (sample std, n − 1, as torch in SB3 and CleanRL), written to `out`.
 * In JavaScript on float64 sums: the batch is already in memory, and on the native backend the
 * equivalent tensor ops cost about ten kernel dispatches per minibatch.
 */
export function normalizeAdvantages(advantages: Float32Array, out: Float32Array = new Float32Array(advantages.length)): Float32Array {
  const n = advantages.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += advantages[i]!;
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (advantages[i]! - mean) ** 2;
  // torch's Tensor.std() is the sample (n − 1) standard deviation: SB3's and CleanRL's normalization
  const scale = 1 / (Math.sqrt(variance / Math.max(1, n - 1)) + 1e-8);
  for (let i = 0; i < n; i++) out[i] = (advantages[i]! - mean) * scale;
  return out;
}
