// Weight-norm diagnostics no other library reports: per weight-normalized layer, the mean ‖v_j‖, the mean
// g_j and the mean effective step scale |g_j|/‖v_j‖. Under gradient descent ‖v‖ only grows (the update
// is orthogonal to v), which silently lowers the effective learning rate of the direction: comparing norms
// needs this visible. One tidy, one read-back for the whole network.
import type { LayersModel, Tensor } from '@tensorflow/tfjs-node';
import { tf } from '../backend.ts';
import { WeightNormDense } from './weight-norm-dense.ts';

/** ‖v‖, g and |g|/‖v‖ (means over units) of one weight-normalized layer. */
export interface WeightNormLayerStats {
  layer: string;
  /** Mean over output units of ‖v_j‖. */
  vNorm: number;
  /** Mean over output units of g_j. */
  gMean: number;
  /** Mean over output units of |g_j| / ‖v_j‖: how far one unit of change in v moves w. */
  stepScale: number;
}

/** The statistics of every weight-normalized layer of a network (empty for a network without one). */
export function weightNormDiagnostics(model: LayersModel): WeightNormLayerStats[] {
  const layers = model.layers.filter((l): l is WeightNormDense => l instanceof WeightNormDense);
  if (layers.length === 0) return [];
  const values = tf.tidy(() => {
    const rows: Tensor[] = layers.map((layer) => {
      const { v, g } = layer.parameters;
      const vNorm = tf.norm(v.read(), 'euclidean', 0);
      return tf.stack([tf.mean(vNorm), tf.mean(g.read()), tf.mean(tf.div(tf.abs(g.read()), vNorm))]);
    });
    return tf.stack(rows);
  });
  const data = values.dataSync();
  values.dispose();
  return layers.map((layer, i) => ({ layer: layer.name, vNorm: data[3 * i]!, gMean: data[3 * i + 1]!, stepScale: data[3 * i + 2]! }));
}

/** The diagnostics of several networks as TensorBoard tags: `nn/<layer>/vNorm`, `gMean`, `stepScale`. */
export function weightNormTags(models: readonly LayersModel[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const model of models) {
    for (const d of weightNormDiagnostics(model)) {
      out[`nn/${d.layer}/vNorm`] = d.vNorm;
      out[`nn/${d.layer}/gMean`] = d.gMean;
      out[`nn/${d.layer}/stepScale`] = d.stepScale;
    }
  }
  return out;
}
