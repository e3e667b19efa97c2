// `module:EnvId` from a clone (the sources through tsx): parsing, --env, --config files (relative to the
// file), experiment files, eval from another directory, and the errors. The packed-package case, in ESM
// and CommonJS projects, is test/package/package.test.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { normalizeEnvLayer, parseEnvRef } from '../../src/config/env-module.ts';
import { capture } from '../helpers/capture.ts';

const example = path.resolve('examples', 'custom-env.ts');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-envmod-'));

async function run(args: string[]) {
  const { io, chunks } = capture();
  const code = await main(args, io);
  return { code, ...chunks };
}

test('parseEnvRef splits at the last colon and resolves file modules against the base directory', () => {
  expect(parseEnvRef('CartPole-v1', '/base')).toEqual({ id: 'CartPole-v1' });
  expect(parseEnvRef('./envs/my.ts:my-pkg/Chain-v0', '/base')).toEqual({ id: 'my-pkg/Chain-v0', module: '/base/envs/my.ts' });
  expect(parseEnvRef('../x.js:A-v1', '/base/sub')).toEqual({ id: 'A-v1', module: '/base/x.js' });
  expect(parseEnvRef('/abs/x.mjs:A-v1', '/base')).toEqual({ id: 'A-v1', module: '/abs/x.mjs' });
  expect(parseEnvRef('file:///abs/x.mjs:A-v1', '/base')).toEqual({ id: 'A-v1', module: '/abs/x.mjs' });
  expect(parseEnvRef('my-env-package:pkg/Env-v2', '/base')).toEqual({ id: 'pkg/Env-v2', module: 'my-env-package' });
  expect(parseEnvRef('@scope/envs/sub:pkg/Env-v2', '/base')).toEqual({ id: 'pkg/Env-v2', module: '@scope/envs/sub' });
  expect(normalizeEnvLayer({ env: { id: 'CartPole-v1', module: './m.ts' }, agent: { algo: 'ppo' } }, '/cfg')).toEqual({
    env: { id: 'CartPole-v1', module: '/cfg/m.ts' },
    agent: { algo: 'ppo' },
  });
});

test('--env MODULE:ID trains, records the module, and eval from another directory loads it again', async () => {
  const dir = tmp();
  const out = path.join(dir, 'run');
  const rel = path.relative(process.cwd(), example);
  const r = await run(['train', '--env', `./${rel}:my-pkg/Chain-v0`, '--agent', 'dqn', '--norm', 'weight', '--steps', '600', '--seed', '3', '--out', out, '--no-progress']);
  expect(r.code, r.err).toBe(0);
  const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')) as { env: { id: string; module: string } };
  expect(config.env).toMatchObject({ id: 'my-pkg/Chain-v0', module: example });
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const ev = await run(['eval', out, '--episodes', '3', '--json']);
    expect(ev.code, ev.err).toBe(0);
    expect((JSON.parse(ev.out) as { env: string }).env).toBe('my-pkg/Chain-v0');
  } finally {
    process.chdir(cwd);
  }
});

test('a --config file names its module relative to itself; --env with a plain id drops the file module', async () => {
  const dir = tmp();
  fs.mkdirSync(path.join(dir, 'cfg'));
  const file = path.join(dir, 'cfg', 'run.json');
  fs.writeFileSync(file, JSON.stringify({ env: { id: `${path.relative(path.join(dir, 'cfg'), example)}:my-pkg/Chain-v0` }, agent: { algo: 'dqn' }, trainer: { totalSteps: 300 } }));
  const r = await run(['train', '--config', file, '--out', path.join(dir, 'a'), '--no-progress']);
  expect(r.code, r.err).toBe(0);
  expect((JSON.parse(fs.readFileSync(path.join(dir, 'a', 'config.json'), 'utf8')) as { env: { module: string } }).env.module).toBe(example);
  const plain = await run(['train', '--config', file, '--env', 'CartPole-v1', '--out', path.join(dir, 'b'), '--no-progress']);
  expect(plain.code, plain.err).toBe(0);
  expect((JSON.parse(fs.readFileSync(path.join(dir, 'b', 'config.json'), 'utf8')) as { env: object }).env).not.toHaveProperty('module');
});

test.each([
  [['./examples/custom-env.ts:my-pkg/Nope-v0'], "--env: env module '%EX%' does not register 'my-pkg/Nope-v0'; it registers"],
  [['./no/such/file.ts:my-pkg/Chain-v0'], "--env: env module '%CWD%/no/such/file.ts' (for 'my-pkg/Chain-v0') could not be loaded: no such file"],
  [['no-such-package-xyz:pkg/A-v0'], "--env: env module 'no-such-package-xyz' (for 'pkg/A-v0') could not be loaded: Cannot find"],
])('bad module %j: exit 2, one line naming module and id, nothing written', async ([env], message) => {
  const out = path.join(tmp(), 'run');
  const r = await run(['train', '--env', env!, '--agent', 'dqn', '--out', out]);
  expect(r.code).toBe(2);
  expect(r.err.trim().split('\n')).toHaveLength(1);
  expect(r.err).toContain(message.replace('%EX%', example).replace('%CWD%', process.cwd()));
  expect(fs.existsSync(out)).toBe(false);
});

test('wnrl check-env takes MODULE:ID and a registered id', async () => {
  const a = await run(['check-env', './examples/custom-env.ts:my-pkg/Chain-v0']);
  expect(a.code, a.err).toBe(0);
  expect(a.out).toContain('my-pkg/Chain-v0: passes checkEnv');
  const b = await run(['check-env', 'CartPole-v1', '--steps', '200']);
  expect(b.code, b.err).toBe(0);
  expect(b.out).toContain('CartPole-v1: passes checkEnv');
});

test('an experiment file lists a module env relative to itself; experiment.json keeps it absolute', async () => {
  const dir = tmp();
  const file = path.join(dir, 'exp.json');
  fs.writeFileSync(
    file,
    JSON.stringify({ name: 'module-env', agents: ['dqn'], envs: [`${path.relative(dir, example)}:my-pkg/Chain-v0`], norms: ['none'], seeds: [1], steps: 300, trainer: { evalEpisodes: 2 } }),
  );
  const out = path.join(dir, 'out');
  const r = await run(['compare', file, '--out', out, '--workers', '1']);
  expect(r.code, r.err).toBe(0);
  expect((JSON.parse(fs.readFileSync(path.join(out, 'experiment.json'), 'utf8')) as { envs: string[] }).envs).toEqual([`${example}:my-pkg/Chain-v0`]);
  const runs = fs.readdirSync(path.join(out, 'runs'));
  expect(runs).toEqual(['dqn-my-pkg_Chain-v0-clean-none-s1']);
  const config = JSON.parse(fs.readFileSync(path.join(out, 'runs', runs[0]!, 'config.json'), 'utf8')) as { env: { module: string } };
  expect(config.env.module).toBe(example);
}, 120_000);
