// Mean-only batch normalization (Salimans & Kingma 2016, §2.3): subtract the minibatch mean of each
// pre-activation, no division by the standard deviation, then add a learned bias:
//   training:  y = x − mean_batch(x) + β,   movingMean ← m · movingMean + (1 − m) · mean_batch(x)
//   inference: y = x − movingMean + β
// Combined with weight norm (which fixes the scale) it is the paper's best variant.
//
// The rule for RL (the same as for tf.layers.batchNormalization): call with `training: true` only inside
// an update step; acting, target and evaluation passes use inference mode. Every training-mode call moves
// the running mean, so a training-mode acting pass would both couple the examples of a batch and drift
// the statistics.
import type { LayerVariable, Shape, Tensor } from '@tensorflow/tfjs-node';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types.js';
import { tf } from '../backend.ts';
import { renormConfig, type RenormClip, type RunningStat } from './batch-norm.ts';
import { opWithLazyGradients, sumToShape } from './dense-op.ts';

/** Options of MeanOnlyBatchNorm. */
export interface MeanOnlyBatchNormArgs extends LayerArgs {
  /** Running-mean momentum (default 0.99, as tf.layers.batchNormalization). */
  momentum?: number;
  /** Learn a bias β (default true). */
  center?: boolean;
  /**
   * Batch renormalization of the mean (batch-norm.ts): in training mode y = x − μ_B + sg(clip(μ_B − μ, ±dMax))
   * + β, whose value is the inference output when unclipped. false: plain mean-only batch norm. Default:
   * unclipped.
   */
  renorm?: RenormClip | false;
}

/**
 * Mean-only batch norm over the batch axis, the math of the MeanOnlyBatchNorm layer: rank 2, x [B, H] with
 * parameters [H]; rank 3 (K stacked layers, stacked-mlp.ts), x [K, B, H] with [K, 1, H]. β null: no bias.
 * Not tidied: call it inside the caller's tf.tidy. The training-mode pass is one op with closed-form
 * gradients (d passes none): y = x − μ_B + d + β, so dx = dy − mean_B(dy) and dβ = Σ_B dy.
 */
export function meanOnlyBatchNormalize(x: Tensor, beta: Tensor | null, movingMean: RunningStat, o: { training: boolean; momentum: number; renorm: RenormClip | false }): Tensor {
  if (!o.training) {
    const centered = tf.sub(x, movingMean.read());
    return beta === null ? centered : tf.add(centered, beta);
  }
  const axis = x.rank - 2;
  const keep = x.rank === 3;
  const runMean = movingMean.read();
  let batchMean: Tensor | null = null;
  const y = opWithLazyGradients(
    beta === null ? [x] : [x, beta],
    () => {
      const mean = tf.mean(x, axis, keep);
      let centered = tf.sub(x, mean);
      if (o.renorm !== false) {
        let d = tf.sub(mean, runMean);
        if (o.renorm.dMax !== null) d = tf.clipByValue(d, -o.renorm.dMax, o.renorm.dMax);
        centered = tf.add(centered, d);
      }
      batchMean = tf.keep(mean);
      return beta === null ? centered : tf.add(centered, beta);
    },
    (dy) => [() => tf.sub(dy, tf.mean(dy, axis, true)), () => sumToShape(dy, beta!.shape)],
  );
  const m = o.momentum;
  movingMean.write(tf.tidy(() => tf.add(tf.mul(runMean, m), tf.mul(batchMean!, 1 - m))));
  tf.dispose(batchMean!);
  return y;
}

/** Mean-only batch normalization (Salimans & Kingma 2016, §2.3): subtracts the batch mean (running mean at inference) and adds β; a registered tfjs layer. */
export class MeanOnlyBatchNorm extends tf.layers.Layer {
  static readonly className = 'MeanOnlyBatchNorm';
  readonly momentum: number;
  readonly center: boolean;
  readonly renorm: RenormClip | false;
  private beta: LayerVariable | null = null;
  private movingMeanWeight: LayerVariable | null = null;

  constructor(args: MeanOnlyBatchNormArgs = {}) {
    super(args);
    this.momentum = args.momentum ?? 0.99;
    this.center = args.center ?? true;
    this.renorm = args.renorm ?? { rMax: null, dMax: null };
    if (!(this.momentum >= 0 && this.momentum < 1)) throw new RangeError(`MeanOnlyBatchNorm: momentum must be in [0, 1); got ${this.momentum}`);
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const dim = shape[shape.length - 1];
    if (typeof dim !== 'number') throw new Error(`MeanOnlyBatchNorm ${this.name}: the last input dimension must be known`);
    if (this.center) this.beta = this.addWeight('beta', [dim], 'float32', tf.initializers.zeros(), undefined, true);
    this.movingMeanWeight = this.addWeight('movingMean', [dim], 'float32', tf.initializers.zeros(), undefined, false);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
  }

  /** β (null without `center`). */
  get bias(): LayerVariable | null {
    return this.beta;
  }

  get movingMean(): LayerVariable {
    if (this.movingMeanWeight === null) throw new Error(`MeanOnlyBatchNorm ${this.name}: not built yet`);
    return this.movingMeanWeight;
  }

  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const options = { training: kwargs['training'] === true, momentum: this.momentum, renorm: this.renorm };
    return tf.tidy(() => meanOnlyBatchNormalize(x, this.beta?.read() ?? null, this.movingMean, options));
  }

  override getConfig() {
    return { ...super.getConfig(), momentum: this.momentum, center: this.center, renorm: renormConfig(this.renorm) };
  }
}

tf.serialization.registerClass(MeanOnlyBatchNorm);
