// Folding a trained MLP into plain TensorFlow.js layers, for a page that has nothing of wnrl: a
// weight-normalized layer becomes a dense layer with the kernel g · v/‖v‖ it computes; batch norm and
// mean-only batch norm, in inference mode affine maps with their running statistics, fold into the dense
// layer before them; layer norm (which depends on each input) becomes tf.layers.layerNormalization with
// the same ε, γ and β; activations stay. The folded model computes what the network computes in
// inference mode (to float rounding), and `tf.loadLayersModel` reads it in any TensorFlow.js.
import type { LayersModel, Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-node';

type ModelArtifacts = Parameters<Parameters<typeof tf.io.withSaveHandler>[0]>[0];
import { tf } from '../backend.ts';
import { BatchNorm } from '../nn/batch-norm.ts';
import { LayerNorm } from '../nn/layer-norm.ts';
import { MeanOnlyBatchNorm } from '../nn/mean-only-batch-norm.ts';
import { WeightNormDense } from '../nn/weight-norm-dense.ts';

interface Affine {
  kernel: Tensor2D;
  bias: Tensor1D;
  activation: string;
}

/** A layer's weight by the name it was created with (`q_h0/kernel` → kernel; tfjs may suffix the live name). */
function weight(layer: { weights: { originalName: string; read(): unknown }[] }, name: string): Tensor | null {
  const w = layer.weights.find((x) => x.originalName.split('/').pop() === name);
  return w === undefined ? null : (w.read() as Tensor);
}

function activationOf(layer: { getConfig(): Record<string, unknown> }): string {
  const a = layer.getConfig()['activation'];
  return typeof a === 'string' ? a : 'linear';
}

/** The folded copy of a sequential MLP built by buildMlp (any norm); the original is left as it is. */
export function foldMlp(model: LayersModel, name = 'policy'): LayersModel {
  const out = tf.sequential({ name });
  const inputSize = model.inputs[0]!.shape[1] as number;
  let pending: Affine | null = null;
  const flush = () => {
    if (pending === null) return;
    const p = pending;
    out.add(tf.layers.dense({ ...(out.layers.length === 0 ? { inputShape: [inputSize] } : {}), units: p.kernel.shape[1], activation: p.activation as 'linear', weights: [p.kernel, p.bias] }));
    tf.dispose([p.kernel, p.bias]);
    pending = null;
  };
  const needAffine = (layer: string): Affine => {
    if (pending === null || pending.activation !== 'linear') throw new Error(`foldMlp: ${layer} follows no linear dense layer; cannot fold it`);
    return pending;
  };
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (layer instanceof WeightNormDense || cls === 'Dense') {
      flush();
      const kernel = layer instanceof WeightNormDense ? layer.effectiveKernel() : (tf.clone(weight(layer, 'kernel')!) as Tensor2D);
      const units = kernel.shape[1];
      const b = weight(layer, 'bias');
      pending = { kernel, bias: b === null ? tf.zeros([units]) : (tf.clone(b) as Tensor1D), activation: activationOf(layer) };
    } else if (layer instanceof BatchNorm) {
      const p = needAffine(layer.name);
      const [mean, variance, gamma, beta] = (['movingMean', 'movingVariance', 'gamma', 'beta'] as const).map((n) => weight(layer, n)!);
      const scale = tf.div(gamma!, tf.sqrt(tf.add(variance!, layer.epsilon))) as Tensor1D;
      const kernel = tf.mul(p.kernel, scale) as Tensor2D;
      const bias = tf.add(tf.mul(tf.sub(p.bias, mean!), scale), beta!) as Tensor1D;
      tf.dispose([p.kernel, p.bias, scale]);
      pending = { ...p, kernel, bias };
    } else if (layer instanceof MeanOnlyBatchNorm) {
      const p = needAffine(layer.name);
      const mean = weight(layer, 'movingMean')!;
      const beta = weight(layer, 'beta');
      const shifted = tf.sub(p.bias, mean);
      const bias = (beta === null ? shifted : tf.add(shifted, beta)) as Tensor1D;
      if (beta !== null) shifted.dispose();
      p.bias.dispose();
      pending = { ...p, bias };
    } else if (layer instanceof LayerNorm) {
      flush();
      const gamma = weight(layer, 'gamma')!;
      const beta = weight(layer, 'beta')!;
      out.add(tf.layers.layerNormalization({ epsilon: layer.epsilon, weights: [gamma, beta] }));
    } else if (cls === 'Activation') {
      const activation = activationOf(layer);
      if (pending !== null && pending.activation === 'linear') pending.activation = activation;
      else {
        flush();
        out.add(tf.layers.activation({ activation: activation as 'linear' }));
      }
    } else {
      throw new Error(`foldMlp: no folding for a ${cls} layer (${layer.name})`);
    }
  }
  flush();
  return out;
}

/** The model's parts as TensorFlow.js writes them (model.json's topology, weight specs and bytes). */
export async function modelArtifacts(model: LayersModel): Promise<ModelArtifacts> {
  let saved: ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler((artifacts) => {
      saved = artifacts;
      return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
    }),
  );
  return saved!;
}
