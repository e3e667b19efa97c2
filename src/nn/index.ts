export { ACTIVATIONS, type Activation } from './activations.ts';
export { buildMlp, usesBatchStatistics, usesWeightNorm } from './build-mlp.ts';
export { dataDependentInit, type DataDependentInitOptions } from './data-dependent-init.ts';
export { weightNormDiagnostics, type WeightNormLayerStats } from './diagnostics.ts';
export { MeanOnlyBatchNorm, type MeanOnlyBatchNormArgs } from './mean-only-batch-norm.ts';
export { WeightNormDense, type WeightNormDenseArgs } from './weight-norm-dense.ts';
