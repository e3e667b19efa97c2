import { z } from 'zod';
import { nonNegativeNumber, positiveInt, positiveNumber, probability } from './common.ts';
import { NetworkConfig } from './network.ts';

const schedule = z.enum(['constant', 'linear'], { error: "expected 'constant' or 'linear'" });

/** What PPO and A2C share: rollouts, GAE, the actor-critic networks, the loss weights. */
const ActorCriticBase = {
  network: NetworkConfig.default(NetworkConfig.parse({})),
  /** One network with a (numActions + 1)-unit output: policy and value share the hidden layers. */
  sharedTrunk: z.boolean().default(false),
  learningRate: positiveNumber().default(3e-4),
  /** 'linear' anneals the learning rate to 0 over training. */
  learningRateSchedule: schedule.default('constant'),
  /** Environment steps per env per rollout. */
  numSteps: positiveInt().default(2048),
  gamma: probability().default(0.99),
  gaeLambda: probability().default(0.95),
  entropyCoef: nonNegativeNumber().default(0),
  valueCoef: nonNegativeNumber().default(0.5),
  maxGradNorm: positiveNumber().nullable().default(0.5),
  normalizeAdvantage: z.boolean().default(true),
  /** Initial log standard deviation of the Gaussian policy (continuous actions). */
  logStdInit: z.number().default(0),
};

export const PpoConfig = z.strictObject({
  algo: z.literal('ppo').default('ppo'),
  ...ActorCriticBase,
  /** Minibatch size (transitions); must divide numSteps × numEnvs. */
  batchSize: positiveInt().default(64),
  updateEpochs: positiveInt().default(10),
  clipRange: positiveNumber().default(0.2),
  clipRangeSchedule: schedule.default('constant'),
  /** Clip the value function's change around the old values (null: no value clipping). */
  clipRangeVf: positiveNumber().nullable().default(null),
  /** Stop the epochs of an update early when the approximate KL exceeds 1.5 × targetKl (null: never). */
  targetKl: positiveNumber().nullable().default(null),
  adamEpsilon: nonNegativeNumber().default(1e-5),
});
export type PpoConfig = z.output<typeof PpoConfig>;
export type PpoConfigInput = z.input<typeof PpoConfig>;

export const A2cConfig = z.strictObject({
  algo: z.literal('a2c').default('a2c'),
  ...ActorCriticBase,
  learningRate: positiveNumber().default(7e-4),
  numSteps: positiveInt().default(5),
  gaeLambda: probability().default(1),
  normalizeAdvantage: z.boolean().default(false),
  optimizer: z.enum(['rmsprop', 'adam']).default('rmsprop'),
  /** RMSprop smoothing α. */
  rmsAlpha: probability().default(0.99),
  /** Optimizer ε. */
  optimizerEpsilon: nonNegativeNumber().default(1e-5),
});
export type A2cConfig = z.output<typeof A2cConfig>;
export type A2cConfigInput = z.input<typeof A2cConfig>;
