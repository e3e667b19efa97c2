// `wnrl eval DIR [--episodes N] [--seed S]`: loads a run's checkpoint and evaluates it deterministically on
// a fresh env with the run's wrappers (and its observation- and reward-normalization statistics, frozen).
// `--robustness` evaluates the run's trainer.robustness sweeps instead, with the envs and seed the Trainer
// uses (so a final checkpoint reproduces its summary's curves); `--write` puts them in its summary.json.
import fs from 'node:fs';
import path from 'node:path';
import { loadAgent } from '../../agents/index.ts';
import { openVectorEnv } from '../../envs/vector/open.ts';
import { positiveInt, seed } from '../config/common.ts';
import { loadEnvConfigModule } from '../config/env-module.ts';
import { ConfigError, parseConfig } from '../config/parse.ts';
import { readJsonFile } from '../config/read-json.ts';
import { RunConfig } from '../config/run.ts';
import { deriveSeed } from '../../envs/rng.ts';
import { replaceWrapper, type WrapperConfigInput } from '../../envs/wrappers/config.ts';
import { evaluate, restoreNormalization, robustnessCurves, robustnessEnvs, type NormalizationState } from '../train/evaluate.ts';
import { RUN_FILES, writeJsonAtomic } from '../train/run-dir.ts';
import { numericFlags, parseFlags } from './args.ts';
import { envOptions } from './train.ts';
import type { Io } from './main.ts';

export async function evalCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    {
      episodes: { type: 'string' },
      seed: { type: 'string' },
      'num-envs': { type: 'string' },
      json: { type: 'boolean' },
      robustness: { type: 'boolean' },
      write: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) {
    io.out.write('Usage: wnrl eval RUN_DIR [--episodes N] [--seed S] [--num-envs K] [--json]\n       wnrl eval RUN_DIR --robustness [--write] [--json]\n');
    return 0;
  }
  const nums = numericFlags(values, { episodes: positiveInt(), seed: seed(), 'num-envs': positiveInt() });
  if (positionals.length !== 1) throw ConfigError.single('RUN_DIR', `expected one run directory; got ${positionals.length}`);
  const dir = path.resolve(positionals[0]!);
  const configFile = path.join(dir, RUN_FILES.config);
  const checkpoint = path.join(dir, RUN_FILES.checkpoint);
  if (!fs.existsSync(configFile)) throw ConfigError.single('RUN_DIR', `${dir} has no ${RUN_FILES.config}; expected a run directory written by wnrl train`);
  if (!fs.existsSync(path.join(checkpoint, 'agent.json'))) throw ConfigError.single('RUN_DIR', `${dir} has no checkpoint yet`);
  const config = parseConfig(RunConfig, readJsonFile(configFile), configFile);
  await loadEnvConfigModule(config.env, `${configFile}: env.module`);
  const trainerState = JSON.parse(fs.readFileSync(path.join(checkpoint, 'trainer.json'), 'utf8')) as { step?: number } & Partial<NormalizationState>;
  if (values.robustness) return robustness(dir, config, trainerState, values, nums, io);
  if (values.write) throw ConfigError.single('--write', 'writes robustness curves; use it with --robustness');
  const episodes = nums.episodes ?? 100;
  const evalSeed = nums.seed ?? 12345;
  const env = await openVectorEnv(config.env.id, envOptions(config, evalSeed, nums['num-envs'] ?? Math.min(episodes, 8)));
  restoreNormalization(env, trainerState, true);
  const agent = await loadAgent(checkpoint);
  try {
    const result = await evaluate(agent, env, episodes, evalSeed);
    const report = { runDir: dir, env: config.env.id, agent: config.agent.algo, norm: config.agent.network.norm, step: trainerState.step ?? null, episodes, returnMean: result.mean, returnStd: result.std, returnMin: Math.min(...result.returns), returnMax: Math.max(...result.returns) };
    io.out.write(
      values.json
        ? `${JSON.stringify(report)}\n`
        : `${config.agent.algo} (${config.agent.network.norm}) on ${config.env.id}, checkpoint at step ${report.step}: ` +
            `return ${result.mean.toFixed(1)} ± ${result.std.toFixed(1)} over ${episodes} episodes (min ${report.returnMin}, max ${report.returnMax})\n`,
    );
  } finally {
    agent.dispose();
    await env.close();
  }
  return 0;
}

/** `--robustness`: the run's trainer.robustness sweeps on its checkpoint, as the Trainer evaluates them. */
async function robustness(
  dir: string,
  config: RunConfig,
  trainerState: Partial<NormalizationState>,
  values: { json?: boolean; write?: boolean },
  nums: Record<string, number | undefined>,
  io: Io,
): Promise<number> {
  const sweeps = config.trainer.robustness;
  if (sweeps.length === 0) throw ConfigError.single('trainer.robustness', `is empty in ${path.join(dir, RUN_FILES.config)}; nothing to evaluate`);
  for (const flag of ['episodes', 'seed', 'num-envs']) {
    if (nums[flag] !== undefined) throw ConfigError.single(`--${flag}`, "does not combine with --robustness, which uses the run's own evaluation episodes and seed");
  }
  const summaryFile = path.join(dir, RUN_FILES.summary);
  if (values.write && !fs.existsSync(summaryFile)) throw ConfigError.single('--write', `${dir} has no ${RUN_FILES.summary} (an unfinished run)`);
  const episodes = config.trainer.evalEpisodes;
  const seed = deriveSeed(config.trainer.seed, 'robustness');
  const agent = await loadAgent(path.join(dir, RUN_FILES.checkpoint));
  try {
    const curves = await robustnessCurves(agent, sweeps, episodes, seed, async (perturb) => {
      const wrappers = replaceWrapper<WrapperConfigInput>(config.env.wrappers, perturb);
      const env = await openVectorEnv(config.env.id, { ...envOptions(config, seed, robustnessEnvs(episodes)), wrappers });
      restoreNormalization(env, trainerState, true);
      return env;
    });
    if (values.write) {
      const summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as Record<string, unknown>;
      writeJsonAtomic(summaryFile, { ...summary, robustness: curves });
    }
    io.out.write(
      values.json
        ? `${JSON.stringify({ runDir: dir, robustness: curves })}\n`
        : curves.map((c) => `${c.wrapper}: ${c.values.map((v, i) => `${v} → ${c.returnMeans[i]!.toFixed(1)}`).join(', ')}\n`).join(''),
    );
  } finally {
    agent.dispose();
  }
  return 0;
}
