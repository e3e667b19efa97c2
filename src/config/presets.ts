// Tested hyperparameters per (agent, env), like the RL Zoo's: `wnrl train --env CartPole-v1 --agent dqn
// --norm weight` learns well with no tuning. Flags and --config override them. Each entry records what it
// was checked with (bench/README.md has the numbers).
import { deepMerge } from './merge.ts';
import { DEFAULT_NORM, type Norm } from './network.ts';
import type { RunConfigInput } from './run.ts';

/** A partial run config: what a preset sets. */
export type PresetLayer = { env?: Partial<RunConfigInput['env']>; agent?: Record<string, unknown>; trainer?: Record<string, unknown> };

/**
 * A preset: its settings, tuned for its own norm (weight unless `agent.network.norm` says otherwise), and
 * what another norm changes where the entry's settings are not that norm's best (each override says what
 * it was checked with). A run with `--norm X` gets the entry with `byNorm[X]` over it.
 */
type Preset = PresetLayer & { byNorm?: Partial<Record<Norm, PresetLayer>> };

/**
 * PPO's CartPole hyperparameters (the Zoo's, retuned for weight norm: 10 epochs, lr 5e-3; see below), shared by
 * the MLP preset of CartPole-v1 and the recurrent one of CartPoleNoVel-v1, whose tuning arrived at the same.
 */
const CARTPOLE_PPO = {
  numSteps: 32,
  batchSize: 256,
  gaeLambda: 0.8,
  gamma: 0.98,
  updateEpochs: 10,
  entropyCoef: 0,
  learningRate: 5e-3,
  learningRateSchedule: 'linear',
  clipRange: 0.2,
  clipRangeSchedule: 'linear',
};

/** The Zoo's MuJoCo policy_kwargs: [256, 256] ReLU for the actor and the critic each, ortho_init False (torch's init). */
const ZOO_MUJOCO_NET = { hidden: [256, 256], activation: 'relu', init: 'torch' };

/**
 * Stable-Baselines3's PPO defaults in wnrl's names (Adam ε 1e-5, log-std 0; no schedules, no value clipping,
 * no target KL). The network is set beside them: SB3's MlpPolicy is [64, 64] tanh with orthogonal init. With
 * these, wnrl's update replays SB3's to float32 rounding from the same weights, rollout and minibatch order
 * (bench/ppo-update-trace.ts, test/agents/ppo-sb3-replay.test.ts).
 */
export const PPO_SB3_DEFAULTS = {
  numSteps: 2048,
  batchSize: 64,
  updateEpochs: 10,
  learningRate: 3e-4,
  learningRateSchedule: 'constant',
  gamma: 0.99,
  gaeLambda: 0.95,
  clipRange: 0.2,
  clipRangeSchedule: 'constant',
  entropyCoef: 0,
  valueCoef: 0.5,
  maxGradNorm: 0.5,
  adamEpsilon: 1e-5,
  normalizeAdvantage: true,
  clipRangeVf: null,
  targetKl: null,
  logStdInit: 0,
} as const;

/** SB3's VecNormalize as the RL Zoo's `normalize: true` sets it: observations and rewards (discounted with γ), clips 10, SB3's convention at episode ends. */
export const vecNormalize = (gamma: number) => [
  { type: 'normalizeObservation' as const, clip: 10, convention: 'sb3' as const },
  { type: 'normalizeReward' as const, gamma, clip: 10, convention: 'sb3' as const },
];

/**
 * One env, 512-step rollouts unless the entry says otherwise, 1M steps, VecNormalize's observation and
 * reward normalization (γ, clip 10, SB3's convention at episode ends: bench/vecnormalize-trace.ts matches
 * SB3's VecNormalize to float rounding with it).
 */
function mujocoPpo(gamma: number, agent: Record<string, unknown>): Preset {
  return {
    env: { numEnvs: 1, wrappers: vecNormalize(gamma) },
    agent: { numSteps: 512, adamEpsilon: 1e-5, ...agent },
    trainer: { totalSteps: 1_000_000, evalInterval: 50_000, evalEpisodes: 10 },
  };
}

const PRESETS: Record<string, Preset> = {
  // The RL Zoo's DQN CartPole-v1 schedule (dqn.yml): a training phase of 128 gradient steps (batch 64)
  // every 256 environment steps, the target network copied after each phase (so each phase regresses
  // onto the previous phase's Q), lr 2.3e-3, [256, 256] ReLU, ε → 0.04 over 16% of training; wnrl keeps
  // its 8 envs, Double DQN and the squared-error loss (Huber with δ = 1000: ½e² at CartPole's TD errors).
  // The previous preset (1 gradient step of 128 per vector step of 8, target every 2000 steps, lr 5e-4)
  // had been tuned and judged on seeds 1-15 (14 of 15); on seeds it was not tuned on it solved 4 of 7
  // and 7 of 10: its runs stalled at returns of 150-250 with Q still rising, the value propagating
  // one target copy at a time. Tuning seeds 1-25; held-out seeds 301-310 (bench/README.md).
  // Evaluations every 2.5k steps: DQN's greedy policy on CartPole peaks and dips, and early stop keeps
  // a peak.
  'dqn:CartPole-v1': {
    env: { numEnvs: 8 },
    agent: {
      network: { hidden: [256, 256], activation: 'relu' },
      learningRate: 2.3e-3,
      batchSize: 64,
      bufferSize: 100_000,
      learningStarts: 1_000,
      trainFrequency: 256,
      gradientSteps: 128,
      tau: 1,
      targetUpdateInterval: 256,
      explorationFraction: 0.16,
      explorationFinalEps: 0.04,
      huberDelta: 1_000,
    },
    trainer: { totalSteps: 100_000, evalInterval: 2_500, evalEpisodes: 20 },
  },
  // The RL Zoo's PPO CartPole-v1 hyperparameters, retuned for wall-clock time with weight norm: 10 epochs
  // instead of 20 (an update costs its gradient steps: half the time per rollout) and learning rate 5e-3
  // instead of 1e-3 (with 1e-3, weight norm reached the training threshold in 1 of 4 seeds within 60k
  // steps; with 3e-3 or 5e-3 and 10 epochs, 4 of 4 in 21-59k). Output layers without weight norm
  // (outputNorm 'none'; hidden layers keep it): a weight-normalized output's scale is its gain g, which
  // Adam moves by about the learning rate per step, so a value head needing |V| ≈ 50 grows slowly; with
  // plain outputs weight norm's median steps to the training threshold fell from 40k to 27k.
  // Sweep and numbers: bench/README.md.
  'ppo:CartPole-v1': {
    env: { numEnvs: 8 },
    agent: { network: { hidden: [64, 64], activation: 'tanh', outputNorm: 'none' }, ...CARTPOLE_PPO },
    trainer: { totalSteps: 100_000, evalInterval: 10_000, evalEpisodes: 20 },
  },
  // From the RL Zoo (ppo.yml, Acrobot-v1). Its `normalize: true` is SB3's VecNormalize: observations and
  // rewards (divided by the running std of the discounted return). The reward scaling matters for weight
  // norm: on raw rewards the value loss stayed at ~110-145 for 200k steps (the value output's scale g
  // crept 1.6 → 2.7 while returns are −100…−500) and 2 of 5 seeds never left −500; scaled, it is < 0.1
  // and 5 of 5 seeds solve. bench/README.md has the tables.
  'ppo:Acrobot-v1': {
    env: { numEnvs: 16, wrappers: [{ type: 'normalizeObservation' }, { type: 'normalizeReward', gamma: 0.99 }] },
    agent: { numSteps: 256, batchSize: 256, gaeLambda: 0.94, gamma: 0.99, updateEpochs: 4, entropyCoef: 0 },
    trainer: { totalSteps: 200_000, evalInterval: 20_000, evalEpisodes: 20 },
  },
  // From the RL Zoo (ppo.yml, Pendulum-v1) without gSDE, which wnrl does not implement. Benchmarked with
  // an evaluation threshold of −300 (trainer.rewardThreshold): weight norm 5 of 5 seeds at 75-125k steps.
  'ppo:Pendulum-v1': {
    env: { numEnvs: 4 },
    agent: { numSteps: 1024, batchSize: 64, gaeLambda: 0.95, gamma: 0.9, updateEpochs: 10, entropyCoef: 0, learningRate: 1e-3, clipRange: 0.2 },
    trainer: { totalSteps: 1_000_000, evalInterval: 50_000, evalEpisodes: 20 },
  },
  // From the RL Zoo (ppo.yml, MountainCarContinuous-v0; `normalize: true`: observations and rewards) without
  // gSDE. Not benchmarked; one check (weight norm, seed 1) ended at an eval of −0.7 after 20k steps: it
  // does not find the goal, for which the Zoo relies on gSDE's exploration.
  'ppo:MountainCarContinuous-v0': {
    env: { numEnvs: 1, wrappers: [{ type: 'normalizeObservation' }, { type: 'normalizeReward', gamma: 0.9999 }] },
    agent: {
      numSteps: 8,
      batchSize: 8,
      gaeLambda: 0.9,
      gamma: 0.9999,
      updateEpochs: 10,
      entropyCoef: 0.00429,
      learningRate: 7.77e-5,
      clipRange: 0.1,
      maxGradNorm: 5,
      valueCoef: 0.19,
      logStdInit: -3.29,
    },
    trainer: { totalSteps: 20_000, evalInterval: 5_000, evalEpisodes: 10 },
  },
  // From the RL Zoo (a2c.yml): CartPole-v1 with 8 envs and A2C's defaults (RMSprop, 5-step rollouts).
  'a2c:CartPole-v1': {
    env: { numEnvs: 8 },
    agent: { entropyCoef: 0 },
    trainer: { totalSteps: 500_000, evalInterval: 25_000, evalEpisodes: 20 },
  },
  // From the RL Zoo (a2c.yml; `normalize: true`: observations and rewards), as the one below. Not
  // benchmarked; one check (weight norm, seed 1) solved Acrobot at its first eval (−84.8 at 25k steps).
  'a2c:Acrobot-v1': {
    env: { numEnvs: 16, wrappers: [{ type: 'normalizeObservation' }, { type: 'normalizeReward', gamma: 0.99 }] },
    agent: { entropyCoef: 0 },
    trainer: { totalSteps: 500_000, evalInterval: 25_000, evalEpisodes: 20 },
  },
  'a2c:Pendulum-v1': {
    env: { numEnvs: 8, wrappers: [{ type: 'normalizeObservation' }, { type: 'normalizeReward', gamma: 0.9 }] },
    agent: { numSteps: 8, gaeLambda: 0.9, gamma: 0.9, entropyCoef: 0, learningRate: 7e-4, maxGradNorm: 0.5, valueCoef: 0.4 },
    trainer: { totalSteps: 1_000_000, evalInterval: 50_000, evalEpisodes: 20 },
  },
  // The RL Zoo's ppo_lstm.yml (CartPoleNoVel-v1) exactly, as sb3-contrib's RecurrentPPO runs it: 8 envs ×
  // 32 steps, one minibatch of all 8 env sequences (256 steps), 20 epochs, linear lr (1e-3) and clip (0.2)
  // schedules, an LSTM of 64 units for the actor and one for the critic, then [64] ReLU heads, torch's
  // initialization (ortho_init False), VecNormalize's observation and reward normalization clipped at 10 —
  // and no normalization in the networks. Chosen on tuning seeds 1-5 by area under the learning curve
  // (2026-12-04, bench/rppo-preset-tuning*.json, bench/README.md): weight norm's best of eight candidates
  // (10 epochs, lr 2e-3) against these settings without normalization; the former weight-norm preset (10
  // epochs, lr 5e-3) reached the training threshold on 2 of 5 tuning seeds once every norm started from the
  // references' initialization. `--norm weight` (or any norm) keeps these settings. Judged on held-out
  // seeds 16-25 beside sb3-contrib.
  'ppo:CartPoleNoVel-v1': {
    env: { numEnvs: 8, wrappers: [{ type: 'normalizeObservation', clip: 10 }, { type: 'normalizeReward', gamma: 0.98, clip: 10 }] },
    agent: {
      network: { hidden: [64], activation: 'relu', norm: 'none', init: 'torch', recurrent: { type: 'lstm', units: 64, init: 'torch' } },
      ...CARTPOLE_PPO,
      updateEpochs: 20,
      learningRate: 1e-3,
    },
    trainer: { totalSteps: 100_000, evalInterval: 10_000, evalEpisodes: 20 },
  },
  // The RL Zoo's ppo_lstm.yml (PendulumNoVel-v1) without gSDE, which wnrl does not implement: a
  // state-independent log-std (initial 0, as the MLP Pendulum preset). A minibatch is one env's whole
  // rollout (1024 steps, through time), so 4 minibatches per epoch where the Zoo cuts 128-step chunks.
  'ppo:PendulumNoVel-v1': {
    env: { numEnvs: 4, wrappers: [{ type: 'normalizeObservation' }, { type: 'normalizeReward', gamma: 0.9 }] },
    agent: {
      network: { hidden: [64], activation: 'relu', recurrent: { type: 'lstm', units: 64 } },
      numSteps: 1024,
      batchSize: 1024,
      gaeLambda: 0.95,
      gamma: 0.9,
      updateEpochs: 10,
      entropyCoef: 0,
      learningRate: 1e-3,
      clipRange: 0.2,
    },
    trainer: { totalSteps: 100_000, evalInterval: 20_000, evalEpisodes: 20, rewardThreshold: -300 },
  },
  // Recurrent A2C, wnrl's own choice (not from the Zoo, which has none): A2C's RMSprop defaults with
  // 16-step rollouts (5 steps is a short window to learn through time), LSTM 64 and [64] ReLU heads.
  'a2c:CartPoleNoVel-v1': {
    env: { numEnvs: 8, wrappers: [{ type: 'normalizeObservation' }] },
    agent: { network: { hidden: [64], activation: 'relu', recurrent: { type: 'lstm', units: 64 } }, numSteps: 16, entropyCoef: 0 },
    trainer: { totalSteps: 500_000, evalInterval: 25_000, evalEpisodes: 20 },
  },
  // MuJoCo through the Gymnasium bridge (`npx wnrl setup --gymnasium --mujoco`). The Zoo's `normalize: true`
  // is VecNormalize with the algorithm's γ and both clips at 10: wnrl's normalizers around each Python copy.
  // Each preset below says where it came from and on which seeds it was chosen and judged; the numbers (against
  // SB3 with the Zoo's settings, in the same invocation) are in bench/README.md, kept there alone.
  // Hopper-v5: the Zoo's `mujoco-defaults` (SB3's PPO defaults with normalization), chosen on tuning seeds
  // 101-102 over the Zoo's tuned Hopper-v3 settings, with which neither wnrl nor SB3 learned to hop on v5,
  // with weight norm's learning rate halved to 1.5e-4 (tuning seeds 101-102 again: at SB3's 3e-4 its
  // approximate KL per update was twice SB3's; at 1.5e-4 KL and policy std match SB3's). Without a norm
  // the rate stays SB3's 3e-4, the reference's settings. Judged on held-out seeds 1-10.
  'ppo:gymnasium:Hopper-v5': {
    ...mujocoPpo(0.99, { network: { hidden: [64, 64], activation: 'tanh', init: 'orthogonal' }, ...PPO_SB3_DEFAULTS, learningRate: 1.5e-4 }),
    byNorm: { none: { agent: { learningRate: PPO_SB3_DEFAULTS.learningRate } } },
  },
  // HalfCheetah-v5: the RL Zoo's tuned settings for v3 (ppo.yml) on v5, with half the Zoo's 20 epochs at
  // twice its learning rate (the same lr × gradient steps per rollout; the Zoo's own took 1.55x SB3's wall
  // time). Chosen on tuning seed 101, judged on held-out seeds 7-9; 5 epochs at 4x the rate collapsed
  // mid-run on held-out seeds 4-5 and was not adopted.
  'ppo:gymnasium:HalfCheetah-v5': mujocoPpo(0.98, {
    network: ZOO_MUJOCO_NET,
    batchSize: 64,
    gamma: 0.98,
    learningRate: 4.1266e-5,
    entropyCoef: 0.000401762,
    clipRange: 0.1,
    updateEpochs: 10,
    gaeLambda: 0.92,
    maxGradNorm: 0.8,
    valueCoef: 0.58096,
    logStdInit: -2,
  }),
  // Walker2d-v5: the Zoo's tuned v3 settings (SB3's default policy: [64, 64] tanh, orthogonal init, log-std
  // 0; 20 epochs of minibatch 32) with 10 epochs at twice its learning rate, half the gradient steps.
  // Chosen on tuning seed 101, judged on held-out seeds 4-6.
  'ppo:gymnasium:Walker2d-v5': mujocoPpo(0.99, {
    network: { hidden: [64, 64], activation: 'tanh', init: 'orthogonal' },
    batchSize: 32,
    gamma: 0.99,
    learningRate: 1.01e-4,
    entropyCoef: 0.000585045,
    clipRange: 0.1,
    updateEpochs: 10,
    gaeLambda: 0.95,
    maxGradNorm: 1,
    valueCoef: 0.871923,
    logStdInit: 0,
  }),
};

/**
 * The preset of (algo, env) for a norm (default: the preset's own norm), with that norm's overrides merged
 * in, or undefined when wnrl has none for the pair.
 */
export function presetFor(algo: string, envId: string, norm?: Norm): PresetLayer | undefined {
  const entry = PRESETS[`${algo}:${envId}`];
  if (entry === undefined) return undefined;
  const { byNorm, ...base } = entry;
  return deepMerge({}, base, byNorm?.[norm ?? presetNorm(base)]) as PresetLayer;
}

/** The norm a preset entry was tuned for: its network's, or the schema's default. */
function presetNorm(p: PresetLayer): Norm {
  return (p.agent?.['network'] as { norm?: Norm } | undefined)?.norm ?? DEFAULT_NORM;
}

export function presetKeys(): string[] {
  return Object.keys(PRESETS);
}
