// `wnrl worker`: takes runs off the queue and trains each as `wnrl train` in a child process (a training
// loop blocks its event loop; in-process, the worker could not renew its lock and the job would run
// twice). Every job is checked before anything runs: its data by JobData, its config by RunConfig, its
// env module against --allow-env-module (importing a module runs its code: a queue shared with other
// software must not make a worker run anything else). Exit code 2 of `wnrl train` (a bad config) fails the
// job at once; a crash is retried with backoff by BullMQ. tb/ and checkpoint/ stay under --artifacts.
// A run stopped part-way (the worker's SIGTERM, or a crash) leaves its folder as
// `<artifacts>/<experiment>/.resume-<cell>` when it has a checkpoint: the worker that takes the job next
// claims that folder (an atomic rename) and continues the run exactly (`wnrl train --resume`). Another
// machine's worker can do so only when --artifacts is a folder they share.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { RunConfig } from '../../src/config/run.ts';
import { WnrlError } from '../../envs/errors.ts';
import { parseConfig } from '../../src/config/parse.ts';
import type { Logger } from '../../src/log/logger.ts';
import { spawnCli } from '../../src/package-root.ts';
import { writeJsonAtomic } from '../../src/train/run-dir.ts';
import { resumableRun } from '../runner.ts';
import { bullConnection, type QueueUrl } from './connection.ts';
import { JobData, encodeResult, type JobResult } from './protocol.ts';

export interface QueueWorkerOptions {
  url: QueueUrl;
  queueName: string;
  concurrency: number;
  /** Run directories go to `<artifacts>/<experiment>/<cell>`. */
  artifacts: string;
  /** Env modules (as recorded in configs: absolute paths or package names) this worker may import. */
  allowEnvModules: readonly string[];
  /** Lock duration; a killed worker's job is handed to another worker after about this long. */
  lockSeconds: number;
  logger: Logger;
}

export interface QueueWorker {
  /** Stops taking jobs, hands running ones back to the queue (with their checkpoints: they resume elsewhere), closes. */
  shutdown(): Promise<void>;
  /** Resolves when the worker has closed. */
  readonly closed: Promise<void>;
}

const tail = (file: string): string => {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).slice(-3).join(' | ');
  } catch {
    return '';
  }
};

/** Takes over a run another worker stopped (an atomic rename: one claimant wins); false when there is none to resume. */
function claimResumable(handOver: string, work: string, config: RunConfig): boolean {
  try {
    fs.renameSync(handOver, work);
  } catch {
    return false; // none, or another worker took it first
  }
  if (resumableRun(work, config)) return true;
  fs.rmSync(work, { recursive: true, force: true });
  return false;
}

/** Leaves a stopped run where the next worker looks for it, when it can be resumed. */
function handOverRun(work: string, handOver: string, config: RunConfig): boolean {
  if (!resumableRun(work, config)) return false;
  fs.rmSync(handOver, { recursive: true, force: true });
  fs.renameSync(work, handOver);
  return true;
}

export async function startQueueWorker(o: QueueWorkerOptions): Promise<QueueWorker> {
  const children = new Set<ChildProcess>();
  let stopping = false;
  const host = os.hostname();

  const processor = async (job: Job, token?: string): Promise<JobResult> => {
    // --- validate everything before anything runs ---
    const data = JobData.safeParse(job.data);
    if (!data.success) throw new UnrecoverableError(`job data: ${data.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    const { experiment, cell } = data.data;
    let config: RunConfig;
    try {
      config = parseConfig(RunConfig, data.data.config, 'job config');
    } catch (err) {
      throw new UnrecoverableError(err instanceof WnrlError ? err.message.replace(/\n/g, '; ') : String(err));
    }
    if (config.env.module !== undefined && !o.allowEnvModules.includes(config.env.module)) {
      throw new UnrecoverableError(`env.module '${config.env.module}' is not allowed on this worker (start it with --allow-env-module ${config.env.module})`);
    }
    // --- run `wnrl train` in a private work directory; publish it under the cell's name when it succeeds ---
    const expDir = path.join(o.artifacts, experiment);
    const work = path.join(expDir, `.work-${cell}-${randomBytes(4).toString('hex')}`);
    const handOver = path.join(expDir, `.resume-${cell}`);
    const configFile = `${work}.config.json`;
    const errFile = `${work}.stderr`;
    writeJsonAtomic(configFile, config);
    const errFd = fs.openSync(errFile, 'w');
    const resumed = claimResumable(handOver, work, config);
    const args = resumed ? ['train', '--out', work, '--resume', '--no-progress', '--log-level', 'warn'] : ['train', '--config', configFile, '--out', work, '--force', '--no-progress', '--log-level', 'warn'];
    const t0 = performance.now();
    o.logger.info({ job: job.id, attempt: job.attemptsMade + 1, resumed }, 'worker: run start');
    const child = spawnCli(args, errFd);
    children.add(child);
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on('error', () => resolve({ code: null, signal: null }));
      child.on('exit', (code, signal) => resolve({ code, signal }));
    });
    children.delete(child);
    fs.closeSync(errFd);
    const seconds = (performance.now() - t0) / 1000;
    const cleanup = () => {
      fs.rmSync(configFile, { force: true });
      fs.rmSync(errFile, { force: true });
    };
    // A run stopped part-way is handed over with its checkpoint (not for exit 2: bad input stays bad).
    const handedOver = exit.code !== 0 && exit.code !== 2 && handOverRun(work, handOver, config);
    if (stopping && exit.code !== 0) {
      cleanup();
      fs.rmSync(work, { recursive: true, force: true });
      o.logger.warn({ job: job.id, handedOver }, `worker: shutting down; the run goes back to the queue${handedOver ? ' with its checkpoint' : ''}`);
      await job.moveToWait(token);
      throw new WaitingError();
    }
    if (exit.code !== 0) {
      const why = `wnrl train ${exit.code === null ? `was killed (${exit.signal ?? 'spawn failed'})` : `exited ${exit.code}`}: ${tail(errFile)}`;
      cleanup();
      o.logger.error({ job: job.id, seconds: Number(seconds.toFixed(1)), error: why }, 'worker: run failed');
      // Exit 2 is bad input (the config, the env's contract): running it again gives the same answer.
      throw exit.code === 2 ? new UnrecoverableError(why) : new Error(why);
    }
    const summaryText = fs.readFileSync(path.join(work, 'summary.json'), 'utf8');
    const metricsFile = path.join(work, 'metrics.csv');
    const metricsText = fs.existsSync(metricsFile) ? fs.readFileSync(metricsFile, 'utf8') : '';
    const final = path.join(expDir, cell);
    fs.rmSync(final, { recursive: true, force: true });
    fs.renameSync(work, final);
    cleanup();
    o.logger.info({ job: job.id, seconds: Number(seconds.toFixed(1)) }, 'worker: run finished');
    return encodeResult({ seconds, host, runDir: final, summaryText, metricsText });
  };

  const worker = new Worker(o.queueName, processor, {
    connection: bullConnection(o.url),
    concurrency: o.concurrency,
    lockDuration: o.lockSeconds * 1000,
    stalledInterval: o.lockSeconds * 1000,
    maxStalledCount: 1,
    name: `${host}:${process.pid}`,
  });
  let lastError = 0;
  worker.on('error', (err) => {
    // ioredis reports every failed reconnection attempt; one line per 10 s is enough.
    if (Date.now() - lastError < 10_000) return;
    lastError = Date.now();
    o.logger.warn({ error: o.url.scrub(String(err.message)) }, 'worker: queue connection problem (retrying)');
  });
  await worker.waitUntilReady();
  o.logger.info({ queue: o.url.redacted, name: o.queueName, concurrency: o.concurrency, artifacts: o.artifacts }, 'worker: ready');

  let closedResolve: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (closedResolve = resolve));
  worker.on('closed', () => closedResolve());
  return {
    closed,
    async shutdown() {
      if (stopping) return;
      stopping = true;
      for (const c of children) c.kill('SIGTERM');
      await worker.close();
      closedResolve();
    },
  };
}
