// `wnrl eval DIR [--episodes N] [--seed S]`: loads a run's checkpoint and evaluates it deterministically on
// a fresh env with the run's wrappers (and its observation- and reward-normalization statistics, frozen).
import fs from 'node:fs';
import path from 'node:path';
import { loadAgent } from '../../agents/index.ts';
import { openVectorEnv } from '../../envs/vector/open.ts';
import { positiveInt, seed } from '../config/common.ts';
import { loadEnvConfigModule } from '../config/env-module.ts';
import { ConfigError, parseConfig } from '../config/parse.ts';
import { readJsonFile } from '../config/read-json.ts';
import { RunConfig } from '../config/run.ts';
import { evaluate, restoreNormalization, type NormalizationState } from '../train/evaluate.ts';
import { RUN_FILES } from '../train/run-dir.ts';
import { numericFlags, parseFlags } from './args.ts';
import { envOptions } from './train.ts';
import type { Io } from './main.ts';

export async function evalCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    { episodes: { type: 'string' }, seed: { type: 'string' }, 'num-envs': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    true,
  );
  if (values.help) {
    io.out.write('Usage: wnrl eval RUN_DIR [--episodes N] [--seed S] [--num-envs K] [--json]\n');
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
  const episodes = nums.episodes ?? 100;
  const evalSeed = nums.seed ?? 12345;
  const env = await openVectorEnv(config.env.id, envOptions(config, evalSeed, nums['num-envs'] ?? Math.min(episodes, 8)));
  const trainerState = JSON.parse(fs.readFileSync(path.join(checkpoint, 'trainer.json'), 'utf8')) as { step?: number } & Partial<NormalizationState>;
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
