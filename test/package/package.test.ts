// wnrl as a dependency, tried as a new user would: `npm pack` (which builds dist/ on prepack), install the
// tarball into a fresh ESM project and a fresh CommonJS project, provision the backend with `npx wnrl
// setup`, then from plain Node import the package, and through the CLI check and train environments
// written in those projects (JavaScript and TypeScript) by `module:EnvId`.
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const repo = path.join(import.meta.dirname, '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-package-'));
let tarball = '';

// A chain: moving right from the last of 5 states pays 10 and ends the episode; left pays 0.1.
const chainBody = `
class Chain {
  constructor() {
    this.observationSpace = new Box(0, 1, [5]);
    this.actionSpace = new Discrete(2);
    this.rng = new Rng();
    this.position = 0;
  }
  get unwrapped() { return this; }
  observe() { const o = new Float32Array(5); o[this.position] = 1; return o; }
  reset(opts = {}) {
    if (opts.seed !== undefined) this.rng.seed(opts.seed);
    this.position = this.rng.int(2);
    return { observation: this.observe(), info: {} };
  }
  step(action) {
    if (action === 1 && this.position === 4) return { observation: this.observe(), reward: 10, terminated: true, truncated: false, info: {} };
    this.position = Math.max(0, Math.min(4, this.position + (action === 1 ? 1 : -1)));
    return { observation: this.observe(), reward: action === 0 ? 0.1 : 0, terminated: false, truncated: false, info: {} };
  }
}`;

const tsEnv = `import { Box, Discrete, Rng, registerEnv, type Env, type ResetOptions, type StepResult } from 'wnrl/envs';

export class Walk implements Env<number> {
  readonly observationSpace = new Box(-1, 1, [1]);
  readonly actionSpace = new Discrete(2);
  private readonly rng = new Rng();
  private x = 0;
  get unwrapped(): Env<number> { return this; }
  reset(opts: ResetOptions = {}) {
    if (opts.seed !== undefined) this.rng.seed(opts.seed);
    this.x = 0;
    return { observation: Float32Array.of(this.x), info: {} };
  }
  step(action: number): StepResult {
    this.x = Math.max(-1, Math.min(1, this.x + (action === 1 ? 0.25 : -0.25) + 0.01 * this.rng.normal()));
    const terminated = this.x >= 1;
    return { observation: Float32Array.of(this.x), reward: terminated ? 1 : -0.01, terminated, truncated: false, info: {} };
  }
}

registerEnv({ id: 'ts-pkg/Walk-v0', create: () => new Walk(), maxEpisodeSteps: 50 });
`;

function run(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
}

function project(kind: 'esm' | 'cjs'): string {
  const dir = path.join(tmp, kind);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `user-${kind}`, version: '1.0.0', private: true, ...(kind === 'esm' ? { type: 'module' } : {}) }));
  const jsImport = kind === 'esm' ? "import { Box, Discrete, Rng, registerEnv } from 'wnrl/envs';" : "const { Box, Discrete, Rng, registerEnv } = require('wnrl/envs');";
  fs.writeFileSync(path.join(dir, 'chain.js'), `${jsImport}\n${chainBody}\nregisterEnv({ id: 'js-pkg/Chain-v0', create: () => new Chain(), maxEpisodeSteps: 100, rewardThreshold: 9 });\n`);
  fs.writeFileSync(path.join(dir, 'walk.ts'), tsEnv);
  // tfjs-node's own install script downloads libtensorflow (no internet here): the README's command skips it.
  const install = run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', tarball], dir);
  if (install.status !== 0) throw new Error(`npm install failed: ${install.stderr}`);
  return dir;
}

const wnrl = (dir: string, ...args: string[]) => run('npx', ['--no-install', 'wnrl', ...args], dir);

beforeAll(() => {
  // dist/ is built by prepack; this repository's .npmrc turns lifecycle scripts off, so turn them on here.
  const out = execFileSync('npm', ['pack', '--ignore-scripts=false', '--pack-destination', tmp, '--json'], { cwd: repo, encoding: 'utf8' });
  tarball = path.join(tmp, (JSON.parse(out) as { filename: string }[])[0]!.filename);
}, 120_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('the tarball ships compiled modules and declarations, not the TypeScript sources', () => {
  const list = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
  expect(list).toContain('package/dist/src/index.js');
  expect(list).toContain('package/dist/src/index.d.ts');
  expect(list).toContain('package/dist/envs/index.js');
  expect(list).toContain('package/src/cli/bin.js');
  expect(list).toContain('package/scripts/setup-native.mjs');
  expect(list).toContain('package/scripts/setup-gymnasium.mjs');
  expect(list).toContain('package/dist/envs/bridge/gymnasium_server.py');
  expect(list.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
});

describe.each(['esm', 'cjs'] as const)('installed into a fresh %s project', (kind) => {
  let dir = '';
  beforeAll(() => {
    dir = project(kind);
  }, 180_000);

  test('before setup, importing wnrl names the command that provisions the backend', () => {
    // The addon is absent until `wnrl setup` (npm install ran no scripts): the error must say what to run.
    const r = run('node', ['-e', kind === 'esm' ? "await import('wnrl')" : "require('wnrl')", ...(kind === 'esm' ? ['--input-type=module'] : [])], dir);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('Run `npx wnrl setup` to provision it');
  });

  test('wnrl setup provisions the native backend; plain Node then imports wnrl and wnrl/envs', () => {
    const setup = wnrl(dir, 'setup');
    expect(setup.status, setup.stderr).toBe(0);
    const script =
      kind === 'esm'
        ? `import { createRequire } from 'node:module';
           const envs = await import('wnrl/envs');
           const tfLoaded = Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('@tensorflow'));
           await import('./chain.js');
           const env = envs.makeEnv('js-pkg/Chain-v0');
           const { observation } = env.reset({ seed: 1 });
           const w = await import('wnrl');
           console.log(JSON.stringify({ tfLoaded, obs: Array.from(observation), backend: w.backendInfo().backend, ppo: typeof w.PPO, sameRegistry: w.listEnvs().some((e) => e.id === 'js-pkg/Chain-v0') }));`
        : `const envs = require('wnrl/envs');
           const tfLoaded = Object.keys(require.cache).some((k) => k.includes('@tensorflow'));
           require('./chain.js');
           const env = envs.makeEnv('js-pkg/Chain-v0');
           const { observation } = env.reset({ seed: 1 });
           const w = require('wnrl');
           console.log(JSON.stringify({ tfLoaded, obs: Array.from(observation), backend: w.backendInfo().backend, ppo: typeof w.PPO, sameRegistry: w.listEnvs().some((e) => e.id === 'js-pkg/Chain-v0') }));`;
    const file = path.join(dir, kind === 'esm' ? 'main.mjs' : 'main.cjs');
    fs.writeFileSync(file, script);
    const r = run('node', [file], dir);
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { tfLoaded: boolean; obs: number[]; backend: string; ppo: string; sameRegistry: boolean };
    expect(got.tfLoaded).toBe(false); // wnrl/envs loads no TensorFlow
    expect(got.obs).toHaveLength(5);
    expect(got.obs.reduce((a, b) => a + b, 0)).toBe(1);
    expect(got).toMatchObject({ backend: 'tensorflow', ppo: 'function', sameRegistry: true });
  });

  test('wnrl check-env MODULE:ID passes a JavaScript and a TypeScript env of the project', () => {
    const js = wnrl(dir, 'check-env', './chain.js:js-pkg/Chain-v0');
    expect(js.status, js.stderr).toBe(0);
    expect(js.stdout).toContain('js-pkg/Chain-v0: passes checkEnv (Box(0, 1, (5,), float32), Discrete(2))');
    const ts = wnrl(dir, 'check-env', './walk.ts:ts-pkg/Walk-v0');
    expect(ts.status, ts.stderr).toBe(0);
    expect(ts.stdout).toContain('ts-pkg/Walk-v0: passes checkEnv');
  });

  test('a module that does not register the id, or does not load: exit 2, one line naming module and id', () => {
    const wrongId = wnrl(dir, 'train', '--env', './chain.js:js-pkg/Missing-v0', '--agent', 'dqn', '--out', 'runs/never');
    expect(wrongId.status).toBe(2);
    expect(wrongId.stderr.trim().split('\n')).toEqual([
      `wnrl train: --env: env module '${path.join(dir, 'chain.js')}' does not register 'js-pkg/Missing-v0'; it registers 'js-pkg/Chain-v0'`,
    ]);
    const missing = wnrl(dir, 'check-env', './nope.ts:x/Y-v0');
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim()).toBe(`wnrl check-env: ./nope.ts:x/Y-v0: env module '${path.join(dir, 'nope.ts')}' (for 'x/Y-v0') could not be loaded: no such file`);
    fs.writeFileSync(path.join(dir, 'throws.js'), "throw new Error('boom at load');\n");
    const throws = wnrl(dir, 'check-env', './throws.js:x/Y-v0');
    expect(throws.status).toBe(2);
    expect(throws.stderr.trim()).toContain("(for 'x/Y-v0') could not be loaded: boom at load");
    expect(fs.existsSync(path.join(dir, 'runs', 'never'))).toBe(false);
  });

  test('wnrl train --env MODULE:ID learns the chain; config.json records the module; eval from elsewhere finds it', () => {
    const r = wnrl(dir, 'train', '--env', './chain.js:js-pkg/Chain-v0', '--agent', 'dqn', '--norm', 'weight', '--steps', '3000', '--seed', '1', '--out', 'runs/chain', '--no-progress');
    expect(r.status, r.stderr).toBe(0);
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'runs', 'chain', 'config.json'), 'utf8')) as { env: { id: string; module: string } };
    expect(config.env).toMatchObject({ id: 'js-pkg/Chain-v0', module: path.join(dir, 'chain.js') });
    // Evaluated from another directory: the absolute module path in config.json is loaded again.
    const ev = run('npx', ['--prefix', dir, '--no-install', 'wnrl', 'eval', path.join(dir, 'runs', 'chain'), '--episodes', '5', '--json'], os.tmpdir());
    expect(ev.status, ev.stderr).toBe(0);
    const report = JSON.parse(ev.stdout) as { env: string; returnMean: number };
    expect(report.env).toBe('js-pkg/Chain-v0');
    // Optimal: from state 0 or 1, 3-4 right moves then the +10 exit; always-left earns 0.1 per step for 100.
    expect(report.returnMean).toBeGreaterThanOrEqual(9.5);
  });

  test('a TypeScript env trains through module:EnvId and the run resumes', () => {
    const r = wnrl(dir, 'train', '--env', './walk.ts:ts-pkg/Walk-v0', '--agent', 'ppo', '--norm', 'weight', '--steps', '2048', '--out', 'runs/walk', '--no-progress');
    expect(r.status, r.stderr).toBe(0);
    const resumed = wnrl(dir, 'train', '--out', 'runs/walk', '--resume', '--steps', '4096', '--no-progress');
    expect(resumed.status, resumed.stderr).toBe(0);
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'runs', 'walk', 'summary.json'), 'utf8')) as { totalSteps: number };
    expect(summary.totalSteps).toBe(4096);
  });

  test.runIf(kind === 'esm')('the declarations type-check a user program (TypeScript, nodenext)', () => {
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [path.join(repo, 'node_modules', '@types')] }, files: ['typed.ts', 'walk.ts'] }),
    );
    fs.writeFileSync(
      path.join(dir, 'typed.ts'),
      `import { PPO, makeVectorEnv, type Env } from 'wnrl';\nimport { makeEnv } from 'wnrl/envs';\nconst e: Env = makeEnv('CartPole-v1');\nconst v = makeVectorEnv('CartPole-v1', { numEnvs: 2 });\nexport const used = [e, v, PPO];\n// @ts-expect-error: the declarations are precise enough to reject this\nmakeEnv(42);\n`,
    );
    const r = run(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], dir);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});
