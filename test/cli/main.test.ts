import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { main, version } from '../../src/cli/main.ts';
import { capture } from '../helpers/capture.ts';

test('--help lists the commands and exits 0', async () => {
  const { io, chunks } = capture();
  expect(await main(['--help'], io)).toBe(0);
  expect(chunks.out).toContain('Usage: wnrl <command>');
  expect(chunks.out).toContain('demo');
});

test('--version prints the package version', async () => {
  const { io, chunks } = capture();
  expect(await main(['--version'], io)).toBe(0);
  expect(chunks.out.trim()).toBe(`wnrl ${version()}`);
  expect(version()).toMatch(/^\d+\.\d+\.\d+/);
});

test('an unknown command exits 2 with a suggestion', async () => {
  const { io, chunks } = capture();
  expect(await main(['dmeo'], io)).toBe(2);
  expect(chunks.err).toContain("unknown command 'dmeo'; did you mean 'demo'?");
});

test('an unknown flag exits 2 and names it', async () => {
  const { io, chunks } = capture();
  expect(await main(['demo', '--stpes', '3'], io)).toBe(2);
  expect(chunks.err).toContain('--stpes: unknown flag; did you mean --steps?');
});

test('bad numeric flags are all reported, one line each', async () => {
  const { io, chunks } = capture();
  expect(await main(['demo', '--steps', '-3', '--seed', '1.5'], io)).toBe(2);
  expect(chunks.err).toContain('--steps: expected a positive integer; got -3');
  expect(chunks.err).toContain('--seed: expected a non-negative integer seed; got 1.5');
});

test('the demo trains on the native backend and the loss falls', async () => {
  const { io, chunks } = capture();
  expect(await main(['demo', '--steps', '60', '--seed', '3'], io)).toBe(0);
  const m = /on the (\w+) backend .*loss ([\d.]+) -> ([\d.]+)/.exec(chunks.out);
  expect(m).not.toBeNull();
  expect(m![1]).toBe('tensorflow');
  expect(Number(m![3])).toBeLessThan(Number(m![2]) * 0.7);
});

test('the installed bin runs without a build step and exits 2 on bad input', () => {
  const r = spawnSync(process.execPath, ['src/cli/bin.js', 'nope'], { encoding: 'utf8' });
  expect(r.status).toBe(2);
  expect(r.stderr).toContain("unknown command 'nope'");
  const v = spawnSync(process.execPath, ['src/cli/bin.js', '--version'], { encoding: 'utf8' });
  expect(v.status).toBe(0);
  expect(v.stdout.trim()).toBe(`wnrl ${version()}`);
});
