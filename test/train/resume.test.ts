// Exact resume: a run interrupted at any moment (SIGTERM, or kill -9 after a checkpoint) and resumed with
// `wnrl train --resume` logs the same episodes, writes the same metrics and final evaluation and ends with
// the same network bytes as the run that was never interrupted — DQN, A2C, PPO and recurrent PPO. And the
// one mechanism under it: every env and wrapper captured mid-episode and written into a fresh copy
// continues identically.
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { listEnvs, makeVectorEnv, type WrapperConfig } from '../../envs/index.ts';
import { EXIT_INTERRUPTED } from '../../src/cli/train.ts';
import { LEFT_OUT, SnapshotError, captureFields, captureState, deserializeSnapshot, restoreState, serializeSnapshot, type CapturedObject } from '../../envs/snapshot.ts';
import { runCli } from '../helpers/capture.ts';

const root = path.resolve(import.meta.dirname, '../..');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-resume-'));

// --- the snapshot mechanism, on every env and wrapper ---

/** Random actions from a seeded space, the same on both copies. */
function actionsFor(env: ReturnType<typeof makeVectorEnv>, seed: number, steps: number): (Int32Array | Float32Array)[] {
  const space = env.singleActionSpace;
  space.seed(seed);
  return Array.from({ length: steps }, () => {
    const a = Array.from({ length: env.numEnvs }, () => space.sample());
    return typeof a[0] === 'number' ? Int32Array.from(a as number[]) : Float32Array.from((a as Float32Array[]).flatMap((x) => Array.from(x)));
  });
}

async function trace(env: ReturnType<typeof makeVectorEnv>, actions: (Int32Array | Float32Array)[]): Promise<number[]> {
  const out: number[] = [];
  for (const a of actions) {
    const r = await env.step(a);
    out.push(...r.observations, ...r.rewards, ...r.terminated, ...r.truncated);
  }
  return out;
}

const STACK: WrapperConfig[] = [
  { type: 'normalizeObservation' },
  { type: 'normalizeReward', gamma: 0.99 },
  { type: 'observationNoise', std: 0.1 },
  { type: 'rewardNoise', std: 0.5 },
  { type: 'stickyActions', p: 0.25 },
  { type: 'flicker', p: 0.2 },
];

test.each(listEnvs().filter((e) => !e.id.includes('/')).map((e) => e.id))('%s with every noise and normalization wrapper: captured mid-episode, a fresh copy continues identically', async (id) => {
  const discrete = makeVectorEnv(id, { numEnvs: 1 }).singleActionSpace.constructor.name === 'Discrete';
  const wrappers = STACK.filter((w) => discrete || w.type !== 'stickyActions');
  const a = makeVectorEnv(id, { numEnvs: 3, seed: 11, wrappers });
  await a.reset({ seed: 11 });
  await trace(a, actionsFor(a, 1, 137)); // mid-episode for some copies, after resets for others
  const saved = deserializeSnapshot(serializeSnapshot(captureState(a))) as CapturedObject;
  const next = actionsFor(a, 2, 300);
  const expected = await trace(a, next);

  const b = makeVectorEnv(id, { numEnvs: 3, seed: 999, wrappers });
  await b.reset({ seed: 999 });
  await trace(b, actionsFor(b, 3, 10));
  restoreState(b, saved);
  expect(await trace(b, next)).toEqual(expected);
  // and the state really moved: without the restore the same actions give another trace
  const c = makeVectorEnv(id, { numEnvs: 3, seed: 999, wrappers });
  await c.reset({ seed: 999 });
  expect(await trace(c, next)).not.toEqual(expected);
});

test('snapshots leave out functions, host objects and second references, and name the field they cannot restore', () => {
  class Box2 {
    x = 1;
    arr = new Float64Array([1, 2]);
    fn = () => 3;
    emitter = new EventEmitter();
    self: unknown = null;
  }
  const o = new Box2();
  o.self = o;
  const s = captureState(o);
  expect(s.fields['fn']).toBe(LEFT_OUT);
  expect(s.fields['emitter']).toBe(LEFT_OUT);
  expect(s.fields['self']).toBe(LEFT_OUT);
  const target = new Box2();
  target.x = 5;
  target.arr[0] = 9;
  const arr = target.arr;
  restoreState(target, s);
  expect(target.x).toBe(1);
  expect(target.arr).toBe(arr); // written in place
  expect(Array.from(target.arr)).toEqual([1, 2]);
  expect(() => captureFields(o, ['missing'])).toThrow(SnapshotError);
  const custom = { getState: () => 7, setState: () => undefined };
  const holder = captureState({ inner: custom });
  expect(() => restoreState({ inner: 3 }, holder)).toThrow(/inner: holds an object with its own getState/);
});

// --- whole runs: straight vs interrupted and resumed ---

const bin = path.join(root, 'src/cli/bin.js');

interface RunSpec {
  agent: string;
  env: string;
  steps: number;
  args?: string[];
  /** Agent settings over the preset's (smaller networks keep the test quick). */
  agentConfig?: Record<string, unknown>;
}

function startRun(spec: RunSpec, out: string, config: string): { child: ReturnType<typeof spawn>; exit: Promise<number | null>; err: () => string } {
  const child = spawn(process.execPath, [bin, 'train', '--env', spec.env, '--agent', spec.agent, '--steps', String(spec.steps), '--seed', '7', '--out', out, '--config', config, '--no-progress', '--log-level', 'info', ...(spec.args ?? [])], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  return { child, exit: new Promise((resolve) => child.on('exit', resolve)), err: () => err };
}

/** What must match between the runs: episode records, metrics rows and summary without timings, network bytes. */
function outcome(runDir: string) {
  const episodes = fs
    .readFileSync(path.join(runDir, 'log.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('"msg":"episode"'))
    .map((l) => {
      const r = JSON.parse(l) as { step: number; return: number; length: number };
      return [r.step, r.return, r.length];
    });
  const [header, ...rows] = fs.readFileSync(path.join(runDir, 'metrics.csv'), 'utf8').trim().split('\n');
  const cols = header!.split(',');
  const timing = new Set(['wallSeconds', 'time/stepsPerSecond']);
  const metrics = rows.map((r) => r.split(',').filter((_, i) => !timing.has(cols[i]!)).join(','));
  const { wallSeconds: _w, stepsPerSecond: _s, msPerUpdate: _m, secondsToThreshold: _t, ...summary } = JSON.parse(fs.readFileSync(path.join(runDir, 'summary.json'), 'utf8')) as Record<string, unknown>;
  const weights: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.bin') && e.name !== 'resume.bin') weights[path.relative(runDir, p)] = fs.readFileSync(p).toString('base64');
    }
  };
  walk(path.join(runDir, 'checkpoint'));
  return { episodes, metrics, summary, weights };
}

async function waitFor(cond: () => boolean, what: string, err: () => string, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`${what} never happened: ${err()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const CASES: (RunSpec & { name: string; kill: 'SIGTERM' | 'SIGKILL' })[] = [
  { name: 'DQN', agent: 'dqn', env: 'CartPole-v1', steps: 5_000, kill: 'SIGKILL', args: ['--norm', 'weight'], agentConfig: { network: { hidden: [32] }, learningStarts: 500 } },
  { name: 'A2C', agent: 'a2c', env: 'CartPole-v1', steps: 10_000, kill: 'SIGTERM', args: ['--norm', 'batch'] },
  { name: 'PPO', agent: 'ppo', env: 'Pendulum-v1', steps: 6_144, kill: 'SIGKILL', args: ['--norm', 'layer', '--obs-noise', '0.05'] },
  { name: 'recurrent PPO', agent: 'ppo', env: 'CartPoleNoVel-v1', steps: 6_144, kill: 'SIGTERM', args: ['--norm', 'weight', '--flicker', '0.1'] },
];

test.each(CASES)('$name: interrupted by $kill after a checkpoint, resumed, equals the uninterrupted run', async (c) => {
  const dir = tmp();
  const config = path.join(dir, 'config.json');
  // checkpoints every 0.3 s, evaluations during training (their env's state is part of the resume)
  fs.writeFileSync(config, JSON.stringify({ ...(c.agentConfig ? { agent: c.agentConfig } : {}), trainer: { checkpointSeconds: 0.3, checkpointInterval: 0, evalInterval: 2_000, evalEpisodes: 3, earlyStop: false, metricsInterval: 1_000 } }));
  const straight = startRun(c, path.join(dir, 'straight'), config);
  const cut = startRun(c, path.join(dir, 'cut'), config);
  const cutDir = path.join(dir, 'cut');
  await waitFor(() => fs.existsSync(path.join(cutDir, 'checkpoint', 'resume.bin')), 'a first checkpoint', cut.err);
  // a random moment after it (printed on failure)
  const delay = Math.floor(Math.random() * 400);
  await new Promise((r) => setTimeout(r, delay));
  cut.child.kill(c.kill);
  const code = await cut.exit;
  if (c.kill === 'SIGTERM') expect(code, cut.err()).toBe(EXIT_INTERRUPTED);
  expect(fs.existsSync(path.join(cutDir, 'summary.json')), `the run finished before the ${c.kill} (${delay} ms after its first checkpoint)`).toBe(false);
  expect(await straight.exit, straight.err()).toBe(0);

  const resumed = await runCli(['train', '--out', cutDir, '--resume', '--no-progress', '--log-level', 'info']);
  expect(resumed.code, resumed.err).toBe(0);
  const a = outcome(path.join(dir, 'straight'));
  const b = outcome(cutDir);
  expect(b.episodes.length, `killed ${delay} ms after the first checkpoint`).toBe(a.episodes.length);
  expect(b.episodes).toEqual(a.episodes);
  expect(b.metrics).toEqual(a.metrics);
  expect(b.summary).toEqual(a.summary);
  expect(Object.keys(b.weights).sort()).toEqual(Object.keys(a.weights).sort());
  for (const k of Object.keys(a.weights)) expect(b.weights[k], k).toBe(a.weights[k]);
  const log = fs.readFileSync(path.join(cutDir, 'log.jsonl'), 'utf8');
  expect(log).toContain('"exact":true');
}, 180_000);
