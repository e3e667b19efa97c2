import { z } from 'zod';
import { positiveInt, positiveNumber, seed } from './common.ts';

export const NORMS = ['none', 'weight', 'weight-meanonly', 'batch', 'layer'] as const;
export type Norm = (typeof NORMS)[number];

const normError = `expected one of ${NORMS.map((n) => `'${n}'`).join(', ')}`;
export const NormSchema = z.enum(NORMS, { error: normError });

/**
 * A recurrent core between the observation and the MLP heads (PPO and A2C): `{ type: 'lstm', units }`.
 * The LSTM uses the network's `norm` (src/nn/lstm.ts); `hidden` then sizes the layers after it.
 */
export const RecurrentConfig = z.strictObject({
  type: z.literal('lstm', { error: "expected 'lstm'" }),
  units: positiveInt(),
  /** One LSTM for actor and critic (default: one each). */
  sharedLstm: z.boolean().default(false),
});
export type RecurrentConfig = z.output<typeof RecurrentConfig>;

/** The network part of every agent config. */
export const NetworkConfig = z.strictObject({
  /** Units of each hidden layer. */
  hidden: z.array(positiveInt(), { error: 'expected an array of positive integers' }).default([64, 64]),
  activation: z.enum(['tanh', 'relu', 'elu', 'sigmoid', 'linear'], { error: "expected 'tanh', 'relu', 'elu', 'sigmoid' or 'linear'" }).default('tanh'),
  norm: NormSchema.default('weight'),
  /**
   * The output layer: 'auto' (weight norm when `norm` uses weight norm, otherwise a plain dense layer;
   * never batch statistics on an output), 'weight' or 'none'.
   */
  outputNorm: z.enum(['auto', 'weight', 'none']).default('auto'),
  /** Observations of a random-policy warm-up used for data-dependent init (weight-norm variants only). */
  initSamples: positiveInt().default(256),
  /**
   * Scale of the output layer's data-dependent init (weight-norm variants). Default: 1 for Q and value
   * outputs, 0.01 for policy outputs (a near-uniform initial policy, like SB3's orthogonal init with gain 0.01).
   */
  outputInitScale: positiveNumber().optional(),
  /** A recurrent core (PPO and A2C only), or null for a feed-forward policy. */
  recurrent: RecurrentConfig.nullable().default(null),
});
export type NetworkConfig = z.output<typeof NetworkConfig>;
export type NetworkConfigInput = z.input<typeof NetworkConfig>;

export const MlpConfig = z.strictObject({
  inputSize: positiveInt(),
  hidden: z.array(positiveInt()).default([64, 64]),
  outputSize: positiveInt(),
  activation: NetworkConfig.shape.activation,
  norm: NormSchema.default('weight'),
  outputNorm: NetworkConfig.shape.outputNorm,
  /** Seed for the initializers (same seed => same initial weights). */
  seed: seed().optional(),
  /** Prefix of layer names (distinguishes networks in diagnostics). */
  name: z.string().regex(/^[A-Za-z_][\w]*$/).default('mlp'),
});
export type MlpConfigInput = z.input<typeof MlpConfig>;
