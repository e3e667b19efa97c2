import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { DQN } from '../../agents/dqn.ts';
import { makeVectorEnv } from '../../envs/index.ts';
import { Summary } from '../../src/train/summary.ts';
import { normalizationState, restoreNormalization, type NormalizationState } from '../../src/train/evaluate.ts';
import { Trainer } from '../../src/train/trainer.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-run-'));
const hyper = { network: { hidden: [16], norm: 'weight' as const }, batchSize: 32, learningStarts: 200, trainFrequency: 8, targetUpdateInterval: 8, tau: 0.05 };

async function shortRun(dir: string, seed: number, extra: Partial<ConstructorParameters<typeof Trainer>[0]> = {}) {
  const env = makeVectorEnv('CartPole-v1', { numEnvs: 4, seed, wrappers: [{ type: 'rewardNoise', std: 0.5 }] });
  const agent = new DQN({ env, seed, ...hyper });
  const summary = await new Trainer({ agent, env, totalSteps: 2_000, seed, evalInterval: 1_000, evalEpisodes: 4, metricsInterval: 500, runDir: dir, runConfig: { note: 'test' }, ...extra }).run();
  agent.dispose();
  return summary;
}

test('a run writes config.json, log.jsonl, metrics.csv, tb/, checkpoint/ and a complete summary.json', async () => {
  const dir = tmp();
  const summary = await shortRun(dir, 1);
  expect(fs.readdirSync(dir).sort()).toEqual(['checkpoint', 'config.json', 'log.jsonl', 'metrics.csv', 'summary.json', 'tb']);
  expect(JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'))).toEqual({ note: 'test' });
  // summary.json: every field, validated by its schema.
  const written = Summary.parse(JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')));
  expect(written).toEqual(summary);
  expect(written).toMatchObject({ env: 'CartPole-v1', agent: 'dqn', norm: 'weight', seed: 1, totalSteps: 2_000, evalEpisodes: 4, backend: 'tensorflow', rewardThreshold: 475 });
  // log.jsonl: one `episode` record per finished episode, with the task's true (noise-free) return.
  const records = fs.readFileSync(path.join(dir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const episodes = records.filter((r) => r['msg'] === 'episode');
  expect(episodes.length).toBe(summary.episodes);
  for (const e of episodes) {
    expect(e['return']).toBe(e['length']); // CartPole pays 1 per step: the logged return is the true one
    expect(typeof e['step']).toBe('number');
  }
  expect(records.filter((r) => r['msg'] === 'eval')).toHaveLength(2);
  // metrics.csv: a header and one row per metrics interval, with the weight-norm diagnostics.
  const [header, ...rows] = fs.readFileSync(path.join(dir, 'metrics.csv'), 'utf8').trim().split('\n');
  expect(header!.split(',')).toEqual(expect.arrayContaining(['step', 'rollout/episodeReturn', 'eval/returnMean', 'train/loss', 'time/stepsPerSecond', 'nn/q_h0/vNorm', 'nn/q_out/gMean']));
  expect(rows.map((r) => Number(r.split(',')[0]))).toEqual([500, 1000, 1500, 2000]);
  // TensorBoard event files and an agent checkpoint.
  expect(fs.readdirSync(path.join(dir, 'tb')).some((f) => f.startsWith('events.out.tfevents'))).toBe(true);
  expect(fs.readdirSync(path.join(dir, 'checkpoint')).sort()).toEqual(expect.arrayContaining(['agent.json', 'q', 'trainer.json']));
  expect(fs.readdirSync(dir).some((f) => f.includes('.tmp-') || f.includes('.old-'))).toBe(false);
}, 60_000);

test('same seed, same machine: the same summary numbers (wall-clock fields aside)', async () => {
  const strip = (s: Summary) => {
    const { wallSeconds: _w, stepsPerSecond: _s, secondsToThreshold: _t, msPerUpdate: _m, ...rest } = s;
    return rest;
  };
  const a = await shortRun(tmp(), 7);
  const b = await shortRun(tmp(), 7);
  const c = await shortRun(tmp(), 8);
  expect(strip(a)).toEqual(strip(b));
  expect(strip(a)).not.toEqual(strip(c));
}, 90_000);

test('callbacks see every episode, every step and every evaluation, and can stop training', async () => {
  const seen = { episodes: 0, steps: 0, evals: 0 };
  const summary = await shortRun(tmp(), 3, {
    totalSteps: 4_000,
    callbacks: {
      onEpisode: () => void seen.episodes++,
      onStep: () => void seen.steps++,
      onEval: () => {
        seen.evals++;
        return false; // stop at the first evaluation
      },
    },
  });
  expect(summary.totalSteps).toBe(1_000);
  expect(seen.steps).toBe(250);
  expect(seen.episodes).toBe(summary.episodes);
  expect(seen.evals).toBe(1);
}, 60_000);

test('trainer.rewardThreshold overrides the registered threshold (null: none), and early stop uses it', async () => {
  const env = makeVectorEnv('CartPole-v1', { numEnvs: 2, seed: 3 });
  const agent = new DQN({ env, seed: 3, ...hyper });
  // Any CartPole evaluation returns ≥ 1, so a threshold of 1 stops at the first evaluation.
  const summary = await new Trainer({ agent, env, totalSteps: 2_000, seed: 3, evalInterval: 500, evalEpisodes: 2, rewardThreshold: 1 }).run();
  expect(summary).toMatchObject({ rewardThreshold: 1, earlyStopped: true, totalSteps: 500 });
  const none = await new Trainer({ agent, env, totalSteps: 600, seed: 3, evalInterval: 500, evalEpisodes: 2, rewardThreshold: null }).run();
  expect(none).toMatchObject({ rewardThreshold: null, earlyStopped: false, stepsToThreshold: null });
  agent.dispose();
}, 60_000);

test('checkpoints carry observation- and reward-normalization statistics; restore sets and freezes them', async () => {
  const dir = tmp();
  const wrappers = [{ type: 'normalizeObservation' as const }, { type: 'normalizeReward' as const, gamma: 0.9 }];
  const env = makeVectorEnv('CartPole-v1', { numEnvs: 2, seed: 3, wrappers });
  const agent = new DQN({ env, seed: 3, ...hyper });
  await new Trainer({ agent, env, totalSteps: 600, seed: 3, evalInterval: 0, metricsInterval: 600, runDir: dir }).run();
  agent.dispose();
  const saved = JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint', 'trainer.json'), 'utf8')) as NormalizationState & { step: number };
  expect(saved.step).toBe(600);
  // One set of statistics for both copies (as VecNormalize): 2 × 300 steps (plus the reset observations
  // for the observation normalizer).
  expect(saved.normalization!.mean).toHaveLength(4);
  expect(saved.normalization!.count).toBeGreaterThan(600);
  expect(saved.rewardNormalization!.mean).toHaveLength(1);
  expect(saved.rewardNormalization!.count).toBeCloseTo(600 + 1e-4, 6);
  // CartPole pays 1 per step, so the discounted return (γ = 0.9) lies in [1, 10).
  expect(saved.rewardNormalization!.mean[0]).toBeGreaterThan(1);
  expect(saved.rewardNormalization!.mean[0]).toBeLessThan(10);

  const fresh = makeVectorEnv('CartPole-v1', { numEnvs: 2, seed: 4, wrappers });
  restoreNormalization(fresh, saved, true);
  expect(normalizationState(fresh)).toEqual({ normalization: saved.normalization, rewardNormalization: saved.rewardNormalization });
  await fresh.reset({ seed: 4 });
  await fresh.step(new Int32Array([0, 1]));
  expect(normalizationState(fresh)).toEqual({ normalization: saved.normalization, rewardNormalization: saved.rewardNormalization }); // frozen
  await fresh.close();
}, 60_000);

test('robustness sweeps: the final policy under each test-time perturbation, replacing the training one', async () => {
  // A policy that balances: PPO on clean CartPole. Sticky actions p = 1 repeat the first action forever.
  const { PPO } = await import('../../agents/ppo.ts');
  const { presetFor } = await import('../../src/config/presets.ts');
  const env = makeVectorEnv('CartPole-v1', { numEnvs: 8, seed: 3, wrappers: [{ type: 'stickyActions', p: 0.1 }] });
  const preset = presetFor('ppo', 'CartPole-v1') as { agent: Record<string, unknown> };
  const agent = new PPO({ env, seed: 3, ...(preset.agent as object) });
  const robustness = [
    { wrapper: 'stickyActions' as const, values: [0, 1] },
    { wrapper: 'observationNoise' as const, values: [0, 5] },
  ];
  const summary = await new Trainer({ agent, env, totalSteps: 20_000, seed: 3, evalInterval: 0, evalEpisodes: 8, earlyStop: false, robustness }).run();
  agent.dispose();
  await env.close();
  expect(summary.robustness?.map((r) => [r.wrapper, r.values, r.returnMeans.length])).toEqual([
    ['stickyActions', [0, 1], 2],
    ['observationNoise', [0, 5], 2],
  ]);
  const [sticky, noise] = summary.robustness!;
  // p = 0 replaces the training p = 0.1 (a clean test env); p = 1 never changes the first action.
  expect(sticky!.returnMeans[0]).toBeGreaterThan(100);
  expect(sticky!.returnMeans[1]).toBeLessThan(20);
  // σ = 0 adds nothing to the training wrappers (sticky 0.1 stays); σ = 5 on observations of scale ~0.1 ruins the policy.
  expect(noise!.returnMeans[1]).toBeLessThan(noise!.returnMeans[0]! / 2);
}, 120_000);

test('periodic evaluation leaves training untouched: the same episodes and normalizer statistics with and without it', async () => {
  // The evaluation env gets the training normalizers' statistics (copied, frozen) and acts with the agent's
  // policy: if it updated those statistics or drew from the agent's streams, the training episodes would
  // differ. (The final evaluation itself differs: the evaluation env's episodes continue from the periodic
  // ones instead of starting at the eval seed.)
  const { PPO } = await import('../../agents/ppo.ts');
  const wrappers = [
    { type: 'observationNoise' as const, std: 0.05 },
    { type: 'normalizeObservation' as const, clip: 10 },
    { type: 'normalizeReward' as const, gamma: 0.99, clip: 10 },
  ];
  async function episodes(evalInterval: number) {
    const env = makeVectorEnv('CartPole-v1', { numEnvs: 2, seed: 5, wrappers });
    const agent = new PPO({ env, seed: 5, numSteps: 64, batchSize: 64, updateEpochs: 2, network: { hidden: [16], norm: 'weight' } });
    const seen: number[] = [];
    let evals = 0;
    await new Trainer({
      agent, env, totalSteps: 2_048, seed: 5, evalInterval, evalEpisodes: 3, earlyStop: false,
      callbacks: { onEpisode: (e) => void seen.push(e.return), onEval: () => void evals++ },
    }).run();
    const stats = normalizationState(env);
    agent.dispose();
    await env.close();
    return { seen, evals, stats };
  }
  const without = await episodes(0);
  const withEvals = await episodes(256);
  expect(withEvals.evals).toBeGreaterThanOrEqual(7);
  expect(without.seen.length).toBeGreaterThan(20);
  expect(withEvals.seen).toEqual(without.seen);
  expect(withEvals.stats).toEqual(without.stats);
  expect(without.stats.normalization!.count).toBeGreaterThan(2_048); // the statistics were there to be disturbed
}, 90_000);
