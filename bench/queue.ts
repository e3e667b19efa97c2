// The queue runner against the local runner, interleaved on this machine: the same grid (12 runs of
// DQN on CartPole-v1 by default) run by `wnrl compare --workers 2` and by `wnrl compare --queue` with two
// `wnrl worker` processes on a private redis-server, alternating, `--reps` times each. Prints each wall
// time, the medians and the queue / local ratio; checks the results match run for run. Then the queue's
// own overhead per job: single runs enqueued one at a time to an idle worker, (enqueue → result stored)
// minus the run's own process time.
// Run: npx tsx bench/queue.ts [--runs 12] [--steps 3000] [--reps 3] [--overhead-jobs 10]
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseQueueUrl } from '../experiments/queue/connection.ts';
import { runGridOnQueue } from '../experiments/queue/coordinator.ts';
import { ExperimentConfig, expandGrid } from '../experiments/grid.ts';
import { main } from '../src/cli/main.ts';
import { parseConfig } from '../src/config/parse.ts';
import { silentLogger } from '../src/log/logger.ts';
import { cliEntry } from '../src/package-root.ts';
import { startRedis } from '../test/helpers/redis.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '12' },
    steps: { type: 'string', default: '3000' },
    reps: { type: 'string', default: '3' },
    'overhead-jobs': { type: 'string', default: '10' },
  },
});
const runs = Number(values.runs);
const reps = Number(values.reps);
const seeds = Array.from({ length: runs / 2 }, (_, i) => i + 1);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-bench-queue-'));
const spec = { name: 'bench-queue', agents: ['dqn'], envs: ['CartPole-v1'], norms: ['none', 'weight'], seeds, steps: Number(values.steps), trainer: { evalEpisodes: 5, evalInterval: 0 } };
const file = path.join(dir, 'grid.json');
fs.writeFileSync(file, JSON.stringify(spec));
const io = { out: new (await import('node:stream')).PassThrough(), err: new (await import('node:stream')).PassThrough() };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const deterministic = (f: string) =>
  fs.readFileSync(f, 'utf8').trim().split('\n').map((r) => r.split(',').slice(0, 9).join(','));

const redis = await startRedis();
const workers: ChildProcess[] = [];
const startWorker = (name: string, queueName: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const w = spawn(process.execPath, [cliEntry(), 'worker', '--queue', redis.url, '--queue-name', queueName, '--artifacts', path.join(dir, name)], { stdio: ['ignore', 'ignore', 'pipe'] });
    workers.push(w);
    let log = '';
    w.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('worker: ready')) resolve();
    });
    w.on('exit', (code) => reject(new Error(`worker exited ${code}: ${log}`)));
  });
try {
  const wall = { local: [] as number[], queue: [] as number[] };
  let reference: string[] | null = null;
  for (let rep = 0; rep < reps; rep++) {
    for (const mode of rep % 2 === 0 ? (['local', 'queue'] as const) : (['queue', 'local'] as const)) {
      const out = path.join(dir, `${mode}-${rep}`);
      const queueName = `bench-${rep}`;
      if (mode === 'queue') await Promise.all([startWorker(`wa-${rep}`, queueName), startWorker(`wb-${rep}`, queueName)]);
      const t0 = performance.now();
      const code = await main(['compare', file, '--out', out, ...(mode === 'local' ? ['--workers', '2'] : ['--queue', redis.url, '--queue-name', queueName])], io);
      const seconds = (performance.now() - t0) / 1000;
      if (code !== 0) throw new Error(`${mode} grid failed (exit ${code})`);
      if (mode === 'queue') for (const w of workers.splice(0)) w.kill('SIGTERM');
      wall[mode].push(seconds);
      const rows = deterministic(path.join(out, 'results.csv'));
      reference ??= rows;
      const same = JSON.stringify(rows) === JSON.stringify(reference);
      process.stdout.write(`rep ${rep + 1} ${mode.padEnd(5)} ${seconds.toFixed(1)} s  results ${same ? 'identical' : 'DIFFER'}\n`);
      if (!same) throw new Error(`${mode} rep ${rep + 1}: results differ from the first grid`);
    }
  }
  const ratio = median(wall.queue) / median(wall.local);
  process.stdout.write(`\n${runs} runs x ${values.steps} steps, 2 workers: local median ${median(wall.local).toFixed(1)} s, queue median ${median(wall.queue).toFixed(1)} s, queue/local ${ratio.toFixed(3)}\n`);
  process.stdout.write(`per rep ratios: ${wall.queue.map((q, i) => (q / wall.local[i]!).toFixed(3)).join(', ')}\n`);

  // --- overhead per job: one job at a time to an idle worker ---
  await startWorker('overhead', 'bench-overhead');
  const experiment = parseConfig(ExperimentConfig, { ...spec, name: 'bench-overhead', norms: ['none'], seeds: Array.from({ length: Number(values['overhead-jobs']) }, (_, i) => 100 + i), steps: 200 });
  const cells = expandGrid(experiment);
  const overhead: number[] = [];
  for (const cell of cells) {
    const r = await runGridOnQueue([cell], { url: parseQueueUrl(redis.url), queueName: 'bench-overhead', experiment: 'bench-overhead', outDir: path.join(dir, 'overhead'), logger: silentLogger });
    overhead.push(...r.overheadMs);
  }
  process.stdout.write(`queue overhead per job (enqueue -> result stored, minus the run's process time), ${overhead.length} jobs: median ${median(overhead).toFixed(1)} ms, max ${Math.max(...overhead).toFixed(1)} ms\n`);
} finally {
  for (const w of workers) w.kill('SIGTERM');
  await redis.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
