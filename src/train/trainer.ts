// The Trainer: runs any agent on a VectorEnv for totalSteps environment steps; logs every finished episode
// (pino `episode` records with the task's true return), evaluates periodically on a separate env with the
// same wrappers, stops early at the env's reward threshold, checkpoints atomically, writes metrics.csv and
// TensorBoard scalars, and finishes with summary.json. Callbacks let users hook into every phase.
import fs from 'node:fs';
import path from 'node:path';
import type { Agent, Metrics } from '../../agents/agent.ts';
import { deriveSeed } from '../../envs/rng.ts';
import { SyncVectorEnv, type VectorEnv } from '../../envs/vector/vector-env.ts';
import type { EpisodeStatistics } from '../../envs/wrappers/record-episode-statistics.ts';
import { backendInfo } from '../backend.ts';
import { TrainerConfig, type TrainerConfigInput } from '../config/trainer.ts';
import { parseConfig } from '../config/parse.ts';
import { createLogger, type Logger } from '../log/logger.ts';
import { CsvSink, TensorBoardSink, type MetricRow } from '../log/sinks.ts';
import { TensorBoardImages } from '../log/tb-images.ts';
import { version } from '../version.ts';
import { evaluate, normalizationState, robustnessCurves, robustnessEnvs, syncNormalization, type EvalResult } from './evaluate.ts';
import { Progress } from './progress.ts';
import { RUN_FILES, writeCheckpointDir, writeJsonAtomic } from './run-dir.ts';
import { encodeGif } from '../render/gif.ts';
import { canRender, recordEpisodes } from '../render/record.ts';
import type { Summary } from './summary.ts';
import { runFileLengths, writeResumeState, type ResumeState } from './resume.ts';
import { captureState, restoreState } from '../../envs/snapshot.ts';

/** wnrl's own in-process vector envs can be captured for exact resume; bridged ones cannot. */
const capturableEnv = (env: VectorEnv): env is SyncVectorEnv => env instanceof SyncVectorEnv;

export interface EpisodeEvent {
  step: number;
  return: number;
  length: number;
  envIndex: number;
}
export interface EvalEvent {
  step: number;
  result: EvalResult;
}
export interface StepEvent {
  step: number;
  metrics: Metrics | null;
}

/** Return `false` from onStep or onEval to stop training early. */
export interface Callbacks {
  /** After every vector step (return false to stop). */
  onStep?: (e: StepEvent) => void | boolean;
  /** When a training episode ends, with its true return and length. */
  onEpisode?: (e: EpisodeEvent) => void;
  /** After every periodic evaluation (return false to stop). */
  onEval?: (e: EvalEvent) => void | boolean;
}

/** The Trainer's options: the trainer config (steps, evaluation, checkpoints, early stop) plus the agent, the envs, a run directory, a logger and callbacks. */
export interface TrainerOptions extends TrainerConfigInput {
  agent: Agent;
  env: VectorEnv;
  /** Where to write the run (config.json, log.jsonl, metrics.csv, tb/, checkpoint/, summary.json); none if omitted. */
  runDir?: string;
  /** Evaluation env (default: an identical makeVectorEnv of the training env's id and wrappers). */
  evalEnv?: VectorEnv;
  /** The fully resolved run config, written to config.json. */
  runConfig?: unknown;
  callbacks?: Callbacks;
  logger?: Logger;
  /** Progress bar on a TTY (default: when stderr is a TTY). */
  progress?: boolean;
  /** Resume from this many steps (and episodes) already taken (a checkpoint without a resume state). */
  startStep?: number;
  startEpisodes?: number;
  /**
   * Resume exactly from a checkpoint's resume state (readResumeState): the Trainer's counters, the envs'
   * states and observations, the agent's streams and buffers. The agent must be loaded from the same
   * checkpoint; envs that cannot be restored (bridged) start new episodes instead.
   */
  resume?: ResumeState;
  /**
   * Stops training after the step in progress when aborted (the CLI aborts on SIGINT/SIGTERM): a
   * checkpoint is written and the returned summary has `interrupted: true`; no summary.json.
   */
  signal?: AbortSignal;
}

/** Runs an agent on a vector env for totalSteps environment steps: logs every episode, evaluates, checkpoints, writes metrics, TensorBoard summaries and summary.json. */
export class Trainer {
  readonly config: TrainerConfig;
  private readonly agent: Agent;
  private readonly env: VectorEnv;
  private readonly options: TrainerOptions;

  constructor(options: TrainerOptions) {
    const { agent, env, runDir: _r, evalEnv: _e, runConfig: _c, callbacks: _cb, logger: _l, progress: _p, startStep: _s, startEpisodes: _se, resume: _res, signal: _sig, ...config } = options;
    this.config = parseConfig(TrainerConfig, config, 'trainer');
    this.agent = agent;
    this.env = env;
    this.options = options;
  }

  private envId(): string {
    return (this.env instanceof SyncVectorEnv ? this.env.origin?.id : undefined) ?? this.env.spec?.id ?? 'custom';
  }

  private threshold(): number | null {
    if (this.config.rewardThreshold !== undefined) return this.config.rewardThreshold;
    return this.env.spec?.rewardThreshold ?? null;
  }

  private async makeEvalEnv(): Promise<VectorEnv> {
    if (this.options.evalEnv) return this.options.evalEnv;
    if (this.env.spawn !== undefined) {
      const n = Math.min(this.config.evalEpisodes, 32); // one episode per env: fewest forward passes
      return this.env.spawn({ numEnvs: n, seed: deriveSeed(this.config.seed, 'eval') });
    }
    throw new Error('Trainer: pass evalEnv for a vector env that cannot spawn another (no spawn())');
  }

  /** trainer.robustness: the final policy on fresh envs with each swept perturbation, one seed for all. */
  private async robustnessCurves(log: Logger): Promise<Summary['robustness']> {
    const sweeps = this.config.robustness;
    if (sweeps.length === 0) return undefined;
    const spawn = this.env.spawn?.bind(this.env);
    if (spawn === undefined) throw new Error('Trainer: trainer.robustness needs a vector env that can spawn another');
    const seed = deriveSeed(this.config.seed, 'robustness');
    const curves = await robustnessCurves(this.agent, sweeps, this.config.evalEpisodes, seed, async (perturb) => {
      const env = await spawn({ numEnvs: robustnessEnvs(this.config.evalEpisodes), seed, perturb });
      syncNormalization(this.env, env);
      return env;
    });
    for (const c of curves) log.info(c, 'robustness');
    return curves;
  }

  /**
   * The observations training starts from: a resumed run's envs and agent put back as they were at its
   * checkpoint; otherwise fresh episodes (a resumed run without a resume state, or with envs that cannot
   * be restored, continues with a different env stream: seed + steps already taken).
   */
  private async startEnvs(env: VectorEnv, evalEnv: VectorEnv, startStep: number, log: Logger): Promise<Float32Array> {
    const saved = this.options.resume;
    if (saved !== undefined) {
      if (saved.agent !== null) {
        if (this.agent.restoreState === undefined) throw new Error('Trainer: the checkpoint holds an agent state; this agent has no restoreState()');
        this.agent.restoreState(saved.agent);
      }
      if (saved.env !== null && capturableEnv(env)) {
        restoreState(env, saved.env);
        if (saved.evalEnv !== null && capturableEnv(evalEnv)) restoreState(evalEnv, saved.evalEnv);
        return saved.observations.slice();
      }
      log.warn({ step: startStep }, 'resume: these envs cannot be restored (bridged or not captured); their episodes start anew');
    }
    return (await env.reset({ seed: this.config.seed + startStep })).observations;
  }

  /** Trains to the end (or an early stop), writes summary.json when a run directory is set, and returns the summary. */
  async run(): Promise<Summary> {
    const c = this.config;
    const { agent, env } = this;
    const runDir = this.options.runDir;
    const threshold = this.threshold();
    const info = backendInfo();

    // --- run directory and sinks ---
    if (runDir !== undefined) {
      fs.mkdirSync(runDir, { recursive: true });
      if (this.options.runConfig !== undefined) writeJsonAtomic(path.join(runDir, RUN_FILES.config), this.options.runConfig);
    }
    const log =
      this.options.logger ??
      createLogger({ level: c.logLevel, ...(runDir === undefined ? {} : { file: path.join(runDir, RUN_FILES.log) }), console: false });
    agent.setLogger(log);
    const diagnosticsNames = Object.keys(agent.diagnostics());
    const columns = ['step', 'wallSeconds', 'episodes', 'rollout/episodeReturn', 'rollout/episodeLength', 'eval/returnMean', 'eval/returnStd', 'time/stepsPerSecond', ...agent.metricNames, ...diagnosticsNames];
    const csv = runDir === undefined ? null : new CsvSink(path.join(runDir, RUN_FILES.metrics), columns);
    const tb = runDir === undefined ? null : new TensorBoardSink(path.join(runDir, RUN_FILES.tensorboard));
    const tbImages = runDir === undefined || c.video === null ? null : new TensorBoardImages(path.join(runDir, RUN_FILES.tensorboard));
    const progress = new Progress(c.totalSteps, this.options.progress ?? process.stderr.isTTY === true);
    const evalEnv = await this.makeEvalEnv();
    log.info({ env: this.envId(), agent: agent.algo, norm: agent.norm, numEnvs: env.numEnvs, totalSteps: c.totalSteps, seed: c.seed, backend: info.backend, runDir }, 'train start');

    // --- state (a resumed run takes it from its checkpoint) ---
    const resumed = this.options.resume?.trainer;
    let step = resumed?.step ?? this.options.startStep ?? 0;
    let episodes = resumed?.episodes ?? this.options.startEpisodes ?? 0;
    const window: number[] = resumed?.window.slice() ?? [];
    const recentLengths: number[] = resumed?.recentLengths.slice() ?? [];
    let stepsToThreshold: number | null = resumed?.stepsToThreshold ?? null;
    let secondsToThreshold: number | null = resumed?.secondsToThreshold ?? null;
    let lastEval: EvalResult | null = resumed?.lastEval ?? null;
    let lastEvalStep = resumed?.lastEvalStep ?? -1;
    let earlyStopped = false;
    let interrupted = false;
    let lastYield = performance.now();
    let lastMetrics: Metrics | null = resumed?.lastMetrics ?? null;
    let updateMs = resumed?.updateMs ?? 0;
    let updateCalls = resumed?.updateCalls ?? 0;
    let robustness: Summary['robustness'];
    // Wall time continues from the checkpoint's; steps per second count this process's steps only.
    const priorSeconds = resumed?.wallSeconds ?? 0;
    const t0 = performance.now() - priorSeconds * 1000;
    const seconds = () => (performance.now() - t0) / 1000;
    const startStep = step;
    const every = (interval: number) => (interval > 0 ? Math.floor(step / interval) * interval + interval : Number.POSITIVE_INFINITY);
    let nextMetricsAt = every(c.metricsInterval);
    let nextEvalAt = every(c.evalInterval);
    let nextCheckpointAt = every(c.checkpointInterval);
    const obsSize = env.singleObservationSpace.size;

    const runEval = async (): Promise<EvalResult> => {
      syncNormalization(env, evalEnv);
      const result = await evaluate(agent, evalEnv, c.evalEpisodes, lastEvalStep < 0 ? deriveSeed(c.seed, 'eval') : undefined);
      lastEval = result;
      lastEvalStep = step;
      log.info({ step, returnMean: result.mean, returnStd: result.std, episodes: result.returns.length }, 'eval');
      tb?.write(step, { 'eval/returnMean': result.mean, 'eval/returnStd': result.std });
      return result;
    };

    let lastCheckpointSeconds = priorSeconds;
    let lastCheckpointStep = resumed === undefined ? -1 : step;
    const checkpoint = async () => {
      if (runDir === undefined || lastCheckpointStep === step) return;
      lastCheckpointStep = step;
      const c0 = performance.now();
      let resumeBytes = 0;
      await writeCheckpointDir(path.join(runDir, RUN_FILES.checkpoint), async (tmp) => {
        await agent.save(tmp);
        writeJsonAtomic(path.join(tmp, 'trainer.json'), { step, episodes, wallSeconds: seconds(), ...normalizationState(env) });
        resumeBytes = writeResumeState(tmp, {
          trainer: { step, episodes, window, recentLengths, stepsToThreshold, secondsToThreshold, lastEval, lastEvalStep, lastMetrics, wallSeconds: seconds(), updateMs, updateCalls },
          observations,
          env: capturableEnv(env) ? captureState(env) : null,
          evalEnv: capturableEnv(evalEnv) ? captureState(evalEnv) : null,
          agent: agent.captureState?.() ?? null,
          files: runFileLengths(runDir),
        });
      });
      lastCheckpointSeconds = seconds();
      log.debug({ step, ms: Number((performance.now() - c0).toFixed(1)), resumeBytes }, 'checkpoint');
    };
    // --- videos while training (trainer.video): a fresh one-copy env, the eval env's statistics ---
    let nextVideoAt = c.video === null ? Number.POSITIVE_INFINITY : every(c.video.everySteps);
    const recordVideo = async () => {
      if (c.video === null || runDir === undefined || this.env.spawn === undefined) return;
      const videoSeed = deriveSeed(c.seed, 'video');
      const one = await this.env.spawn({ numEnvs: 1, seed: videoSeed, render: true });
      try {
        if (!canRender(one)) {
          log.warn({ env: this.envId() }, 'trainer.video: this env has no render(); no videos');
          nextVideoAt = Number.POSITIVE_INFINITY;
          return;
        }
        syncNormalization(env, one);
        const { frames, result } = await recordEpisodes(agent, one, c.video.episodes, videoSeed);
        const file = path.join(runDir, 'videos', `step-${step}.gif`);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        const gif = encodeGif(frames, Math.round(1000 / c.video.fps));
        fs.writeFileSync(`${file}.tmp`, gif);
        fs.renameSync(`${file}.tmp`, file);
        // the same GIF in TensorBoard's Images tab (it plays there)
        tbImages?.write('video/episode', step, { width: frames[0]!.width, height: frames[0]!.height, encoded: gif });
        log.info({ step, file, frames: frames.length, returns: result.returns }, 'video');
      } finally {
        await one.close();
      }
    };

    const checkpointDue = () => step >= nextCheckpointAt || (c.checkpointSeconds > 0 && seconds() - lastCheckpointSeconds >= c.checkpointSeconds);

    const writeMetrics = () => {
      const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
      const row: MetricRow = {
        step,
        wallSeconds: seconds(),
        episodes,
        'rollout/episodeReturn': mean(window),
        'rollout/episodeLength': mean(recentLengths),
        'eval/returnMean': lastEvalStep === step ? (lastEval)?.mean : null,
        'eval/returnStd': lastEvalStep === step ? (lastEval)?.std : null,
        'time/stepsPerSecond': (step - startStep) / Math.max(seconds() - priorSeconds, 1e-9),
        ...(lastMetrics ?? {}),
        ...agent.diagnostics(),
      };
      csv?.write(row);
      const { step: _s, wallSeconds: _w, episodes: _e, ...tags } = row;
      tb?.write(step, tags);
      if (!progress.enabled) log.info({ step, episodes, returnMean: row['rollout/episodeReturn'], stepsPerSecond: Math.round(row['time/stepsPerSecond']!) }, 'progress');
    };

    // --- the loop ---
    // --- random-policy warm-up for data-dependent init (counted as training steps) ---
    const warmup = this.options.resume === undefined ? (agent.warmupSamples?.() ?? 0) : 0;
    if (warmup > 0 && agent.initialize) {
      env.singleActionSpace.seed(deriveSeed(c.seed, 'warmup'));
      let { observations: o } = await env.reset({ seed: deriveSeed(c.seed, 'warmup') });
      const collected: Float32Array[] = [o];
      let count = env.numEnvs;
      while (count < warmup) {
        const sampled = Array.from({ length: env.numEnvs }, () => env.singleActionSpace.sample());
        const actions = typeof sampled[0] === 'number' ? Int32Array.from(sampled as number[]) : Float32Array.from((sampled as Float32Array[]).flatMap((a) => Array.from(a)));
        o = (await env.step(actions)).observations;
        step += env.numEnvs;
        collected.push(o);
        count += env.numEnvs;
      }
      const all = new Float32Array(count * obsSize);
      collected.forEach((b, k) => all.set(b, k * env.numEnvs * obsSize));
      agent.initialize(all);
      log.info({ samples: count, step }, 'data-dependent init from a random-policy warm-up');
    }

    let observations = await this.startEnvs(env, evalEnv, startStep, log);
    try {
      while (step < c.totalSteps) {
        const ctx = { step, totalSteps: c.totalSteps };
        const actions = agent.act(observations, ctx);
        const r = await env.step(actions);
        step += env.numEnvs;

        // The next observation for learning: the ended episode's final observation where one ended.
        let nextObservations = r.observations;
        for (let i = 0; i < env.numEnvs; i++) {
          if (r.terminated[i] || r.truncated[i]) {
            if (nextObservations === r.observations) nextObservations = r.observations.slice();
            nextObservations.set(r.infos[i]!['finalObservation'] as Float32Array, i * obsSize);
          }
        }
        const u0 = performance.now();
        const metrics = agent.learn({ observations, actions, rewards: r.rewards, nextObservations, terminated: r.terminated, truncated: r.truncated }, { step, totalSteps: c.totalSteps });
        if (metrics !== null) {
          updateMs += performance.now() - u0;
          updateCalls++;
          lastMetrics = metrics;
        }

        // --- episodes: the task's true return, from the statistics wrapper inside any noise ---
        for (let i = 0; i < env.numEnvs; i++) {
          if (!(r.terminated[i] || r.truncated[i])) continue;
          const ep = (r.infos[i]!['finalInfo'] as { episode?: EpisodeStatistics } | undefined)?.episode;
          if (ep === undefined) continue;
          episodes++;
          window.push(ep.return);
          recentLengths.push(ep.length);
          if (window.length > c.returnWindow) window.shift();
          if (recentLengths.length > c.returnWindow) recentLengths.shift();
          log.info({ step, return: ep.return, length: ep.length }, 'episode');
          this.options.callbacks?.onEpisode?.({ step, return: ep.return, length: ep.length, envIndex: i });
          if (stepsToThreshold === null && threshold !== null && window.length >= c.returnWindow) {
            const mean = window.reduce((a, b) => a + b, 0) / window.length;
            if (mean >= threshold) {
              stepsToThreshold = step;
              secondsToThreshold = seconds();
              log.info({ step, seconds: secondsToThreshold, meanReturn: mean }, 'threshold reached');
            }
          }
        }
        observations = r.observations;
        progress.update(step, window, lastEvalStep >= 0 ? (lastEval as EvalResult | null)?.mean ?? null : null);
        if (this.options.callbacks?.onStep?.({ step, metrics }) === false) break;

        if (step >= nextEvalAt) {
          nextEvalAt = every(c.evalInterval);
          const result = await runEval();
          writeMetrics(); // every evaluation gets its metrics row
          nextMetricsAt = every(c.metricsInterval);
          const stopByCallback = this.options.callbacks?.onEval?.({ step, result }) === false;
          if (c.earlyStop && threshold !== null && result.mean >= threshold) {
            earlyStopped = true;
            log.info({ step, returnMean: result.mean, threshold }, 'early stop: eval mean reached the reward threshold');
          }
          if (earlyStopped || stopByCallback) break;
        }
        if (step >= nextMetricsAt) {
          nextMetricsAt = every(c.metricsInterval);
          writeMetrics();
        }
        if (step >= nextVideoAt) {
          nextVideoAt = every(c.video!.everySteps);
          await recordVideo();
        }
        if (checkpointDue()) {
          nextCheckpointAt = every(c.checkpointInterval);
          await checkpoint();
        }
        // SIGINT/SIGTERM (the CLI's signal): stop after this step, which is complete. A loop over
        // synchronous envs only ever yields to microtasks, so signal handlers (macrotasks) get a turn
        // every 100 ms.
        if (this.options.signal !== undefined && performance.now() - lastYield > 100) {
          await new Promise((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
        if (this.options.signal?.aborted) {
          interrupted = true;
          break;
        }
      }

      if (interrupted) {
        // --- interrupted: a checkpoint of this step, no final evaluation, no summary.json ---
        await checkpoint();
        log.warn({ step, episodes }, 'interrupted: checkpoint written; resume with wnrl train --out DIR --resume');
      } else if (lastEvalStep !== step) {
        // --- final evaluation, checkpoint and summary ---
        const result = await runEval();
        this.options.callbacks?.onEval?.({ step, result });
        writeMetrics();
      }
      if (!interrupted) {
        await checkpoint();
        robustness = await this.robustnessCurves(log);
      }
    } finally {
      progress.done();
      csv?.close();
      tb?.flush();
      if (!this.options.evalEnv) await evalEnv.close();
    }
    const wallSeconds = seconds();
    const finalEval = lastEval as EvalResult | null;
    const summary: Summary = {
      env: this.envId(),
      agent: agent.algo,
      norm: agent.norm,
      seed: c.seed,
      totalSteps: step,
      wallSeconds,
      stepsPerSecond: (step - startStep) / Math.max(wallSeconds - priorSeconds, 1e-9),
      episodes,
      stepsToThreshold,
      secondsToThreshold,
      evalReturnMean: finalEval?.mean ?? null,
      evalReturnStd: finalEval?.std ?? null,
      evalEpisodes: finalEval?.returns.length ?? 0,
      rewardThreshold: threshold,
      earlyStopped,
      msPerUpdate: updateCalls > 0 ? updateMs / updateCalls : null,
      backend: info.backend,
      version: version(),
      ...(robustness === undefined ? {} : { robustness }),
    };
    if (interrupted) {
      summary.interrupted = true;
      return summary; // no summary.json: the run has not finished
    }
    if (runDir !== undefined) writeJsonAtomic(path.join(runDir, RUN_FILES.summary), summary);
    log.info({ ...summary }, 'train end');
    return summary;
  }
}
