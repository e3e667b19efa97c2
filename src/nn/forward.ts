// A forward pass that calls each layer of a sequential network directly. `model.apply` goes through
// tfjs-layers' symbolic machinery (input checks, name scopes, graph execution) on every call: measured
// 0.5 ms of JavaScript per pass on a 3-layer MLP, for the same 20 kernels that take 0.28 ms here
// (scripts/kernel-profile.ts). tfjs's Dense layers run through denseOp (one matMul, bias add and
// activation with closed-form gradients) like WeightNormDense, so every norm shares the matmul path.
// Agents run this in their hot paths; results equal model.apply's to float precision.
import type { Layer } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import type { LayerVariable, LayersModel, Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-node';
import { tf } from '../backend.ts';
import { ACTIVATIONS, type Activation } from './activations.ts';
import { denseOp } from './dense-op.ts';

interface DenseParts {
  kernel: LayerVariable;
  bias: LayerVariable | null;
  activation: Activation;
}

/** tfjs Dense layers on 2-D inputs with an activation denseOp knows, or null for any other layer. */
const denseParts = new WeakMap<Layer, DenseParts | null>();

function asDense(layer: Layer): DenseParts | null {
  let parts = denseParts.get(layer);
  if (parts === undefined) {
    parts = null;
    if (layer.getClassName() === 'Dense') {
      const d = layer as unknown as { kernel?: LayerVariable; bias?: LayerVariable | null; useBias?: boolean; activation?: { getClassName(): string } };
      const name = d.activation?.getClassName();
      if (d.kernel && name !== undefined && (ACTIVATIONS as readonly string[]).includes(name)) {
        parts = { kernel: d.kernel, bias: d.useBias && d.bias ? d.bias : null, activation: name as Activation };
      }
    }
    denseParts.set(layer, parts);
  }
  return parts;
}

/**
 * Applies every layer of `model` (a sequential network such as buildMlp's) in order. `training` selects
 * batch-norm behaviour: true only inside an update step (see build-mlp.ts). Not tidied: call it inside
 * the caller's tf.tidy.
 */
export function forward(model: LayersModel, x: Tensor, training: boolean): Tensor {
  const kwargs = { training };
  let h = x;
  for (const layer of model.layers) {
    const dense = h.rank === 2 ? asDense(layer) : null;
    h = dense
      ? denseOp(h as Tensor2D, dense.kernel.read() as Tensor2D, (dense.bias?.read() as Tensor1D | undefined) ?? null, dense.activation)
      : (layer.call(h, kwargs) as Tensor);
  }
  return h;
}

/** forward() on a Float32Array batch, read back once. */
export function forwardValues(model: LayersModel, observations: Float32Array, inputSize: number): Float32Array {
  const n = observations.length / inputSize;
  const out = tf.tidy(() => forward(model, tf.tensor2d(observations, [n, inputSize]), false));
  const values = out.dataSync() as Float32Array;
  out.dispose();
  return values;
}
