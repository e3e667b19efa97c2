// WeightNormDense: a dense layer with weight normalization (Salimans & Kingma 2016, eq. 2):
//   w_j = g_j · v_j / ‖v_j‖   (v_j: column j of v [in, out], the norm taken over the input axis)
//   y   = φ(x · W + b)
// Parameters v [in, out], g [out], b [out]; gradients reach v and g by autodiff.
//
// Speed: the effective kernel W is computed once per forward call. Outside a gradient tape (acting,
// targets, evaluation) it is cached and reused until v or g change: tfjs gives a variable new storage
// (a new dataId) on every assign, so an optimizer step, setWeights or a Polyak update invalidates the cache
// with no bookkeeping, and acting costs what a plain Dense layer costs.
import type { LayerVariable, Shape, Tensor, Tensor1D, Tensor2D, Tensor3D } from '@tensorflow/tfjs-node';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types.js';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import { tf } from '../backend.ts';
import type { Activation } from './activations.ts';
import { denseOp } from './dense-op.ts';

/** Options of WeightNormDense. */
export interface WeightNormDenseArgs extends LayerArgs {
  /** Output units. */
  units: number;
  /** Default 'linear'. */
  activation?: Activation;
  /** Default true. */
  useBias?: boolean;
  /** Standard deviation of v's initial N(0, σ²) draw (the paper's 0.05). */
  vStddev?: number;
  /**
   * Initial g: 'ones' (default; data-dependent init then sets it), or 'vNorm' so that W = v initially and
   * the layer starts as a plain dense layer with kernel v (useful for like-for-like comparisons).
   */
  gInit?: 'ones' | 'vNorm';
  /** Seed of v's initializer (reproducible networks). */
  seed?: number;
}

type DataId = object;

/** ‖v‖ and g/‖v‖ per column (the axis of v's rows; kept as a dimension when v is stacked, rank 3 or more). */
function columnScale(v: Tensor, g: Tensor): { axis: number; keepDims: boolean; norm: Tensor; scale: Tensor } {
  const axis = v.rank - 2;
  const keepDims = v.rank >= 3;
  const norm = tf.sqrt(tf.sum(tf.square(v), axis, keepDims));
  return { axis, keepDims, norm, scale: tf.div(g, norm) };
}

/**
 * W = v · (g/‖v‖) per column, as one custom-gradient op. Autodiff through tf.norm costs about three times
 * the ops (abs, pow and their gradients); the closed forms (Salimans & Kingma 2016, eq. 3) need five:
 *   ∇g = (∇W · v) / ‖v‖          (column-wise dot product)
 *   ∇v = (g/‖v‖) (∇W − v ∇g/‖v‖)  (= (g/‖v‖)(I − w wᵀ/‖w‖²) ∇W, since w = (g/‖v‖) v and ‖w‖ = |g|)
 * The per-op overhead of the native backend, not FLOPs, is what this saves (bench/README.md).
 * Rank 2: v [in, out], g [out]; rank 3 or more (stacked layers, stacked-mlp.ts): v [..., in, out], g [..., 1, out].
 */
export const weightNormKernel = tf.customGrad(((v: Tensor, g: Tensor, save: (tensors: Tensor[]) => void) => {
  const { axis, keepDims, norm, scale } = columnScale(v, g);
  save([v, norm, scale]);
  return {
    value: tf.mul(v, scale),
    gradFunc: (dW: Tensor, saved: Tensor[]) => {
      const [vs, ns, ss] = saved as [Tensor, Tensor, Tensor];
      const dg = tf.div(tf.sum(tf.mul(dW, vs), axis, keepDims), ns);
      const dv = tf.mul(ss, tf.sub(dW, tf.mul(vs, tf.div(dg, ns))));
      return [dv, dg];
    },
  };
}) as never) as unknown as <T extends Tensor2D | Tensor3D>(v: T, g: Tensor) => T;

/**
 * s = g/‖v‖ per column, as one custom-gradient op: weight norm's scale for denseOp's `scale`, which
 * multiplies the B×out product x·v instead of forming the in×out kernel (the paper's own way, section
 * 2.1): a gradient step then makes four full-size passes over v instead of eight, and a few more small
 * kernels (see scalesProduct for where that pays). With ds the gradient of s:
 *   ∇g = ds / ‖v‖,   ∇v = −v · (s ds / ‖v‖²)   (column-wise; ∇v adds to the one through x·v)
 * Rank 2: v [in, out], g [out] → s [out]; rank 3 or more: v [..., in, out], g [..., 1, out] → s [..., 1, out].
 */
export const weightNormScale = tf.customGrad(((v: Tensor, g: Tensor, save: (tensors: Tensor[]) => void) => {
  const { norm, scale } = columnScale(v, g);
  save([v, norm, scale]);
  return {
    value: scale,
    gradFunc: (ds: Tensor, saved: Tensor[]) => {
      const [vs, ns, ss] = saved as [Tensor, Tensor, Tensor];
      const dg = tf.div(ds, ns);
      const dv = tf.mul(vs, tf.neg(tf.div(tf.mul(ss, ds), tf.square(ns))));
      return [dv, dg];
    },
  };
}) as never) as unknown as (v: Tensor, g: Tensor) => Tensor;

/**
 * Whether a gradient step of a weight-normalized layer (v [inputs, outputs] per network) on `batch`
 * examples scales the product (weightNormScale) rather than forming the kernel: where v has at least four
 * times the batch's rows and is large enough (16k entries) that passes over it cost more than the few
 * extra small kernels. Measured (bench/README.md, "The optimizer as one kernel" and "One kernel per
 * activation gradient"): a [256, 256] PPO pair at minibatch 32 ~12-20% faster per weight-norm step, at
 * minibatch 64 (HalfCheetah-v5's preset) ~10%; DQN's [256, 256] at batch 64 2.38 → 2.09 ms with the
 * one-kernel activation gradients; a [64, 64] pair at minibatch 64 ~10% slower (it keeps the kernel).
 */
export function scalesProduct(inputs: number, outputs: number, batch: number): boolean {
  return inputs >= 4 * batch && inputs * outputs >= 16_384;
}

/** A weight-normalized dense layer, w_j = g_j·v_j/‖v_j‖ (Salimans & Kingma 2016), closed-form gradients, kernel cached while acting; a registered tfjs layer. */
export class WeightNormDense extends tf.layers.Layer {
  static readonly className = 'WeightNormDense';
  readonly units: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly vStddev: number;
  readonly gInit: 'ones' | 'vNorm';
  readonly seed: number | undefined;
  private vWeight: LayerVariable | null = null;
  private gWeight: LayerVariable | null = null;
  private bWeight: LayerVariable | null = null;
  private cached: { kernel: Tensor2D; v: DataId; g: DataId } | null = null;

  constructor(args: WeightNormDenseArgs) {
    super(args);
    if (!Number.isInteger(args.units) || args.units < 1) throw new RangeError(`WeightNormDense: units must be a positive integer; got ${args.units}`);
    this.units = args.units;
    this.activation = args.activation ?? 'linear';
    this.useBias = args.useBias ?? true;
    this.vStddev = args.vStddev ?? 0.05;
    this.gInit = args.gInit ?? 'ones';
    this.seed = args.seed;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const inDim = shape[shape.length - 1];
    if (typeof inDim !== 'number') throw new Error(`WeightNormDense ${this.name}: the last input dimension must be known`);
    const vInit = tf.initializers.randomNormal({ mean: 0, stddev: this.vStddev, ...(this.seed === undefined ? {} : { seed: this.seed }) });
    this.vWeight = this.addWeight('v', [inDim, this.units], 'float32', vInit, undefined, true);
    this.gWeight = this.addWeight('g', [this.units], 'float32', tf.initializers.ones(), undefined, true);
    if (this.useBias) this.bWeight = this.addWeight('bias', [this.units], 'float32', tf.initializers.zeros(), undefined, true);
    if (this.gInit === 'vNorm') this.gWeight.write(tf.tidy(() => tf.norm(this.vWeight!.read(), 'euclidean', 0)));
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    return [...shape.slice(0, -1), this.units];
  }

  /** v, g and b (null without bias) as tfjs variables. */
  get parameters(): { v: LayerVariable; g: LayerVariable; b: LayerVariable | null } {
    if (this.vWeight === null || this.gWeight === null) throw new Error(`WeightNormDense ${this.name}: not built yet`);
    return { v: this.vWeight, g: this.gWeight, b: this.bWeight };
  }

  /** W = v · (g / ‖v‖) per column, with the paper's closed-form gradients (see weightNormKernel). */
  private computeKernel(): Tensor2D {
    const { v, g } = this.parameters;
    return weightNormKernel(v.read() as Tensor2D, g.read() as Tensor1D);
  }

  /**
   * The effective kernel W [in, out]. Inside a gradient tape it is recomputed (gradients must reach v and
   * g); outside, it is cached until v or g are assigned. The caller must not dispose it.
   */
  effectiveKernel(): Tensor2D {
    if (tf.engine().isTapeOn()) return this.computeKernel();
    const { v, g } = this.parameters;
    const vId = (v.read() as unknown as { dataId: DataId }).dataId;
    const gId = (g.read() as unknown as { dataId: DataId }).dataId;
    if (this.cached === null || this.cached.v !== vId || this.cached.g !== gId) {
      this.cached?.kernel.dispose();
      const kernel = tf.keep(tf.tidy(() => this.computeKernel()));
      this.cached = { kernel, v: vId, g: gId };
    }
    return this.cached.kernel;
  }

  /** x · v/‖v‖ without g, b or activation: what data-dependent init normalizes. */
  directionProjection(x: Tensor2D): Tensor2D {
    return tf.tidy(() => {
      const vv = this.parameters.v.read() as Tensor2D;
      return tf.matMul(x, tf.div(vv, tf.norm(vv, 'euclidean', 0)));
    });
  }

  override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as Tensor2D;
      const bias = (this.bWeight?.read() as Tensor1D | undefined) ?? null;
      if (tf.engine().isTapeOn() && scalesProduct(x.shape[1], this.units, x.shape[0])) {
        // a gradient step with a kernel large against the batch: the scale on the product, no kernel formed
        const { v, g } = this.parameters;
        return denseOp(x, v.read() as Tensor2D, bias, this.activation, weightNormScale(v.read(), g.read()));
      }
      return denseOp(x, this.effectiveKernel(), bias, this.activation);
    });
  }

  override getConfig() {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation,
      useBias: this.useBias,
      vStddev: this.vStddev,
      gInit: this.gInit,
      ...(this.seed === undefined ? {} : { seed: this.seed }),
    };
  }

  override dispose() {
    this.cached?.kernel.dispose();
    this.cached = null;
    return super.dispose();
  }
}

tf.serialization.registerClass(WeightNormDense);
