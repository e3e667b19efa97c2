// Layer normalization (Ba et al. 2016) over the last axis: y = (x − mean) / √(var + ε) · γ + β, statistics
// per example (no coupling between the examples of a batch). tfjs's LayerNormalization tiles and reshapes
// its statistics and cost 10-20x a dense layer's update in bench/nn.ts; this one is seven ops.
import type { LayerVariable, Shape, Tensor } from '@tensorflow/tfjs-node';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types.js';
import { tf } from '../backend.ts';
import { opWithLazyGradients, sumToShape } from './dense-op.ts';

/** Options of LayerNorm (tfjs layer arguments plus ε). */
export interface LayerNormArgs extends LayerArgs {
  /** Default 1e-5 (PyTorch's). */
  epsilon?: number;
}

/**
 * (x − mean)/√(var + ε)·γ + β over the last axis; γ and β broadcast ([H], or [K, 1, H] for K stacked
 * layers). One op with closed-form gradients (x̂ the normalized input, σ = √(var + ε)):
 *   dx = (g − mean(g) − x̂·mean(g·x̂))/σ,  g = γ·dy (means over the last axis);  dγ = Σ dy·x̂;  dβ = Σ dy
 * Not tidied.
 */
export function layerNormalize(x: Tensor, gamma: Tensor, beta: Tensor, epsilon: number): Tensor {
  return opWithLazyGradients(
    [x, gamma, beta],
    (save) => {
      const centered = tf.sub(x, tf.mean(x, -1, true));
      const inv = tf.rsqrt(tf.add(tf.mean(tf.square(centered), -1, true), epsilon));
      const xhat = tf.mul(centered, inv);
      save([xhat, inv, gamma]);
      return tf.add(tf.mul(xhat, gamma), beta);
    },
    (dy, saved) => {
      const [xhat, inv, g] = saved as [Tensor, Tensor, Tensor];
      return [
        () => {
          const gdy = tf.mul(dy, g);
          return tf.mul(tf.sub(tf.sub(gdy, tf.mean(gdy, -1, true)), tf.mul(xhat, tf.mean(tf.mul(gdy, xhat), -1, true))), inv);
        },
        () => sumToShape(tf.mul(dy, xhat), gamma.shape),
        () => sumToShape(dy, beta.shape),
      ];
    },
  );
}

/** Layer normalization over the last axis, y = (x − mean)/√(var + ε)·γ + β, statistics per example; a registered tfjs layer. */
export class LayerNorm extends tf.layers.Layer {
  static readonly className = 'LayerNorm';
  readonly epsilon: number;
  private gamma: LayerVariable | null = null;
  private beta: LayerVariable | null = null;

  constructor(args: LayerNormArgs = {}) {
    super(args);
    this.epsilon = args.epsilon ?? 1e-5;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const dim = shape[shape.length - 1];
    if (typeof dim !== 'number') throw new Error(`LayerNorm ${this.name}: the last input dimension must be known`);
    this.gamma = this.addWeight('gamma', [dim], 'float32', tf.initializers.ones(), undefined, true);
    this.beta = this.addWeight('beta', [dim], 'float32', tf.initializers.zeros(), undefined, true);
    this.built = true;
  }

  /** γ and β (trained). */
  get affine(): { gamma: LayerVariable; beta: LayerVariable } {
    if (this.gamma === null || this.beta === null) throw new Error(`LayerNorm ${this.name}: not built yet`);
    return { gamma: this.gamma, beta: this.beta };
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
  }

  override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.tidy(() => layerNormalize(x, this.gamma!.read(), this.beta!.read(), this.epsilon));
  }

  override getConfig() {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}

tf.serialization.registerClass(LayerNorm);
