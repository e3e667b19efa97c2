export { ACTIVATIONS, type Activation } from './activations.ts';
export { buildMlp, usesBatchStatistics, usesWeightNorm } from './build-mlp.ts';
export { dataDependentInit, type DataDependentInitOptions } from './data-dependent-init.ts';
export { weightNormDiagnostics, type WeightNormLayerStats } from './diagnostics.ts';
export { LayerNorm, type LayerNormArgs } from './layer-norm.ts';
export { MeanOnlyBatchNorm, type MeanOnlyBatchNormArgs } from './mean-only-batch-norm.ts';
export { WeightNormDense, weightNormKernel, type WeightNormDenseArgs } from './weight-norm-dense.ts';
export { FlatOptimizer, type FlatOptimizerOptions, type StepResult as OptimizerStepResult } from './flat-optimizer.ts';
export { forward, forwardValues } from './forward.ts';
