import { expect, test } from 'vitest';
import { CartPole, EnvError, RegistryError, envLabel, listEnvs, makeEnv, registerEnv, unregisterEnv } from '../../envs/index.ts';
import { ScriptedEnv } from '../helpers/scripted-env.ts';

test('the five classic-control tasks are registered with Gymnasium limits', () => {
  const ids = listEnvs().map((e) => e.id);
  expect(ids).toEqual(expect.arrayContaining(['CartPole-v1', 'Acrobot-v1', 'MountainCar-v0', 'MountainCarContinuous-v0', 'Pendulum-v1']));
  const limits = Object.fromEntries(listEnvs().map((e) => [e.id, e.maxEpisodeSteps]));
  expect(limits).toMatchObject({ 'CartPole-v1': 500, 'Acrobot-v1': 500, 'MountainCar-v0': 200, 'MountainCarContinuous-v0': 999, 'Pendulum-v1': 200 });
});

test('an unknown id lists the close matches', () => {
  expect(() => makeEnv('CartPole-v0')).toThrow(RegistryError);
  expect(() => makeEnv('CartPole-v0')).toThrow("did you mean 'CartPole-v1'?");
  expect(() => makeEnv('cartpole')).toThrow("did you mean 'CartPole-v1'?");
});

test('a wrapped env prints its stack like Gymnasium, with statistics inside the noise', () => {
  const env = makeEnv('CartPole-v1', { wrappers: [{ type: 'observationNoise', std: 0.1 }] });
  expect(envLabel(env)).toBe('<ObservationNoise<RecordEpisodeStatistics<TimeLimit<CartPole-v1>>>>');
  expect(env.unwrapped).toBeInstanceOf(CartPole);
});

test('wrappers are stacked in the documented order whatever order they are listed in', () => {
  const env = makeEnv('CartPole-v1', {
    wrappers: [
      { type: 'normalizeObservation' },
      { type: 'rewardNoise', std: 1 },
      { type: 'maskVelocity' },
      { type: 'stickyActions', p: 0.25 },
      { type: 'observationNoise', std: 0.1 },
    ],
  });
  expect(envLabel(env)).toBe(
    '<NormalizeObservation<RewardNoise<MaskVelocity<ObservationNoise<StickyActions<RecordEpisodeStatistics<TimeLimit<CartPole-v1>>>>>>>>',
  );
});

test("a NoVel id's mask is a registered wrapper, stacked outside observation noise: unobserved entries stay 0", () => {
  const env = makeEnv('CartPoleNoVel-v1', { wrappers: [{ type: 'observationNoise', std: 0.5 }, { type: 'normalizeObservation' }] });
  expect(envLabel(env)).toBe('<NormalizeObservation<MaskVelocity<ObservationNoise<RecordEpisodeStatistics<TimeLimit<CartPoleNoVel-v1>>>>>>');
  const raw = makeEnv('CartPoleNoVel-v1', { wrappers: [{ type: 'observationNoise', std: 0.5 }] });
  let o = raw.reset({ seed: 3 }).observation;
  for (let t = 0; t < 20; t++) {
    expect([o[1], o[3]]).toEqual([0, 0]);
    expect(o[0]).not.toBe(0); // the noise still reaches the observed entries
    const r = raw.step(t % 2);
    o = r.terminated || r.truncated ? raw.reset().observation : r.observation;
  }
  // Normalized, the zeroed entries stay 0 (before the mask moved outside the noise they reached ~1e3-1e4).
  let n = env.reset({ seed: 3 }).observation;
  for (let t = 0; t < 50; t++) {
    expect(Math.abs(n[1]!) + Math.abs(n[3]!)).toBe(0);
    const r = env.step(t % 2);
    n = r.terminated || r.truncated ? env.reset().observation : r.observation;
  }
});

test('registered wrappers are validated, and a wrapper of the same type given to makeEnv replaces them', () => {
  expect(() => registerEnv({ id: 'test-pkg/BadWrap-v0', create: () => new CartPole(), wrappers: [{ type: 'observationNoise', std: -1 } as never] })).toThrow(
    "registerEnv test-pkg/BadWrap-v0: wrappers[0].std",
  );
  const env = makeEnv('CartPoleNoVel-v1', { wrappers: [{ type: 'maskVelocity', indices: [0] }] });
  const o = env.reset({ seed: 1 }).observation;
  expect(o[0]).toBe(0);
  expect(o[1]).not.toBe(0);
});

test('bad wrapper configs name the field', () => {
  expect(() => makeEnv('CartPole-v1', { wrappers: [{ type: 'observationNoise', std: -1 } as never] })).toThrow('wrappers[0].std');
  expect(() => makeEnv('CartPole-v1', { wrappers: [{ type: 'noise' } as never] })).toThrow('unknown wrapper type');
});

test('custom envs register under namespaced ids and get the time limit and a contract check', () => {
  registerEnv({ id: 'test-pkg/Scripted-v0', create: () => new ScriptedEnv(), maxEpisodeSteps: 3, rewardThreshold: 5 });
  try {
    const env = makeEnv('test-pkg/Scripted-v0');
    expect(envLabel(env)).toBe('<RecordEpisodeStatistics<TimeLimit<test-pkg/Scripted-v0>>>');
    env.reset({ seed: 1 });
    env.step(0);
    env.step(1);
    const last = env.step(2);
    expect(last.truncated).toBe(true);
    expect(last.info['episode']).toEqual({ return: 6, length: 3 });
    expect(() => registerEnv({ id: 'test-pkg/Scripted-v0', create: () => new ScriptedEnv() })).toThrow('already registered');
    expect(() => registerEnv({ id: 'bad id!', create: () => new ScriptedEnv() })).toThrow('is not valid');
  } finally {
    unregisterEnv('test-pkg/Scripted-v0');
  }
});

test('a malformed step from a custom env raises EnvError naming the id, the step and the field', () => {
  registerEnv({
    id: 'test-pkg/NaN-v0',
    create: () =>
      new ScriptedEnv({
        step: (e) => {
          const o = new Float32Array(2);
          if (e.t === 3) o[1] = Number.NaN;
          return { observation: o, reward: 0, terminated: false, truncated: false, info: {} };
        },
      }),
  });
  try {
    const env = makeEnv('test-pkg/NaN-v0');
    env.reset();
    env.step(0);
    env.step(0);
    let err: unknown;
    try {
      env.step(0);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EnvError);
    expect((err as EnvError).message).toBe('test-pkg/NaN-v0 step 2: observation[1] is NaN; expected a finite number');
    expect(err).toMatchObject({ envId: 'test-pkg/NaN-v0', step: 2, field: 'observation[1]' });
  } finally {
    unregisterEnv('test-pkg/NaN-v0');
  }
});

test('terminated and truncated can both be true on one step', () => {
  registerEnv({
    id: 'test-pkg/EndsAt2-v0',
    create: () => new ScriptedEnv({ step: (e) => ({ observation: new Float32Array(2), reward: 1, terminated: e.t === 2, truncated: false, info: {} }) }),
    maxEpisodeSteps: 2,
  });
  try {
    const env = makeEnv('test-pkg/EndsAt2-v0');
    env.reset();
    env.step(0);
    const r = env.step(0);
    expect([r.terminated, r.truncated]).toEqual([true, true]);
  } finally {
    unregisterEnv('test-pkg/EndsAt2-v0');
  }
});
