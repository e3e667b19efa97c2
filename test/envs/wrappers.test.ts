import { expect, test } from 'vitest';
import {
  ClipAction,
  Flicker,
  MaskVelocity,
  NormalizeObservation,
  NormalizeReward,
  ObservationNoise,
  RewardNoise,
  StickyActions,
  TimeLimit,
  makeEnv,
} from '../../envs/index.ts';
import { ScriptedEnv } from '../helpers/scripted-env.ts';

const meanStd = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean: m, std: Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length) };
};

test('TimeLimit truncates at maxEpisodeSteps and restarts the count on reset', () => {
  const env = new TimeLimit(new ScriptedEnv(), 4);
  env.reset();
  const flags = [0, 1, 2, 3].map(() => env.step(0).truncated);
  expect(flags).toEqual([false, false, false, true]);
  env.reset();
  expect(env.step(0).truncated).toBe(false);
  expect(env.elapsedSteps).toBe(1);
});

test('ObservationNoise adds Gaussian noise with the configured std, from its own seeded stream', () => {
  const env = new ObservationNoise(new ScriptedEnv(), 0.5);
  env.reset({ seed: 1 });
  const noise: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const r = env.step(2);
    noise.push(r.observation[0]! - (i + 1), r.observation[1]! - 2);
  }
  const { mean, std } = meanStd(noise);
  expect(Math.abs(mean)).toBeLessThan(0.01);
  expect(Math.abs(std - 0.5)).toBeLessThan(0.01);
});

test('RewardNoise adds Gaussian noise to rewards; recorded episode returns stay the true ones', () => {
  const env = makeEnv('CartPole-v1', { wrappers: [{ type: 'rewardNoise', std: 2 }] });
  env.reset({ seed: 3 });
  const noise: number[] = [];
  const episodeReturns: number[] = [];
  let noisyReturn = 0;
  let length = 0;
  while (noise.length < 20_000) {
    const r = env.step(noise.length % 2);
    noise.push(r.reward - 1);
    noisyReturn += r.reward;
    length++;
    if (r.terminated || r.truncated) {
      const ep = r.info['episode'] as { return: number; length: number };
      expect(ep.return).toBe(length); // CartPole pays exactly 1 per step: the true return
      expect(ep.return).not.toBe(noisyReturn);
      episodeReturns.push(ep.return);
      noisyReturn = 0;
      length = 0;
      env.reset();
    }
  }
  expect(episodeReturns.length).toBeGreaterThan(100);
  const { mean, std } = meanStd(noise);
  expect(Math.abs(mean)).toBeLessThan(0.05);
  expect(Math.abs(std - 2)).toBeLessThan(0.04);
});

test('StickyActions repeats the previous action with probability p, never on the first step', () => {
  const inner = new ScriptedEnv();
  const env = new StickyActions(inner, 0.25);
  env.reset({ seed: 9 });
  let sticky = 0;
  const n = 40_000;
  for (let i = 0; i < n; i++) {
    const given = i % 2; // alternate, so a repeat is visible in the executed action
    env.step(given);
    if (env.lastWasSticky) {
      sticky++;
      expect(inner.actions[i]).toBe(inner.actions[i - 1]);
    } else expect(inner.actions[i]).toBe(given);
  }
  expect(Math.abs(sticky / n - 0.25)).toBeLessThan(0.01);
  env.reset();
  env.step(2);
  expect(inner.actions.at(-1)).toBe(2);
  expect(env.lastWasSticky).toBe(false);
});

test('NormalizeObservation tracks running mean and variance, and stops updating when frozen', () => {
  const env = new NormalizeObservation(new ScriptedEnv());
  env.reset();
  const n = 1000;
  for (let i = 0; i < n; i++) env.step(1);
  const { mean, var: variance, count } = env.stats;
  // Observations: reset [0, 0], then [t, 1] for t = 1..n (count starts at 1e-4, as Gymnasium).
  const xs = [0, ...Array.from({ length: n }, (_, i) => i + 1)];
  const m = meanStd(xs);
  expect(count).toBeCloseTo(n + 1 + 1e-4, 6);
  expect(mean[0]).toBeCloseTo(m.mean, 1);
  expect(Math.sqrt(variance[0]!)).toBeCloseTo(m.std, 0);
  expect(mean[1]).toBeCloseTo(n / (n + 1), 3);
  env.frozen = true;
  const before = env.stats;
  const r = env.step(1);
  expect(env.stats).toEqual(before);
  expect(r.observation[0]).toBeCloseTo((n + 1 - before.mean[0]!) / Math.sqrt(before.var[0]! + 1e-8), 4);
});

test('NormalizeReward divides by the running std of the discounted return, reset on termination only', () => {
  // Reward 1 every step; the script terminates at t = 5 and truncates at t = 8, then counts on.
  const gamma = 0.5;
  const env = new NormalizeReward(
    new ScriptedEnv({
      step: (e) => ({ observation: new Float32Array(2), reward: 1, terminated: e.t === 5, truncated: e.t === 8, info: {} }),
    }),
    gamma,
  );
  env.reset();
  const returns: number[] = [];
  let g = 0;
  for (let t = 1; t <= 2000; t++) {
    const r = env.step(0);
    g = g * gamma + 1; // G_t = γ·G_{t-1}·(1 − terminated_t) + r_t: the termination at t = 5 zeroes G_4's share
    if (t === 5) g = 1;
    returns.push(g);
    expect(r.reward, `step ${t}`).toBeCloseTo(1 / Math.sqrt(env.stats.var[0]! + 1e-8), 10);
  }
  // The truncation at t = 8 did not restart the return: G_9 = 1 + γ·G_8.
  expect(returns[8]).toBeCloseTo(1 + gamma * returns[7]!, 12);
  const { mean, std } = meanStd(returns);
  expect(env.stats.mean[0]).toBeCloseTo(mean, 3);
  expect(Math.sqrt(env.stats.var[0]!)).toBeCloseTo(std, 3);
  env.frozen = true;
  const before = env.stats;
  expect(env.step(0).reward).toBeCloseTo(1 / Math.sqrt(before.var[0]! + 1e-8), 10);
  expect(env.stats).toEqual(before);
  expect(() => new NormalizeReward(new ScriptedEnv(), 1.5)).toThrow('gamma');
});

test('normalizeReward via makeEnv: outermost, the agent sees scaled rewards, info.episode keeps the task return', () => {
  const env = makeEnv('CartPole-v1', { wrappers: [{ type: 'normalizeReward', gamma: 0.99 }, { type: 'normalizeObservation' }] });
  expect(env).toBeInstanceOf(NormalizeReward);
  const normalizer = env as NormalizeReward;
  env.reset({ seed: 3 });
  for (;;) {
    const r = env.step(0);
    expect(r.reward).toBeCloseTo(1 / Math.sqrt(normalizer.stats.var[0]! + 1e-8), 10);
    if (r.terminated || r.truncated) {
      const episode = r.info['episode'] as { return: number; length: number };
      expect(episode.return).toBe(episode.length); // CartPole's reward is 1 per step
      break;
    }
  }
  expect(() => makeEnv('CartPole-v1', { wrappers: [{ type: 'normalizeReward', gamma: 2 } as never] })).toThrow('wrappers[0].gamma');
});

test('MaskVelocity zeroes the velocity components of CartPole, Acrobot and Pendulum', () => {
  const cases: [string, number[]][] = [
    ['CartPole-v1', [1, 3]],
    ['Acrobot-v1', [4, 5]],
    ['Pendulum-v1', [2]],
  ];
  for (const [id, idx] of cases) {
    const env = makeEnv(id, { wrappers: [{ type: 'maskVelocity' }] });
    env.reset({ seed: 0 });
    const action = id === 'Pendulum-v1' ? new Float32Array([1]) : 1;
    for (let i = 0; i < 5; i++) {
      const o = env.step(action).observation;
      for (let j = 0; j < o.length; j++) {
        if (idx.includes(j)) expect(o[j], `${id}[${j}]`).toBe(0);
      }
    }
    expect((env as unknown as MaskVelocity).indices).toEqual(idx);
  }
  expect(() => new MaskVelocity(new ScriptedEnv())).toThrow('declares no velocityIndices');
});

test('ClipAction clips continuous actions to the bounds', () => {
  const env = makeEnv<Float32Array>('Pendulum-v1', { wrappers: [{ type: 'clipAction' }] });
  const raw = makeEnv<Float32Array>('Pendulum-v1');
  env.reset({ seed: 4 });
  raw.reset({ seed: 4 });
  const a = env.step(new Float32Array([7]));
  const b = raw.step(new Float32Array([2]));
  expect(Array.from(a.observation)).toEqual(Array.from(b.observation));
  // Pendulum's reward uses the clipped torque anyway; MountainCarContinuous's uses the raw one.
  const mc = makeEnv<Float32Array>('MountainCarContinuous-v0', { wrappers: [{ type: 'clipAction' }] });
  const mcRaw = makeEnv<Float32Array>('MountainCarContinuous-v0');
  mc.reset({ seed: 1 });
  mcRaw.reset({ seed: 1 });
  expect(mc.step(new Float32Array([3])).reward).toBeCloseTo(-0.1, 6);
  expect(mcRaw.step(new Float32Array([3])).reward).toBeCloseTo(-0.9, 6);
  expect(() => new ClipAction(new ScriptedEnv() as never)).toThrow('needs a Box action space');
});

test('noise wrappers on different envs with different seeds draw different noise', () => {
  const a = new RewardNoise(new ScriptedEnv(), 1);
  const b = new RewardNoise(new ScriptedEnv(), 1);
  a.reset({ seed: 1 });
  b.reset({ seed: 2 });
  expect(a.step(0).reward).not.toBe(b.step(0).reward);
});

test('Flicker blanks the whole observation with probability p, from its own seeded stream', () => {
  const run = (seed: number) => {
    const env = makeEnv('CartPole-v1', { wrappers: [{ type: 'flicker', p: 0.3 }], maxEpisodeSteps: null });
    const blanks: boolean[] = [];
    env.reset({ seed });
    for (let t = 0; t < 2000; t++) {
      const r = env.step(t % 2);
      blanks.push(Array.from(r.observation).every((v) => v === 0));
      if (r.terminated) env.reset();
    }
    return blanks;
  };
  const a = run(1);
  const rate = a.filter(Boolean).length / a.length;
  expect(rate).toBeGreaterThan(0.26);
  expect(rate).toBeLessThan(0.34);
  expect(run(1)).toEqual(a); // same seed, same blanks
  expect(run(2)).not.toEqual(a);
  expect((makeEnv('CartPole-v1', { wrappers: [{ type: 'flicker', p: 0.5 }] }) as Flicker).toString()).toContain('<Flicker<');
  expect(() => new Flicker(makeEnv('CartPole-v1'), 1.5)).toThrow('Flicker: p must be a probability in [0, 1]; got 1.5');
  // p = 0 never blanks; p = 1 always does
  const never = makeEnv('CartPole-v1', { wrappers: [{ type: 'flicker', p: 0 }] });
  expect(Array.from(never.reset({ seed: 3 }).observation).some((v) => v !== 0)).toBe(true);
  const always = makeEnv('CartPole-v1', { wrappers: [{ type: 'flicker', p: 1 }] });
  expect(Array.from(always.reset({ seed: 3 }).observation)).toEqual([0, 0, 0, 0]);
});

test.each([
  ['CartPoleNoVel-v1', 'CartPole-v1', [1, 3]],
  ['PendulumNoVel-v1', 'Pendulum-v1', [2]],
  ['MountainCarContinuousNoVel-v0', 'MountainCarContinuous-v0', [1]],
] as const)('%s is %s with the velocity entries multiplied by 0 and the width kept', (id, full, zeroed) => {
  const a = makeEnv(id);
  const b = makeEnv(full);
  expect(a.observationSpace.size).toBe(b.observationSpace.size);
  expect(a.spec).toEqual({ ...b.spec, id });
  let oa = a.reset({ seed: 7 }).observation;
  let ob = b.reset({ seed: 7 }).observation;
  for (let t = 0; t < 20; t++) {
    Array.from(ob).forEach((v, i) => expect(oa[i]).toBe((zeroed as readonly number[]).includes(i) ? 0 : v));
    const action = b.actionSpace.sample();
    oa = a.step(action as never).observation;
    ob = b.step(action as never).observation;
  }
});

test("normalizers clip at ±clip when asked (SB3's VecNormalize: 10), and not by default (Gymnasium's)", () => {
  const env = makeEnv('CartPole-v1', { wrappers: [{ type: 'normalizeObservation', clip: 0.5 }, { type: 'normalizeReward', gamma: 0.99, clip: 0.05 }] });
  let { observation } = env.reset({ seed: 3 });
  let maxObs = Math.max(...Array.from(observation, Math.abs));
  let maxReward = 0;
  for (let t = 0; t < 300; t++) {
    const r = env.step(t % 3 === 0 ? 1 : 0);
    maxObs = Math.max(maxObs, ...Array.from(r.observation, Math.abs));
    maxReward = Math.max(maxReward, Math.abs(r.reward));
    if (r.terminated || r.truncated) ({ observation } = env.reset());
  }
  expect(maxObs).toBeCloseTo(0.5, 6); // reached and held at the bound
  expect(maxReward).toBeCloseTo(0.05, 6);
  const plain = makeEnv('CartPole-v1', { wrappers: [{ type: 'normalizeObservation' }] });
  plain.reset({ seed: 3 });
  let maxPlain = 0;
  for (let t = 0; t < 50; t++) maxPlain = Math.max(maxPlain, ...Array.from(plain.step(1).observation, Math.abs));
  expect(maxPlain).toBeGreaterThan(0.5);
  expect(() => makeEnv('CartPole-v1', { wrappers: [{ type: 'normalizeObservation', clip: 0 }] })).toThrow(/wrappers\[0\]\.clip/);
});

test("NormalizeObservation with SB3's convention leaves an ended episode's final observation out of the statistics, and still normalizes it", () => {
  // The script's observation is [t, 1]; episodes end at t = 3 (terminated) and t = 6 (truncated).
  const script = new ScriptedEnv({ step: (e) => ({ observation: Float32Array.of(e.t, 1), reward: 0, terminated: e.t === 3, truncated: e.t === 6, info: {} }) });
  const env = new NormalizeObservation(script, 1e-8, null, 'sb3');
  const gym = new NormalizeObservation(new ScriptedEnv({ step: (e) => ({ observation: Float32Array.of(e.t, 1), reward: 0, terminated: e.t === 3, truncated: e.t === 6, info: {} }) }));
  env.reset();
  gym.reset();
  const seen: number[] = [0];
  for (let t = 1; t <= 8; t++) {
    const before = env.stats;
    const r = env.step(0);
    gym.step(0);
    if (t === 3 || t === 6) {
      expect(env.stats, `step ${t}`).toEqual(before);
      expect(r.observation[0]).toBeCloseTo((t - before.mean[0]!) / Math.sqrt(before.var[0]! + 1e-8), 5);
    } else seen.push(t);
  }
  expect(env.stats.count).toBeCloseTo(seen.length + 1e-4, 9);
  // the running mean starts at 0 with weight 1e-4 (Gymnasium's and SB3's RunningMeanStd)
  expect(env.stats.mean[0]).toBeCloseTo(seen.reduce((a, b) => a + b) / (seen.length + 1e-4), 9);
  // Gymnasium's convention counts the two final observations as well.
  expect(gym.stats.count).toBeCloseTo(seen.length + 2 + 1e-4, 9);
});

test("NormalizeReward with SB3's convention: G ← γ·G + r, restarted after every episode end (VecNormalize)", () => {
  const gamma = 0.5;
  const env = new NormalizeReward(new ScriptedEnv({ step: (e) => ({ observation: new Float32Array(2), reward: 1, terminated: e.t === 5, truncated: e.t === 8, info: {} }) }), gamma, 1e-8, null, 'sb3');
  env.reset();
  const returns: number[] = [];
  let g = 0;
  for (let t = 1; t <= 12; t++) {
    const r = env.step(0);
    g = g * gamma + 1; // the ending step's reward joins the return; the next episode starts from 0
    returns.push(g);
    expect(r.reward, `step ${t}`).toBeCloseTo(1 / Math.sqrt(env.stats.var[0]! + 1e-8), 10);
    if (t === 5 || t === 8) g = 0;
  }
  // G_5 = 1 + γ·G_4 (not restarted on the terminal step itself, unlike Gymnasium's), G_6 = 1, G_9 = 1 after the truncation.
  expect(returns[4]).toBeCloseTo(1 + gamma * returns[3]!, 12);
  expect([returns[5], returns[8]]).toEqual([1, 1]);
  const { mean, std } = meanStd(returns);
  expect(env.stats.mean[0]).toBeCloseTo(mean, 3);
  expect(Math.sqrt(env.stats.var[0]!)).toBeCloseTo(std, 3);
  // A reset mid-episode restarts the return too (VecNormalize.reset): G after it is the first reward alone.
  env.step(0);
  env.reset();
  const before = env.stats;
  env.step(0);
  // the running mean moved toward G = 1, not toward 1 + γ·G_13
  expect(env.stats.mean[0]).toBeCloseTo(before.mean[0]! + (1 - before.mean[0]!) / (before.count + 1), 12);
});

test("the normalizers' convention comes from the wrapper config, and a wrong one is named", () => {
  const env = makeEnv('CartPole-v1', { wrappers: [{ type: 'normalizeObservation', convention: 'sb3' }, { type: 'normalizeReward', convention: 'sb3' }] });
  expect(env).toBeInstanceOf(NormalizeReward);
  const reward = env as NormalizeReward;
  expect(reward.convention).toBe('sb3');
  expect((reward.env as NormalizeObservation).convention).toBe('sb3');
  expect((makeEnv('CartPole-v1', { wrappers: [{ type: 'normalizeReward' }] }) as NormalizeReward).convention).toBe('gymnasium');
  expect(() => makeEnv('CartPole-v1', { wrappers: [{ type: 'normalizeReward', convention: 'torch' } as never] })).toThrow(`wrappers[0].convention: expected 'gymnasium' or 'sb3'; got "torch"`);
});
