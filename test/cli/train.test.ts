import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { deriveSeed } from '../../envs/rng.ts';
import { main } from '../../src/cli/main.ts';
import { presetFor } from '../../src/config/presets.ts';
import { capture } from '../helpers/capture.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-cli-'));

async function run(args: string[]) {
  const { io, chunks } = capture();
  const code = await main(args, io);
  return { code, ...chunks };
}

test.each([
  [['--env', 'CartPole-v0', '--agent', 'dqn', '--norm', 'weight'], "makeEnv: no environment 'CartPole-v0' is registered; did you mean 'CartPole-v1'?"],
  [['--env', 'CartPole-v1', '--agent', 'sac', '--norm', 'weight'], "agent.algo: expected one of 'dqn'"],
  [['--env', 'CartPole-v1', '--agent', 'dqn', '--norm', 'group'], "agent.network.norm: expected one of 'none', 'weight'"],
  [['--env', 'CartPole-v1', '--agent', 'dqn', '--steps', '-5'], '--steps: expected a positive integer; got -5'],
  [['--env', 'CartPole-v1', '--agent', 'dqn', '--steps', '1.5'], '--steps: expected a positive integer; got 1.5'],
  [['--env', 'CartPole-v1', '--agent', 'dqn', '--sticky-actions', '2'], '--sticky-actions: expected a probability in [0, 1]; got 2'],
  [['--env', 'Pendulum-v1', '--agent', 'dqn'], 'dqn: needs a Discrete action space'],
  [['--agent', 'dqn'], '--env: is required'],
  [['--env', 'CartPole-v1', '--agent', 'dqn', '--bogus', '1'], '--bogus: unknown flag'],
  [['--env', 'CartPoleNoVel-v1', '--agent', 'dqn', '--lstm', '64'], 'agent.network.recurrent: DQN is feed-forward in wnrl'],
  [['--env', 'CartPoleNoVel-v1', '--agent', 'ppo', '--lstm', '0'], '--lstm: expected a positive number of LSTM units; got 0'],
  [['--env', 'CartPoleNoVel-v1', '--agent', 'ppo', '--flicker', '1.5'], '--flicker: expected a probability in [0, 1]; got 1.5'],
])('bad input %j exits 2 with a clear message and creates no run directory', async (flags, message) => {
  const out = path.join(tmp(), 'run');
  const r = await run(['train', ...flags, '--out', out]);
  expect(r.code).toBe(2);
  expect(r.err).toContain(message);
  expect(fs.existsSync(out)).toBe(false);
});

test('a config file with unknown keys or invalid JSON is refused, naming the problem', async () => {
  const dir = tmp();
  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(bad, JSON.stringify({ agent: { algo: 'dqn', learningRat: 0.1, network: { hidden: [64, -3] } }, env: { id: 'CartPole-v1' } }));
  const r = await run(['train', '--config', bad, '--out', path.join(dir, 'run')]);
  expect(r.code).toBe(2);
  expect(r.err).toContain('agent.learningRat: unknown key');
  expect(r.err).toContain('agent.network.hidden[1]: expected a positive integer; got -3');
  const broken = path.join(dir, 'broken.json');
  fs.writeFileSync(broken, '{ "env": ');
  const r2 = await run(['train', '--config', broken, '--out', path.join(dir, 'run')]);
  expect(r2.code).toBe(2);
  expect(r2.err).toContain('is not valid JSON');
  expect(fs.existsSync(path.join(dir, 'run'))).toBe(false);
});

test('a recurrent config with an unknown key, units <= 0, or a batch that cuts env rollouts is refused, naming the field', async () => {
  const dir = tmp();
  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(bad, JSON.stringify({ env: { id: 'CartPoleNoVel-v1' }, agent: { algo: 'ppo', network: { recurrent: { type: 'lstm', units: -4, cells: 2 } } } }));
  const r = await run(['train', '--config', bad, '--out', path.join(dir, 'run')]);
  expect(r.code).toBe(2);
  expect(r.err).toContain('agent.network.recurrent.units: expected a positive integer; got -4');
  expect(r.err).toContain('agent.network.recurrent.cells: unknown key');
  fs.writeFileSync(bad, JSON.stringify({ env: { id: 'CartPoleNoVel-v1' }, agent: { algo: 'ppo', batchSize: 16 } }));
  const r2 = await run(['train', '--config', bad, '--out', path.join(dir, 'run')]);
  expect(r2.code).toBe(2);
  expect(r2.err).toContain('ppo.batchSize: is 16; a recurrent policy trains on whole env rollouts of numSteps = 32 steps');
  expect(fs.existsSync(path.join(dir, 'run'))).toBe(false);
});

test('train writes a run, refuses to overwrite it without --force, and eval reads it back', async () => {
  const dir = tmp();
  const out = path.join(dir, 'run');
  const cfg = path.join(dir, 'small.json');
  fs.writeFileSync(cfg, JSON.stringify({ agent: { network: { hidden: [16] }, batchSize: 32, learningStarts: 200 }, trainer: { evalInterval: 0, evalEpisodes: 3 } }));
  const args = ['train', '--env', 'CartPole-v1', '--agent', 'dqn', '--norm', 'weight', '--steps', '1000', '--seed', '4', '--num-envs', '4', '--obs-noise', '0.05', '--config', cfg, '--out', out];
  const first = await run(args);
  expect(first.code, first.err).toBe(0);
  expect(first.out).toContain('run directory:');
  const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')) as Record<string, Record<string, unknown>>;
  // The resolved config: preset values, file overrides, and flags on top.
  expect(config['env']).toMatchObject({ id: 'CartPole-v1', numEnvs: 4, wrappers: [{ type: 'observationNoise', std: 0.05 }] });
  expect(config['agent']).toMatchObject({ algo: 'dqn', batchSize: 32, learningStarts: 200, learningRate: presetFor('dqn', 'CartPole-v1')!.agent!['learningRate'], network: { hidden: [16], norm: 'weight' } });
  expect(config['trainer']).toMatchObject({ totalSteps: 1000, seed: 4, evalEpisodes: 3 });
  expect(fs.existsSync(path.join(out, 'summary.json'))).toBe(true);

  const again = await run(args);
  expect(again.code).toBe(2);
  expect(again.err).toContain('exists and is not empty; pass --force');

  const evaluated = await run(['eval', out, '--episodes', '5', '--json']);
  expect(evaluated.code, evaluated.err).toBe(0);
  const report = JSON.parse(evaluated.out) as Record<string, unknown>;
  expect(report).toMatchObject({ env: 'CartPole-v1', agent: 'dqn', norm: 'weight', episodes: 5, step: 1000 });
  expect(report['returnMean']).toBeGreaterThan(0);

  const resumed = await run(['train', '--resume', '--out', out, '--steps', '1600']);
  expect(resumed.code, resumed.err).toBe(0);
  const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')) as { totalSteps: number };
  expect(summary.totalSteps).toBe(1600);

  const forced = await run([...args, '--force', '--steps', '800']);
  expect(forced.code, forced.err).toBe(0);
}, 90_000);

test("noise flags add to the preset's wrappers; the normalizers' statistics survive eval and --resume", async () => {
  const dir = tmp();
  const out = path.join(dir, 'run');
  const cfg = path.join(dir, 'small.json');
  fs.writeFileSync(cfg, JSON.stringify({ agent: { numSteps: 32, batchSize: 64, network: { hidden: [16], initSamples: 64 } }, trainer: { evalInterval: 0, evalEpisodes: 2 } }));
  const first = await run(['train', '--env', 'Acrobot-v1', '--agent', 'ppo', '--steps', '256', '--num-envs', '2', '--obs-noise', '0.1', '--config', cfg, '--out', out]);
  expect(first.code, first.err).toBe(0);
  const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')) as { env: { wrappers: unknown[] } };
  expect(config.env.wrappers).toEqual([...presetFor('ppo', 'Acrobot-v1')!.env!.wrappers!, { type: 'observationNoise', std: 0.1 }]);
  const state = JSON.parse(fs.readFileSync(path.join(out, 'checkpoint', 'trainer.json'), 'utf8')) as Record<string, { count: number } | null>;
  expect(state['normalization']!.count).toBeGreaterThan(256);
  expect(state['rewardNormalization']!.count).toBeCloseTo(256 + 1e-4, 6); // both envs' 128 steps: one shared set
  const evaluated = await run(['eval', out, '--episodes', '2', '--json']);
  expect(evaluated.code, evaluated.err).toBe(0);
  const resumed = await run(['train', '--resume', '--out', out, '--steps', '384']);
  expect(resumed.code, resumed.err).toBe(0);
  const after = JSON.parse(fs.readFileSync(path.join(out, 'checkpoint', 'trainer.json'), 'utf8')) as Record<string, { count: number } | null>;
  expect(after['rewardNormalization']!.count).toBeCloseTo(384 + 1e-4, 6); // continued from 256, not restarted
}, 60_000);

test('eval of a directory that is not a run exits 2', async () => {
  const r = await run(['eval', tmp()]);
  expect(r.code).toBe(2);
  expect(r.err).toContain('has no config.json');
});

test('a recurrent run through the CLI: --lstm and --flicker in the config, eval from the checkpoint equals the final evaluation, --resume continues', async () => {
  const dir = tmp();
  const out = path.join(dir, 'run');
  const cfg = path.join(dir, 'small.json');
  fs.writeFileSync(cfg, JSON.stringify({ agent: { numSteps: 16, batchSize: 32, updateEpochs: 2, network: { hidden: [16], initSamples: 64 } }, trainer: { evalInterval: 0, evalEpisodes: 4 } }));
  const first = await run(['train', '--env', 'CartPoleNoVel-v1', '--agent', 'ppo', '--lstm', '16', '--flicker', '0.1', '--num-envs', '2', '--steps', '512', '--seed', '3', '--config', cfg, '--out', out]);
  expect(first.code, first.err).toBe(0);
  const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')) as { env: { wrappers: unknown[] }; agent: { network: { recurrent: unknown } } };
  expect(config.agent.network.recurrent).toEqual({ type: 'lstm', units: 16, sharedLstm: false, init: 'torch', layerNorm: 'summed' });
  expect(config.env.wrappers).toContainEqual({ type: 'flicker', p: 0.1 });
  for (const f of ['pi_lstm.bin', 'vf_lstm.bin', 'agent.json']) expect(fs.existsSync(path.join(out, 'checkpoint', f)), f).toBe(true);
  const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')) as { evalReturnMean: number };
  // `wnrl eval` loads the checkpoint and evaluates on the trainer's eval seeds: the same episodes, same returns.
  const evaluated = await run(['eval', out, '--episodes', '4', '--num-envs', '4', '--seed', String(deriveSeed(3, 'eval')), '--json']);
  expect(evaluated.code, evaluated.err).toBe(0);
  expect((JSON.parse(evaluated.out) as { returnMean: number }).returnMean).toBe(summary.evalReturnMean);
  const resumed = await run(['train', '--resume', '--out', out, '--steps', '768']);
  expect(resumed.code, resumed.err).toBe(0);
  expect((JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')) as { totalSteps: number }).totalSteps).toBe(768);
}, 60_000);

test("eval --robustness reproduces the summary's robustness curves from the final checkpoint; --write puts them back; misuse exits 2", async () => {
  const dir = tmp();
  const out = path.join(dir, 'run');
  const cfg = path.join(dir, 'small.json');
  const robustness = [
    { wrapper: 'flicker', values: [0, 0.3] },
    { wrapper: 'observationNoise', values: [0, 0.2] },
  ];
  fs.writeFileSync(cfg, JSON.stringify({ agent: { numSteps: 16, batchSize: 32, updateEpochs: 2, network: { hidden: [16], initSamples: 64 } }, trainer: { evalInterval: 0, evalEpisodes: 4, earlyStop: false, robustness } }));
  const trained = await run(['train', '--env', 'CartPoleNoVel-v1', '--agent', 'ppo', '--lstm', '8', '--num-envs', '2', '--steps', '256', '--seed', '5', '--config', cfg, '--out', out]);
  expect(trained.code, trained.err).toBe(0);
  const summaryFile = path.join(out, 'summary.json');
  const summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as { robustness: { returnMeans: number[] }[]; evalReturnMean: number };
  expect(summary.robustness).toHaveLength(2);
  const again = await run(['eval', out, '--robustness', '--json']);
  expect(again.code, again.err).toBe(0);
  expect((JSON.parse(again.out) as { robustness: unknown }).robustness).toEqual(summary.robustness);
  // --write replaces only the robustness entry of summary.json.
  fs.writeFileSync(summaryFile, JSON.stringify({ ...summary, robustness: [] }));
  expect((await run(['eval', out, '--robustness', '--write'])).code).toBe(0);
  expect(JSON.parse(fs.readFileSync(summaryFile, 'utf8'))).toEqual(summary);
  const withSeed = await run(['eval', out, '--robustness', '--seed', '3']);
  expect([withSeed.code, withSeed.err]).toEqual([2, expect.stringContaining('--seed: does not combine with --robustness')]);
  const writeAlone = await run(['eval', out, '--write']);
  expect([writeAlone.code, writeAlone.err]).toEqual([2, expect.stringContaining('--write: writes robustness curves; use it with --robustness')]);
  const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')) as { trainer: Record<string, unknown> };
  fs.writeFileSync(path.join(out, 'config.json'), JSON.stringify({ ...config, trainer: { ...config.trainer, robustness: [] } }));
  const none = await run(['eval', out, '--robustness']);
  expect([none.code, none.err]).toEqual([2, expect.stringContaining('trainer.robustness: is empty')]);
}, 60_000);

test('on the opt-in pure-JS backend (WNRL_BACKEND=cpu) train writes its checkpoint, resumes from it and eval reads it', () => {
  const out = path.join(tmp(), 'run');
  const cli = (args: string[]) => spawnSync(process.execPath, ['src/cli/bin.js', ...args], { env: { ...process.env, WNRL_BACKEND: 'cpu' }, encoding: 'utf8', timeout: 120_000 });
  const first = cli(['train', '--agent', 'ppo', '--env', 'CartPole-v1', '--seed', '3', '--steps', '1024', '--out', out, '--no-progress']);
  expect(first.status, first.stderr).toBe(0);
  expect(first.stderr).toMatch(/"backend":"cpu"/);
  for (const f of ['model.json', 'weights.bin']) expect(fs.existsSync(path.join(out, 'checkpoint', 'policy', f)), f).toBe(true);
  const resumed = cli(['train', '--out', out, '--resume', '--steps', '2048', '--no-progress']);
  expect(resumed.status, resumed.stderr).toBe(0);
  expect(resumed.stdout).toMatch(/resumed to 2048 steps/);
  const evaluated = cli(['eval', out, '--episodes', '3']);
  expect(evaluated.status, evaluated.stderr).toBe(0);
}, 300_000);
