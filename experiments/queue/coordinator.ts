// `wnrl compare --queue`: the same grid as the local runner, run by `wnrl worker`s on any machine. Every
// unfinished cell becomes a job whose id is the cell's deterministic key (a second enqueue, or a second
// coordinator, adds nothing); then the coordinator waits, storing each finished run's summary.json and
// metrics.csv under DIR/runs/<cell>/ exactly where the local runner leaves them, so the report is written
// by the same code. Ctrl-C leaves the queue as it is: the same command re-attaches and finishes.
import fs from 'node:fs';
import path from 'node:path';
import { Job, Queue, QueueEvents } from 'bullmq';
import type { Logger } from '../../src/log/logger.ts';
import { writeJsonAtomic } from '../../src/train/run-dir.ts';
import type { Cell } from '../grid.ts';
import type { CellResult, GridRun } from '../runner.ts';
import { bullConnection, type QueueUrl } from './connection.ts';
import { finishedSummary, readRecords, summaryPath } from '../records.ts';
import { JOB_NAME, decodeResult, jobId, type JobData } from './protocol.ts';

export interface QueueGridOptions {
  url: QueueUrl;
  queueName: string;
  /** The experiment's queue-safe name (the jobs' id prefix and the workers' artifact folder). */
  experiment: string;
  outDir: string;
  logger: Logger;
  progress?: NodeJS.WriteStream | null;
  /** Attempts per job (crashes are retried with exponential backoff; bad configs never are). */
  attempts?: number;
  /** First retry delay; it doubles with each attempt. */
  backoffMs?: number;
  /** Put jobs that failed in an earlier invocation back in the queue. */
  retryFailed?: boolean;
  /** Ctrl-C: stop waiting, leave the queue intact. */
  signal?: AbortSignal;
}

export interface QueueGridRun extends GridRun {
  /** True when the signal stopped the wait (the queue still holds the unfinished jobs). */
  interrupted: boolean;
  /** Per run finished now: milliseconds from enqueue (or re-attach) to its result stored, minus the run. */
  overheadMs: number[];
  /** The most worker processes seen connected while waiting. */
  workersSeen: number;
}

const DAY = 24 * 3600;

export async function runGridOnQueue(cells: Cell[], o: QueueGridOptions): Promise<QueueGridRun> {
  const { logger } = o;
  const connection = bullConnection(o.url);
  const results: CellResult[] = [];
  const failed: GridRun['failed'] = [];
  const overheadMs: number[] = [];
  const todo: Cell[] = [];
  const records = readRecords(o.outDir);
  for (const cell of cells) {
    const done = finishedSummary(o.outDir, cell, records);
    if (done !== null) results.push({ cell, summary: done, processSeconds: null, skipped: true });
    else todo.push(cell);
  }
  // Seed-major order, as the local runner: an interrupted grid still covers every cell with its first seeds.
  const seedRank = new Map([...new Set(cells.map((c) => c.seed))].map((seed, i) => [seed, i]));
  todo.sort((a, b) => seedRank.get(a.seed)! - seedRank.get(b.seed)!);

  const queue = new Queue(o.queueName, { connection, streams: { events: { maxLen: 1000 } } });
  const events = new QueueEvents(o.queueName, { connection });
  let lastError = 0;
  const onError = (err: Error) => {
    if (Date.now() - lastError < 10_000) return;
    lastError = Date.now();
    logger.warn({ error: o.url.scrub(String(err.message)) }, 'compare: queue connection problem (retrying)');
  };
  queue.on('error', onError);
  events.on('error', onError);
  const t0 = performance.now();
  const byId = new Map<string, Cell>(todo.map((c) => [jobId(o.experiment, c.id, c.config), c]));
  const enqueuedAt = new Map<string, number>();
  const outstanding = new Set(byId.keys());
  const counts = { waiting: 0, active: 0, delayed: 0 };
  let workersSeen = 0;
  let finishedNow = 0;

  const jobOf = (id: string, cell: Cell) => ({
    name: JOB_NAME,
    data: { v: 1, experiment: o.experiment, cell: cell.id, config: cell.config as unknown as Record<string, unknown> } satisfies JobData,
    opts: {
      jobId: id,
      attempts: o.attempts ?? 3,
      backoff: { type: 'exponential', delay: o.backoffMs ?? 2000 },
      removeOnComplete: { age: 30 * DAY },
      removeOnFail: { age: 30 * DAY },
    },
  });

  const draw = () => {
    if (!o.progress) return;
    const elapsed = (performance.now() - t0) / 1000;
    const left = outstanding.size;
    const eta = finishedNow === 0 ? '?' : `${Math.round((elapsed / finishedNow) * left)} s`;
    o.progress.write(
      `\rqueue ${o.queueName}: ${results.length}/${cells.length} done, ${counts.active} running, ${failed.length} failed, ` +
        `${counts.waiting + counts.delayed} queued, ${workersSeen} workers, ${elapsed.toFixed(0)} s elapsed, ETA ${eta}\x1b[K`,
    );
  };

  /** Looks at one job; stores its result or its failure once. Returns its state. */
  const settle = async (id: string): Promise<string> => {
    if (!outstanding.has(id)) return 'settled';
    const cell = byId.get(id)!;
    // The state first, then the job: a job read before it completed would carry no return value.
    const state = await queue.getJobState(id);
    if (state === 'unknown') {
      // Removed behind our back (by age, or by hand): put it back.
      await queue.add(JOB_NAME, jobOf(id, cell).data, jobOf(id, cell).opts);
      enqueuedAt.set(id, Date.now());
      return 'waiting';
    }
    if (state !== 'completed' && state !== 'failed') return state;
    const job = await Job.fromId(queue, id);
    if (job === undefined) return 'waiting';
    if (!outstanding.has(id)) return 'settled'; // settled meanwhile by an event
    if (state === 'completed') {
      outstanding.delete(id);
      try {
        const r = decodeResult(job.returnvalue);
        const runDir = path.join(o.outDir, 'runs', cell.id);
        fs.mkdirSync(runDir, { recursive: true });
        fs.writeFileSync(path.join(runDir, 'metrics.csv'), r.metricsText);
        writeJsonAtomic(path.join(runDir, 'worker.json'), { job: id, host: r.host, runDir: r.runDir, seconds: r.seconds, attempts: job.attemptsMade });
        writeJsonAtomic(path.join(runDir, 'config.json'), cell.config); // what it ran, as a local run's directory says
        // summary.json last: its presence means the run is stored (and is skipped on the next invocation).
        const tmp = `${summaryPath(o.outDir, cell)}.tmp-${process.pid}`;
        fs.writeFileSync(tmp, r.summaryText);
        fs.renameSync(tmp, summaryPath(o.outDir, cell));
        results.push({ cell, summary: r.summary, processSeconds: r.seconds, skipped: false });
        finishedNow++;
        const since = enqueuedAt.get(id);
        if (since !== undefined) overheadMs.push(Date.now() - since - r.seconds * 1000);
        logger.info({ run: cell.id, job: id, seconds: Number(r.seconds.toFixed(1)), evalReturnMean: r.summary.evalReturnMean }, 'compare: run finished');
      } catch (err) {
        failed.push({ cell, error: (err as Error).message });
        logger.error({ run: cell.id, job: id, error: (err as Error).message }, 'compare: run failed');
      }
    } else if (state === 'failed') {
      outstanding.delete(id);
      const error = `${job.failedReason ?? 'failed'} (after ${job.attemptsMade} attempt${job.attemptsMade === 1 ? '' : 's'})`;
      failed.push({ cell, error });
      logger.error({ run: cell.id, job: id, error }, 'compare: run failed');
    }
    return state;
  };

  let interrupted = false;
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    logger.info({ queue: o.url.redacted, name: o.queueName, cells: cells.length, done: results.length, toEnqueue: todo.length }, 'compare: queue grid');
    // Jobs that failed in an earlier invocation: report them, or with --retry-failed run them again.
    for (const id of byId.keys()) {
      const job = await Job.fromId(queue, id);
      if (job !== undefined && (await job.getState()) === 'failed' && o.retryFailed) {
        await job.retry('failed');
        logger.info({ job: id }, 'compare: failed job back in the queue (--retry-failed)');
      }
    }
    const now = Date.now();
    for (const id of byId.keys()) enqueuedAt.set(id, now);
    // Existing ids are ignored by BullMQ: enqueueing twice runs nothing twice.
    await queue.addBulk([...byId.entries()].map(([id, cell]) => jobOf(id, cell)));

    // One wake-up for the wait below: the last job settled by an event, or Ctrl-C.
    let wakeUp: () => void = () => undefined;
    o.signal?.addEventListener('abort', () => wakeUp(), { once: true });
    const onEvent = ({ jobId: id }: { jobId: string }) => {
      if (!outstanding.has(id)) return;
      void settle(id)
        .then(draw, onError)
        .finally(() => {
          if (outstanding.size === 0) wakeUp();
        });
    };
    events.on('completed', onEvent);
    events.on('failed', onEvent);
    // Ctrl-C must stop the wait even while a Redis call waits for a reconnection that may never come.
    const aborted = new Promise<'aborted'>((resolve) => {
      if (o.signal?.aborted) resolve('aborted');
      o.signal?.addEventListener('abort', () => resolve('aborted'), { once: true });
    });
    // Events are the fast path; this sweep is the safety net (events missed while Redis was away).
    while (outstanding.size > 0 && !o.signal?.aborted) {
      const sweep = (async () => {
        const tally = { waiting: 0, active: 0, delayed: 0 };
        for (const id of [...outstanding]) {
          const state = await settle(id);
          if (state === 'active') tally.active++;
          else if (state === 'delayed') tally.delayed++;
          else if (state !== 'settled' && state !== 'completed' && state !== 'failed') tally.waiting++;
        }
        Object.assign(counts, tally);
        workersSeen = Math.max(workersSeen, (await queue.getWorkers()).length);
      })().catch((err: unknown) => onError(err as Error));
      if ((await Promise.race([sweep, aborted])) === 'aborted') break;
      draw();
      if (outstanding.size === 0 || o.signal?.aborted) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    interrupted = outstanding.size > 0;
  } finally {
    if (o.progress) o.progress.write('\n');
    // A clean close waits for Redis; with Redis gone, give it 2 s and then drop the connections.
    const within = (p: Promise<unknown>, ms: number) => Promise.race([p, new Promise((r) => setTimeout(() => r('timeout'), ms))]);
    if ((await within(Promise.allSettled([events.close(), queue.close()]), 2000)) === 'timeout') {
      await within(Promise.allSettled([events.disconnect(), queue.disconnect()]), 1000);
    }
  }
  const order = new Map(cells.map((c, i) => [c.id, i]));
  results.sort((a, b) => order.get(a.cell.id)! - order.get(b.cell.id)!);
  return { results, failed, wallSeconds: (performance.now() - t0) / 1000, interrupted, overheadMs, workersSeen };
}
