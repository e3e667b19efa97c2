// `wnrl compare FILE --out DIR [--workers K]`: expands an experiment grid, runs every cell as its own
// training run (K child processes at a time, resumable), then writes results.csv, summary.csv, figures and
// report.md into DIR. `--report-only` regenerates the report from the finished runs. With `--queue URL`
// the runs go to `wnrl worker`s through BullMQ on Redis instead (experiments/queue/), same outputs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ExperimentConfig, checkCells, envEntries, expandGrid, expandTuning, type Cell } from '../../experiments/grid.ts';
import { chooseWinners, type RunLookup, type TuningOutcome } from '../../experiments/tuning.ts';
import { finishedRuns, saveRecords, shrinkingReportError, writeRecords, writeReport } from '../../experiments/report.ts';
import { RUN_RECORDS, findRun, finishedSummary, readRecords } from '../../experiments/records.ts';
import { checkReachable, parseQueueUrl } from '../../experiments/queue/connection.ts';
import { runGridOnQueue } from '../../experiments/queue/coordinator.ts';
import { DEFAULT_QUEUE_NAME, SafeName, safeName } from '../../experiments/queue/protocol.ts';
import { runGrid, type GridRun } from '../../experiments/runner.ts';
import { positiveInt } from '../config/common.ts';
import { formatEnvRef, loadEnvModule, parseEnvRef } from '../config/env-module.ts';
import { ConfigError, parseConfig } from '../config/parse.ts';
import { readJsonFile } from '../config/read-json.ts';
import { createLogger } from '../log/logger.ts';
import { writeJsonAtomic } from '../train/run-dir.ts';
import { numericFlags, parseFlags } from './args.ts';
import type { Io } from './main.ts';

export async function compare(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    {
      out: { type: 'string' },
      workers: { type: 'string' },
      'report-only': { type: 'boolean' },
      queue: { type: 'string' },
      'queue-name': { type: 'string' },
      attempts: { type: 'string' },
      'retry-failed': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) {
    io.out.write(
      'Usage: wnrl compare EXPERIMENT.json --out DIR [--workers K] [--report-only]\n' +
        '       wnrl compare EXPERIMENT.json --out DIR --queue redis://[:PASSWORD@]HOST:PORT[/DB] [--queue-name NAME]\n' +
        '                    [--attempts N] [--retry-failed]\n' +
        'With --queue, runs are enqueued for `wnrl worker` processes (any machine) and collected into DIR.\n' +
        'Ctrl-C leaves the queue intact; the same command re-attaches.\n',
    );
    return 0;
  }
  const nums = numericFlags(values, { workers: positiveInt(), attempts: positiveInt() });
  const problems: ConfigError['issues'][number][] = [];
  if (positionals.length !== 1) problems.push({ path: 'EXPERIMENT', message: `expected one experiment file; got ${positionals.length}` });
  if (values.out === undefined) problems.push({ path: '--out', message: 'is required (the results directory)' });
  if (values.queue !== undefined && values.workers !== undefined) problems.push({ path: '--workers', message: 'cannot be combined with --queue (start `wnrl worker` processes instead)' });
  if (values.queue === undefined) {
    for (const f of ['queue-name', 'attempts', 'retry-failed'] as const) if (values[f] !== undefined) problems.push({ path: `--${f}`, message: 'needs --queue' });
  }
  const queueName = values['queue-name'] ?? DEFAULT_QUEUE_NAME;
  const nameCheck = SafeName.safeParse(queueName);
  if (!nameCheck.success) problems.push({ path: '--queue-name', message: nameCheck.error.issues[0]!.message });
  const queueUrl = values.queue === undefined ? undefined : parseQueueUrl(values.queue);
  if (problems.length) throw new ConfigError(problems);
  const file = positionals[0]!;
  const experiment = parseConfig(ExperimentConfig, readJsonFile(file), file);
  // 'module:EnvId' entries: a relative module is relative to the experiment file; experiment.json keeps it absolute.
  const absolute = (id: string) => formatEnvRef(parseEnvRef(id, path.dirname(path.resolve(file))));
  experiment.envs = experiment.envs.map((env) => (typeof env === 'string' ? absolute(env) : { ...env, id: absolute(env.id) }));
  // Every run's config is resolved and validated before anything runs: the tuning stage's now, the
  // evaluation stage's too when there is no tuning (with one, they wait for its winners).
  const tuneCells = expandTuning(experiment);
  const untuned = experiment.tuning === undefined ? expandGrid(experiment) : null;
  for (const [i, env] of envEntries(experiment.envs).entries()) {
    const ref = parseEnvRef(env.id, '/');
    if (ref.module !== undefined) await loadEnvModule(ref.module, ref.id, `${file}: envs[${i}]`);
  }
  await checkCells(untuned ?? tuneCells); // and every (agent, env) combination
  const out = path.resolve(values.out!);
  let workers = nums.workers ?? os.availableParallelism();
  const reportOnly = values['report-only'] === true;
  if (queueUrl !== undefined && !reportOnly) await checkReachable(queueUrl); // exit 2 before anything is written
  const failedIds = new Set<string>();
  const records = readRecords(out);
  // A finished run of a tuning cell (its directory, else its runs.jsonl record), 'failed', or null.
  const lookup: RunLookup = (cell) => findRun(out, cell, records) ?? (failedIds.has(cell.id) ? 'failed' : null);
  if (reportOnly) {
    // Nothing runs: the tuning choice and the report come from the run directories or runs.jsonl. The
    // stages reached so far: the tuning stage until each of its runs is in, then the evaluation stage under
    // its winners (the whole grid without tuning). No report until they are all finished; what has
    // finished is recorded (a stopped sitting's runs survive a clone), also when the report already here
    // was built from more runs (a grown grid moved a winner) and stays as it is.
    if (!fs.existsSync(out)) throw ConfigError.single('--report-only', `${out} does not exist; run the grid first`);
    let stage: { name: string; cells: Cell[] } = untuned ? { name: 'grid', cells: untuned } : { name: 'tuning stage', cells: tuneCells };
    if (untuned === null) {
      const t = chooseWinners(experiment, tuneCells, lookup);
      if (!t.pending.length) stage = { name: 'evaluation stage', cells: expandGrid(experiment, t.winners) };
    }
    const reached = stage.name === 'tuning stage' ? tuneCells : [...tuneCells, ...stage.cells];
    const finished = finishedRuns(reached, out);
    if (finished.length < reached.length) {
      const shrinking = shrinkingReportError(out, reached, finished.length); // against the report as it was
      if (finished.length) writeRecords(finished, out);
      const recorded = `${finished.length} finished runs recorded in ${path.join(out, RUN_RECORDS)} (commit it: a clone resumes from it)`;
      if (shrinking) {
        io.err.write(`wnrl compare: ${recorded}\n`);
        throw shrinking;
      }
      const have = new Set(finished.map((f) => f.cell));
      const missing = reached.filter((c) => !have.has(c));
      const inStage = new Set(stage.cells);
      const done = finished.filter((f) => inStage.has(f.cell)).length;
      io.err.write(
        `wnrl compare: the ${stage.name} is not complete (${done} of ${stage.cells.length} ${stage.name === 'tuning stage' ? 'tuning ' : ''}runs finished, ${missing[0]!.id}${missing.length > 1 ? ' and others' : ''} missing), so no report; ` +
          `${recorded}. Rerun the grid to finish it.\n`,
      );
      return 1;
    }
  }
  fs.mkdirSync(out, { recursive: true });
  writeJsonAtomic(path.join(out, 'experiment.json'), experiment);
  const logger = createLogger({ level: 'info', file: path.join(out, 'compare.jsonl'), console: false });
  const progress = (io.err as NodeJS.WriteStream).isTTY ? (io.err as NodeJS.WriteStream) : null;

  /** Runs one stage's cells locally or on the queue; null when Ctrl-C left the queue to a later invocation. */
  const runStage = async (cells: Cell[]): Promise<GridRun | null> => {
    if (reportOnly) {
      // trains nothing: only finished runs of these configs go through, and the runner skips them all
      const records = readRecords(out);
      return runGrid(cells.filter((c) => finishedSummary(out, c, records) !== null), { outDir: out, workers, logger, progress: null });
    }
    const stop = new AbortController();
    // First Ctrl-C or SIGTERM: locally, the runs in flight checkpoint and stop (a rerun resumes them); on
    // the queue, stop waiting and leave the queue as it is. A second one exits at once.
    const onSignal = () => (stop.signal.aborted ? process.exit(130) : stop.abort());
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      if (queueUrl === undefined) {
        const g = await runGrid(cells, { outDir: out, workers, logger, progress, signal: stop.signal });
        if (!g.interrupted) return g;
        io.err.write(`wnrl compare: interrupted; ${g.results.length}/${cells.length} runs finished in ${out}, the runs in flight checkpointed. Run the same command again to resume them.\n`);
        return null;
      }
      const q = await runGridOnQueue(cells, {
        url: queueUrl,
        queueName,
        experiment: safeName(experiment.name),
        outDir: out,
        logger,
        progress,
        ...(nums.attempts !== undefined ? { attempts: nums.attempts } : {}),
        retryFailed: values['retry-failed'] === true,
        signal: stop.signal,
      });
      if (q.interrupted) {
        io.err.write(`wnrl compare: interrupted; ${q.results.length}/${cells.length} runs stored in ${out}. The queue keeps the others: run the same command again to re-attach.\n`);
        return null;
      }
      workers = Math.max(1, q.workersSeen);
      return q;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  };

  let cells = untuned;
  let tuning: TuningOutcome | null = null;
  const failed: GridRun['failed'] = [];
  if (cells === null) {
    const t = await runStage(tuneCells);
    if (t === null) return 130;
    for (const f of t.failed) failedIds.add(f.cell.id);
    failed.push(...t.failed);
    tuning = chooseWinners(experiment, tuneCells, lookup);
    const missing = [...new Set(tuning.rows.map((r) => `${r.agent}|${r.env}|${r.norm}`))].filter((k) => !tuning!.winners.has(k));
    if (tuning.pending.length || missing.length) {
      saveRecords(tuneCells, out);
      io.err.write(
        `wnrl compare: the tuning stage is not complete (${tuning.pending.length} runs missing${missing.length ? `; no candidate finished every tuning seed for ${missing.join(', ')}` : ''}); ` +
          `rerun the same command to finish it${failed.length ? ` (failed runs: see ${path.join(out, 'logs')})` : ''}\n`,
      );
      return 1;
    }
    cells = expandGrid(experiment, tuning.winners);
    logger.info({ winners: Object.fromEntries(tuning.winners) }, 'compare: tuning winners');
  }
  const grid = await runStage(cells);
  if (grid === null) return 130;
  grid.failed.unshift(...failed);
  const files = await writeReport(experiment, grid, out, workers, [...tuneCells, ...cells]);
  io.out.write(
    `${files.runs}/${tuneCells.length + cells.length} runs finished${grid.failed.length ? `, ${grid.failed.length} failed (see ${path.join(out, 'logs')})` : ''}; ` +
      `report: ${files.report}\n`,
  );
  return grid.failed.length ? 1 : 0;
}
