// `wnrl compare --queue` and `wnrl worker` against a real redis-server (test/helpers/redis.ts: a private
// port, a password, an append-only file). Workers are real `wnrl worker` processes running real
// `wnrl train` children; the faults are real too: SIGKILL, SIGTERM, a crashing run, Redis restarted
// mid-grid, a coordinator interrupted with Ctrl-C, a result that does not parse.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Job, Queue, Worker } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { bullConnection, parseQueueUrl } from '../../experiments/queue/connection.ts';
import { decodeResult, encodeResult, jobId } from '../../experiments/queue/protocol.ts';
import { main } from '../../src/cli/main.ts';
import { cliEntry } from '../../src/package-root.ts';
import { capture } from '../helpers/capture.ts';
import { freePort, startRedis, type TestRedis } from '../helpers/redis.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-queue-'));
const crashModule = path.resolve('test', 'helpers', 'crash-env.ts');

async function run(args: string[]) {
  const { io, chunks } = capture();
  const code = await main(args, io);
  return { code, ...chunks };
}

function experiment(dir: string, name: string, extra: Record<string, unknown> = {}): string {
  const file = path.join(dir, `${name}.json`);
  const spec = { name, agents: ['dqn'], envs: ['CartPole-v1'], norms: ['none', 'weight'], seeds: [1, 2, 3], steps: 1500, trainer: { evalEpisodes: 3, evalInterval: 0 }, ...extra };
  fs.writeFileSync(file, JSON.stringify(spec));
  return file;
}

/** results.csv without the timing columns (wall time, steps/s and ms per update differ from run to run). */
function deterministicColumns(file: string): string[] {
  const [header, ...rows] = fs.readFileSync(file, 'utf8').trim().split('\n');
  const cols = header!.split(',');
  const keep = cols.map((c, i) => (['msPerUpdate', 'stepsPerSecond', 'wallSeconds'].includes(c) ? -1 : i)).filter((i) => i >= 0);
  return [header!, ...rows].map((r) => keep.map((i) => r.split(',')[i]).join(','));
}

interface WorkerProc {
  proc: ChildProcess;
  log: () => string;
  waitFor: (re: RegExp, timeoutMs?: number) => Promise<void>;
  exited: Promise<number | null>;
}

const workers: WorkerProc[] = [];

function startWorker(url: string, args: string[], env: Record<string, string> = {}): WorkerProc {
  const proc = spawn(process.execPath, [cliEntry(), 'worker', '--queue', url, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env, NO_COLOR: '1' } });
  let text = '';
  proc.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const w: WorkerProc = {
    proc,
    log: () => text,
    exited,
    waitFor: async (re, timeoutMs = 30_000) => {
      const t0 = Date.now();
      while (!re.test(text)) {
        if (Date.now() - t0 > timeoutMs) throw new Error(`worker log never matched ${re}:\n${text}`);
        if (proc.exitCode !== null) throw new Error(`worker exited (${proc.exitCode}) before ${re}:\n${text}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
  workers.push(w);
  return w;
}

/** `wnrl train` processes whose arguments mention `needle` (a worker's artifacts folder). */
function trainProcesses(needle: string): string[] {
  const out = spawnSync('pgrep', ['-af', needle], { encoding: 'utf8' }).stdout;
  return out.split('\n').filter((l) => l.includes(' train ') && l.includes(needle));
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

afterEach(async () => {
  for (const w of workers.splice(0)) {
    if (w.proc.exitCode === null && w.proc.signalCode === null) {
      w.proc.kill('SIGKILL');
      await w.exited;
    }
  }
});

describe('queue URL and protocol', () => {
  test('parseQueueUrl: parts, TLS, database; every message and the redacted form hide the password', () => {
    const u = parseQueueUrl('redis://:hunter2@queue.lab:6390/3');
    expect(u.options).toMatchObject({ host: 'queue.lab', port: 6390, db: 3, password: 'hunter2' });
    expect(u.redacted).toBe('redis://:***@queue.lab:6390/3');
    expect(u.scrub('NOAUTH hunter2 rejected')).toBe('NOAUTH *** rejected');
    const tls = parseQueueUrl('rediss://ops:p%40ss@10.0.0.5');
    expect(tls.options).toMatchObject({ host: '10.0.0.5', port: 6379, db: 0, username: 'ops', password: 'p@ss', tls: { servername: '10.0.0.5' } });
    expect(tls.redacted).toBe('rediss://ops:***@10.0.0.5');
    for (const [bad, message] of [
      ['http://:pw@host:1', 'expected the scheme redis:// or rediss://'],
      ['redis://:pw@host:1/zero', 'expected the path to be a database number'],
      ['redis://:pw@host:1/0?x=1', 'expected no query or fragment'],
      ['not a url :pw@host', 'expected a URL such as'],
    ] as const) {
      expect(() => parseQueueUrl(bad), bad).toThrow(message);
      try {
        parseQueueUrl(bad);
      } catch (err) {
        expect((err as Error).message).not.toContain(':pw@');
      }
    }
  });

  test('job ids are deterministic and independent of key order; results round-trip and garbage is named', () => {
    expect(jobId('exp', 'cell', { a: 1, b: { c: 2, d: [1, 2] } })).toBe(jobId('exp', 'cell', { b: { d: [1, 2], c: 2 }, a: 1 }));
    expect(jobId('exp', 'cell', { a: 1 })).not.toBe(jobId('exp', 'cell', { a: 2 }));
    expect(jobId('exp', 'cell', { a: 1 })).toMatch(/^exp\.cell\.[0-9a-f]{12}$/);
    const summary = {
      env: 'CartPole-v1', agent: 'dqn', norm: 'weight', seed: 1, totalSteps: 10, wallSeconds: 1, stepsPerSecond: 10, episodes: 1, stepsToThreshold: null, secondsToThreshold: null,
      evalReturnMean: 9, evalReturnStd: 0, evalEpisodes: 1, rewardThreshold: 475, earlyStopped: false, msPerUpdate: null, backend: 'tensorflow', version: '0.1.0',
    };
    const encoded = encodeResult({ seconds: 1.5, host: 'h', runDir: '/r', summaryText: JSON.stringify(summary), metricsText: 'step,x\n10,1\n' });
    const decoded = decodeResult(JSON.parse(JSON.stringify(encoded)));
    expect(decoded.summary.evalReturnMean).toBe(9);
    expect(decoded.metricsText).toBe('step,x\n10,1\n');
    expect(() => decodeResult({ v: 1 })).toThrow(/result does not parse: seconds/);
    expect(() => decodeResult({ ...encoded, summary: 'bm90IGd6aXA=' })).toThrow(/not gzip\+base64/);
    expect(() => decodeResult('{"nope": true')).toThrow(/result does not parse/);
  });

  test('Redis unreachable at start: exit 2, the URL without its password, nothing written', async () => {
    const dir = tmp();
    const port = await freePort();
    const out = path.join(dir, 'out');
    const r = await run(['compare', experiment(dir, 'unreachable'), '--out', out, '--queue', `redis://:topsecret@127.0.0.1:${port}/0`]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`--queue: cannot reach Redis at redis://:***@127.0.0.1:${port}/0`);
    expect(r.err + r.out).not.toContain('topsecret');
    expect(fs.existsSync(out)).toBe(false);
    const w = spawnSync(process.execPath, [cliEntry(), 'worker', '--queue', `redis://:topsecret@127.0.0.1:${port}`], { encoding: 'utf8' });
    expect(w.status).toBe(2);
    expect(w.stderr).toContain('cannot reach Redis at redis://:***@127.0.0.1');
    expect(w.stderr).not.toContain('topsecret');
  });
});

describe('with a real redis-server', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  // skipMetasUpdate: a Queue object writes its own options into the queue's meta (the events cap) otherwise.
  const queueOf = (name: string) => new Queue(name, { connection: bullConnection(parseQueueUrl(redis.url)), skipMetasUpdate: true });

  test('two workers give the local runner\'s results run for run; a second enqueue runs nothing; the password appears nowhere', async () => {
    const dir = tmp();
    const file = experiment(dir, 'same-as-local');
    const a = startWorker(redis.url, ['--queue-name', 'q-same', '--artifacts', path.join(dir, 'wa')]);
    const b = startWorker(redis.url, ['--queue-name', 'q-same', '--artifacts', path.join(dir, 'wb')]);
    await Promise.all([a.waitFor(/worker: ready/), b.waitFor(/worker: ready/)]);
    const q = await run(['compare', file, '--out', path.join(dir, 'queue'), '--queue', redis.url, '--queue-name', 'q-same']);
    expect(q.code, q.err).toBe(0);
    const local = await run(['compare', file, '--out', path.join(dir, 'local'), '--workers', '2']);
    expect(local.code, local.err).toBe(0);
    const rows = deterministicColumns(path.join(dir, 'queue', 'results.csv'));
    expect(rows).toHaveLength(7);
    expect(rows).toEqual(deterministicColumns(path.join(dir, 'local', 'results.csv')));
    // Both workers took part; each run ran once.
    const starts = (a.log() + b.log()).match(/worker: run start/g) ?? [];
    expect(starts).toHaveLength(6);
    expect(a.log()).toContain('run finished');
    expect(b.log()).toContain('run finished');
    // A second coordinator (another output folder) re-attaches to the same six jobs: nothing runs again.
    const again = await run(['compare', file, '--out', path.join(dir, 'queue2'), '--queue', redis.url, '--queue-name', 'q-same']);
    expect(again.code, again.err).toBe(0);
    expect(deterministicColumns(path.join(dir, 'queue2', 'results.csv'))).toEqual(rows);
    expect((a.log() + b.log()).match(/worker: run start/g)).toHaveLength(6);
    const queue = queueOf('q-same');
    expect(await queue.getJobCounts('completed', 'failed', 'wait', 'active')).toEqual({ completed: 6, failed: 0, wait: 0, active: 0 });
    // The events stream is capped (Redis would otherwise keep every event of a large grid).
    expect(redis.cli('HGET', 'bull:q-same:meta', 'opts.maxLenEvents')).toBe('1000');
    await queue.close();
    // No password in anything written or printed.
    const written = spawnSync('grep', ['-rl', redis.password, dir], { encoding: 'utf8' }).stdout.trim();
    expect(written).toBe('');
    expect(q.out + q.err + a.log() + b.log()).not.toContain(redis.password);
    expect(fs.readFileSync(path.join(dir, 'queue', 'runs', 'dqn-CartPole-v1-clean-weight-s1', 'worker.json'), 'utf8')).toMatch(/"runDir": ".*w[ab]\/same-as-local\/dqn-CartPole-v1-clean-weight-s1"/);
    // a stored run says what it ran, as the local runner's directory does (a grown tuning grid checks it)
    const ranConfig = (out: string) => JSON.parse(fs.readFileSync(path.join(dir, out, 'runs', 'dqn-CartPole-v1-clean-weight-s1', 'config.json'), 'utf8')) as unknown;
    expect(ranConfig('queue')).toEqual(ranConfig('local'));
  });

  test('a worker SIGKILLed mid-run: its training child exits too, the job reruns on another worker, every cell once', async () => {
    const dir = tmp();
    const file = experiment(dir, 'killed', { norms: ['weight'], seeds: [1, 2], steps: 5000 });
    const artifactsA = path.join(dir, 'victim');
    const a = startWorker(redis.url, ['--queue-name', 'q-kill', '--artifacts', artifactsA, '--lock-seconds', '2']);
    await a.waitFor(/worker: ready/);
    const grid = run(['compare', file, '--out', path.join(dir, 'out'), '--queue', redis.url, '--queue-name', 'q-kill']);
    await a.waitFor(/worker: run start/);
    await until(() => trainProcesses(artifactsA).length === 1, 10_000, 'the victim\'s wnrl train child');
    a.proc.kill('SIGKILL');
    await a.exited;
    // No orphan: the child notices its parent is gone (IPC channel) and exits.
    await until(() => trainProcesses(artifactsA).length === 0, 5_000, 'the orphaned run to exit');
    const b = startWorker(redis.url, ['--queue-name', 'q-kill', '--artifacts', path.join(dir, 'rescuer'), '--lock-seconds', '2']);
    const r = await grid;
    expect(r.code, r.err).toBe(0);
    const rows = deterministicColumns(path.join(dir, 'out', 'results.csv')).slice(1);
    expect(rows.map((row) => row.split(',')[0])).toEqual(['dqn-CartPole-v1-clean-weight-s1', 'dqn-CartPole-v1-clean-weight-s2']);
    expect(b.log().match(/worker: run finished/g)).toHaveLength(2); // the stalled job and the other one
  }, 90_000);

  test('failures: a crash is retried with backoff (then succeeds, or is recorded failed); bad configs and disallowed modules fail at once; the report lists them', async () => {
    const dir = tmp();
    const file = experiment(dir, 'faults', {
      envs: ['CartPole-v1', `${crashModule}:test/CrashOnce-v0`, `${crashModule}:test/CrashAlways-v0`],
      norms: ['none'],
      seeds: [1],
      steps: 300,
      trainer: { evalEpisodes: 2, evalInterval: 0 },
    });
    const marker = path.join(dir, 'crashed-once');
    const w = startWorker(redis.url, ['--queue-name', 'q-faults', '--artifacts', path.join(dir, 'w'), '--allow-env-module', crashModule], { WNRL_TEST_CRASH_MARKER: marker });
    await w.waitFor(/worker: ready/);
    // Other software on the same queue: jobs that must never run anything.
    const queue = queueOf('q-faults');
    await queue.add('train', { v: 1, experiment: 'x', cell: '../../etc', config: {} }, { jobId: 'evil-path', attempts: 3 });
    await queue.add('train', { v: 1, experiment: 'x', cell: 'c', config: { env: { id: 'CartPole-v1' }, agent: { algo: 'dqn' }, trainer: { shell: 'rm -rf /' } } }, { jobId: 'evil-key', attempts: 3 });
    await queue.add('train', { v: 1, experiment: 'x', cell: 'm', config: { env: { id: 'my/Env-v0', module: '/tmp/anything.js' }, agent: { algo: 'dqn' } } }, { jobId: 'evil-module', attempts: 3 });
    await queue.add('train', { v: 1, experiment: 'x', cell: 'p', config: { env: { id: 'Pendulum-v1' }, agent: { algo: 'dqn' }, trainer: { totalSteps: 100 } } }, { jobId: 'dqn-pendulum', attempts: 3 });
    const r = await run(['compare', file, '--out', path.join(dir, 'out'), '--queue', redis.url, '--queue-name', 'q-faults', '--attempts', '2']);
    expect(r.code).toBe(1); // a run failed
    expect(r.out).toContain('2/3 runs finished, 1 failed');
    const rows = deterministicColumns(path.join(dir, 'out', 'results.csv')).slice(1).map((row) => row.split(',')[0]);
    expect(rows).toEqual(['dqn-CartPole-v1-clean-none-s1', 'dqn-test_CrashOnce-v0-clean-none-s1']);
    expect(fs.existsSync(marker)).toBe(true); // CrashOnce did crash, and its retry succeeded
    const report = fs.readFileSync(path.join(dir, 'out', 'report.md'), 'utf8');
    expect(report).toMatch(/## Failed runs\n\n- dqn-test_CrashAlways-v0-clean-none-s1: wnrl train was killed \(SIGKILL\).*\(after 2 attempts\)/);
    // The failed cell is not averaged in as zeros: its summary row has no runs.
    const summaryCsv = fs.readFileSync(path.join(dir, 'out', 'summary.csv'), 'utf8');
    expect(summaryCsv).not.toMatch(/CrashAlways-v0,clean,none,1,/);
    const outcome = async (id: string) => {
      const job = (await Job.fromId(queue, id))!;
      return { state: await job.getState(), attempts: job.attemptsMade, reason: job.failedReason };
    };
    await until(async () => (await outcome('dqn-pendulum')).state === 'failed', 20_000, 'the DQN-on-Pendulum job to fail');
    expect(await outcome('evil-path')).toMatchObject({ state: 'failed', attempts: 1, reason: expect.stringContaining('cell: expected 1-200 letters') });
    expect(await outcome('evil-key')).toMatchObject({ state: 'failed', attempts: 1, reason: expect.stringContaining('job config.trainer.shell: unknown key') });
    expect(await outcome('evil-module')).toMatchObject({ state: 'failed', attempts: 1, reason: expect.stringContaining("env.module '/tmp/anything.js' is not allowed on this worker") });
    expect(await outcome('dqn-pendulum')).toMatchObject({ state: 'failed', attempts: 1, reason: expect.stringContaining('wnrl train exited 2') });
    expect(fs.existsSync(path.join(dir, 'etc'))).toBe(false);
    await queue.close();
  }, 90_000);

  test('a result that does not parse is recorded as a failed run, not dropped', async () => {
    const dir = tmp();
    const file = experiment(dir, 'garbage', { norms: ['none'], seeds: [1] });
    // A worker from other software that completes jobs with something else than a run's result.
    const impostor = new Worker('q-garbage', () => Promise.resolve({ v: 1, seconds: 'soon' }), { connection: bullConnection(parseQueueUrl(redis.url)) });
    try {
      const r = await run(['compare', file, '--out', path.join(dir, 'out'), '--queue', redis.url, '--queue-name', 'q-garbage']);
      expect(r.code).toBe(1);
      expect(r.out).toContain('0/1 runs finished, 1 failed');
      expect(fs.readFileSync(path.join(dir, 'out', 'report.md'), 'utf8')).toContain('- dqn-CartPole-v1-clean-none-s1: result does not parse: seconds');
    } finally {
      await impostor.close();
    }
  });

  test('Redis lost mid-grid: workers and coordinator reconnect and finish', async () => {
    const dir = tmp();
    const file = experiment(dir, 'restart', { norms: ['weight'], seeds: [1, 2, 3, 4], steps: 3000 });
    const a = startWorker(redis.url, ['--queue-name', 'q-restart', '--artifacts', path.join(dir, 'wa'), '--lock-seconds', '10']);
    const b = startWorker(redis.url, ['--queue-name', 'q-restart', '--artifacts', path.join(dir, 'wb'), '--lock-seconds', '10']);
    await Promise.all([a.waitFor(/worker: ready/), b.waitFor(/worker: ready/)]);
    const grid = run(['compare', file, '--out', path.join(dir, 'out'), '--queue', redis.url, '--queue-name', 'q-restart']);
    await a.waitFor(/worker: run start/);
    await redis.restart(1500);
    const r = await grid;
    expect(r.code, r.err).toBe(0);
    expect(deterministicColumns(path.join(dir, 'out', 'results.csv'))).toHaveLength(5);
  }, 90_000);

  test('Ctrl-C on the coordinator leaves the queue intact; the same command re-attaches and finishes', async () => {
    const dir = tmp();
    const file = experiment(dir, 'reattach', { norms: ['none'], seeds: [1, 2] });
    const out = path.join(dir, 'out');
    const coordinator = spawn(process.execPath, [cliEntry(), 'compare', file, '--out', out, '--queue', redis.url, '--queue-name', 'q-reattach'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    coordinator.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => coordinator.on('exit', (code) => resolve(code)));
    await until(() => redis.cli('LLEN', 'bull:q-reattach:wait') === '2', 30_000, 'two waiting jobs');
    coordinator.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(err).toContain('The queue keeps the others: run the same command again to re-attach');
    expect(redis.cli('LLEN', 'bull:q-reattach:wait')).toBe('2');
    startWorker(redis.url, ['--queue-name', 'q-reattach', '--artifacts', path.join(dir, 'w')]);
    const r = await run(['compare', file, '--out', out, '--queue', redis.url, '--queue-name', 'q-reattach']);
    expect(r.code, r.err).toBe(0);
    expect(deterministicColumns(path.join(out, 'results.csv'))).toHaveLength(3);
  }, 90_000);

  test('SIGTERM: the worker hands its running job back with its checkpoint and exits; another worker sharing the artifacts folder resumes it, and the results equal a run without faults', async () => {
    const dir = tmp();
    // checkpoints every 0.3 s, so the run has one to hand over
    const file = experiment(dir, 'handback', { norms: ['none'], seeds: [1], steps: 8000, overrides: { dqn: { network: { hidden: [32] } } }, trainer: { evalEpisodes: 3, evalInterval: 2000, checkpointSeconds: 0.3 } });
    const shared = path.join(dir, 'shared');
    const a = startWorker(redis.url, ['--queue-name', 'q-handback', '--artifacts', shared]);
    await a.waitFor(/worker: ready/);
    const grid = run(['compare', file, '--out', path.join(dir, 'out'), '--queue', redis.url, '--queue-name', 'q-handback']);
    await a.waitFor(/worker: run start/);
    await until(() => fs.readdirSync(path.join(shared, 'handback')).some((d) => d.startsWith('.work-') && fs.existsSync(path.join(shared, 'handback', d, 'checkpoint', 'resume.bin'))), 60_000, 'a checkpoint');
    const t0 = Date.now();
    a.proc.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(trainProcesses(shared)).toEqual([]);
    expect(a.log()).toContain('the run goes back to the queue with its checkpoint');
    const queue = queueOf('q-handback');
    const [job] = await queue.getJobs(['wait']);
    expect(job?.attemptsMade).toBe(0); // handed back, not counted as a failed attempt
    await queue.close();
    const handedOver = fs.readdirSync(path.join(shared, 'handback')).filter((d) => d.startsWith('.resume-'));
    expect(handedOver).toHaveLength(1);
    const b = startWorker(redis.url, ['--queue-name', 'q-handback', '--artifacts', shared]);
    const r = await grid;
    expect(r.code, r.err).toBe(0);
    expect(b.log()).toContain('worker: run finished');
    expect(b.log()).toMatch(/"resumed":true/);
    // the same experiment without faults, run locally: the same episodes and the same results
    const clean = await run(['compare', file, '--out', path.join(dir, 'clean')]);
    expect(clean.code, clean.err).toBe(0);
    expect(deterministicColumns(path.join(dir, 'out', 'results.csv'))).toEqual(deterministicColumns(path.join(dir, 'clean', 'results.csv')));
    const episodes = (runDir: string) =>
      fs
        .readFileSync(path.join(runDir, 'log.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l.includes('"msg":"episode"'))
        .map((l) => {
          const e = JSON.parse(l) as { step: number; return: number };
          return [e.step, e.return];
        });
    const cell = fs.readdirSync(path.join(dir, 'clean', 'runs'))[0]!;
    expect(episodes(path.join(shared, 'handback', cell))).toEqual(episodes(path.join(dir, 'clean', 'runs', cell)));
  }, 120_000);
});
