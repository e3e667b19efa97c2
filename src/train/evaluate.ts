// Deterministic evaluation on a vector env. Episodes are spread over the envs as Stable-Baselines3's
// evaluate_policy does (env i runs ⌊(n + i)/numEnvs⌋ of them), so short episodes are not over-counted.
import type { Agent } from '../../agents/agent.ts';
import type { VectorEnv, VectorStepResult } from '../../envs/vector/vector-env.ts';
import { Wrapper, type Env } from '../../envs/core.ts';
import { NormalizeObservation } from '../../envs/wrappers/normalize-observation.ts';
import { NormalizeReward } from '../../envs/wrappers/normalize-reward.ts';
import type { RunningNormalizer, RunningStats } from '../../envs/wrappers/running-mean-std.ts';
import type { EpisodeStatistics } from '../../envs/wrappers/record-episode-statistics.ts';
import type { WrapperConfigInput } from '../../envs/wrappers/config.ts';
import type { RobustnessSweep } from '../config/trainer.ts';

/** Returns of the evaluation episodes with their mean and standard deviation. */
export interface EvalResult {
  returns: number[];
  lengths: number[];
  mean: number;
  std: number;
}

export function meanStd(xs: readonly number[]): { mean: number; std: number } {
  if (xs.length === 0) return { mean: Number.NaN, std: Number.NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, std: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) };
}

/** Observers of an evaluation (e.g. `wnrl render` drawing every step); they must not touch the env. */
export interface EvaluateHooks {
  /** After the reset, with the first observations. */
  afterReset?(observations: Float32Array): void | Promise<void>;
  /** After every step, with the actions taken and what the env returned. */
  afterStep?(actions: Int32Array | Float32Array, result: VectorStepResult): void | Promise<void>;
}

/** Runs `episodes` deterministic episodes of `agent` on `env` (recurrent state reset per episode) and returns their true returns. */
export async function evaluate(agent: Agent, env: VectorEnv, episodes: number, seed?: number, hooks: EvaluateHooks = {}): Promise<EvalResult> {
  const n = env.numEnvs;
  const targets = Array.from({ length: n }, (_, i) => Math.floor((episodes + i) / n));
  const counts = new Array<number>(n).fill(0);
  const returns: number[] = [];
  const lengths: number[] = [];
  let { observations } = await env.reset(seed === undefined ? {} : { seed });
  await hooks.afterReset?.(observations);
  // A recurrent policy starts every env from a zero state and resets it where an episode begins.
  const state = agent.initialState?.(n) ?? null;
  const starts = new Uint8Array(n).fill(1);
  try {
    while (counts.some((c, i) => c < targets[i]!)) {
      const actions = agent.predict(observations, { deterministic: true, state, episodeStarts: starts });
      const r = await env.step(actions);
      await hooks.afterStep?.(actions, r);
      for (let i = 0; i < n; i++) {
        starts[i] = r.terminated[i] || r.truncated[i] ? 1 : 0;
        if ((r.terminated[i] || r.truncated[i]) && counts[i]! < targets[i]!) {
          const ep = (r.infos[i]!['finalInfo'] as { episode?: EpisodeStatistics } | undefined)?.episode;
          if (ep === undefined) throw new Error('evaluate: the eval env records no episode statistics (recordStatistics was turned off)');
          returns.push(ep.return);
          lengths.push(ep.length);
          counts[i]!++;
        }
      }
      observations = r.observations;
    }
  } finally {
    state?.dispose();
  }
  return { returns, lengths, ...meanStd(returns) };
}

function findNormalizer<T extends RunningNormalizer>(env: Env, kind: abstract new (...args: never[]) => T): T | null {
  let e: Env = env;
  while (e instanceof Wrapper) {
    if (e instanceof kind) return e;
    e = (e as Wrapper).env;
  }
  return null;
}

/**
 * The running statistics of a vector env's normalization wrappers, read from its first copy (saved with
 * checkpoints in trainer.json; `normalization` is the observation normalizer's, a name kept from before
 * reward normalization existed).
 */
export interface NormalizationState {
  normalization: RunningStats | null;
  rewardNormalization: RunningStats | null;
}

const KINDS = [
  ['normalization', NormalizeObservation],
  ['rewardNormalization', NormalizeReward],
] as const;

export function normalizationState(env: VectorEnv): NormalizationState {
  const state: NormalizationState = { normalization: null, rewardNormalization: null };
  const first = env.envs?.[0];
  if (first === undefined) return state;
  for (const [key, kind] of KINDS) state[key] = findNormalizer<RunningNormalizer>(first, kind)?.stats ?? null;
  return state;
}

/** Sets every copy's normalization statistics (those present in `state`) and freezes or unfreezes them. */
export function restoreNormalization(env: VectorEnv, state: Partial<NormalizationState>, frozen: boolean): void {
  for (const [key, kind] of KINDS) {
    const stats = state[key];
    if (!stats) continue;
    for (const e of env.envs ?? []) {
      const n = findNormalizer<RunningNormalizer>(e, kind);
      if (n !== null) {
        n.stats = stats;
        n.frozen = frozen;
      }
    }
  }
}

/** Copies the training env's normalization statistics to the eval env and freezes them there. */
export function syncNormalization(train: VectorEnv, evalEnv: VectorEnv): void {
  restoreNormalization(evalEnv, normalizationState(train), true);
}

/** One robustness curve: the swept wrapper, its strengths and the mean evaluation return at each. */
export interface RobustnessCurve {
  wrapper: RobustnessSweep['wrapper'];
  values: number[];
  returnMeans: number[];
}

/** Envs of a robustness evaluation: one episode each, up to 32. */
export function robustnessEnvs(episodes: number): number {
  return Math.min(episodes, 32);
}

/** The wrapper config a sweep sets at strength `value` (std for observation noise, p otherwise). */
export function perturbation(sweep: RobustnessSweep, value: number): WrapperConfigInput {
  return sweep.wrapper === 'observationNoise' ? { type: 'observationNoise', std: value } : { type: sweep.wrapper, p: value };
}

/**
 * Robustness curves of `agent` (trainer.robustness): for each sweep and strength, `episodes` deterministic
 * episodes on an env from `open(perturbation)` (the task with that wrapper replacing a training-time one of
 * its type, normalization frozen at the training statistics), all with the same seed. The Trainer runs it
 * on the final policy; `wnrl eval --robustness` on a checkpoint, with the same envs and seed.
 */
export async function robustnessCurves(
  agent: Agent,
  sweeps: readonly RobustnessSweep[],
  episodes: number,
  seed: number,
  open: (perturb: WrapperConfigInput) => Promise<VectorEnv>,
): Promise<RobustnessCurve[]> {
  const out: RobustnessCurve[] = [];
  for (const sweep of sweeps) {
    const returnMeans: number[] = [];
    for (const value of sweep.values) {
      const env = await open(perturbation(sweep, value));
      try {
        returnMeans.push((await evaluate(agent, env, episodes, seed)).mean);
      } finally {
        await env.close();
      }
    }
    out.push({ wrapper: sweep.wrapper, values: [...sweep.values], returnMeans });
  }
  return out;
}
