import { expect, test } from 'vitest';
import { NormalizeObservation, NormalizeReward, SyncVectorEnv, Wrapper, makeVectorEnv, registerEnv, unregisterEnv, type EpisodeStatistics } from '../../envs/index.ts';
import { ScriptedEnv } from '../helpers/scripted-env.ts';

test('observations are batched row by row and env i is seeded with seed + i', async () => {
  const venv = makeVectorEnv('CartPole-v1', { numEnvs: 3, seed: 10 });
  const { observations } = await venv.reset();
  expect(observations).toBeInstanceOf(Float32Array);
  expect(observations.length).toBe(12);
  const single = makeVectorEnv('CartPole-v1', { numEnvs: 1, seed: 12 });
  const one = await single.reset();
  expect(Array.from(observations.subarray(8, 12))).toEqual(Array.from(one.observations));
});

test('same-step autoreset: the ending step returns the next episode start and finalObservation', async () => {
  registerEnv({ id: 'test-vec/Counter-v0', create: () => new ScriptedEnv(), maxEpisodeSteps: 3 });
  try {
    const venv = makeVectorEnv('test-vec/Counter-v0', { numEnvs: 2, seed: 0 });
    await venv.reset();
    const actions = new Int32Array([1, 2]);
    const r1 = await venv.step(actions);
    expect(Array.from(r1.observations)).toEqual([1, 1, 1, 2]);
    await venv.step(actions);
    const r3 = await venv.step(actions);
    expect(Array.from(r3.truncated)).toEqual([1, 1]);
    expect(Array.from(r3.terminated)).toEqual([0, 0]);
    // The returned observation is the reset observation of the next episode ...
    expect(Array.from(r3.observations)).toEqual([0, 0, 0, 0]);
    // ... and the last observation of the ended episode is in the info, with the episode statistics.
    expect(Array.from(r3.infos[0]!['finalObservation'] as Float32Array)).toEqual([3, 1]);
    expect(Array.from(r3.infos[1]!['finalObservation'] as Float32Array)).toEqual([3, 2]);
    const finalInfo = r3.infos[0]!['finalInfo'] as { episode: EpisodeStatistics };
    expect(finalInfo.episode).toEqual({ return: 6, length: 3 });
    const r4 = await venv.step(actions);
    expect(Array.from(r4.observations)).toEqual([1, 1, 1, 2]);
    expect(r4.infos[0]!['finalObservation']).toBeUndefined();
  } finally {
    unregisterEnv('test-vec/Counter-v0');
  }
});

test('continuous actions are split per env', async () => {
  const venv = makeVectorEnv('Pendulum-v1', { numEnvs: 2, seed: 1 });
  await venv.reset();
  const r = await venv.step(new Float32Array([2, -2]));
  expect(r.observations.length).toBe(6);
  expect(r.rewards.length).toBe(2);
});

test('misuse is reported clearly', async () => {
  const venv = makeVectorEnv('CartPole-v1', { numEnvs: 2, seed: 1 });
  await expect(venv.step(new Int32Array([0, 1]))).rejects.toThrow('step() called before reset()');
  await venv.reset();
  await expect(venv.step(new Int32Array([0]))).rejects.toThrow('actions has length 1; expected 2');
  await venv.close();
  await expect(venv.reset()).rejects.toThrow('after close()');
  expect(() => new SyncVectorEnv([])).toThrow('at least one env');
  expect(() => makeVectorEnv('CartPole-v1', { numEnvs: 0 })).toThrow('numEnvs must be a positive integer');
});

test('the copies of a vector env share their normalizers\' statistics (as VecNormalize), each with its own return', async () => {
  const venv = makeVectorEnv('CartPole-v1', { numEnvs: 3, seed: 1, wrappers: [{ type: 'normalizeObservation' }, { type: 'normalizeReward', gamma: 0.9 }] });
  await venv.reset({ seed: 1 });
  for (let t = 0; t < 5; t++) await venv.step(new Int32Array([0, 1, 0]));
  const states = venv.envs.map((e) => {
    const chain: { stats: { count: number } }[] = [];
    for (let w: unknown = e; w instanceof Wrapper; w = w.env) if (w instanceof NormalizeObservation || w instanceof NormalizeReward) chain.push(w);
    return chain.map((n) => n.stats.count);
  });
  // normalizeReward: 3 envs × 5 steps; normalizeObservation: 3 × (1 reset + 5 steps) (the initial count is 1e-4)
  for (const counts of states) expect(counts.map((c) => Math.round(c))).toEqual([15, 18]);
  await venv.close();
});
