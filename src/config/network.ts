import { z } from 'zod';
import { positiveInt, positiveNumber, seed } from './common.ts';

/** The normalizations wnrl compares. */
export const NORMS = ['none', 'weight', 'weight-meanonly', 'batch', 'layer'] as const;
/** One of NORMS. */
export type Norm = (typeof NORMS)[number];

const normError = `expected one of ${NORMS.map((n) => `'${n}'`).join(', ')}`;
export const NormSchema = z.enum(NORMS, { error: normError });
/** The norm a network config that names none gets: weight norm, wnrl's reason to exist. */
export const DEFAULT_NORM: Norm = 'weight';

/** Initial weights of the dense layers, the same for every norm (src/nn/init.ts). */
export const INITS = ['orthogonal', 'torch', 'glorot'] as const;
export type Init = (typeof INITS)[number];
export const InitSchema = z.enum(INITS, { error: `expected one of ${INITS.map((n) => `'${n}'`).join(', ')}` });

/**
 * Batch statistics in an update ('batch', 'weight-meanonly'; src/nn/batch-norm.ts): batch renormalization
 * with bounds rMax, dMax (null: unclipped, so an update's forward value equals the acting one), or false
 * for plain batch norm (the minibatch's own statistics in an update, running averages when acting).
 */
export const BatchRenormConfig = z.union(
  [
    z.literal(false),
    z.strictObject({
      rMax: z.number().min(1, { error: 'expected a number ≥ 1 or null' }).nullable().default(null),
      dMax: z.number().min(0, { error: 'expected a number ≥ 0 or null' }).nullable().default(null),
    }),
  ],
  { error: 'expected false or { rMax, dMax } (numbers or null)' },
);
export type BatchRenormConfig = z.output<typeof BatchRenormConfig>;

const BatchMomentum = z.number({ error: 'expected a number in [0, 1)' }).min(0, { error: 'expected a number in [0, 1)' }).lt(1, { error: 'expected a number in [0, 1)' }).default(0.99);

/** Where a layer-norm LSTM normalizes (src/nn/lstm.ts). */
export const LAYER_NORM_LSTM = ['summed', 'separate'] as const;
export type LayerNormLstm = (typeof LAYER_NORM_LSTM)[number];

/** Initial weights of an LSTM (src/nn/lstm.ts). */
export const LSTM_INITS = ['orthogonal', 'torch', 'glorot'] as const;
export type LstmInit = (typeof LSTM_INITS)[number];

/**
 * A recurrent core between the observation and the MLP heads (PPO and A2C): `{ type: 'lstm', units }`.
 * The LSTM uses the network's `norm` (src/nn/lstm.ts); `hidden` then sizes the layers after it.
 */
export const RecurrentConfig = z.strictObject({
  type: z.literal('lstm', { error: "expected 'lstm'" }),
  units: positiveInt(),
  /** One LSTM for actor and critic (default: one each). */
  sharedLstm: z.boolean().default(false),
  /**
   * 'orthogonal': W_h orthogonal per gate block, W_x Glorot uniform, one bias with the forget gate's at 1,
   * the same draws for every norm; 'torch': nn.LSTM's defaults (sb3-contrib's RecurrentPPO): every weight
   * and both biases U(±1/√units), no forget-gate offset; 'glorot': as 'orthogonal' but a weight-normalized
   * W_x keeps the paper's v ~ N(0, 0.05²), g = 1 (wnrl ≤ 0.1, before every norm shared its draws).
   */
  init: z.enum(LSTM_INITS, { error: "expected 'orthogonal', 'torch' or 'glorot'" }).default('orthogonal'),
  /**
   * With norm 'layer': 'summed' normalizes the whole pre-activation x·W_x + h·W_h + b (the bias and the
   * state keep the input's scale visible); 'separate' is Ba et al.'s LN(x·W_x) + LN(h·W_h) + b, which cannot
   * tell x from 2·x.
   */
  layerNorm: z.enum(LAYER_NORM_LSTM, { error: "expected 'summed' or 'separate'" }).default('summed'),
});
export type RecurrentConfig = z.output<typeof RecurrentConfig>;

/** The network part of every agent config. */
export const NetworkConfig = z.strictObject({
  /** Units of each hidden layer. */
  hidden: z.array(positiveInt(), { error: 'expected an array of positive integers' }).default([64, 64]),
  activation: z.enum(['tanh', 'relu', 'elu', 'sigmoid', 'linear'], { error: "expected 'tanh', 'relu', 'elu', 'sigmoid' or 'linear'" }).default('tanh'),
  norm: NormSchema.default(DEFAULT_NORM),
  /**
   * Initial dense weights, shared by every norm: 'orthogonal' (SB3/CleanRL: gain √2 on hidden layers, 0.01
   * on a policy output, 1 on a value or Q output, zero biases), 'torch' (nn.Linear's defaults) or 'glorot'
   * (tfjs's; weight-normalized layers then keep the paper's v ~ N(0, 0.05²)). Default: 'orthogonal' for
   * PPO and A2C, 'glorot' for DQN.
   */
  init: InitSchema.default('orthogonal'),
  /**
   * Data-dependent init from a random-policy warm-up: the weight-norm variants' g and b from the statistics
   * of the init's directions (Salimans & Kingma §2.2), batch norm's running statistics from the warm-up's
   * batch. false: every layer starts as the init left it (running statistics 0 and 1).
   */
  dataDependentInit: z.boolean().default(true),
  /**
   * How the batch-statistics norms ('batch', 'weight-meanonly') compute an update's forward pass (see
   * BatchRenormConfig). Default: unclipped batch renormalization, so acting and the update agree.
   */
  batchRenorm: BatchRenormConfig.default({ rMax: null, dMax: null }),
  /**
   * Running-average momentum of the batch-statistics norms ('batch', 'weight-meanonly'; MLP layers and
   * the LSTM's input term): after each training-mode pass, running ← m·running + (1 − m)·batch. Default
   * 0.99 (tfjs and Keras); lower follows the weights more closely.
   */
  batchMomentum: BatchMomentum,
  /**
   * The output layer: 'auto' (weight norm when `norm` uses weight norm, otherwise a plain dense layer;
   * never batch statistics on an output), 'weight' or 'none'.
   */
  outputNorm: z.enum(['auto', 'weight', 'none']).default('auto'),
  /** Observations of a random-policy warm-up used for data-dependent init (weight- and batch-norm variants). */
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
  norm: NormSchema.default(DEFAULT_NORM),
  outputNorm: NetworkConfig.shape.outputNorm,
  /** Initial weights (src/nn/init.ts); 'glorot' here, as buildMlp always built. */
  init: InitSchema.default('glorot'),
  /** Output layer gain under init 'orthogonal'. */
  outputGain: positiveNumber().default(1),
  batchRenorm: BatchRenormConfig.default({ rMax: null, dMax: null }),
  batchMomentum: BatchMomentum,
  /** Seed for the initializers (same seed => same initial weights). */
  seed: seed().optional(),
  /** Prefix of layer names (distinguishes networks in diagnostics). */
  name: z.string().regex(/^[A-Za-z_][\w]*$/).default('mlp'),
});
export type MlpConfigInput = z.input<typeof MlpConfig>;
