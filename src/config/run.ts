// The whole configuration of a training run, as config.json stores it: env, agent (discriminated by
// `algo`), trainer. Resolution order: schema defaults < preset for (algo, env) < --config file < flags.
import { z } from 'zod';
import { A2cConfig, PpoConfig } from './actor-critic.ts';
import { DqnConfig } from './dqn.ts';
import { EnvConfig } from './env.ts';
import { deepMerge } from './merge.ts';
import { NormSchema } from './network.ts';
import { parseConfig } from './parse.ts';
import { presetFor } from './presets.ts';
import { TrainerConfig } from './trainer.ts';

/** The algorithms a run config may name. */
export const AGENTS = ['dqn', 'ppo', 'a2c'] as const;
export type AgentName = (typeof AGENTS)[number];

/** The agent part of a run config: DqnConfig, A2cConfig or PpoConfig, chosen by `algo`. */
export const AgentConfig = z.discriminatedUnion('algo', [DqnConfig, PpoConfig, A2cConfig], {
  error: (issue) => (issue.code === 'invalid_union' ? `expected one of ${AGENTS.map((a) => `'${a}'`).join(', ')}` : undefined),
});
/** The agent part of a run config: DqnConfig, A2cConfig or PpoConfig by `algo`. */
export type AgentConfig = z.output<typeof AgentConfig>;

/** The full config of a run (env, agent, trainer), as config.json stores it: the schema every CLI flag and config file goes through. */
export const RunConfig = z.strictObject({
  env: EnvConfig,
  agent: AgentConfig,
  trainer: TrainerConfig.default(TrainerConfig.parse({})),
});
/** A resolved run config (see the schema of the same name). */
export type RunConfig = z.output<typeof RunConfig>;
export type RunConfigInput = z.input<typeof RunConfig>;

export interface ResolveOptions {
  /**
   * Wrappers added to the list the preset and layers resolve to (noise from CLI flags or an experiment's
   * noise setting), where a layer's `env.wrappers` would replace the list, the preset's normalizers too.
   */
  addWrappers?: readonly unknown[];
}

/**
 * Merges the layers over the preset of the (algo, env) pair named in them (for the norm they name, else
 * the preset's own), adds `addWrappers` to the resolved wrapper list, and validates the result. Each layer
 * is a partial RunConfig.
 */
export function resolveRunConfig(layers: unknown[], opts: ResolveOptions = {}): RunConfig {
  const named = deepMerge({}, ...layers) as { env?: { id?: unknown }; agent?: { algo?: unknown; network?: { norm?: unknown } } };
  const algo = named.agent?.algo;
  const envId = named.env?.id;
  // The layers' norm picks the preset's settings for that norm; an unknown name is left for the schema to reject.
  const norm = NormSchema.safeParse(named.agent?.network?.norm).data;
  const preset = typeof algo === 'string' && typeof envId === 'string' ? presetFor(algo, envId, norm) : undefined;
  const merged = deepMerge({}, preset, ...layers) as { env?: { wrappers?: unknown } };
  if (opts.addWrappers?.length) {
    const base = merged.env?.wrappers ?? [];
    merged.env = { ...merged.env, wrappers: Array.isArray(base) ? [...(base as unknown[]), ...opts.addWrappers] : base };
  }
  return parseConfig(RunConfig, merged);
}
