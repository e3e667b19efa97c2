// The grid runner behind `wnrl compare`: every cell is its own `wnrl train` in a child process (K at a
// time), in its own run directory under DIR/runs/. Resumable: a cell whose summary.json exists is skipped;
// one with a checkpoint of the same config continues from it exactly (--resume); any other is run from
// scratch (--force). Stopped through its signal (Ctrl-C, SIGTERM), the runner passes SIGTERM on to the
// runs in flight, which checkpoint and exit; killed outright, it loses what they did since their last
// checkpoint (trainer.checkpointSeconds).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Summary } from '../src/train/summary.ts';
import type { ChildProcess } from 'node:child_process';
import { RUN_FILES, findCheckpoint, writeJsonAtomic } from '../src/train/run-dir.ts';
import { RESUME_FILE } from '../src/train/resume.ts';
import { spawnCli } from '../src/package-root.ts';
import type { Logger } from '../src/log/logger.ts';
import type { Cell } from './grid.ts';
import { finishedSummary, readRecords, readSummary, summaryPath } from './records.ts';


export interface CellResult {
  cell: Cell;
  summary: Summary;
  /** Wall seconds of the child process (null when the run was already done). */
  processSeconds: number | null;
  skipped: boolean;
}

export interface RunGridOptions {
  outDir: string;
  workers?: number;
  logger: Logger;
  /** Live progress on a terminal stream (null: none). */
  progress?: NodeJS.WriteStream | null;
  /** Aborting it stops the grid: no new runs, SIGTERM to the running ones (they checkpoint, a rerun resumes them). */
  signal?: AbortSignal;
}

export interface GridRun {
  results: CellResult[];
  failed: { cell: Cell; error: string }[];
  wallSeconds: number;
  /** The signal stopped the grid before every cell ran (the runs it stopped are resumable). */
  interrupted?: boolean;
}

/**
 * Whether `runDir` holds an unfinished run of exactly `config` with a checkpoint before the end of its
 * budget to continue from exactly (its resume state): then `wnrl train --resume` picks it up there.
 */
export function resumableRun(runDir: string, config: unknown): boolean {
  if (fs.existsSync(path.join(runDir, RUN_FILES.summary))) return false;
  const found = findCheckpoint(runDir);
  if (found === null || !fs.existsSync(path.join(found.dir, RESUME_FILE))) return false;
  try {
    if (JSON.stringify(JSON.parse(fs.readFileSync(path.join(runDir, RUN_FILES.config), 'utf8'))) !== JSON.stringify(config)) return false;
    // a checkpoint at the end of the budget (a run that lost only its summary) has nothing to resume
    const { step } = JSON.parse(fs.readFileSync(path.join(found.dir, 'trainer.json'), 'utf8')) as { step: number };
    return step < (config as { trainer: { totalSteps: number } }).trainer.totalSteps;
  } catch {
    return false;
  }
}

function runCell(outDir: string, cell: Cell, running: Set<ChildProcess>): Promise<{ ok: boolean; seconds: number; error: string; resumed: boolean; code: number | null }> {
  const configFile = path.join(outDir, 'configs', `${cell.id}.json`);
  writeJsonAtomic(configFile, cell.config);
  const logFile = path.join(outDir, 'logs', `${cell.id}.log`);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const runDir = path.join(outDir, 'runs', cell.id);
  const resumed = resumableRun(runDir, cell.config);
  const args = resumed ? ['train', '--out', runDir, '--resume', '--no-progress', '--log-level', 'warn'] : ['train', '--config', configFile, '--out', runDir, '--force', '--no-progress', '--log-level', 'warn'];
  const t0 = performance.now();
  return new Promise((resolve) => {
    const err = fs.openSync(logFile, resumed ? 'a' : 'w');
    const child = spawnCli(args, err);
    running.add(child);
    child.on('exit', (code) => {
      running.delete(child);
      fs.closeSync(err);
      const seconds = (performance.now() - t0) / 1000;
      const tail = code === 0 ? '' : fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join(' | ');
      resolve({ ok: code === 0, seconds, error: `exit ${code}: ${tail}`, resumed, code });
    });
  });
}

export async function runGrid(cells: Cell[], options: RunGridOptions): Promise<GridRun> {
  const { outDir, logger } = options;
  const workers = options.workers ?? os.availableParallelism();
  const results: CellResult[] = [];
  const failed: GridRun['failed'] = [];
  const todo: Cell[] = [];
  const records = readRecords(outDir);
  for (const cell of cells) {
    const done = finishedSummary(outDir, cell, records);
    if (done !== null) results.push({ cell, summary: done, processSeconds: null, skipped: true });
    else todo.push(cell);
  }
  logger.info({ cells: cells.length, done: results.length, toRun: todo.length, workers }, 'compare: grid');
  const t0 = performance.now();
  let running = 0;
  let finished = 0;
  const runSeconds: number[] = [];
  const draw = () => {
    if (!options.progress) return;
    const elapsed = (performance.now() - t0) / 1000;
    const perRun = runSeconds.length ? runSeconds.reduce((a, b) => a + b, 0) / runSeconds.length : null;
    const left = todo.length - finished;
    const eta = perRun === null ? '?' : `${Math.round((perRun * left) / workers)} s`;
    options.progress.write(`\rruns: ${results.length}/${cells.length} done, ${running} running, ${failed.length} failed, ${elapsed.toFixed(0)} s elapsed, ETA ${eta}\x1b[K`);
  };
  // Seed-major order: an interrupted grid still covers every cell with its first seeds.
  const seedRank = new Map([...new Set(cells.map((c) => c.seed))].map((seed, i) => [seed, i]));
  const queue = [...todo].sort((a, b) => seedRank.get(a.seed)! - seedRank.get(b.seed)!);
  const children = new Set<ChildProcess>();
  let interrupted = false;
  const onAbort = () => {
    interrupted = true;
    queue.length = 0;
    for (const c of children) c.kill('SIGTERM');
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  await Promise.all(
    Array.from({ length: Math.min(workers, queue.length) }, async () => {
      for (let cell = queue.shift(); cell !== undefined; cell = queue.shift()) {
        running++;
        draw();
        const r = await runCell(outDir, cell, children);
        running--;
        finished++;
        if (r.resumed) logger.info({ run: cell.id }, 'compare: resumed from its checkpoint');
        if (interrupted && !r.ok) {
          logger.warn({ run: cell.id, code: r.code }, 'compare: run stopped; a rerun resumes it from its checkpoint');
          continue;
        }
        const summary = r.ok ? readSummary(summaryPath(outDir, cell)) : null;
        if (summary === null) {
          failed.push({ cell, error: r.ok ? 'no summary.json written' : r.error });
          logger.error({ run: cell.id, error: r.error }, 'compare: run failed');
        } else {
          runSeconds.push(r.seconds);
          results.push({ cell, summary, processSeconds: r.seconds, skipped: false });
          logger.info({ run: cell.id, seconds: Number(r.seconds.toFixed(1)), evalReturnMean: summary.evalReturnMean }, 'compare: run finished');
        }
        draw();
      }
    }),
  );
  options.signal?.removeEventListener('abort', onAbort);
  if (options.progress) options.progress.write('\n');
  const order = new Map(cells.map((c, i) => [c.id, i]));
  results.sort((a, b) => order.get(a.cell.id)! - order.get(b.cell.id)!);
  return { results, failed, wallSeconds: (performance.now() - t0) / 1000, ...(interrupted ? { interrupted } : {}) };
}
