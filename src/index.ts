// The public API of wnrl: named re-exports only. Importing it loads the native backend and registers the
// custom layers (so tf.loadLayersModel can read saved models).
export { backendInfo, tf, type BackendInfo, type BackendName } from './backend.ts';
export { BackendError } from './errors.ts';
export * from '../envs/index.ts';
export { NORMS, NetworkConfig, type Norm } from './config/network.ts';
export { ConfigError, parseConfig } from './config/parse.ts';
export { createLogger, silentLogger, type Logger, type LoggerOptions } from './log/logger.ts';
export * from './nn/index.ts';
export * from '../agents/index.ts';
export { AGENTS, RunConfig, resolveRunConfig, type AgentConfig } from './config/run.ts';
export { Trainer, type Callbacks, type TrainerOptions } from './train/trainer.ts';
export { evaluate, type EvalResult } from './train/evaluate.ts';
export { Summary } from './train/summary.ts';
