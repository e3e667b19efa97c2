import { z } from 'zod';
import { nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber, probability } from './common.ts';
import { NetworkConfig } from './network.ts';

/** DQN's networks are feed-forward: a recurrent core is a config error that names the field. */
const DqnNetworkConfig = NetworkConfig.extend({
  /** Glorot, as every DQN run so far (SB3's DQN uses torch's defaults: 'torch'). */
  init: NetworkConfig.shape.init.unwrap().default('glorot'),
  recurrent: z
    .null({ error: 'DQN is feed-forward in wnrl (a recurrent network is for ppo and a2c); remove network.recurrent or set it to null' })
    .default(null),
});

/** DQN hyperparameters (names as Stable-Baselines3's, camelCase). Step counts are environment steps. */
export const DqnConfig = z.strictObject({
  algo: z.literal('dqn').default('dqn'),
  network: DqnNetworkConfig.default(DqnNetworkConfig.parse({})),
  learningRate: positiveNumber().default(1e-3),
  /** Replay buffer capacity in transitions. */
  bufferSize: positiveInt().default(100_000),
  /** Environment steps of uniformly random actions before the first update. */
  learningStarts: nonNegativeInt().default(1_000),
  batchSize: positiveInt().default(64),
  gamma: probability().default(0.99),
  /** Soft target update coefficient: 1 = hard copy every targetUpdateInterval steps. */
  tau: probability().default(1),
  /** Environment steps between target updates. */
  targetUpdateInterval: positiveInt().default(500),
  /** Environment steps between training phases. */
  trainFrequency: positiveInt().default(4),
  /** Gradient steps per training phase. */
  gradientSteps: positiveInt().default(1),
  doubleDqn: z.boolean().default(true),
  /**
   * Bootstrap from a target network (true), or from the online network's own pass over s' (false: CrossQ,
   * Bhatt et al. 2024, whose batch statistics then cover s and s' together; no gradient through the target).
   */
  targetNetwork: z.boolean().default(true),
  /** Fraction of totalSteps over which ε falls from explorationInitialEps to explorationFinalEps. */
  explorationFraction: probability().default(0.1),
  explorationInitialEps: probability().default(1),
  explorationFinalEps: probability().default(0.05),
  /** Global gradient-norm clip (null: none). */
  maxGradNorm: positiveNumber().nullable().default(10),
  /** Huber loss threshold δ. */
  huberDelta: positiveNumber().default(1),
  /** Adam ε. */
  adamEpsilon: nonNegativeNumber().default(1e-8),
});
export type DqnConfig = z.output<typeof DqnConfig>;
export type DqnConfigInput = z.input<typeof DqnConfig>;
