// buildMlp: one builder for every normalization wnrl compares, so the networks differ only in the norm.
//
//   norm               hidden layer                                         output layer ('auto')
//   none               Dense(φ)                                              Dense
//   weight             WeightNormDense(φ)                                    WeightNormDense
//   weight-meanonly    WeightNormDense(no bias) → MeanOnlyBatchNorm(+β) → φ  WeightNormDense
//   batch              Dense(no bias) → BatchNorm → φ                        Dense
//   layer              Dense → LayerNorm → φ                                 Dense
//
// Initial weights follow `init` for every norm alike (init.ts); the output layer takes `outputGain`.
// The output layer never uses batch statistics (a value or logit must not depend on the rest of the
// batch); `outputNorm` can force 'weight' or 'none'.
//
// THE BATCH-NORM RULE FOR AGENTS ('batch' and 'weight-meanonly'): pass `training: true` to
// `model.apply` only inside an update step (the loss closure). Acting, bootstrap targets, target networks
// and evaluation run with `training: false`. Batch-norm layers move their running statistics on every
// training-mode call. By default (`batchRenorm`, batch-norm.ts) a training-mode forward has the value of
// the inference one, with gradients through the batch statistics; with `batchRenorm: false` an example's
// output in training mode depends on the rest of its batch.
// `usesBatchStatistics(norm)` tells an agent whether the flag matters at all.
import type { LayersModel } from '@tensorflow/tfjs-node';
import { tf } from '../backend.ts';
import { MlpConfig, type MlpConfigInput, type Norm } from '../config/network.ts';
import { parseConfig } from '../config/parse.ts';
import { BatchNorm } from './batch-norm.ts';
import { initializeDense } from './init.ts';
import { LayerNorm } from './layer-norm.ts';
import { MeanOnlyBatchNorm } from './mean-only-batch-norm.ts';
import { WeightNormDense } from './weight-norm-dense.ts';

/** Whether a norm puts weight norm in the network ('weight', 'weight-meanonly'). */
export function usesWeightNorm(norm: Norm): boolean {
  return norm === 'weight' || norm === 'weight-meanonly';
}

/** Whether a norm uses batch statistics ('batch', 'weight-meanonly'), so that `training` matters. */
export function usesBatchStatistics(norm: Norm): boolean {
  return norm === 'batch' || norm === 'weight-meanonly';
}

/** An MLP whose layers follow `norm` (the table at the top of build-mlp.ts), initialized by `init` for every norm alike. */
export function buildMlp(config: MlpConfigInput): LayersModel {
  const c = parseConfig(MlpConfig, config, 'buildMlp');
  let seedCounter = c.seed ?? Math.floor(Math.random() * 2 ** 31);
  const nextSeed = () => seedCounter++;
  const glorot = () => tf.initializers.glorotUniform({ seed: nextSeed() });
  const model = tf.sequential({ name: c.name });
  const input = (i: number) => (i === 0 ? { inputShape: [c.inputSize] } : {});

  c.hidden.forEach((units, i) => {
    const name = `${c.name}_h${i}`;
    switch (c.norm) {
      case 'none':
        model.add(tf.layers.dense({ ...input(i), units, activation: c.activation, kernelInitializer: glorot(), name }));
        break;
      case 'weight':
        model.add(new WeightNormDense({ ...input(i), units, activation: c.activation, seed: nextSeed(), name }));
        break;
      case 'weight-meanonly':
        model.add(new WeightNormDense({ ...input(i), units, useBias: false, seed: nextSeed(), name }));
        model.add(new MeanOnlyBatchNorm({ name: `${name}_mobn`, renorm: c.batchRenorm, momentum: c.batchMomentum }));
        model.add(tf.layers.activation({ activation: c.activation, name: `${name}_act` }));
        break;
      case 'batch':
        model.add(tf.layers.dense({ ...input(i), units, useBias: false, kernelInitializer: glorot(), name }));
        model.add(new BatchNorm({ name: `${name}_bn`, renorm: c.batchRenorm, momentum: c.batchMomentum }));
        model.add(tf.layers.activation({ activation: c.activation, name: `${name}_act` }));
        break;
      case 'layer':
        model.add(tf.layers.dense({ ...input(i), units, kernelInitializer: glorot(), name }));
        model.add(new LayerNorm({ name: `${name}_ln` }));
        model.add(tf.layers.activation({ activation: c.activation, name: `${name}_act` }));
        break;
    }
  });

  const outputWeightNorm = c.outputNorm === 'weight' || (c.outputNorm === 'auto' && usesWeightNorm(c.norm));
  const first = input(c.hidden.length);
  const outName = `${c.name}_out`;
  model.add(
    outputWeightNorm
      ? new WeightNormDense({ ...first, units: c.outputSize, seed: nextSeed(), name: outName })
      : tf.layers.dense({ ...first, units: c.outputSize, kernelInitializer: glorot(), name: outName }),
  );
  // Every norm's dense kernels from the same draws (init.ts); 'glorot' keeps the layers' own initializers.
  initializeDense(model, { init: c.init, seed: nextSeed(), outputGain: c.outputGain });
  return model;
}
