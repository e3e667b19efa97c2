// `wnrl compare FILE --out DIR [--workers K]`: expands an experiment grid, runs every cell as its own
// training run (K child processes at a time, resumable), then writes results.csv, summary.csv, figures and
// report.md into DIR. `--report-only` regenerates the report from the finished runs. With `--queue URL`
// the runs go to `wnrl worker`s through BullMQ on Redis instead (experiments/queue/), same outputs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ExperimentConfig, checkCells, envEntries, expandGrid } from '../../experiments/grid.ts';
import { availableRuns, shrinkingReportError, writeReport } from '../../experiments/report.ts';
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
  const cells = expandGrid(experiment); // validates every run's config before anything runs
  for (const [i, env] of envEntries(experiment.envs).entries()) {
    const ref = parseEnvRef(env.id, '/');
    if (ref.module !== undefined) await loadEnvModule(ref.module, ref.id, `${file}: envs[${i}]`);
  }
  await checkCells(cells); // and every (agent, env) combination
  const out = path.resolve(values.out!);
  let workers = nums.workers ?? os.availableParallelism();
  if (queueUrl !== undefined && !values['report-only']) await checkReachable(queueUrl); // exit 2 before anything is written
  if (values['report-only']) {
    const shrinking = shrinkingReportError(out, availableRuns(cells, out));
    if (shrinking) throw shrinking;
  }
  fs.mkdirSync(out, { recursive: true });
  writeJsonAtomic(path.join(out, 'experiment.json'), experiment);
  const logger = createLogger({ level: 'info', file: path.join(out, 'compare.jsonl'), console: false });
  const progress = (io.err as NodeJS.WriteStream).isTTY ? (io.err as NodeJS.WriteStream) : null;
  let grid: GridRun;
  if (queueUrl !== undefined && !values['report-only']) {
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
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
        return 130;
      }
      workers = Math.max(1, q.workersSeen);
      grid = q;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  } else {
    grid = await runGrid(values['report-only'] ? [] : cells, { outDir: out, workers, logger, progress });
  }
  if (values['report-only']) {
    const again = await runGrid(cells.filter((c) => fs.existsSync(path.join(out, 'runs', c.id, 'summary.json'))), { outDir: out, workers, logger, progress: null });
    grid.results.push(...again.results);
  }
  const files = await writeReport(experiment, grid, out, workers, cells);
  io.out.write(
    `${files.runs}/${cells.length} runs finished${grid.failed.length ? `, ${grid.failed.length} failed (see ${path.join(out, 'logs')})` : ''}; ` +
      `report: ${files.report}\n`,
  );
  return grid.failed.length ? 1 : 0;
}
