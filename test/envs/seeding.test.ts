import { expect, test } from 'vitest';
import { Box, Discrete, Rng, listEnvs, makeEnv, type Env } from '../../envs/index.ts';

function rollout(env: Env, seed: number, steps: number): number[] {
  const out: number[] = [];
  env.actionSpace.seed(seed);
  out.push(...env.reset({ seed }).observation);
  for (let t = 0; t < steps; t++) {
    const r = env.step(env.actionSpace.sample());
    out.push(...r.observation, r.reward, Number(r.terminated), Number(r.truncated));
    if (r.terminated || r.truncated) out.push(...env.reset().observation);
  }
  return out;
}

test.each(listEnvs().filter((e) => !e.id.includes('/')).map((e) => e.id))('%s: the same seed gives identical episodes', (id) => {
  const a = rollout(makeEnv(id), 42, 300);
  const b = rollout(makeEnv(id), 42, 300);
  const c = rollout(makeEnv(id), 43, 300);
  expect(a).toEqual(b);
  expect(a).not.toEqual(c);
});

test('reset() without a seed continues the stream rather than repeating it', () => {
  const env = makeEnv('CartPole-v1');
  const first = env.reset({ seed: 7 }).observation;
  const second = env.reset().observation;
  const again = makeEnv('CartPole-v1');
  again.reset({ seed: 7 });
  expect(Array.from(second)).not.toEqual(Array.from(first));
  expect(Array.from(again.reset().observation)).toEqual(Array.from(second));
});

test('noisy wrappers are deterministic under a seed too', () => {
  const opts = { wrappers: [{ type: 'observationNoise' as const, std: 0.3 }, { type: 'rewardNoise' as const, std: 1 }, { type: 'stickyActions' as const, p: 0.3 }] };
  expect(rollout(makeEnv('CartPole-v1', opts), 5, 200)).toEqual(rollout(makeEnv('CartPole-v1', opts), 5, 200));
});

test('Rng: uniform in [0,1), normal has unit variance, int covers its range', () => {
  const rng = new Rng(123);
  let sum = 0;
  let sumSq = 0;
  const n = 100_000;
  const counts = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const u = rng.random();
    if (!(u >= 0 && u < 1)) throw new Error(`uniform out of range: ${u}`);
    const z = rng.normal();
    sum += z;
    sumSq += z * z;
    counts[rng.int(3)]!++;
  }
  expect(Math.abs(sum / n)).toBeLessThan(0.02);
  expect(Math.abs(sumSq / n - 1)).toBeLessThan(0.02);
  for (const c of counts) expect(Math.abs(c / n - 1 / 3)).toBeLessThan(0.01);
});

test('spaces sample inside themselves, reject outsiders and round-trip through JSON', () => {
  const box = new Box([-1, 0, -Infinity], [1, Infinity, Infinity]);
  box.seed(3);
  for (let i = 0; i < 1000; i++) expect(box.contains(box.sample())).toBe(true);
  expect(box.contains(new Float32Array([2, 0, 0]))).toBe(false);
  expect(box.contains(new Float32Array([0, 0]))).toBe(false);
  expect(box.contains(new Float32Array([0, Number.NaN, 0]))).toBe(false);
  expect(box.toJSON()).toEqual({ type: 'Box', shape: [3], dtype: 'float32', low: [-1, 0, '-Infinity'], high: [1, 'Infinity', 'Infinity'] });
  const d = new Discrete(3, 1);
  d.seed(1);
  const seen = new Set<number>();
  for (let i = 0; i < 200; i++) seen.add(d.sample());
  expect([...seen].sort()).toEqual([1, 2, 3]);
  expect(d.contains(0)).toBe(false);
  expect(d.contains(1.5)).toBe(false);
  expect(d.toString()).toBe('Discrete(3, start=1)');
});
