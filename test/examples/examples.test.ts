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

const run = (file: string, args: string[], cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-example-'))) =>
  execFileSync(tsx, [path.join(root, file), ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

test('examples/custom-callback.ts: the callbacks see every episode and can stop training', () => {
  expect(run('examples/custom-callback.ts', ['3000'])).toMatch(/(stopped early|used the whole budget): \d+ steps, \d+ episodes, best episode \d+/);
}, 120_000);

test('examples/gymnasium-env.ts trains on gymnasium:CartPole-v1 through the bridge and closes its Python', () => {
  expect(run('examples/gymnasium-env.ts', ['600'])).toMatch(/Discrete\(2\): \d+ episodes, final evaluation \d+/);
}, 120_000);

test('examples/experiment.json runs through wnrl compare (a smaller budget and one seed) and writes its report', () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-example-'));
  const e = JSON.parse(fs.readFileSync(path.join(root, 'examples/experiment.json'), 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(path.join(cwd, 'small.json'), JSON.stringify({ ...e, seeds: [1], steps: 1000, trainer: { evalInterval: 0, evalEpisodes: 2 } }));
  execFileSync(process.execPath, [path.join(root, 'src/cli/bin.js'), 'compare', 'small.json', '--out', 'out', '--workers', '2'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  expect(fs.readFileSync(path.join(cwd, 'out/report.md'), 'utf8')).toContain('# Example: weight norm against none on CartPole-v1');
  expect(fs.readFileSync(path.join(cwd, 'out/results.csv'), 'utf8').trim().split('\n')).toHaveLength(1 + 4);
}, 180_000);
