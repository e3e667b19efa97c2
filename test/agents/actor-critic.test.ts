import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { A2C } from '../../agents/a2c.ts';
import { categoricalLogProbEntropy, gaussianLogProbEntropy, sampleGaussian } from '../../agents/common/distributions.ts';
import { computeGae, normalizeAdvantages } from '../../agents/common/gae.ts';
import { PPO, ppoLoss } from '../../agents/ppo.ts';
import { Rng, makeVectorEnv } from '../../envs/index.ts';
import { tf } from '../../src/backend.ts';
import { NORMS } from '../../src/config/network.ts';
import { createLogger } from '../../src/log/logger.ts';
import { Trainer } from '../../src/train/trainer.ts';
import { expectClose, values } from '../helpers/tensors.ts';

const quiet = createLogger({ level: 'silent', console: false });

test('GAE against a hand-computed example with a truncation and a termination', () => {
  // One env, four steps, γ = 0.9, λ = 0.5.
  //   t=0: r=1, V=2                 continues
  //   t=1: r=1, V=3  truncated      bootstraps from V(final obs) = 10
  //   t=2: r=2, V=4  terminated     no bootstrap
  //   t=3: r=0, V=1                 rollout ends; V(s_4) = 5
  const r = computeGae({
    rewards: Float32Array.of(1, 1, 2, 0),
    values: Float32Array.of(2, 3, 4, 1),
    terminated: Uint8Array.of(0, 0, 1, 0),
    truncated: Uint8Array.of(0, 1, 0, 0),
    truncationValues: Float32Array.of(0, 10, 0, 0),
    lastValues: Float32Array.of(5),
    numEnvs: 1,
    gamma: 0.9,
    gaeLambda: 0.5,
  });
  // δ3 = 0 + 0.9·5 − 1 = 3.5                      A3 = 3.5
  // δ2 = 2 + 0 − 4 = −2 (terminated)              A2 = −2 (trace cut)
  // δ1 = 1 + 0.9·10 − 3 = 7 (truncated)           A1 = 7 (trace cut)
  // δ0 = 1 + 0.9·3 − 2 = 1.7                      A0 = 1.7 + 0.9·0.5·7 = 4.85
  expectClose(Array.from(r.advantages), [4.85, 7, -2, 3.5], 1e-6, 'advantages');
  expectClose(Array.from(r.returns), [6.85, 10, 2, 4.5], 1e-6, 'returns');
});

test('GAE keeps envs apart in a vector rollout', () => {
  const r = computeGae({
    rewards: Float32Array.of(1, 0, 1, 0),
    values: Float32Array.of(0, 0, 0, 0),
    terminated: Uint8Array.of(0, 0, 0, 1),
    truncated: new Uint8Array(4),
    truncationValues: new Float32Array(4),
    lastValues: Float32Array.of(0, 100),
    numEnvs: 2,
    gamma: 1,
    gaeLambda: 1,
  });
  // env 0: rewards 1, 1, then V = 0 → A = [2, 1]; env 1 terminated at t = 1 → A = [0, 0].
  expect(Array.from(r.advantages)).toEqual([2, 0, 1, 0]);
});

test('PPO loss pieces on a tiny hand-made batch: ratio clipping, value loss, entropy, KL', () => {
  const oldLogProb = tf.tensor1d([0, 0, 0]);
  const logProb = tf.tensor1d([Math.log(1.5), Math.log(0.5), 0]); // ratios 1.5, 0.5, 1
  const advantages = tf.tensor1d([1, 1, -2]);
  const l = ppoLoss({
    logProb,
    oldLogProb,
    advantages,
    entropy: tf.tensor1d([0.3, 0.6, 0.9]),
    values: tf.tensor1d([1, 2, 3]),
    oldValues: tf.tensor1d([1, 1, 1]),
    returns: tf.tensor1d([2, 2, 2]),
    clipRange: 0.2,
    clipRangeVf: null,
    entropyCoef: 0.01,
    valueCoef: 0.5,
  });
  // min(ρA, clip(ρ)A): row 0: min(1.5, 1.2) = 1.2; row 1: min(0.5, 0.8) = 0.5; row 2: min(−2, −2) = −2.
  expect(l.policyLoss.dataSync()[0]).toBeCloseTo(-(1.2 + 0.5 - 2) / 3, 6);
  expect(l.valueLoss.dataSync()[0]).toBeCloseTo((1 + 0 + 1) / 3, 6);
  expect(l.entropy.dataSync()[0]).toBeCloseTo(0.6, 6);
  expect(l.loss.dataSync()[0]).toBeCloseTo(-(1.2 + 0.5 - 2) / 3 + 0.5 * (2 / 3) - 0.01 * 0.6, 6);
  expect(l.clipFraction.dataSync()[0]).toBeCloseTo(2 / 3, 6);
  const kl = [1.5, 0.5, 1].reduce((a, r) => a + (r - 1 - Math.log(r)), 0) / 3;
  expect(l.approxKl.dataSync()[0]).toBeCloseTo(kl, 6);
  // Value clipping: V is kept within old V ± 0.5 → predictions [1, 1.5, 1.5].
  const clippedVf = ppoLoss({ logProb, oldLogProb, advantages, entropy: tf.tensor1d([0, 0, 0]), values: tf.tensor1d([1, 2, 3]), oldValues: tf.tensor1d([1, 1, 1]), returns: tf.tensor1d([2, 2, 2]), clipRange: 0.2, clipRangeVf: 0.5, entropyCoef: 0, valueCoef: 1 });
  expect(clippedVf.valueLoss.dataSync()[0]).toBeCloseTo((1 + 0.25 + 0.25) / 3, 6);
});

test('categorical log-prob and entropy match their closed forms', () => {
  const logits = tf.tensor2d([[1, 2, 3], [0, 0, 0]]);
  const { logProb, entropy } = categoricalLogProbEntropy(logits, tf.oneHot(tf.tensor1d([2, 0], 'int32'), 3));
  const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
  const p = [Math.exp(1) / z, Math.exp(2) / z, Math.exp(3) / z];
  expectClose(values(logProb), [Math.log(p[2]!), Math.log(1 / 3)], 1e-6);
  expectClose(values(entropy), [-p.reduce((a, q) => a + q * Math.log(q), 0), Math.log(3)], 1e-6);
});

test('Gaussian log-prob and entropy match their closed forms, and sampling agrees', () => {
  const mean = tf.tensor2d([[0, 1], [2, -1]]);
  const logStd = tf.tensor1d([Math.log(0.5), Math.log(2)]);
  const actions = tf.tensor2d([[0.5, 1], [2, 3]]);
  const { logProb, entropy } = gaussianLogProbEntropy(mean, logStd, actions);
  const logN = (x: number, mu: number, s: number) => -0.5 * ((x - mu) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);
  expectClose(values(logProb), [logN(0.5, 0, 0.5) + logN(1, 1, 2), logN(2, 2, 0.5) + logN(3, -1, 2)], 1e-5);
  const h = 0.5 * Math.log(2 * Math.PI * Math.E * 0.25) + 0.5 * Math.log(2 * Math.PI * Math.E * 4);
  expectClose(values(entropy), [h, h], 1e-5);
  // The JS sampler's log-probabilities are those of its own samples.
  const out = new Float32Array(4);
  const lp = new Float32Array(2);
  sampleGaussian([0, 1, 2, -1], [Math.log(0.5), Math.log(2)], 2, 2, new Rng(3), out, lp);
  const check = gaussianLogProbEntropy(mean, logStd, tf.tensor2d(Array.from(out), [2, 2])).logProb;
  expectClose(Array.from(lp), values(check), 1e-4);
});

test('PPO rejects a batch size that does not divide the rollout', () => {
  const env = makeVectorEnv('CartPole-v1', { numEnvs: 3, seed: 0 });
  expect(() => new PPO({ env, numSteps: 10, batchSize: 7 })).toThrow('ppo.batchSize: is 7, which does not divide the rollout of numSteps × numEnvs = 10 × 3 = 30');
});

test('PPO with weight norm learns CartPole clearly above random in 25k steps', async () => {
  const env = makeVectorEnv('CartPole-v1', { numEnvs: 8, seed: 5 });
  const agent = new PPO({ env, seed: 5, numSteps: 32, batchSize: 256, updateEpochs: 10, gamma: 0.98, gaeLambda: 0.8, learningRate: 1e-3, network: { norm: 'weight', outputInitScale: 0.01 } });
  const returns: number[] = [];
  await new Trainer({ agent, env, totalSteps: 25_000, seed: 5, evalInterval: 0, evalEpisodes: 5, earlyStop: false, logger: quiet, callbacks: { onEpisode: (e) => void returns.push(e.return) } }).run();
  const last = returns.slice(-20);
  expect(last.reduce((a, b) => a + b, 0) / last.length).toBeGreaterThan(80); // random ≈ 22
  agent.dispose();
}, 90_000);

test.each(['ppo', 'a2c'] as const)('%s: save and load give identical deterministic actions (continuous actions)', async (algo) => {
  const env = makeVectorEnv('Pendulum-v1', { numEnvs: 2, seed: 2 });
  const common = { env, seed: 2, numSteps: 16, network: { hidden: [16], norm: 'weight' as const } };
  const agent = algo === 'ppo' ? new PPO({ ...common, batchSize: 32, updateEpochs: 2 }) : new A2C(common);
  await new Trainer({ agent, env, totalSteps: 640, seed: 2, evalInterval: 0, evalEpisodes: 2, logger: quiet }).run();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `wnrl-${algo}-`));
  await agent.save(dir);
  const loaded = algo === 'ppo' ? await PPO.load(dir) : await A2C.load(dir);
  const obs = Float32Array.from({ length: 30 }, (_, i) => Math.cos(i));
  expect(Array.from(loaded.predict(obs))).toEqual(Array.from(agent.predict(obs)));
  expect(Array.from(loaded.logStd!.dataSync())).toEqual(Array.from(agent.logStd!.dataSync()));
  const actions = agent.predict(obs, { deterministic: false }) as Float32Array;
  for (const a of actions) expect(Math.abs(a)).toBeLessThanOrEqual(2); // clipped to Pendulum's bounds
  agent.dispose();
  loaded.dispose();
}, 60_000);

test('A2C learns CartPole above random, and actor-critic training leaks no tensors', async () => {
  const env = makeVectorEnv('CartPole-v1', { numEnvs: 8, seed: 4 });
  const agent = new A2C({ env, seed: 4, numSteps: 5, learningRate: 1e-3, optimizer: 'adam', network: { norm: 'weight', hidden: [64, 64], outputInitScale: 0.01 }, entropyCoef: 0.0 });
  const counts = new Map<number, number>();
  const returns: number[] = [];
  await new Trainer({
    agent,
    env,
    totalSteps: 30_000,
    seed: 4,
    evalInterval: 10_000,
    evalEpisodes: 2,
    earlyStop: false,
    logger: quiet,
    callbacks: {
      onEpisode: (e) => void returns.push(e.return),
      onStep: ({ step }) => void ((step === 4_000 || step === 30_000) && counts.set(step, tf.memory().numTensors)),
    },
  }).run();
  expect(counts.get(30_000)).toBe(counts.get(4_000));
  const last = returns.slice(-20);
  expect(last.reduce((a, b) => a + b, 0) / last.length).toBeGreaterThan(40);
  agent.dispose();
}, 90_000);

test("normalizeAdvantages: zero mean, unit sample std (torch's std(), as SB3 and CleanRL); in place allowed", () => {
  const a = Float32Array.from([3, -1, 0.5, 7, 2, -4]);
  // mean 1.25; Σ(a − mean)² = 3.0625 + 5.0625 + 0.5625 + 33.0625 + 0.5625 + 27.5625 = 69.875; sample std √(69.875 / 5)
  const std = Math.sqrt(69.875 / 5);
  const out = normalizeAdvantages(a);
  out.forEach((x, i) => expect(x).toBeCloseTo((a[i]! - 1.25) / (std + 1e-8), 5));
  expect(out.reduce((s, x) => s + x, 0)).toBeCloseTo(0, 5);
  expect(Math.sqrt(out.reduce((s, x) => s + x * x, 0) / (out.length - 1))).toBeCloseTo(1, 5);
  const copy = a.slice();
  expect(normalizeAdvantages(copy, copy)).toBe(copy);
  expect(Array.from(copy)).toEqual(Array.from(out));
});

test.each(NORMS.flatMap((norm) => [[norm, false], [norm, true]] as const))('init orthogonal (the default): %s (recurrent %s) starts from a near-uniform policy', async (norm, recurrent) => {
  // SB3's ortho_init puts gain 0.01 on the policy output; weight norm reaches the same start through
  // data-dependent init with output scale 0.01. Every norm must start there, or a comparison hands one a
  // better start.
  const env = makeVectorEnv(recurrent ? 'CartPoleNoVel-v1' : 'CartPole-v1', { numEnvs: 4, seed: 3 });
  const agent = new PPO({ env, seed: 3, logger: quiet, network: { hidden: [64, 64], norm, recurrent: recurrent ? { type: 'lstm', units: 32 } : null }, numSteps: 8, batchSize: 32 });
  expect(agent.config.network.init).toBe('orthogonal');
  const obs = new Float32Array(256 * 4).map((_, i) => 0.5 * Math.sin(1.7 * i));
  if (agent.warmupSamples() > 0) agent.initialize(obs);
  const probs = tf.tidy(() => tf.softmax(agent.policy.run(tf.tensor2d(obs, [256, 4]), { T: recurrent ? 64 : 1, starts: null, state: null, training: false }).policy).dataSync());
  for (const p of probs) expect(Math.abs(p - 0.5)).toBeLessThan(0.05);
  agent.dispose();
  await env.close();
});
