// Batch normalization (Ioffe & Szegedy 2015) with batch renormalization (Ioffe 2017), the form wnrl's
// agents use. In an update (training mode) plain batch norm computes y = γ·(x − μ_B)/σ_B + β with this
// minibatch's statistics, while acting and evaluation use running averages μ, σ: two different functions,
// so PPO's first importance ratio is not 1 and DQN's targets come from another function than its loss.
// Batch renormalization keeps the gradient through μ_B and σ_B but corrects the forward value:
//
//   r = sg(clip(σ_B/σ, 1/rMax, rMax)),   d = sg(clip((μ_B − μ)/σ, −dMax, dMax))      (sg: no gradient)
//   y = γ·((x − μ_B)/σ_B · r + d) + β
//
// Unclipped (rMax = dMax = null, wnrl's default) the forward value is exactly γ·(x − μ)/σ + β, the
// inference-mode output: the network that acts is the one the update differentiates, and the running
// averages (updated by every training-mode call, after its forward) are part of the policy that PPO's ratio
// and clipping see. Clipped, it is CrossQ's (Bhatt et al. 2024) form. `renorm: false` is plain batch norm.
//
// Mean-only batch norm (mean-only-batch-norm.ts) applies the same correction to its mean alone.
import type { LayerVariable, Shape, Tensor } from '@tensorflow/tfjs-node';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types.js';
import { tf } from '../backend.ts';
import { opWithLazyGradients, sumToShape } from './dense-op.ts';

/** The identity, passing no gradient (torch's detach). */
export const stopGradient = tf.customGrad(((x: Tensor, save: (t: Tensor[]) => void) => {
  save([]);
  return { value: tf.clone(x), gradFunc: (dy: Tensor) => tf.zerosLike(dy) };
}) as never) as unknown as <T extends Tensor>(x: T) => T;

/** Renormalization bounds: null leaves a correction unclipped. */
export interface RenormClip {
  rMax: number | null;
  dMax: number | null;
}

/**
 * r and d (no gradient) that map batch statistics onto running ones: (x − μ_B)/σ_B·r + d = (x − μ)/σ when
 * unclipped. `batchStd` and `runStd` null: mean-only (r = 1, d = μ_B − μ in the input's units).
 */
export function renormCorrection(batchMean: Tensor, batchStd: Tensor | null, runMean: Tensor, runStd: Tensor | null, clip: RenormClip): { r: Tensor | null; d: Tensor } {
  let d = tf.sub(batchMean, runMean);
  let r: Tensor | null = null;
  if (batchStd !== null && runStd !== null) {
    d = tf.div(d, runStd);
    r = tf.div(batchStd, runStd);
    if (clip.rMax !== null) r = tf.clipByValue(r, 1 / clip.rMax, clip.rMax);
    r = stopGradient(r);
  }
  if (clip.dMax !== null) d = tf.clipByValue(d, -clip.dMax, clip.dMax);
  return { r, d: stopGradient(d) };
}

/** The renorm setting as a layer config value. */
export function renormConfig(renorm: RenormClip | false): false | { rMax: number | null; dMax: number | null } {
  return renorm === false ? false : { rMax: renorm.rMax, dMax: renorm.dMax };
}

/** A running statistic: read before, written after a training-mode forward (a LayerVariable, or a stacked variable's wrapper). */
export interface RunningStat {
  read(): Tensor;
  write(value: Tensor): void;
}

/** How batchNormalize runs: the mode and the layer's settings. */
export interface BatchNormalizeOptions {
  /** Batch statistics (inside an update only: the batch-norm rule of build-mlp.ts). */
  training: boolean;
  momentum: number;
  epsilon: number;
  renorm: RenormClip | false;
}

/**
 * Batch norm over the batch axis, the math of the BatchNorm layer: rank 2, x [B, H] with parameters [H];
 * rank 3 (K stacked layers, stacked-mlp.ts), x [K, B, H] with parameters [K, 1, H]. A training-mode call
 * moves the running statistics after its forward. Not tidied: call it inside the caller's tf.tidy.
 *
 * The training-mode pass is one op with closed-form gradients (r and d pass none, as sg() above):
 *   z = x̂·r + d,  x̂ = (x − μ_B)/σ_B,  y = γ·z + β
 *   dx = (r/σ_B)·(g − mean_B(g) − x̂·mean_B(g·x̂)),  g = γ·dy;   dγ = Σ_B dy·z;   dβ = Σ_B dy
 * the textbook batch-norm backward scaled by r: about a dozen kernels where autodiff through moments,
 * broadcasts and the renorm correction ran several dozen (bench/README.md), so batch norm is compared at
 * the cost of its best implementation, as weight norm is.
 */
export function batchNormalize(x: Tensor, gamma: Tensor, beta: Tensor, moving: { mean: RunningStat; variance: RunningStat }, o: BatchNormalizeOptions): Tensor {
  const { mean: rm, variance: rv } = moving;
  if (!o.training) return tf.add(tf.mul(tf.div(tf.sub(x, rm.read()), tf.sqrt(tf.add(rv.read(), o.epsilon))), gamma), beta);
  const axis = x.rank - 2;
  const keep = x.rank === 3;
  const runMean = rm.read();
  const runVariance = rv.read();
  let stats: { mean: Tensor; variance: Tensor } | null = null;
  const y = opWithLazyGradients(
    [x, gamma, beta],
    (save) => {
      const mean = tf.mean(x, axis, keep);
      const centered = tf.sub(x, mean);
      const variance = tf.mean(tf.square(centered), axis, keep);
      const batchStd = tf.sqrt(tf.add(variance, o.epsilon));
      const xhat = tf.div(centered, batchStd);
      let z = xhat;
      let scale: Tensor; // r/σ_B
      if (o.renorm === false) scale = tf.reciprocal(batchStd);
      else {
        const runStd = tf.sqrt(tf.add(runVariance, o.epsilon));
        let r = tf.div(batchStd, runStd);
        if (o.renorm.rMax !== null) r = tf.clipByValue(r, 1 / o.renorm.rMax, o.renorm.rMax);
        let d = tf.div(tf.sub(mean, runMean), runStd);
        if (o.renorm.dMax !== null) d = tf.clipByValue(d, -o.renorm.dMax, o.renorm.dMax);
        z = tf.add(tf.mul(xhat, r), d);
        scale = tf.div(r, batchStd);
      }
      stats = { mean: tf.keep(mean), variance: tf.keep(variance) };
      save([xhat, z, gamma, scale]);
      return tf.add(tf.mul(z, gamma), beta);
    },
    (dy, saved) => {
      const [xhat, z, g, scale] = saved as [Tensor, Tensor, Tensor, Tensor];
      return [
        () => {
          const gdy = tf.mul(dy, g);
          return tf.mul(tf.sub(tf.sub(gdy, tf.mean(gdy, axis, true)), tf.mul(xhat, tf.mean(tf.mul(gdy, xhat), axis, true))), scale);
        },
        () => sumToShape(tf.mul(dy, z), gamma.shape),
        () => sumToShape(dy, beta.shape),
      ];
    },
  );
  // the running averages move after this forward (tfjs's convention: the unbiased variance is not used)
  const { mean, variance } = stats!;
  const m = o.momentum;
  rm.write(tf.tidy(() => tf.add(tf.mul(runMean, m), tf.mul(mean, 1 - m))));
  rv.write(tf.tidy(() => tf.add(tf.mul(runVariance, m), tf.mul(variance, 1 - m))));
  tf.dispose([mean, variance]);
  return y;
}

/** Options of BatchNorm. */
export interface BatchNormArgs extends LayerArgs {
  /** Running-average momentum (default 0.99, as tfjs and Keras). */
  momentum?: number;
  /** Default 1e-3 (tfjs's batchNormalization). */
  epsilon?: number;
  /** Batch renormalization bounds, or false for plain batch norm (default: unclipped renormalization). */
  renorm?: RenormClip | false;
}

/**
 * Batch normalization with batch renormalization (default: unclipped, so a training-mode pass has the
 * inference value); a registered tfjs layer. buildMlp's 'batch' norm.
 */
export class BatchNorm extends tf.layers.Layer {
  static readonly className = 'WnrlBatchNorm';
  readonly momentum: number;
  readonly epsilon: number;
  readonly renorm: RenormClip | false;
  private gamma: LayerVariable | null = null;
  private beta: LayerVariable | null = null;
  private movingMeanWeight: LayerVariable | null = null;
  private movingVarianceWeight: LayerVariable | null = null;

  constructor(args: BatchNormArgs = {}) {
    super(args);
    this.momentum = args.momentum ?? 0.99;
    this.epsilon = args.epsilon ?? 1e-3;
    this.renorm = args.renorm ?? { rMax: null, dMax: null };
    if (!(this.momentum >= 0 && this.momentum < 1)) throw new RangeError(`BatchNorm: momentum must be in [0, 1); got ${this.momentum}`);
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const dim = shape[shape.length - 1];
    if (typeof dim !== 'number') throw new Error(`BatchNorm ${this.name}: the last input dimension must be known`);
    this.gamma = this.addWeight('gamma', [dim], 'float32', tf.initializers.ones(), undefined, true);
    this.beta = this.addWeight('beta', [dim], 'float32', tf.initializers.zeros(), undefined, true);
    this.movingMeanWeight = this.addWeight('movingMean', [dim], 'float32', tf.initializers.zeros(), undefined, false);
    this.movingVarianceWeight = this.addWeight('movingVariance', [dim], 'float32', tf.initializers.ones(), undefined, false);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
  }

  /** γ and β (trained). */
  get affine(): { gamma: LayerVariable; beta: LayerVariable } {
    if (this.gamma === null || this.beta === null) throw new Error(`BatchNorm ${this.name}: not built yet`);
    return { gamma: this.gamma, beta: this.beta };
  }

  /** The running statistics (not trained; saved with the weights). */
  get moving(): { mean: LayerVariable; variance: LayerVariable } {
    if (this.movingMeanWeight === null || this.movingVarianceWeight === null) throw new Error(`BatchNorm ${this.name}: not built yet`);
    return { mean: this.movingMeanWeight, variance: this.movingVarianceWeight };
  }

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const options = { training: kwargs['training'] === true, momentum: this.momentum, epsilon: this.epsilon, renorm: this.renorm };
    return tf.tidy(() => batchNormalize(x, this.gamma!.read(), this.beta!.read(), this.moving, options));
  }

  override getConfig() {
    return { ...super.getConfig(), momentum: this.momentum, epsilon: this.epsilon, renorm: renormConfig(this.renorm) };
  }
}

tf.serialization.registerClass(BatchNorm);
