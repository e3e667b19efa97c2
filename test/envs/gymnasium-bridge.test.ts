// The Gymnasium bridge against real Python (the venv of `npm run setup:gymnasium`, which `npm test` runs
// first): step-for-step parity with wnrl's own CartPole, space translation, what an env prints, the
// faults (Python or gymnasium missing, unknown ids, a child that dies, hangs, raises or returns NaN, a
// malformed frame), the child's end, and agents training through the bridge from the CLI.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { FrameReader, GymnasiumVectorEnv, findPython, listGymnasiumEnvs } from '../../envs/bridge/gymnasium.ts';
import type { Env } from '../../envs/core.ts';
import { makeEnv } from '../../envs/registry.ts';
import { Rng } from '../../envs/rng.ts';
import { Box, Discrete, MultiDiscrete } from '../../envs/spaces/space.ts';
import { main } from '../../src/cli/main.ts';
import { capture } from '../helpers/capture.ts';

const helpers = path.resolve('test', 'helpers');
const opened: GymnasiumVectorEnv[] = [];
async function open(id: string, opts: Parameters<typeof GymnasiumVectorEnv.open>[1] = {}): Promise<GymnasiumVectorEnv> {
  const env = await GymnasiumVectorEnv.open(id, { pythonPath: [helpers], ...opts });
  opened.push(env);
  return env;
}
afterAll(async () => {
  for (const e of opened) await e.close();
});

const alive = (pid: number | undefined): boolean => {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
/** Waits (up to `ms`) for the process to be gone: a killed child stays a zombie, which kill(pid, 0) still finds, until Node reaps it. */
async function gone(pid: number | undefined, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  while (alive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
  return !alive(pid);
}
const close = (got: number, want: number) => Math.abs(got - want) <= 1e-6 * Math.max(1, Math.abs(want));

test('the Python that `npm run setup:gymnasium` made is found', () => {
  expect(fs.existsSync(findPython())).toBe(true);
});

test('bridged CartPole-v1 equals wnrl\'s CartPole-v1 step for step: 8 envs, 10k steps, same start states and actions', async () => {
  const n = 8;
  const bridge = await open('gymnasium:CartPole-v1', { numEnvs: n, seed: 11 });
  expect(bridge.singleObservationSpace.toJSON()).toEqual(makeEnv('CartPole-v1').observationSpace.toJSON());
  expect(bridge.spec).toEqual({ id: 'gymnasium:CartPole-v1', maxEpisodeSteps: 500, rewardThreshold: 475 });
  const ours: Env[] = Array.from({ length: n }, () => makeEnv('CartPole-v1'));
  const setState = (e: Env, state: number[]) => ((e.unwrapped as unknown as { state: number[] }).state = state);
  // wnrl draws start states from its own generator: copy Gymnasium's into wnrl's envs at every reset.
  const r0 = await bridge.reset();
  let states = (await bridge.getAttr('state')) as number[][];
  for (let i = 0; i < n; i++) {
    ours[i]!.reset({ seed: 0 });
    setState(ours[i]!, states[i]!);
    for (let j = 0; j < 4; j++) expect(r0.observations[i * 4 + j]).toBe(Math.fround(states[i]![j]!));
  }
  const rng = new Rng(5);
  let episodes = 0;
  let compared = 0;
  for (let t = 0; t < 10_000; t++) {
    const actions = Int32Array.from({ length: n }, () => rng.int(2));
    const b = await bridge.step(actions);
    const reset: number[] = [];
    for (let i = 0; i < n; i++) {
      const o = ours[i]!.step(actions[i]!);
      expect(b.rewards[i]).toBe(o.reward);
      expect([b.terminated[i] === 1, b.truncated[i] === 1]).toEqual([o.terminated, o.truncated]);
      const got = o.terminated || o.truncated ? (b.infos[i]!['finalObservation'] as Float32Array) : b.observations.subarray(i * 4, i * 4 + 4);
      for (let j = 0; j < 4; j++) if (!close(got[j]!, o.observation[j]!)) throw new Error(`step ${t} env ${i} obs[${j}]: bridge ${got[j]}, wnrl ${o.observation[j]}`);
      compared++;
      if (o.terminated || o.truncated) {
        expect((b.infos[i]!['finalInfo'] as { episode: { length: number } }).episode.length).toBeGreaterThan(0);
        reset.push(i);
      }
    }
    if (reset.length) {
      episodes += reset.length;
      states = (await bridge.getAttr('state')) as number[][];
      for (const i of reset) {
        ours[i]!.reset();
        setState(ours[i]!, states[i]!);
        for (let j = 0; j < 4; j++) expect(b.observations[i * 4 + j]).toBe(Math.fround(states[i]![j]!));
      }
    }
  }
  expect(compared).toBe(80_000);
  expect(episodes).toBeGreaterThan(3000);
}, 120_000);

describe('spaces', () => {
  test('a Dict observation arrives flattened (one-hot inside); Discrete(3, start=-1) actions are indices', async () => {
    const env = await open('gymnasium:gym_test_envs:WnrlTest/Spaces-v0', { numEnvs: 2, seed: 1 });
    // Gymnasium sorts Dict keys: bits (MultiBinary 2), grid (MultiDiscrete [3, 4] as one-hots), x (Box 2).
    expect(env.singleObservationSpace).toBeInstanceOf(Box);
    expect(env.singleObservationSpace.size).toBe(11);
    expect(env.singleActionSpace.toJSON()).toEqual({ type: 'Discrete', n: 3, start: -1 });
    const r = await env.reset();
    expect(Array.from(r.observations.subarray(0, 11))).toEqual([0, 1, 1, 0, 0, 0, 1, 0, 0, 0.5, -0.25]);
    const s = await env.step(Int32Array.of(0, 2)); // indices: the envs receive -1 and 1
    expect(Array.from(s.rewards)).toEqual([-1, 1]);
    expect(s.infos.map((i) => i['action_seen'])).toEqual([-1, 1]);
    expect(Array.from(s.observations.subarray(0, 11))).toEqual([1, 1, 0, 1, 0, 0, 0, 1, 0, 0.5, -0.25]);
  });

  test('a top-level MultiDiscrete observation (with start) is one-hot encoded; Box actions pass as float32', async () => {
    const env = await open('gymnasium:gym_test_envs:WnrlTest/MultiDiscreteObs-v0', { numEnvs: 1 });
    expect(env.rawObservationSpace).toBeInstanceOf(MultiDiscrete);
    expect(env.rawObservationSpace.toJSON()).toEqual({ type: 'MultiDiscrete', nvec: [2, 3], start: [1, -1] });
    expect(env.singleObservationSpace.toJSON()).toMatchObject({ type: 'Box', shape: [5], low: [0, 0, 0, 0, 0], high: [1, 1, 1, 1, 1] });
    expect(Array.from((await env.reset()).observations)).toEqual([0, 1, 1, 0, 0]);
    const s = await env.step(Float32Array.of(0.5, 0.25));
    expect(s.rewards[0]).toBe(0.75);
    expect(Array.from(s.observations)).toEqual([1, 0, 0, 0, 1]);
  });

  test('Discrete observations (FrozenLake, Taxi) are one-hot; kwargs reach gymnasium.make', async () => {
    const env = await open('gymnasium:FrozenLake-v1', { numEnvs: 2, seed: 3, kwargs: { is_slippery: false, map_name: '8x8' } });
    expect(env.rawObservationSpace.toJSON()).toEqual({ type: 'Discrete', n: 64, start: 0 });
    expect(env.singleObservationSpace.size).toBe(64);
    const r = await env.reset();
    expect(r.observations[0]).toBe(1);
    const s = await env.step(Int32Array.of(2, 1)); // right, down: deterministic on the 8x8 map
    expect(s.observations.indexOf(1)).toBe(1);
    expect(s.observations.indexOf(1, 64) - 64).toBe(8);
  });
});

describe('faults', () => {
  test('what the env prints (stdout or stderr) does not disturb the protocol', async () => {
    const env = await open('gymnasium:gym_test_envs:WnrlTest/Misbehaving-v0', { numEnvs: 3, kwargs: { mode: 'print', fail_at: -1 } });
    await env.reset({ seed: 1 });
    let total = 0;
    for (let t = 0; t < 50; t++) total += (await env.step(Int32Array.of(0, 1, 0))).rewards.reduce((a, b) => a + b, 0);
    expect(total).toBe(150);
  });

  test.each([
    ['die', {}, /Misbehaving-v0 .*bridge the Python process exited \(code 3\); its last output: .*about to die/],
    ['sleep', { stepTimeoutMs: 1500 }, /no answer within 1500 ms; the Python process is stopped/],
    ['raise', {}, /step raised ValueError: the env refused this step/],
    ['nan', {}, /reward\[0\] is NaN; expected a finite number/],
  ] as const)('an env that does "%s" mid-step: an EnvError saying so, no hang', async (mode, extra, message) => {
    const env = await open('gymnasium:gym_test_envs:WnrlTest/Misbehaving-v0', { numEnvs: 1, kwargs: { mode, fail_at: 3 }, ...extra });
    await env.reset({ seed: 1 });
    await env.step(Int32Array.of(0));
    await env.step(Int32Array.of(0));
    const t0 = Date.now();
    await expect(env.step(Int32Array.of(0))).rejects.toThrow(message);
    expect(Date.now() - t0).toBeLessThan(10_000);
    if (mode === 'die' || mode === 'sleep') {
      expect(await gone(env.pid)).toBe(true);
      await expect(env.step(Int32Array.of(0))).rejects.toThrow(/bridge/); // stays failed, no hang
    }
  }, 30_000);

  test('Python missing, gymnasium missing, an unknown id: ConfigErrors that say what to do', async () => {
    await expect(GymnasiumVectorEnv.open('gymnasium:CartPole-v1', { python: '/no/such/python3' })).rejects.toThrow(
      "env.id: cannot run Python '/no/such/python3' (not found): run `npx wnrl setup --gymnasium`",
    );
    // A Python without site-packages: no gymnasium.
    const bare = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-py-')), 'python-bare');
    fs.writeFileSync(bare, '#!/bin/sh\nexec python3 -S -I "$@"\n', { mode: 0o755 });
    await expect(GymnasiumVectorEnv.open('gymnasium:CartPole-v1', { python: bare })).rejects.toThrow(/has no (gymnasium|numpy) .*run `npx wnrl setup --gymnasium`/);
    await expect(open('gymnasium:CartPoleX-v1')).rejects.toThrow(/gymnasium.make\('CartPoleX-v1'\) failed: NameNotFound: Environment `CartPoleX` doesn't exist/);
  });

  test('malformed frames are refused before anything is allocated for them', async () => {
    const reader = new FrameReader(1024);
    const head = Buffer.alloc(5);
    head.writeUInt32LE(0xfffffff0, 0);
    expect(() => reader.push(head)).toThrow('malformed frame: length 4294967280 (expected 1..1024)');
    const ok = new FrameReader(1024);
    const f = Buffer.from([4, 0, 0, 0, 0x81, 1, 2, 3, 2, 0, 0, 0, 0x82, 9]);
    expect(ok.push(f.subarray(0, 3))).toEqual([]);
    expect(ok.push(f.subarray(3, 11)).map((x) => [x.kind, Array.from(x.payload)])).toEqual([[0x81, [1, 2, 3]]]);
    expect(ok.push(f.subarray(11)).map((x) => [x.kind, Array.from(x.payload)])).toEqual([[0x82, [9]]]);
    // A server that answers INIT with a 4 GB frame header: refused, and the process is stopped.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-bad-'));
    const bogus = path.join(dir, 'bogus_server.py');
    fs.writeFileSync(bogus, 'import os, struct, time\nos.read(3, 65536)\nos.write(4, struct.pack("<IB", 0xfffffff0, 0x81) + b"x" * 100)\ntime.sleep(30)\n');
    const t0 = Date.now();
    await expect(GymnasiumVectorEnv.open('gymnasium:CartPole-v1', { serverScript: bogus })).rejects.toThrow(/malformed frame: length 4294967280/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  test('close() ends the child; a parent that dies (SIGKILL) leaves no Python behind', async () => {
    const env = await GymnasiumVectorEnv.open('gymnasium:CartPole-v1', { numEnvs: 2 });
    await env.reset({ seed: 1 });
    const pid = env.pid;
    expect(alive(pid)).toBe(true);
    await env.close();
    expect(alive(pid)).toBe(false);
    // A Node process that opens a bridge, prints the child's pid and kills itself.
    const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-orphan-')), 'orphan.mts');
    fs.writeFileSync(
      script,
      `import { GymnasiumVectorEnv } from ${JSON.stringify(path.resolve('envs', 'bridge', 'gymnasium.ts'))};\n` +
        "const env = await GymnasiumVectorEnv.open('gymnasium:CartPole-v1', { numEnvs: 1 });\nawait env.reset();\n" +
        "process.stdout.write(`${env.pid}\\n`);\nprocess.kill(process.pid, 'SIGKILL');\n",
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => child.on('exit', r));
    const orphan = Number(out.trim());
    expect(orphan).toBeGreaterThan(0);
    expect(await gone(orphan)).toBe(true);
  }, 30_000);
});

describe('agents through the bridge', () => {
  async function run(args: string[]) {
    const { io, chunks } = capture();
    const code = await main(args, io);
    return { code, ...chunks };
  }

  test('wnrl train and eval on gymnasium:FrozenLake-v1 (kwargs from --env-kwargs, recorded in config.json)', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-fl-')), 'run');
    const r = await run(['train', '--env', 'gymnasium:FrozenLake-v1', '--env-kwargs', '{"is_slippery": false}', '--agent', 'dqn', '--norm', 'weight', '--steps', '3000', '--seed', '1', '--out', out, '--no-progress']);
    expect(r.code, r.err).toBe(0);
    const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')) as { env: { id: string; kwargs: object } };
    expect(config.env).toMatchObject({ id: 'gymnasium:FrozenLake-v1', kwargs: { is_slippery: false } });
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')) as { env: string; rewardThreshold: number; episodes: number };
    expect(summary.env).toBe('gymnasium:FrozenLake-v1');
    expect(summary.rewardThreshold).toBe(0.7); // Gymnasium's registered threshold, through the bridge
    expect(summary.episodes).toBeGreaterThan(50);
    const ev = await run(['eval', out, '--episodes', '4', '--json']);
    expect(ev.code, ev.err).toBe(0);
    expect((JSON.parse(ev.out) as { episodes: number }).episodes).toBe(4);
  }, 120_000);

  test('an experiment file names a bridged env with its kwargs; the grid runs it and the report names it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-flgrid-'));
    const file = path.join(dir, 'exp.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ name: 'bridged', agents: ['ppo'], envs: [{ id: 'gymnasium:FrozenLake-v1', kwargs: { is_slippery: false }, name: 'FrozenLake-det' }], norms: ['weight'], seeds: [1], steps: 1024, trainer: { evalEpisodes: 2 } }),
    );
    const r = await run(['compare', file, '--out', path.join(dir, 'out'), '--workers', '1']);
    expect(r.code, r.err).toBe(0);
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'runs', 'ppo-FrozenLake-det-clean-weight-s1', 'config.json'), 'utf8')) as { env: object };
    expect(config.env).toMatchObject({ id: 'gymnasium:FrozenLake-v1', kwargs: { is_slippery: false } });
    expect(fs.readFileSync(path.join(dir, 'out', 'report.md'), 'utf8')).toContain('## FrozenLake-det');
  }, 120_000);

  test.each([
    [['--env', 'gymnasium:FrozenLake-v1', '--mask-velocity'], 'env.wrappers: maskVelocity on gymnasium:FrozenLake-v1: MaskVelocity: gymnasium:FrozenLake-v1 declares no velocityIndices; pass the indices to mask; a bridged env declares none: give them, { "type": "maskVelocity", "indices": [...] }'],
    [['--env', 'gymnasium:NoSuchEnv-v3'], "gymnasium.make('NoSuchEnv-v3') failed: NameNotFound"],
    [['--env', 'gymnasium:CartPole-v1', '--env-kwargs', '[1]'], '--env-kwargs: expected a JSON object'],
    [['--env', 'gymnasium:CartPole-v1', '--env-kwargs', '{"nope": 1}'], "gymnasium.make('CartPole-v1') failed: TypeError"],
  ])('bad bridged input %j: exit 2, nothing written', async (flags, message) => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-flbad-')), 'run');
    const r = await run(['train', ...flags, '--agent', 'dqn', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(fs.existsSync(out)).toBe(false);
  }, 30_000);

  test('wnrl envs --gymnasium lists the ids the bridge can run, with their spaces; --all adds the others with the reason', async () => {
    const table = await run(['envs', '--gymnasium']);
    expect(table.code, table.err).toBe(0);
    expect(table.out).toMatch(/^Gymnasium 1\.\d+\.\d+ \(.*python.*\): \d+ ids the bridge can run/);
    expect(table.out).toMatch(/gymnasium:CartPole-v1\s+Box\(\[-4\.8.*Discrete\(2\)\s+500\s+475\n/);
    expect(table.out).toMatch(/gymnasium:FrozenLake-v1\s+Discrete\(16\)\s+Discrete\(4\)\s+100\s+0\.7\n/);
    expect(table.out).toMatch(/\n\d+ more registered ids cannot be made with this Python .*--all lists them/);
    expect(table.out).not.toContain('Hopper-v2');

    const json = await run(['envs', '--gymnasium', '--all', '--json']);
    expect(json.code, json.err).toBe(0);
    type Listed = { id: string; observationSpace: string | null; actionSpace: string | null; maxEpisodeSteps: number | null; rewardThreshold: number | null; error?: string };
    const listed = JSON.parse(json.out) as { gymnasiumVersion: string; envs: Listed[] };
    const byId = new Map(listed.envs.map((e) => [e.id, e]));
    // The same spaces, limits and thresholds as wnrl's own port of the id.
    const ours = makeEnv('Acrobot-v1');
    expect(byId.get('gymnasium:Acrobot-v1')).toEqual({ id: 'gymnasium:Acrobot-v1', observationSpace: ours.observationSpace.toString(), actionSpace: ours.actionSpace.toString(), maxEpisodeSteps: 500, rewardThreshold: -100 });
    // Gymnasium 1.x registers the v2/v3 MuJoCo ids only to say where they went: never makeable.
    expect(byId.get('gymnasium:Hopper-v2')).toMatchObject({ observationSpace: null, actionSpace: null, error: expect.stringMatching(/^ImportError: .*mujoco/i) as unknown });
    const unusable = listed.envs.filter((e) => e.error !== undefined);
    expect(unusable.every((e) => e.observationSpace === null && e.actionSpace === null && e.error!.length > 0)).toBe(true);
    expect(listed.envs.length - unusable.length).toBe(Number(/: (\d+) ids the bridge can run/.exec(table.out)![1]));

    const misuse = await run(['envs', '--all']);
    expect(misuse.code).toBe(2);
    expect(misuse.err).toContain('--all goes with --gymnasium');
    await expect(listGymnasiumEnvs({ python: '/no/such/python3' })).rejects.toThrow("env.id: cannot run Python '/no/such/python3' (not found)");
  }, 60_000);

  test('no Python is left running after the CLI runs above', () => {
    // Children of this process running the bridge server: only the envs this file still holds open.
    const children = spawnSync('pgrep', ['-P', String(process.pid), '-f', 'gymnasium_server.py'], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).map(Number);
    expect(children.sort()).toEqual(opened.map((e) => e.pid).filter((pid): pid is number => alive(pid)).sort());
  });
});

test('wnrl\'s own envs with Discrete observations reach every agent one-hot encoded', async () => {
  const { registerEnv } = await import('../../envs/registry.ts');
  class Walk implements Env<number> {
    readonly observationSpace = new Discrete(5, 10);
    readonly actionSpace = new Discrete(2);
    private s = 10;
    get unwrapped(): Env<number> {
      return this;
    }
    reset() {
      this.s = 10;
      return { observation: Float32Array.of(this.s), info: {} };
    }
    step(a: number) {
      this.s = Math.min(14, Math.max(10, this.s + (a === 1 ? 1 : -1)));
      return { observation: Float32Array.of(this.s), reward: this.s === 14 ? 1 : 0, terminated: this.s === 14, truncated: false, info: {} };
    }
  }
  registerEnv({ id: 'test/DiscreteWalk-v0', create: () => new Walk(), maxEpisodeSteps: 30, rewardThreshold: 0.9 });
  const env = makeEnv('test/DiscreteWalk-v0');
  expect(env.observationSpace.toJSON()).toMatchObject({ type: 'Box', shape: [5] });
  expect(Array.from(env.reset().observation)).toEqual([1, 0, 0, 0, 0]);
  expect(Array.from(env.step(1).observation)).toEqual([0, 1, 0, 0, 0]);
  for (const agent of ['dqn', 'ppo', 'a2c']) {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-disc-')), agent);
    const { io, chunks } = capture();
    expect(await main(['train', '--env', 'test/DiscreteWalk-v0', '--agent', agent, '--steps', '2000', '--seed', '1', '--out', out, '--no-progress'], io), chunks.err).toBe(0);
  }
}, 120_000);

describe('frames through the bridge', () => {
  test('opened with render: true, a Gymnasium env sends its rgb_array frames; without it, render() is null and the env is made without render_mode', async () => {
    const env = await open('gymnasium:gym_test_envs:WnrlTest/Painted-v0', { numEnvs: 1, seed: 4, render: true });
    await env.reset({ seed: 4 });
    const first = (await env.render())!;
    expect([first.width, first.height, first.data.length]).toEqual([90, 30, 90 * 30 * 3]);
    const redColumn = (f: typeof first) => Array.from({ length: 9 }, (_, c) => f.data[(c * 10) * 3 + 1] === 30).indexOf(true);
    const before = redColumn(first);
    await env.step(Int32Array.of(1));
    expect(redColumn((await env.render())!)).toBe(before + 1);
    const plain = await open('gymnasium:gym_test_envs:WnrlTest/Painted-v0', { numEnvs: 1, seed: 4 });
    await plain.reset();
    expect(await plain.render()).toBeNull();
    expect(await plain.getAttr('render_mode')).toEqual([null]);
  });

  test('wnrl render and --video-every draw a bridged env; the returns are wnrl eval\'s', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-bridge-render-'));
    const out = path.join(dir, 'run');
    const pythonPath = process.env['PYTHONPATH'];
    process.env['PYTHONPATH'] = helpers; // the spawned Python finds gym_test_envs
    try {
      const { io, chunks } = capture();
      expect(await main(['train', '--env', 'gymnasium:gym_test_envs:WnrlTest/Painted-v0', '--agent', 'ppo', '--steps', '1024', '--seed', '1', '--out', out, '--video-every', '512', '--no-progress', '--log-level', 'warn'], io), chunks.err).toBe(0);
      expect(fs.readdirSync(path.join(out, 'videos')).sort()).toEqual(['step-1024.gif', 'step-512.gif']);
      const r = capture();
      expect(await main(['render', out, '--episodes', '3', '--seed', '9', '--out', path.join(dir, 'walk.gif')], r.io), r.chunks.err).toBe(0);
      expect(fs.readFileSync(path.join(dir, 'walk.gif')).subarray(0, 6).toString('latin1')).toBe('GIF89a');
      const returns = [...r.chunks.out.matchAll(/return ([-\d.]+)/g)].map((m) => Number(m[1]));
      const ev = capture();
      expect(await main(['eval', out, '--episodes', '3', '--seed', '9', '--num-envs', '1', '--json'], ev.io), ev.chunks.err).toBe(0);
      expect(returns.reduce((a, b) => a + b, 0) / 3).toBeCloseTo((JSON.parse(ev.chunks.out) as { returnMean: number }).returnMean, 9);
    } finally {
      if (pythonPath === undefined) delete process.env['PYTHONPATH'];
      else process.env['PYTHONPATH'] = pythonPath;
    }
  }, 120_000);
});
