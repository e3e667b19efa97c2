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
import { RobustnessSweep } from '../src/config/trainer.ts';

export const NoiseSetting = z.strictObject({
  /** Short name used in run names, tables and figures: `clean`, `obs0.2`, ... */
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, { error: 'expected letters, digits, _ . or -' }),
  wrappers: z.array(WrapperConfig).default([]),
});

export const EnvEntry = z.strictObject({
  id: z.string().min(1),
  kwargs: z.record(z.string(), z.unknown()).optional(),
  /**
   * The env's wrappers in place of its preset's (a noise setting's still add to them): pins what a study
   * measured when the preset changes later.
   */
  wrappers: z.array(WrapperConfig).optional(),
  name: z.string().regex(/^[A-Za-z0-9_.:\/-]+$/, { error: 'expected letters, digits, _ . : / or -' }).optional(),
});
export type EnvEntry = z.output<typeof EnvEntry>;

/** An experiment's env entries as { label, id, kwargs }: label names the env in run names and the report. */
export function envEntries(envs: readonly (string | EnvEntry)[]): { label: string; id: string; kwargs?: Record<string, unknown>; wrappers?: WrapperConfig[] }[] {
  return envs.map((e) => {
    const entry = typeof e === 'string' ? { id: e } : e;
    return {
      label: entry.name ?? parseEnvRef(entry.id, '/').id,
      id: entry.id,
      ...(entry.kwargs !== undefined ? { kwargs: entry.kwargs } : {}),
      ...(entry.wrappers !== undefined ? { wrappers: entry.wrappers } : {}),
    };
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
      /** How often (wall seconds) each run checkpoints, so a stopped grid resumes its runs in flight (not part of a run's config hash). */
      checkpointSeconds: z.number().min(0, { error: 'expected a number of seconds ≥ 0' }).optional(),
      /** Off by default: comparisons need the full budget for every run. */
      earlyStop: z.boolean().default(false),
    })
    .default({ earlyStop: false }),
  /** Success threshold for "steps to threshold" (default: each env's registered reward threshold). */
  threshold: z.number().nullable().optional(),
  /** Robustness curves: every evaluation run's final policy under these test-time perturbations. */
  robustness: z.array(RobustnessSweep).default([]),
  /**
   * A tuning stage: per (agent, env, norm), every combination of the candidate values (config paths such
   * as "agent.learningRate") runs on the tuning seeds; the best by `metric` (mean over the tuning seeds of
   * the area under the learning curve, or of the final evaluation) is what the evaluation seeds run.
   */
  tuning: z
    .strictObject({
      seeds: z.array(seed()).min(1),
      candidates: z.record(z.string().regex(/^(agent|env|trainer)(\.[A-Za-z0-9_]+)+$/, { error: 'expected a config path such as agent.learningRate' }), z.array(z.unknown()).min(1)),
      metric: z.enum(['auc', 'final']).default('auc'),
      /** The noise setting tuning runs train under (default: the first). */
      noise: z.string().optional(),
      /** Steps per tuning run (default: steps). */
      steps: positiveInt().optional(),
    })
    .optional(),
})
  .superRefine((e, ctx) => {
    if (e.tuning === undefined) return;
    const overlap = e.tuning.seeds.filter((s) => e.seeds.includes(s));
    if (overlap.length) ctx.addIssue({ code: 'custom', path: ['tuning', 'seeds'], message: `must be disjoint from the evaluation seeds; both have ${overlap.join(', ')}` });
    if (e.tuning.noise !== undefined && !e.noise.some((n) => n.name === e.tuning!.noise)) {
      ctx.addIssue({ code: 'custom', path: ['tuning', 'noise'], message: `expected one of the noise settings (${e.noise.map((n) => n.name).join(', ')}); got '${e.tuning.noise}'` });
    }
  });
export type ExperimentConfig = z.output<typeof ExperimentConfig>;

/** One combination of candidate values: config path -> value. */
export type Candidate = Record<string, unknown>;

/** Every combination of the candidate values, in the order the file lists them (the first key varies slowest). */
export function candidates(e: ExperimentConfig): Candidate[] {
  let out: Candidate[] = [{}];
  for (const [key, values] of Object.entries(e.tuning?.candidates ?? {})) out = out.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  return out;
}

/** A candidate as a config layer: { "agent.learningRate": 1e-3 } -> { agent: { learningRate: 1e-3 } }. */
function candidateLayer(c: Candidate): Record<string, unknown> {
  const layer: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(c)) {
    const parts = key.split('.');
    let node = layer;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[parts.at(-1)!] = value;
  }
  return layer;
}

/** The key a tuning winner is chosen per. */
export const tuningKey = (c: { agent: string; env: string; norm: string }) => `${c.agent}|${c.env}|${c.norm}`;

export interface Cell {
  /** `<agent>-<env>-<noise>-<norm>-s<seed>`: the run's directory name. */
  id: string;
  agent: (typeof AGENTS)[number];
  env: string;
  noise: string;
  norm: Norm;
  seed: number;
  config: RunConfig;
  /** Tuning runs: which candidate (index into candidates(e)) and its values. */
  tuning?: { candidate: number; values: Candidate };
}

/** The tuning stage's runs: `tune-<agent>-<env>-<norm>-c<k>-s<seed>`, trained under the tuning noise setting. */
export function expandTuning(e: ExperimentConfig): Cell[] {
  if (e.tuning === undefined) return [];
  const t = e.tuning;
  const noise = e.noise.find((n) => n.name === (t.noise ?? e.noise[0]!.name))!;
  const all = candidates(e);
  return expandCells({ ...e, noise: [noise], seeds: t.seeds, steps: t.steps ?? e.steps, robustness: [] }, (base) =>
    all.map((values, k) => ({ id: `tune-${base.agent}-${base.slug}-${base.norm}-c${k}-s${base.seed}`, layer: candidateLayer(values), tuning: { candidate: k, values } })),
  );
}

/**
 * The evaluation runs. With a tuning stage, `winners` (per tuningKey) gives each (agent, env, norm) its
 * chosen candidate; every evaluation seed of every noise setting runs with it.
 */
export function expandGrid(e: ExperimentConfig, winners?: ReadonlyMap<string, Candidate>): Cell[] {
  if (e.tuning !== undefined && winners === undefined) throw new Error('expandGrid: an experiment with a tuning stage needs the tuning winners');
  return expandCells(e, (base) => {
    const chosen = winners?.get(tuningKey(base));
    if (e.tuning !== undefined && chosen === undefined) throw new Error(`expandGrid: no tuning winner for ${tuningKey(base)}`);
    return [{ id: base.id, layer: chosen === undefined ? {} : candidateLayer(chosen) }];
  });
}

interface Variant {
  id: string;
  layer: Record<string, unknown>;
  tuning?: { candidate: number; values: Candidate };
}

function expandCells(e: ExperimentConfig, variants: (base: { id: string; agent: string; env: string; slug: string; norm: string; seed: number }) => Variant[]): Cell[] {
  const cells: Cell[] = [];
  for (const agent of e.agents) {
    for (const entry of envEntries(e.envs)) {
      const { id: envId, module } = parseEnvRef(entry.id, process.cwd());
      const env = entry.label;
      const envLayer = { id: envId, ...(module === undefined ? {} : { module }), ...(entry.kwargs === undefined ? {} : { kwargs: entry.kwargs }), ...(entry.wrappers === undefined ? {} : { wrappers: entry.wrappers }) };
      for (const noise of e.noise) {
        for (const norm of e.norms) {
          for (const s of e.seeds) {
            const slug = env.replace(/[^A-Za-z0-9_.-]/g, '_');
            const baseId = `${agent}-${slug}-${noise.name}-${norm}-s${s}`;
            for (const v of variants({ id: baseId, agent, env, slug, norm, seed: s })) {
              // The noise setting's wrappers add to the preset's (normalizers stay).
              const config = resolveRunConfig(
                [
                  { env: envLayer, agent: { algo: agent } },
                  { agent: e.overrides[agent] ?? {} },
                  v.layer,
                  {
                    env: envLayer,
                    agent: { algo: agent, network: { norm } },
                    trainer: { totalSteps: e.steps, seed: s, logLevel: 'warn', ...e.trainer, ...(e.robustness.length ? { robustness: e.robustness } : {}) },
                  },
                ],
                { addWrappers: noise.wrappers },
              );
              cells.push({ id: v.id, agent, env, noise: noise.name, norm, seed: s, config, ...(v.tuning ? { tuning: v.tuning } : {}) });
            }
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
