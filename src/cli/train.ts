// `wnrl train`: flags -> resolved run config (defaults < preset < --config < flags) -> env + agent ->
// Trainer. Every input is validated before anything is written; bad input exits 2 with one line per problem.
import fs from 'node:fs';
import path from 'node:path';
import { createAgent, loadAgent, type Agent } from '../../agents/index.ts';
import { envSpec } from '../../envs/registry.ts';
import { isGymnasiumId, openVectorEnv, type OpenVectorEnvOptions } from '../../envs/vector/open.ts';
import type { VectorEnv } from '../../envs/vector/vector-env.ts';
import type { WrapperConfigInput } from '../../envs/wrappers/config.ts';
import { backendInfo, oneDnnMatMulActive } from '../backend.ts';
import { nonNegativeNumber, positiveInt, probability, seed } from '../config/common.ts';
import { NORMS } from '../config/network.ts';
import { loadEnvConfigModule, normalizeEnvLayer } from '../config/env-module.ts';
import { ConfigError } from '../config/parse.ts';
import { AGENTS, RunConfig, resolveRunConfig } from '../config/run.ts';
import { parseConfig } from '../config/parse.ts';
import { readJsonFile } from '../config/read-json.ts';
import { createLogger, type Logger } from '../log/logger.ts';
import type { Summary } from '../train/summary.ts';
import { restoreNormalization, type NormalizationState } from '../train/evaluate.ts';
import { RUN_FILES, findCheckpoint, isNonEmptyDir } from '../train/run-dir.ts';
import { readResumeState, truncateRunFiles, type ResumeState } from '../train/resume.ts';
import { Trainer } from '../train/trainer.ts';
import { numericFlags, parseFlags } from './args.ts';
import type { Io } from './main.ts';

const USAGE = `Usage: wnrl train --env [MODULE:]ID --agent ${AGENTS.join('|')} --norm ${NORMS.join('|')} --out DIR
                  [--steps N] [--seed S] [--config FILE] [--num-envs K]
                  [--obs-noise SIGMA] [--reward-noise SIGMA] [--sticky-actions P] [--mask-velocity]
                  [--flicker P] [--lstm UNITS | --no-lstm] [--env-kwargs JSON]
                  [--force | --resume] [--log-level LEVEL] [--no-progress] [--video-every N]

Trains an agent and writes the run directory (config.json, log.jsonl, metrics.csv, tb/, checkpoint/,
summary.json). Hyperparameters come from the preset for (agent, env), then --config, then flags.
--env ./my-envs.ts:my-pkg/Chain-v0 imports the module (a file, TypeScript or JavaScript, or a package
name) so its registerEnv calls run, then makes the id; config.json records the module.
--env gymnasium:FrozenLake-v1 runs Python's Gymnasium env through the bridge (\`wnrl setup --gymnasium\`);
--env-kwargs '{"is_slippery": false}' are the keyword arguments of gymnasium.make (or of a wnrl env's factory).`;

export async function train(args: string[], io: Io): Promise<number> {
  const { values } = parseFlags(args, {
    env: { type: 'string' },
    agent: { type: 'string' },
    norm: { type: 'string' },
    steps: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    config: { type: 'string' },
    'num-envs': { type: 'string' },
    'obs-noise': { type: 'string' },
    'reward-noise': { type: 'string' },
    'sticky-actions': { type: 'string' },
    'mask-velocity': { type: 'boolean' },
    flicker: { type: 'string' },
    lstm: { type: 'string' },
    'no-lstm': { type: 'boolean' },
    'env-kwargs': { type: 'string' },
    force: { type: 'boolean' },
    resume: { type: 'boolean' },
    'log-level': { type: 'string' },
    'no-progress': { type: 'boolean' },
    'video-every': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.out.write(`${USAGE}\n`);
    return 0;
  }
  const nums = numericFlags(values, {
    steps: positiveInt(),
    seed: seed(),
    'num-envs': positiveInt(),
    'obs-noise': nonNegativeNumber(),
    'reward-noise': nonNegativeNumber(),
    'sticky-actions': probability(),
    flicker: probability(),
    lstm: positiveInt('a positive number of LSTM units'),
    'video-every': positiveInt('a positive number of environment steps'),
  });
  const problems: ConfigError['issues'][number][] = [];
  if (values.out === undefined) problems.push({ path: '--out', message: 'is required (the run directory)' });
  if (values.force && values.resume) problems.push({ path: '--force', message: 'cannot be combined with --resume' });
  if (values.lstm !== undefined && values['no-lstm']) problems.push({ path: '--no-lstm', message: 'cannot be combined with --lstm' });
  let envKwargs: Record<string, unknown> | undefined;
  if (values['env-kwargs'] !== undefined) {
    try {
      envKwargs = JSON.parse(values['env-kwargs']) as Record<string, unknown>;
    } catch {
      // reported below
    }
    if (envKwargs === null || typeof envKwargs !== 'object' || Array.isArray(envKwargs)) problems.push({ path: '--env-kwargs', message: `expected a JSON object such as '{"is_slippery": false}'; got ${values['env-kwargs']}` });
  }
  if (problems.length) throw new ConfigError(problems);
  const out = path.resolve(values.out!);

  if (values.resume) return resume(out, values, nums, io);

  // --- the config layers: preset (inside resolveRunConfig) < --config < flags ---
  // A relative env module is relative to the file that names it (--config) or to the current directory (--env).
  const fileLayer = values.config === undefined ? undefined : normalizeEnvLayer(readJsonFile(values.config, '--config'), path.dirname(path.resolve(values.config)));
  if (values.env !== undefined && !values.env.includes(':')) delete (fileLayer as { env?: { module?: unknown } } | undefined)?.env?.module;
  const wrappers: WrapperConfigInput[] = [];
  if (nums['obs-noise'] !== undefined) wrappers.push({ type: 'observationNoise', std: nums['obs-noise'] });
  if (nums['reward-noise'] !== undefined) wrappers.push({ type: 'rewardNoise', std: nums['reward-noise'] });
  if (nums['sticky-actions'] !== undefined) wrappers.push({ type: 'stickyActions', p: nums['sticky-actions'] });
  if (values['mask-velocity']) wrappers.push({ type: 'maskVelocity' });
  if (nums.flicker !== undefined) wrappers.push({ type: 'flicker', p: nums.flicker });
  // --lstm N: an LSTM of N units before the heads (PPO, A2C); --no-lstm: a feed-forward policy.
  const recurrent = nums.lstm !== undefined ? { recurrent: { type: 'lstm', units: nums.lstm } } : values['no-lstm'] ? { recurrent: null } : {};
  const flagLayer = normalizeEnvLayer({
    env: {
      ...(values.env === undefined ? {} : { id: values.env }),
      ...(nums['num-envs'] === undefined ? {} : { numEnvs: nums['num-envs'] }),
      ...(envKwargs === undefined ? {} : { kwargs: envKwargs }),
    },
    agent: {
      ...(values.agent === undefined ? {} : { algo: values.agent }),
      ...(values.norm === undefined && Object.keys(recurrent).length === 0 ? {} : { network: { ...(values.norm === undefined ? {} : { norm: values.norm }), ...recurrent } }),
    },
    trainer: {
      ...(nums.steps === undefined ? {} : { totalSteps: nums.steps }),
      ...(nums.seed === undefined ? {} : { seed: nums.seed }),
      ...(values['log-level'] === undefined ? {} : { logLevel: values['log-level'] }),
      // --video-every N: a GIF of one deterministic episode every N steps in videos/ (trainer.video)
      ...(nums['video-every'] === undefined ? {} : { video: { everySteps: nums['video-every'] } }),
    },
  }, process.cwd());
  const required: ConfigError['issues'][number][] = [];
  const merged = { env: { ...(fileLayer as { env?: object })?.env, ...flagLayer.env }, agent: { ...(fileLayer as { agent?: object })?.agent, ...flagLayer.agent } } as {
    env: { id?: unknown };
    agent: { algo?: unknown };
  };
  if (merged.env.id === undefined) required.push({ path: '--env', message: 'is required (an environment id; wnrl envs lists them)' });
  if (merged.agent.algo === undefined) required.push({ path: '--agent', message: `is required (one of ${AGENTS.join(', ')})` });
  if (required.length) throw new ConfigError(required);
  // Noise flags add to the wrappers of the preset and --config file (an Acrobot preset keeps its normalizers).
  const config = resolveRunConfig([fileLayer, flagLayer], { addWrappers: wrappers });
  await loadEnvConfigModule(config.env, values.env?.includes(':') ? '--env' : 'env.module');
  if (!isGymnasiumId(config.env.id)) envSpec(config.env.id); // unknown ids: a RegistryError with the close matches

  if (isNonEmptyDir(out)) {
    if (!values.force) throw ConfigError.single('--out', `${out} exists and is not empty; pass --force to overwrite it or --resume to continue it`);
  }

  // --- build everything before touching the disk, so bad combinations write nothing ---
  const env = await openVectorEnv(config.env.id, envOptions(config, config.trainer.seed));
  let agent: Agent;
  try {
    agent = createAgent(config.agent, env, config.trainer.seed);
  } catch (err) {
    await env.close();
    throw err;
  }
  if (values.force) fs.rmSync(out, { recursive: true, force: true });
  const logger = createLogger({ level: config.trainer.logLevel, file: path.join(out, RUN_FILES.log), console: io.err });
  logger.info({ backend: backendInfo().backend, tensorflow: backendInfo().tensorflowVersion, oneDnnMatMul: oneDnnMatMulActive }, 'backend');
  const summary = await runTraining(config, agent, env, out, logger, io, values, {});
  if (summary.interrupted) return interruptedExit(summary, out, io);
  io.out.write(
    `${config.agent.algo} (${config.agent.network.norm}) on ${config.env.id}: ${summary.totalSteps} steps in ${summary.wallSeconds.toFixed(1)} s; ` +
      `eval ${summary.evalReturnMean?.toFixed(1)} ± ${summary.evalReturnStd?.toFixed(1)} over ${summary.evalEpisodes} episodes` +
      `${summary.stepsToThreshold === null ? '' : `; threshold reached at step ${summary.stepsToThreshold} (${summary.secondsToThreshold?.toFixed(1)} s)`}\n` +
      `run directory: ${out}\n`,
  );
  return 0;
}

async function resume(out: string, values: Record<string, unknown>, nums: { steps?: number }, io: Io): Promise<number> {
  const conflicting = ['env', 'agent', 'norm', 'seed', 'config', 'num-envs', 'env-kwargs', 'obs-noise', 'reward-noise', 'sticky-actions', 'mask-velocity', 'flicker', 'lstm', 'no-lstm', 'video-every'].filter((f) => values[f] !== undefined);
  if (conflicting.length) throw new ConfigError(conflicting.map((f) => ({ path: `--${f}`, message: 'cannot be combined with --resume (the run keeps its config.json); only --steps may extend it' })));
  const configFile = path.join(out, RUN_FILES.config);
  if (!fs.existsSync(configFile)) throw ConfigError.single('--out', `${out} has no config.json: it is not a run directory (wnrl train writes one)`);
  const found = findCheckpoint(out);
  if (found === null) {
    throw ConfigError.single(
      '--out',
      `${out} has no checkpoint yet (a run writes one every trainer.checkpointSeconds and trainer.checkpointInterval steps, and when stopped by Ctrl-C or SIGTERM); start it again with --force`,
    );
  }
  const checkpointDir = found.dir;
  const config = parseConfig(RunConfig, readJsonFile(configFile), configFile);
  if (nums.steps !== undefined) config.trainer.totalSteps = nums.steps;
  await loadEnvConfigModule(config.env);
  const state = readJsonFile(path.join(checkpointDir, 'trainer.json')) as { step: number; episodes: number } & Partial<NormalizationState>;
  if (state.step >= config.trainer.totalSteps) throw ConfigError.single('--steps', `the run already has ${state.step} steps; pass a larger --steps to extend it`);
  fs.rmSync(path.join(out, RUN_FILES.summary), { force: true });
  // Exact resume when the checkpoint has its resume state: what was logged after it is cut off (the
  // resumed run logs it again), the envs and the agent continue from their captured states.
  const exact = readResumeState(checkpointDir);
  if (exact !== null) truncateRunFiles(out, exact.files);
  const env = await openVectorEnv(config.env.id, envOptions(config, exact === null ? config.trainer.seed + state.step : config.trainer.seed));
  restoreNormalization(env, state, false);
  const logger = createLogger({ level: config.trainer.logLevel, file: path.join(out, RUN_FILES.log), console: io.err });
  if (found.fellBack) logger.warn({ checkpoint: checkpointDir }, `${path.join(out, RUN_FILES.checkpoint)} is incomplete or damaged (a kill while it was written); resuming from the previous checkpoint`);
  const agent = await loadAgent(checkpointDir, logger);
  if (exact === null) agent.resumeAt?.(state.step);
  logger.info({ step: state.step, totalSteps: config.trainer.totalSteps, exact: exact !== null }, 'resume');
  const summary = await runTraining(config, agent, env, out, logger, io, values, exact === null ? { startStep: state.step, startEpisodes: state.episodes } : { resume: exact });
  if (summary.interrupted) return interruptedExit(summary, out, io);
  io.out.write(`resumed to ${summary.totalSteps} steps; eval ${summary.evalReturnMean?.toFixed(1)}\nrun directory: ${out}\n`);
  return 0;
}

/** Exit status of a run that SIGINT or SIGTERM stopped after writing its checkpoint: "interrupted, resumable". */
export const EXIT_INTERRUPTED = 75;

function interruptedExit(summary: Summary, out: string, io: Io): number {
  io.err.write(`wnrl train: interrupted at step ${summary.totalSteps}; checkpoint written. Resume with: wnrl train --out ${out} --resume\n`);
  return EXIT_INTERRUPTED;
}

/** How a run's config makes its vector env (wnrl's own or the Gymnasium bridge). */
export function envOptions(config: RunConfig, seed: number, numEnvs = config.env.numEnvs): OpenVectorEnvOptions {
  return { numEnvs, seed, wrappers: config.env.wrappers, ...(config.env.kwargs !== undefined ? { kwargs: config.env.kwargs } : {}) };
}

/** Runs the Trainer for a resolved config and releases the agent and env whatever happens. */
async function runTraining(
  config: RunConfig,
  agent: Agent,
  env: VectorEnv,
  out: string,
  logger: Logger,
  io: Io,
  values: Record<string, unknown>,
  resumeFrom: { startStep?: number; startEpisodes?: number; resume?: ResumeState },
): Promise<Summary> {
  // SIGINT / SIGTERM: finish the step in progress, write a checkpoint, exit EXIT_INTERRUPTED; a second
  // signal exits at once (the previous checkpoint stays).
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await new Trainer({
      ...config.trainer,
      ...resumeFrom,
      agent,
      env,
      runDir: out,
      runConfig: config,
      logger,
      progress: !values['no-progress'] && (io.err as NodeJS.WriteStream).isTTY === true,
      signal: stop.signal,
    }).run();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    agent.dispose();
    await env.close();
  }
}
