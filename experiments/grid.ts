// Experiment files: agents × envs × norms × noise settings × seeds, each cell one training run. The
// file is a zod schema like every config; expansion resolves and validates every run's config up front,
// so a bad cell is reported before anything runs.
import { z } from 'zod';
import { createAgent } from '../agents/index.ts';
import { WnrlError } from '../envs/errors.ts';
import { openVectorEnv } from '../envs/vector/open.ts';
import { parseEnvRef } from '../src/config/env-module.ts';
import { ConfigError } from '../src/config/parse.ts';
import { WrapperConfig } from '../envs/wrappers/config.ts';
import { nonNegativeInt, positiveInt, seed } from '../src/config/common.ts';
import { NormSchema, type Norm } from '../src/config/network.ts';
import { AGENTS, resolveRunConfig, type RunConfig } from '../src/config/run.ts';

export const NoiseSetting = z.strictObject({
  /** Short name used in run names, tables and figures: `clean`, `obs0.2`, ... */
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, { error: 'expected letters, digits, _ . or -' }),
  wrappers: z.array(WrapperConfig).default([]),
});

export const EnvEntry = z.strictObject({
  id: z.string().min(1),
  kwargs: z.record(z.string(), z.unknown()).optional(),
  name: z.string().regex(/^[A-Za-z0-9_.:\/-]+$/, { error: 'expected letters, digits, _ . : / or -' }).optional(),
});
export type EnvEntry = z.output<typeof EnvEntry>;

/** An experiment's env entries as { label, id, kwargs }: label names the env in run names and the report. */
export function envEntries(envs: readonly (string | EnvEntry)[]): { label: string; id: string; kwargs?: Record<string, unknown> }[] {
  return envs.map((e) => {
    const entry = typeof e === 'string' ? { id: e } : e;
    return { label: entry.name ?? parseEnvRef(entry.id, '/').id, id: entry.id, ...(entry.kwargs !== undefined ? { kwargs: entry.kwargs } : {}) };
  });
}

export const ExperimentConfig = z.strictObject({
  name: z.string().min(1),
  description: z.string().default(''),
  agents: z.array(z.enum(AGENTS)).min(1),
  /**
   * Env ids: 'CartPole-v1', 'module:EnvId' (a module that registers the id; relative to the experiment
   * file), 'gymnasium:ID'; or { id, kwargs, name } for factory / gymnasium.make keyword arguments (name
   * tells two entries of one id apart in run names and the report).
   */
  envs: z.array(z.union([z.string().min(1), EnvEntry])).min(1),
  norms: z.array(NormSchema).min(1),
  noise: z.array(NoiseSetting).min(1).default([{ name: 'clean', wrappers: [] }]),
  seeds: z.array(seed()).min(1),
  /** Environment steps per run (the same budget for every cell). */
  steps: positiveInt(),
  /** Per-agent hyperparameter overrides (partial agent configs), applied over the presets. */
  overrides: z.partialRecord(z.enum(AGENTS), z.record(z.string(), z.unknown())).default({}),
  /** The evaluation protocol and other trainer settings shared by every run. */
  trainer: z
    .strictObject({
      evalInterval: nonNegativeInt().optional(),
      evalEpisodes: positiveInt().optional(),
      metricsInterval: positiveInt().optional(),
      /** Off by default: comparisons need the full budget for every run. */
      earlyStop: z.boolean().default(false),
    })
    .default({ earlyStop: false }),
  /** Success threshold for "steps to threshold" (default: each env's registered reward threshold). */
  threshold: z.number().nullable().optional(),
});
export type ExperimentConfig = z.output<typeof ExperimentConfig>;

export interface Cell {
  /** `<agent>-<env>-<noise>-<norm>-s<seed>`: the run's directory name. */
  id: string;
  agent: (typeof AGENTS)[number];
  env: string;
  noise: string;
  norm: Norm;
  seed: number;
  config: RunConfig;
}

export function expandGrid(e: ExperimentConfig): Cell[] {
  const cells: Cell[] = [];
  for (const agent of e.agents) {
    for (const entry of envEntries(e.envs)) {
      const { id: envId, module } = parseEnvRef(entry.id, process.cwd());
      const env = entry.label;
      const envLayer = { id: envId, ...(module === undefined ? {} : { module }), ...(entry.kwargs === undefined ? {} : { kwargs: entry.kwargs }) };
      for (const noise of e.noise) {
        for (const norm of e.norms) {
          for (const s of e.seeds) {
            const id = `${agent}-${env.replace(/[^A-Za-z0-9_.-]/g, '_')}-${noise.name}-${norm}-s${s}`;
            // The noise setting's wrappers add to the preset's (normalizers stay).
            const config = resolveRunConfig(
              [
                { env: envLayer, agent: { algo: agent } },
                { agent: e.overrides[agent] ?? {} },
                {
                  env: envLayer,
                  agent: { algo: agent, network: { norm } },
                  trainer: { totalSteps: e.steps, seed: s, logLevel: 'warn', ...e.trainer },
                },
              ],
              { addWrappers: noise.wrappers },
            );
            cells.push({ id, agent, env, noise: noise.name, norm, seed: s, config });
          }
        }
      }
    }
  }
  const ids = new Set(cells.map((c) => c.id));
  if (ids.size !== cells.length) throw new Error('expandGrid: two cells share a name; give noise settings distinct names');
  return cells;
}

/**
 * Builds the env and agent of one cell per distinct (agent, env, noise, norm), so that an impossible
 * combination (DQN on a continuous-action env, say) is reported before any run starts.
 */
export async function checkCells(cells: readonly Cell[]): Promise<void> {
  const seen = new Set<string>();
  for (const cell of cells) {
    const key = `${cell.agent}|${cell.env}|${cell.noise}|${cell.norm}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const c = cell.config;
    const env = await openVectorEnv(c.env.id, { numEnvs: c.env.numEnvs, seed: 0, wrappers: c.env.wrappers, ...(c.env.kwargs !== undefined ? { kwargs: c.env.kwargs } : {}) });
    try {
      createAgent(c.agent, env, 0).dispose();
    } catch (err) {
      if (err instanceof WnrlError) throw new ConfigError([{ path: `cell ${cell.id}`, message: err.message.replace(/\n/g, '; ') }]);
      throw err;
    } finally {
      await env.close();
    }
  }
}
