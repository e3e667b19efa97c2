// The whole configuration of a training run, as config.json stores it: env, agent (discriminated by
// `algo`), trainer. Resolution order: schema defaults < preset for (algo, env) < --config file < flags.
import { z } from 'zod';
import { A2cConfig, PpoConfig } from './actor-critic.ts';
import { DqnConfig } from './dqn.ts';
import { EnvConfig } from './env.ts';
import { deepMerge } from './merge.ts';
import { parseConfig } from './parse.ts';
import { presetFor } from './presets.ts';
import { TrainerConfig } from './trainer.ts';

export const AGENTS = ['dqn', 'ppo', 'a2c'] as const;
export type AgentName = (typeof AGENTS)[number];

export const AgentConfig = z.discriminatedUnion('algo', [DqnConfig, PpoConfig, A2cConfig], {
  error: (issue) => (issue.code === 'invalid_union' ? `expected one of ${AGENTS.map((a) => `'${a}'`).join(', ')}` : undefined),
});
export type AgentConfig = z.output<typeof AgentConfig>;

export const RunConfig = z.strictObject({
  env: EnvConfig,
  agent: AgentConfig,
  trainer: TrainerConfig.default(TrainerConfig.parse({})),
});
export type RunConfig = z.output<typeof RunConfig>;
export type RunConfigInput = z.input<typeof RunConfig>;

/**
 * Merges the layers over the preset of the (algo, env) pair named in them and validates the result.
 * Each layer is a partial RunConfig; `where` prefixes error paths.
 */
export function resolveRunConfig(layers: unknown[]): RunConfig {
  const merged = deepMerge({}, ...layers) as { env?: { id?: unknown }; agent?: { algo?: unknown } };
  const algo = merged.agent?.algo;
  const envId = merged.env?.id;
  const preset = typeof algo === 'string' && typeof envId === 'string' ? presetFor(algo, envId) : undefined;
  return parseConfig(RunConfig, deepMerge({}, preset, ...layers));
}
