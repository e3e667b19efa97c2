// Data-dependent initialization (Salimans & Kingma 2016, §2.2), layer by layer: for each weight-normalized
// layer, with v drawn from N(0, 0.05²), compute t = x·v/‖v‖ on the init batch (x = the output of the layers
// already initialized), its per-unit mean μ and standard deviation σ, and set g = 1/σ and b = −μ/σ. Every
// pre-activation then starts with zero mean and unit variance on that batch. A mean-only batch-norm layer
// takes the batch mean of its input as its running mean, and a batch-norm layer its batch mean and variance
// (so batch norm, too, starts normalized on the warm-up's data instead of from 0 and 1). Other layers are
// left alone; a network without any of these layers is not touched.
import type { LayersModel, Tensor, Tensor2D } from '@tensorflow/tfjs-node';
import { tf } from '../backend.ts';
import { ConfigError } from '../config/parse.ts';
import { BatchNorm } from './batch-norm.ts';
import { MeanOnlyBatchNorm } from './mean-only-batch-norm.ts';
import { WeightNormDense } from './weight-norm-dense.ts';

/** Options of dataDependentInit. */
export interface DataDependentInitOptions {
  /**
   * Multiplies the output layer's g and b (default 1): a small value (e.g. 0.01) starts a policy head
   * near-uniform, as the orthogonal-init-with-small-gain convention does.
   */
  outputScale?: number;
}

/** Returns the number of weight-normalized layers initialized (0 when the network has none; batch-norm statistics are set all the same). */
export function dataDependentInit(model: LayersModel, batch: Tensor2D, options: DataDependentInitOptions = {}): number {
  const layers = model.layers;
  if (!layers.some((l) => l instanceof WeightNormDense || l instanceof BatchNorm || l instanceof MeanOnlyBatchNorm)) return 0;
  const inputSize = (model.inputs[0]?.shape ?? [])[1];
  if (batch.rank !== 2 || batch.shape[1] !== inputSize) {
    throw ConfigError.single('dataDependentInit batch', `has shape [${batch.shape.join(', ')}]; expected [n, ${inputSize}]`);
  }
  if (batch.shape[0] < 2) {
    throw ConfigError.single('dataDependentInit batch', `has ${batch.shape[0]} row(s); expected at least 2 to estimate a standard deviation`);
  }
  const outputScale = options.outputScale ?? 1;
  const last = layers[layers.length - 1];
  let initialized = 0;
  tf.tidy(() => {
    let h: Tensor = batch;
    for (const layer of layers) {
      if (layer instanceof WeightNormDense) {
        const { g, b } = layer.parameters;
        const t = layer.directionProjection(h as Tensor2D);
        const { mean, variance } = tf.moments(t, 0);
        const scale = layer === last ? outputScale : 1;
        const invStd = tf.div(scale, tf.sqrt(tf.add(variance, 1e-10)));
        g.write(invStd);
        if (b !== null) b.write(tf.neg(tf.mul(mean, invStd)));
        initialized++;
      } else if (layer instanceof MeanOnlyBatchNorm) {
        layer.movingMean.write(tf.mean(h, 0));
      } else if (layer instanceof BatchNorm) {
        const { mean, variance } = tf.moments(h, 0);
        layer.moving.mean.write(mean);
        layer.moving.variance.write(variance);
      }
      h = layer.apply(h, { training: false }) as Tensor;
    }
  });
  return initialized;
}
