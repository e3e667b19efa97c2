// A forward pass that calls each layer of a sequential network directly. `model.apply` goes through
// tfjs-layers' symbolic machinery (input checks, name scopes, graph execution) on every call: measured
// 0.5 ms of JavaScript per pass on a 3-layer MLP, for the same 20 kernels that take 0.28 ms here
// (scripts/kernel-profile.ts). Agents run this in their hot paths; results are identical.
import type { LayersModel, Tensor } from '@tensorflow/tfjs-node';
import { tf } from '../backend.ts';

/**
 * Applies every layer of `model` (a sequential network such as buildMlp's) in order. `training` selects
 * batch-norm behaviour: true only inside an update step (see build-mlp.ts). Not tidied: call it inside
 * the caller's tf.tidy.
 */
export function forward(model: LayersModel, x: Tensor, training: boolean): Tensor {
  const kwargs = { training };
  let h = x;
  for (const layer of model.layers) h = layer.call(h, kwargs) as Tensor;
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
