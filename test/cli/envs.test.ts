import path from 'node:path';
import { expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { capture } from '../helpers/capture.ts';

test('wnrl envs lists the registered ids with spaces and limits', async () => {
  const { io, chunks } = capture();
  expect(await main(['envs'], io)).toBe(0);
  expect(chunks.out).toMatch(/CartPole-v1\s+Box\(\[-4\.8.*Discrete\(2\)\s+500\s+475/);
  expect(chunks.out).toMatch(/Pendulum-v1\s+.*Box\(-2, 2, \(1,\), float32\)\s+200\s+-/);
});

test('wnrl check-env passes the example and exits 0', async () => {
  const { io, chunks } = capture();
  expect(await main(['check-env', path.join('examples', 'custom-env.ts')], io)).toBe(0);
  expect(chunks.out).toContain('passes checkEnv');
});

test('wnrl check-env on a broken env lists its problems and exits 2', async () => {
  const { io, chunks } = capture();
  expect(await main(['check-env', path.join('test', 'helpers', 'broken-env.ts')], io)).toBe(2);
  expect(chunks.err).toContain('reward is NaN; expected a finite number');
  expect(chunks.err).toContain('observation has length 3; expected 2');
});

test('wnrl check-env on a missing file exits 2 naming it', async () => {
  const { io, chunks } = capture();
  expect(await main(['check-env', 'nope.ts'], io)).toBe(2);
  expect(chunks.err).toContain('nope.ts: could not be loaded');
});
