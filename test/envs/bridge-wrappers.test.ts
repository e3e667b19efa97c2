// wnrl's wrappers on bridged envs (WrappedVectorEnv): a wnrl env and its Gymnasium twin under one wrapper
// stack and one seed give the same observations, rewards and episode ends, bit for bit; the statistics
// are one set across copies, saved with a checkpoint and frozen for evaluation; robustness sweeps and the
// noise flags work through the bridge. Needs the venv of `npm run setup:gymnasium` (npm test makes it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Env, Wrapper } from '../../envs/core.ts';
import { registerEnv, unregisterEnv } from '../../envs/registry.ts';
import { Rng } from '../../envs/rng.ts';
import { Box } from '../../envs/spaces/space.ts';
import { openVectorEnv } from '../../envs/vector/open.ts';
import type { VectorEnv, VectorStepResult } from '../../envs/vector/vector-env.ts';
import { WrappedVectorEnv } from '../../envs/vector/wrapped.ts';
import type { WrapperConfigInput } from '../../envs/wrappers/config.ts';
import { NormalizeObservation } from '../../envs/wrappers/normalize-observation.ts';
import { main } from '../../src/cli/main.ts';
import { normalizationState, restoreNormalization } from '../../src/train/evaluate.ts';
import { capture } from '../helpers/capture.ts';

const helpers = path.resolve('test', 'helpers');
const BRIDGED = 'gymnasium:gym_test_envs:WnrlTest/Glide-v0';
const OWN = 'WnrlTest/Glide-v0';

/** The twin of gym_test_envs.py's Glide: the same float64 arithmetic, float32 observations. */
class Glide implements Env<Float32Array> {
  readonly observationSpace = new Box(-Infinity, Infinity, [3]);
  readonly actionSpace = new Box(-1, 1, [1]);
  private pos = 0;
  private vel = 0;
  private t = 0;
  get unwrapped(): Env<Float32Array> {
    return this;
  }
  private obs(): Float32Array {
    return Float32Array.of(this.pos, this.vel, this.t / 10);
  }
  reset() {
    this.pos = 0;
    this.vel = 0;
    this.t = 0;
    return { observation: this.obs(), info: {} };
  }
  step(action: Float32Array) {
    const a = action[0]!;
    this.vel = 0.9 * this.vel + 0.2 * a;
    this.pos += this.vel;
    this.t++;
    const reward = Math.floor((1 - Math.abs(this.pos) / 4 + 0.1 * a) * 1024 + 0.5) / 1024;
    return { observation: this.obs(), reward, terminated: Math.abs(this.pos) > 2, truncated: false, info: {} };
  }
}

const opened: VectorEnv[] = [];
async function open(id: string, wrappers: WrapperConfigInput[], seed: number, numEnvs = 3): Promise<VectorEnv> {
  const env = await openVectorEnv(id, { numEnvs, seed, wrappers, bridge: { pythonPath: [helpers] } });
  opened.push(env);
  return env;
}
beforeAll(() => registerEnv({ id: OWN, create: () => new Glide(), maxEpisodeSteps: 30, check: false }));
afterAll(async () => {
  unregisterEnv(OWN);
  for (const e of opened) await e.close();
});

const STACK: WrapperConfigInput[] = [
  { type: 'stickyActions', p: 0.3 },
  { type: 'clipAction' },
  { type: 'flicker', p: 0.2 },
  { type: 'observationNoise', std: 0.1 },
  { type: 'maskVelocity', indices: [1] },
  { type: 'rewardNoise', std: 0.5 },
  { type: 'normalizeObservation', clip: 5 },
  { type: 'normalizeReward', gamma: 0.9, clip: 10 },
];

/** Steps both envs with the same actions (some outside the bounds); returns what each step gave. */
async function lockstep(a: VectorEnv, b: VectorEnv, steps: number, seed: number): Promise<{ ended: number; truncations: number }> {
  const ra = await a.reset();
  const rb = await b.reset();
  expect(Array.from(rb.observations)).toEqual(Array.from(ra.observations));
  const rng = new Rng(seed);
  let ended = 0;
  let truncations = 0;
  for (let t = 0; t < steps; t++) {
    const actions = Float32Array.from({ length: a.numEnvs }, () => rng.uniform(-1.5, 1.5));
    const sa: VectorStepResult = await a.step(actions);
    const sb: VectorStepResult = await b.step(Float32Array.from(actions));
    const where = `step ${t}`;
    expect(Array.from(sb.observations), where).toEqual(Array.from(sa.observations));
    expect(Array.from(sb.rewards), where).toEqual(Array.from(sa.rewards));
    expect(Array.from(sb.terminated), where).toEqual(Array.from(sa.terminated));
    expect(Array.from(sb.truncated), where).toEqual(Array.from(sa.truncated));
    for (let i = 0; i < a.numEnvs; i++) {
      if (sa.terminated[i] || sa.truncated[i]) {
        ended++;
        if (sa.truncated[i]) truncations++;
        expect(Array.from(sb.infos[i]!['finalObservation'] as Float32Array), where).toEqual(Array.from(sa.infos[i]!['finalObservation'] as Float32Array));
        expect((sb.infos[i]!['finalInfo'] as { episode: unknown }).episode, where).toEqual((sa.infos[i]!['finalInfo'] as { episode: unknown }).episode);
      }
    }
  }
  return { ended, truncations };
}

describe('one wrapper stack on both sides of the bridge', () => {
  test('a wnrl env and its Gymnasium twin under every wrapper give the same observations, rewards, episode ends and statistics', async () => {
    const own = await open(OWN, STACK, 7);
    const bridged = await open(BRIDGED, STACK, 7);
    expect(bridged).toBeInstanceOf(WrappedVectorEnv);
    expect((bridged as WrappedVectorEnv).toString()).toBe(`WrappedVectorEnv(<NormalizeReward<NormalizeObservation<RewardNoise<MaskVelocity<ObservationNoise<Flicker<ClipAction<StickyActions<gymnasium:WnrlTest/Glide-v0>>>>>>>>>, numEnvs=3)`);
    const { ended, truncations } = await lockstep(own, bridged, 400, 3);
    expect(ended).toBeGreaterThan(30); // episodes end by falling off (terminated) and by the 30-step limit
    expect(truncations).toBeGreaterThan(0);
    expect(truncations).toBeLessThan(ended);
    // One set of statistics across the copies, equal on both sides.
    expect(normalizationState(bridged)).toEqual(normalizationState(own));
    expect(normalizationState(bridged).normalization!.count).toBeGreaterThan(1200);
    const [n0, n1] = bridged.envs!.map((e) => (e as Wrapper).env as NormalizeObservation);
    expect(n0).toBeInstanceOf(NormalizeObservation);
    expect(n0!.stats).toEqual(n1!.stats);
  }, 60_000);

  test('another seed gives other noise; the same seed again gives the same (each copy its own stream)', async () => {
    const stack: WrapperConfigInput[] = [{ type: 'observationNoise', std: 0.5 }];
    const a = await open(BRIDGED, stack, 7, 2);
    const b = await open(BRIDGED, stack, 8, 2);
    const c = await open(BRIDGED, stack, 7, 2);
    const [ra, rb, rc] = [await a.reset(), await b.reset(), await c.reset()];
    expect(Array.from(rc.observations)).toEqual(Array.from(ra.observations));
    expect(Array.from(rb.observations)).not.toEqual(Array.from(ra.observations));
    // Copy 1 of seed 7 draws what copy 0 of seed 8 draws (copy i's streams come from seed + i), as in wnrl's own vector envs.
    expect(Array.from(ra.observations.subarray(3, 6))).toEqual(Array.from(rb.observations.subarray(0, 3)));
  });

  test('a timeLimit wrapper becomes gymnasium.make\'s max_episode_steps; with kwargs that disagree, the error names both', async () => {
    const own = await open(OWN, [{ type: 'timeLimit', maxEpisodeSteps: 5 }, { type: 'flicker', p: 0.5 }], 2, 2);
    const bridged = await open(BRIDGED, [{ type: 'timeLimit', maxEpisodeSteps: 5 }, { type: 'flicker', p: 0.5 }], 2, 2);
    const { truncations } = await lockstep(own, bridged, 40, 1);
    expect(truncations).toBeGreaterThan(8);
    await expect(openVectorEnv(BRIDGED, { wrappers: [{ type: 'timeLimit', maxEpisodeSteps: 5 }], kwargs: { max_episode_steps: 9 }, bridge: { pythonPath: [helpers] } })).rejects.toThrow(
      /env\.wrappers.*timeLimit 5 and env\.kwargs\.max_episode_steps 9 disagree/,
    );
  });

  test('statistics restored into another bridged env and frozen stay as saved while it steps; a perturbed spawn adds its wrapper', async () => {
    const train = await open(BRIDGED, [{ type: 'normalizeObservation' }], 4, 2);
    await train.reset();
    for (let t = 0; t < 50; t++) await train.step(Float32Array.of(1, -1));
    const saved = normalizationState(train);
    const evalEnv = await (train.spawn!({ numEnvs: 2, seed: 9 }));
    restoreNormalization(evalEnv, saved, true);
    await evalEnv.reset();
    for (let t = 0; t < 20; t++) await evalEnv.step(Float32Array.of(0.5, 0.5));
    expect(normalizationState(evalEnv)).toEqual(saved);
    const noisy = await train.spawn!({ numEnvs: 2, seed: 9, perturb: { type: 'observationNoise', std: 0.3 } });
    opened.push(evalEnv, noisy);
    expect((noisy as WrappedVectorEnv).toString()).toMatch(/<NormalizeObservation<ObservationNoise<gymnasium:WnrlTest\/Glide-v0>>>/); // noise inside the statistics, as the stacking order puts it
  });
});

describe('training through the bridge with wnrl wrappers', () => {
  test('noise flags, the preset\'s normalization, robustness curves and the checkpoint\'s statistics work on a bridged env', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-bridge-wrap-'));
    const out = path.join(dir, 'run');
    const config = path.join(dir, 'config.json');
    fs.writeFileSync(config, JSON.stringify({ env: { wrappers: [{ type: 'normalizeObservation' }, { type: 'normalizeReward', gamma: 0.9 }] }, trainer: { robustness: [{ wrapper: 'observationNoise', values: [0, 0.5] }], evalEpisodes: 4 } }));
    const pythonPath = process.env['PYTHONPATH'];
    process.env['PYTHONPATH'] = helpers;
    try {
      const { io, chunks } = capture();
      const args = ['train', '--env', BRIDGED, '--agent', 'ppo', '--steps', '1024', '--seed', '1', '--out', out, '--config', config, '--obs-noise', '0.05', '--no-progress', '--log-level', 'warn'];
      expect(await main(args, io), chunks.err).toBe(0);
      const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')) as { robustness: { wrapper: string; values: number[]; returnMeans: number[] }[] };
      expect(summary.robustness[0]!.values).toEqual([0, 0.5]);
      expect(summary.robustness[0]!.returnMeans.every(Number.isFinite)).toBe(true);
      const trainer = JSON.parse(fs.readFileSync(path.join(out, 'checkpoint', 'trainer.json'), 'utf8')) as { normalization: { count: number; mean: number[] }; rewardNormalization: { count: number } };
      expect(trainer.normalization.mean).toHaveLength(3);
      expect(trainer.normalization.count).toBeGreaterThan(1000);
      expect(trainer.rewardNormalization.count).toBeGreaterThan(1000);
      const rob = capture();
      expect(await main(['eval', out, '--robustness', '--json'], rob.io), rob.chunks.err).toBe(0);
      const curves = (JSON.parse(rob.chunks.out) as { robustness: { returnMeans: number[] }[] }).robustness;
      expect(curves[0]!.returnMeans).toEqual(summary.robustness[0]!.returnMeans);
    } finally {
      if (pythonPath === undefined) delete process.env['PYTHONPATH'];
      else process.env['PYTHONPATH'] = pythonPath;
    }
  }, 120_000);
});

describe('MuJoCo through the bridge (npm test provisions gymnasium[mujoco]: setup:gymnasium --mujoco)', () => {
  test('PPO on gymnasium:Hopper-v5 with its preset: VecNormalize-style statistics of the 11-dim observation, an update, an evaluation', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-hopper-')), 'run');
    const { io, chunks } = capture();
    expect(await main(['train', '--env', 'gymnasium:Hopper-v5', '--agent', 'ppo', '--steps', '4096', '--seed', '1', '--out', out, '--no-progress', '--log-level', 'warn'], io), chunks.err).toBe(0);
    const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')) as { env: { wrappers: { type: string; convention?: string }[] }; agent: { numSteps: number; network: { hidden: number[] } } };
    expect(config.env.wrappers.map((w) => [w.type, w.convention])).toEqual([['normalizeObservation', 'sb3'], ['normalizeReward', 'sb3']]);
    expect([config.agent.numSteps, config.agent.network.hidden]).toEqual([2048, [64, 64]]);
    const trainer = JSON.parse(fs.readFileSync(path.join(out, 'checkpoint', 'trainer.json'), 'utf8')) as { normalization: { mean: number[]; count: number } };
    expect(trainer.normalization.mean).toHaveLength(11);
    // SB3's convention: one update per observation the agent acts on, one per step (a fallen episode's final
    // observation is left out, the reset observation that follows counted) and one per explicit reset (the
    // weight-norm warm-up's and training's).
    expect(trainer.normalization.count).toBeCloseTo(4096 + 2 + 1e-4, 6);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')) as { evalReturnMean: number; episodes: number };
    expect(summary.episodes).toBeGreaterThan(5); // a random Hopper falls within tens of steps
    expect(Number.isFinite(summary.evalReturnMean)).toBe(true);
    // An update of 10 epochs × 32 minibatches of 64 (the weight-norm init's warm-up steps count toward the
    // 4096, so one rollout of 2048 is learned from): the policy moved (its log-std from the preset's 0).
    const [header, last] = [0, -1].map((k) => fs.readFileSync(path.join(out, 'metrics.csv'), 'utf8').trim().split('\n').at(k)!.split(','));
    const col = (name: string) => Number(last![header!.indexOf(name)]);
    expect(col('train/approxKl')).toBeGreaterThan(0);
    expect(Math.abs(Math.log(col('train/std')))).toBeGreaterThan(1e-4);
  }, 120_000);
});
