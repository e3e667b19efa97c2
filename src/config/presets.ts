// Tested hyperparameters per (agent, env), like the RL Zoo's: `wnrl train --env CartPole-v1 --agent dqn
// --norm weight` learns well with no tuning. Flags and --config override them. Each entry records what it
// was checked with (bench/README.md has the numbers).
import type { RunConfigInput } from './run.ts';

type Preset = { env?: Partial<RunConfigInput['env']>; agent?: Record<string, unknown>; trainer?: Record<string, unknown> };

const PRESETS: Record<string, Preset> = {
  'dqn:CartPole-v1': {
    env: { numEnvs: 8 },
    agent: {
      network: { hidden: [64, 64], activation: 'relu' },
      learningRate: 1e-3,
      batchSize: 256,
      bufferSize: 100_000,
      learningStarts: 1_000,
      trainFrequency: 8,
      gradientSteps: 2,
      tau: 0.01,
      targetUpdateInterval: 8,
      explorationFraction: 0.1,
      explorationFinalEps: 0.02,
    },
    // Frequent evaluations: DQN's greedy policy on CartPole peaks and dips, and early stop keeps a peak.
    trainer: { totalSteps: 100_000, evalInterval: 2_500, evalEpisodes: 20 },
  },
  // RL Zoo's tuned PPO CartPole-v1 hyperparameters.
  'ppo:CartPole-v1': {
    env: { numEnvs: 8 },
    agent: {
      network: { hidden: [64, 64], activation: 'tanh' },
      numSteps: 32,
      batchSize: 256,
      gaeLambda: 0.8,
      gamma: 0.98,
      updateEpochs: 20,
      entropyCoef: 0,
      learningRate: 1e-3,
      learningRateSchedule: 'linear',
      clipRange: 0.2,
      clipRangeSchedule: 'linear',
    },
    trainer: { totalSteps: 100_000, evalInterval: 10_000, evalEpisodes: 20 },
  },
};

export function presetFor(algo: string, envId: string): Preset | undefined {
  return PRESETS[`${algo}:${envId}`];
}

export function presetKeys(): string[] {
  return Object.keys(PRESETS);
}
