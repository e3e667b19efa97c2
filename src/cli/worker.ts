// `wnrl worker --queue URL`: runs the training jobs `wnrl compare --queue` enqueues, on this machine, until
// SIGTERM or Ctrl-C (which hand the running jobs back to the queue; a second signal exits at once).
import os from 'node:os';
import path from 'node:path';
import { checkReachable, parseQueueUrl } from '../../experiments/queue/connection.ts';
import { DEFAULT_QUEUE_NAME, SafeName } from '../../experiments/queue/protocol.ts';
import { startQueueWorker } from '../../experiments/queue/worker.ts';
import { positiveInt } from '../config/common.ts';
import { resolveModuleSpec } from '../config/env-module.ts';
import { ConfigError } from '../config/parse.ts';
import { LOG_LEVELS, createLogger, type LogLevel } from '../log/logger.ts';
import { numericFlags, parseFlags } from './args.ts';
import type { Io } from './main.ts';

const USAGE = `Usage: wnrl worker --queue redis://[:PASSWORD@]HOST:PORT[/DB] [--concurrency N] [--artifacts DIR]
                   [--queue-name NAME] [--allow-env-module MODULE]... [--lock-seconds S] [--log-level LEVEL]

Takes runs from the queue that \`wnrl compare --queue\` fills and trains each as \`wnrl train\` in a child
process, N at a time (default 1: one per core is the most a run can use). Run directories (tb/,
checkpoint/) stay under --artifacts (default ./wnrl-worker), a shared folder if you give one; the
coordinator receives summary.json and metrics.csv. Jobs carry only a run config, checked before anything
runs; a config that names an env module runs only when that module is allowed with --allow-env-module.
A worker that dies mid-run: its job goes to another worker after about --lock-seconds (default 30).
SIGTERM or Ctrl-C hands running jobs back to the queue and exits.`;

export async function worker(args: string[], io: Io): Promise<number> {
  const { values } = parseFlags(args, {
    queue: { type: 'string' },
    concurrency: { type: 'string' },
    artifacts: { type: 'string' },
    'queue-name': { type: 'string' },
    'allow-env-module': { type: 'string', multiple: true },
    'lock-seconds': { type: 'string' },
    'log-level': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.out.write(`${USAGE}\n`);
    return 0;
  }
  const nums = numericFlags(values, { concurrency: positiveInt(), 'lock-seconds': positiveInt() });
  const problems: ConfigError['issues'][number][] = [];
  if (values.queue === undefined) problems.push({ path: '--queue', message: 'is required (redis://HOST:PORT or rediss://…)' });
  const queueName = values['queue-name'] ?? DEFAULT_QUEUE_NAME;
  const nameCheck = SafeName.safeParse(queueName);
  if (!nameCheck.success) problems.push({ path: '--queue-name', message: nameCheck.error.issues[0]!.message });
  const level = values['log-level'] ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) problems.push({ path: '--log-level', message: `expected one of ${LOG_LEVELS.join(', ')}; got '${level}'` });
  if (problems.length) throw new ConfigError(problems);
  const url = parseQueueUrl(values.queue!);
  await checkReachable(url);
  const logger = createLogger({ level: level as LogLevel, console: io.err });
  const w = await startQueueWorker({
    url,
    queueName,
    concurrency: nums.concurrency ?? 1,
    artifacts: path.resolve(values.artifacts ?? 'wnrl-worker'),
    // Allowed modules are compared with what configs record: absolute paths (relative to here) or package names.
    allowEnvModules: (values['allow-env-module'] ?? []).map((m) => resolveModuleSpec(m, process.cwd())),
    lockSeconds: nums['lock-seconds'] ?? 30,
    logger,
  });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) process.exit(130);
    logger.info({ signal }, 'worker: stopping; running jobs go back to the queue');
    void w.shutdown();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await w.closed;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  logger.info({ host: os.hostname() }, 'worker: closed');
  return 0;
}
