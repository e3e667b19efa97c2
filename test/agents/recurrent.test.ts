import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { A2C } from '../../agents/a2c.ts';
import type { RecurrentPolicy } from '../../agents/common/policy.ts';
import { PPO, type PpoOptions } from '../../agents/ppo.ts';
import { makeVectorEnv } from '../../envs/index.ts';
import { tf } from '../../src/backend.ts';
import { NORMS, type Norm } from '../../src/config/network.ts';
import { createLogger } from '../../src/log/logger.ts';
import { evaluate } from '../../src/train/evaluate.ts';
import { Trainer } from '../../src/train/trainer.ts';
import { REPEAT_ID, registerRepeat } from '../helpers/repeat-env.ts';

const quiet = createLogger({ level: 'silent', console: false });
beforeAll(registerRepeat);

const ppoOptions = (recurrent: boolean): Omit<PpoOptions, 'env'> => ({
  network: { hidden: [32], activation: 'tanh', norm: 'weight', recurrent: recurrent ? { type: 'lstm', units: 32 } : null },
  numSteps: 20,
  batchSize: 160,
  updateEpochs: 8,
  learningRate: 3e-3,
  gamma: 0.9,
  gaeLambda: 0.9,
  entropyCoef: 0.01,
});

async function trainRepeat(recurrent: boolean, steps: number, seed: number): Promise<{ agent: PPO; evalMean: number }> {
  const env = makeVectorEnv(REPEAT_ID, { numEnvs: 8, seed });
  const evalEnv = makeVectorEnv(REPEAT_ID, { numEnvs: 8, seed: seed + 1000 });
  const agent = new PPO({ ...ppoOptions(recurrent), env, seed, logger: quiet });
  const summary = await new Trainer({ agent, env, evalEnv, totalSteps: steps, seed, evalInterval: 0, evalEpisodes: 40, logger: quiet, progress: false }).run();
  await env.close();
  await evalEnv.close();
  return { agent, evalMean: summary.evalReturnMean! };
}

/** Mean return over 40 episodes when the recurrent state is reset before every step (memory erased). */
async function amnesiacReturn(agent: PPO): Promise<number> {
  const env = makeVectorEnv(REPEAT_ID, { numEnvs: 8, seed: 77 });
  let { observations } = await env.reset({ seed: 77 });
  const state = agent.initialState(8)!;
  const returns: number[] = [];
  while (returns.length < 40) {
    const r = await env.step(agent.predict(observations, { state, episodeStarts: new Uint8Array(8).fill(1) }));
    for (const info of r.infos) {
      const ep = (info['finalInfo'] as { episode?: { return: number } } | undefined)?.episode;
      if (ep) returns.push(ep.return);
    }
    observations = r.observations;
  }
  state.dispose();
  await env.close();
  return returns.reduce((a, b) => a + b, 0) / returns.length;
}

test('recurrent PPO with weight norm learns to repeat the previous observation; the same PPO without memory cannot', async () => {
  // Best return 9 (steps 1-9 answered right); a memoryless policy averages 4.5.
  const withMemory = await trainRepeat(true, 12_000, 1);
  const without = await trainRepeat(false, 12_000, 1);
  expect(withMemory.evalMean).toBeGreaterThanOrEqual(8.5);
  expect(without.evalMean).toBeLessThan(6);
  // The same trained policy with its state reset before every step has no memory left.
  expect(await amnesiacReturn(withMemory.agent)).toBeLessThan(6);
  withMemory.agent.dispose();
  without.agent.dispose();
});

test('recurrent A2C runs on the same interface and improves on the memory task', async () => {
  const env = makeVectorEnv(REPEAT_ID, { numEnvs: 8, seed: 3 });
  const evalEnv = makeVectorEnv(REPEAT_ID, { numEnvs: 8, seed: 3000 });
  const agent = new A2C({ env, seed: 3, logger: quiet, network: { hidden: [32], norm: 'weight', recurrent: { type: 'lstm', units: 32 } }, numSteps: 10, learningRate: 3e-3, optimizer: 'adam', gamma: 0.9, entropyCoef: 0.01 });
  const summary = await new Trainer({ agent, env, evalEnv, totalSteps: 16_000, seed: 3, evalInterval: 0, evalEpisodes: 40, logger: quiet, progress: false }).run();
  expect(summary.evalReturnMean!).toBeGreaterThanOrEqual(7);
  agent.dispose();
  await env.close();
  await evalEnv.close();
});

test('a recurrent checkpoint round trip: evaluation after load equals evaluation before save', async () => {
  const env = makeVectorEnv('CartPoleNoVel-v1', { numEnvs: 4, seed: 5 });
  const agent = new PPO({ env, seed: 5, logger: quiet, network: { hidden: [16], norm: 'weight', recurrent: { type: 'lstm', units: 16 } }, numSteps: 16, batchSize: 32, updateEpochs: 2 });
  await new Trainer({ agent, env, totalSteps: 1_000, seed: 5, evalInterval: 0, evalEpisodes: 2, logger: quiet, progress: false }).run();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-rec-'));
  await agent.save(dir);
  const again = await PPO.load(dir);
  for (const a of [agent, again]) expect(a.recurrent).toBe(true);
  const evalOf = async (a: PPO) => {
    const e = makeVectorEnv('CartPoleNoVel-v1', { numEnvs: 3, seed: 9 });
    const r = await evaluate(a, e, 6, 9);
    await e.close();
    return r.returns;
  };
  const before = await evalOf(agent);
  expect(await evalOf(again)).toEqual(before);
  const obs = new Float32Array(3 * 4).map((_, i) => Math.sin(i));
  expect(() => agent.predict(obs)).toThrow(/recurrent; pass \{ state/);
  agent.dispose();
  again.dispose();
  await env.close();
});

test('no tensor leak over a few thousand recurrent steps (acting, updates, truncation bootstraps, evaluation)', async () => {
  for (const norm of ['weight', 'batch', 'layer'] as const) {
    const env = makeVectorEnv('CartPoleNoVel-v1', { numEnvs: 4, seed: 2, maxEpisodeSteps: 30 });
    const agent = new PPO({ env, seed: 2, logger: quiet, network: { hidden: [8], norm, recurrent: { type: 'lstm', units: 8 } }, numSteps: 8, batchSize: 16, updateEpochs: 1 });
    agent.initialize(new Float32Array(64 * 4).map((_, i) => Math.cos(i)));
    let { observations } = await env.reset({ seed: 2 });
    const loop = async (steps: number) => {
      for (let s = 0; s < steps; s++) {
        const actions = agent.act(observations, { step: s, totalSteps: 1e6 });
        const r = await env.step(actions);
        agent.learn({ observations, actions, rewards: r.rewards, nextObservations: r.observations, terminated: r.terminated, truncated: r.truncated }, { step: s, totalSteps: 1e6 });
        observations = r.observations;
      }
    };
    await loop(64);
    agent.diagnostics();
    const n = tf.memory().numTensors;
    await loop(norm === 'layer' ? 300 : 1000);
    agent.diagnostics();
    expect(tf.memory().numTensors, norm).toBe(n);
    agent.dispose();
    await env.close();
  }
});

/**
 * PPO's first-epoch ratios when one epoch is one minibatch of the whole rollout: the loss is computed
 * before the step, so approximate KL 0 and clip fraction 0 mean the update re-ran exactly what acting
 * computed (resets at episode starts included). Returns the KL of each of 3 updates and the clip fractions.
 */
async function firstStepConsistency(norm: Norm, recurrent: boolean, batchRenorm?: false): Promise<{ kls: number[]; clips: number[]; starts: number }> {
  const env = makeVectorEnv(recurrent ? 'CartPoleNoVel-v1' : 'CartPole-v1', { numEnvs: 4, seed: 4 });
  const network = { hidden: [16], norm, recurrent: recurrent ? ({ type: 'lstm', units: 16 } as const) : null, ...(batchRenorm === false ? { batchRenorm } : {}) };
  // lr 1e-2: the weights (and batch-norm running statistics) move far between rollouts
  const agent = new PPO({ env, seed: 4, logger: quiet, network, numSteps: 40, batchSize: 160, updateEpochs: 1, learningRate: 1e-2 });
  if (agent.warmupSamples() > 0) agent.initialize(new Float32Array(64 * 4).map((_, i) => Math.sin(i)));
  let { observations } = await env.reset({ seed: 4 });
  let starts = 0;
  const kls: number[] = [];
  const clips: number[] = [];
  for (let s = 0; s < 120; s++) {
    const actions = agent.act(observations, { step: s * 4, totalSteps: 1e6 });
    const r = await env.step(actions);
    starts += r.terminated.reduce((a, b) => a + b, 0);
    const m = agent.learn({ observations, actions, rewards: r.rewards, nextObservations: r.observations, terminated: r.terminated, truncated: r.truncated }, { step: s * 4, totalSteps: 1e6 });
    if (m) {
      kls.push(m['train/approxKl']!);
      clips.push(m['train/clipFraction']!);
    }
    observations = r.observations;
  }
  agent.dispose();
  await env.close();
  return { kls, clips, starts };
}

test.each(NORMS.flatMap((norm) => [[norm, true], [norm, false]] as const))('%s (recurrent %s): the update first re-runs exactly what acting computed (epoch-0 KL 0, nothing clipped)', async (norm, recurrent) => {
  const { kls, clips, starts } = await firstStepConsistency(norm, recurrent);
  expect(starts).toBeGreaterThan(4); // episodes did end inside the rollouts
  expect(kls.length).toBe(3);
  for (const kl of kls) expect(Math.abs(kl)).toBeLessThan(1e-6);
  expect(clips).toEqual([0, 0, 0]);
});

test.each([true, false])('plain batch norm (batchRenorm: false, recurrent %s) is the inconsistent baseline: its update optimizes another function than the one that acted', async (recurrent) => {
  const { kls } = await firstStepConsistency('batch', recurrent, false);
  expect(Math.max(...kls.map(Math.abs))).toBeGreaterThan(1e-4);
});

test('sharedLstm: one LSTM feeds both heads (and a shared trunk needs it); Gaussian heads on Box actions', async () => {
  const env = makeVectorEnv('PendulumNoVel-v1', { numEnvs: 2, seed: 6 });
  const shared = new PPO({ env, seed: 6, logger: quiet, sharedTrunk: true, network: { hidden: [8], recurrent: { type: 'lstm', units: 8, sharedLstm: true } }, numSteps: 8, batchSize: 16, updateEpochs: 1 });
  expect((shared.policy as RecurrentPolicy).lstms.map((l) => l.name)).toEqual(['lstm']);
  const separate = new PPO({ env, seed: 6, logger: quiet, network: { hidden: [8], recurrent: { type: 'lstm', units: 8 } }, numSteps: 8, batchSize: 16, updateEpochs: 1 });
  expect((separate.policy as RecurrentPolicy).lstms.map((l) => l.name)).toEqual(['pi_lstm', 'vf_lstm']);
  expect(() => new PPO({ env, seed: 6, sharedTrunk: true, network: { recurrent: { type: 'lstm', units: 8 } }, numSteps: 8, batchSize: 16 })).toThrow(/ppo.sharedTrunk: needs network.recurrent.sharedLstm/);
  for (const agent of [shared, separate]) {
    const summary = await new Trainer({ agent, env, totalSteps: 64, seed: 6, evalInterval: 0, evalEpisodes: 2, logger: quiet, progress: false }).run();
    expect(Number.isFinite(summary.evalReturnMean)).toBe(true);
    const state = agent.initialState(2);
    const actions = agent.predict(new Float32Array(2 * 3), { state, episodeStarts: Uint8Array.of(1, 1) });
    state?.dispose();
    expect(actions).toBeInstanceOf(Float32Array);
    expect(actions.length).toBe(2);
    agent.dispose();
  }
  await env.close();
});

test("network.batchMomentum reaches the batch-norm LSTM's running statistics (default 0.99)", async () => {
  const env = makeVectorEnv('CartPoleNoVel-v1', { numEnvs: 2, seed: 1 });
  const lstm = { type: 'lstm', units: 8 } as const;
  const momenta = (network: PpoOptions['network']) => {
    const agent = new PPO({ env, seed: 1, logger: quiet, network, numSteps: 8, batchSize: 16 });
    const m = (agent.policy as RecurrentPolicy).lstms.map((l) => l.momentum);
    agent.dispose();
    return m;
  };
  expect(momenta({ hidden: [8], norm: 'batch', recurrent: lstm, batchMomentum: 0.9 })).toEqual([0.9, 0.9]);
  expect(momenta({ hidden: [8], norm: 'batch', recurrent: lstm })).toEqual([0.99, 0.99]);
  await env.close();
});
