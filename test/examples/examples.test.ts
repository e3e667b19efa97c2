// The examples run, with a small budget, as a user would run them (a child process, from a fresh
// directory), and the README's code block is the example file itself.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');

test('examples/train-from-code.ts trains, saves, loads and evaluates', () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-example-'));
  const out = execFileSync(tsx, [path.join(root, 'examples/train-from-code.ts'), '2000'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  expect(out).toMatch(/final evaluation \d+(\.\d)? after 2000 steps/);
  expect(out).toMatch(/loaded agent: mean return \d+(\.\d)? over 8 episodes/);
  expect(fs.existsSync(path.join(cwd, 'runs/example-ppo/summary.json'))).toBe(true);
}, 120_000);

test("README's code quick start is examples/train-from-code.ts, verbatim", () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const m = /<!-- example: (\S+) -->\n```ts\n([\s\S]*?)```/.exec(readme);
  expect(m?.[1]).toBe('examples/train-from-code.ts');
  expect(m![2]).toBe(fs.readFileSync(path.join(root, m![1]!), 'utf8'));
});
