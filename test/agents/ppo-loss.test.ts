// PPO's fused loss head (one op, gradients in closed form) against the tensor-op reference it replaced
// (ppoLoss on categoricalLogProbEntropy / gaussianLogProbEntropy): same loss, parts and gradients with
// respect to the logits or means, the log-std and the values, to float32 rounding; on random minibatches
// that put ratios on both sides of the clip, with and without value clipping and an entropy bonus.
import { describe, expect, test } from 'vitest';
import type { Tensor } from '@tensorflow/tfjs-node';
import { categoricalLogProbEntropy, gaussianLogProbEntropy } from '../../agents/common/distributions.ts';
import { ppoLossHead, type PpoStats } from '../../agents/common/ppo-loss.ts';
import { ppoLoss } from '../../agents/ppo.ts';
import { Rng } from '../../envs/rng.ts';
import { tf } from '../../src/backend.ts';

interface Case {
  discrete: boolean;
  clipRangeVf: number | null;
  entropyCoef: number;
}

function minibatch(c: Case, seed: number) {
  const rng = new Rng(seed);
  const n = 64;
  const A = c.discrete ? 3 : 2;
  const policy = Float32Array.from({ length: n * A }, () => rng.normal());
  const logStd = Float32Array.from({ length: A }, () => -0.5 + 0.3 * rng.normal());
  const values = Float32Array.from({ length: n }, () => 3 * rng.normal());
  const actions = c.discrete ? Float32Array.from({ length: n }, () => rng.int(A)) : Float32Array.from({ length: n * A }, () => rng.normal());
  // Old log-probabilities near the current ones, so ratios fall inside and outside 1 ± 0.2.
  const current = tf.tidy(() => {
    const p = tf.tensor2d(policy, [n, A]);
    const lp = c.discrete ? categoricalLogProbEntropy(p, tf.oneHot(tf.tensor1d(actions, 'int32'), A)).logProb : gaussianLogProbEntropy(p, tf.tensor1d(logStd), tf.tensor2d(actions, [n, A])).logProb;
    return lp.dataSync() as Float32Array;
  });
  const oldLogProb = Float32Array.from(current, (x) => x + 0.4 * rng.normal());
  return {
    n,
    A,
    policy,
    logStd,
    values,
    actions,
    oldLogProb,
    advantages: Float32Array.from({ length: n }, () => rng.normal()),
    returns: Float32Array.from({ length: n }, () => 3 * rng.normal()),
    oldValues: Float32Array.from(values, (v) => v + rng.normal()),
  };
}

const CASES: [string, Case][] = [
  ['categorical', { discrete: true, clipRangeVf: null, entropyCoef: 0 }],
  ['categorical, value clipping, entropy bonus', { discrete: true, clipRangeVf: 0.5, entropyCoef: 0.01 }],
  ['Gaussian', { discrete: false, clipRangeVf: null, entropyCoef: 0 }],
  ['Gaussian, value clipping, entropy bonus', { discrete: false, clipRangeVf: 0.5, entropyCoef: 0.01 }],
];

describe('the fused PPO loss head equals the tensor-op loss', () => {
  test.each(CASES)('%s: loss, its parts and the gradients (3 random minibatches)', (_, c) => {
    for (const seed of [1, 2, 3]) {
      const m = minibatch(c, seed);
      const settings = { clipRange: 0.2, clipRangeVf: c.clipRangeVf, entropyCoef: c.entropyCoef, valueCoef: 0.5 };
      const inputs = [tf.tensor2d(m.policy, [m.n, m.A]), tf.tensor1d(m.values), tf.tensor1d(m.logStd)] as const;
      // The reference: ppoLoss on the distributions' tensor ops, gradients by tfjs.
      const refParts: Record<string, number> = {};
      const ref = tf.grads((p: Tensor, v: Tensor, s: Tensor) => {
        const { logProb, entropy } = c.discrete ? categoricalLogProbEntropy(p, tf.oneHot(tf.tensor1d(m.actions, 'int32'), m.A)) : gaussianLogProbEntropy(p, s, tf.tensor2d(m.actions, [m.n, m.A]));
        const l = ppoLoss({ logProb, oldLogProb: tf.tensor1d(m.oldLogProb), advantages: tf.tensor1d(m.advantages), entropy, values: v, oldValues: tf.tensor1d(m.oldValues), returns: tf.tensor1d(m.returns), ...settings });
        for (const k of ['policyLoss', 'valueLoss', 'entropy', 'approxKl', 'clipFraction'] as const) refParts[k] = l[k].dataSync()[0]!;
        refParts['loss'] = l.loss.dataSync()[0]!;
        // A Gaussian loss reaches s; a categorical one does not: add 0·s so tfjs has a gradient to give.
        return tf.add(l.loss, tf.mul(tf.sum(s), 0));
      })([...inputs]);
      const stats: PpoStats = { loss: 0, policyLoss: 0, valueLoss: 0, entropy: 0, approxKl: 0, clipFraction: 0 };
      const head = { discrete: c.discrete, actSize: m.A, actions: m.actions, oldLogProb: m.oldLogProb, advantages: m.advantages, returns: m.returns, oldValues: m.oldValues, ...settings };
      const fused = tf.grads((p: Tensor, v: Tensor, s: Tensor) => tf.add(ppoLossHead({ policy: p, value: v }, c.discrete ? null : s, head, stats), tf.mul(tf.sum(s), 0)))([...inputs]);
      // Both sides of the clip were exercised.
      expect(stats.clipFraction).toBeGreaterThan(0.1);
      expect(stats.clipFraction).toBeLessThan(0.9);
      for (const k of Object.keys(refParts)) expect(stats[k as keyof PpoStats], `${k}, seed ${seed}`).toBeCloseTo(refParts[k]!, 5);
      for (let g = 0; g < 3; g++) {
        const want = ref[g]!.dataSync();
        const got = fused[g]!.dataSync();
        expect(got.length).toBe(want.length);
        for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!), `gradient ${['policy', 'value', 'logStd'][g]}[${i}], seed ${seed}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(want[i]!)));
        if (g === 2 && !c.discrete) expect(Math.max(...Array.from(want, Math.abs))).toBeGreaterThan(1e-3); // the log-std gradient is real
      }
      tf.dispose([...inputs, ...ref, ...fused]);
    }
  });

  test.each([true, false])('the vanilla objective (A2C, discrete %s) equals −mean(log π · A) + c_v·mean((R − V)²) − c_e·mean(H) and its gradients', (discrete) => {
    const m = minibatch({ discrete, clipRangeVf: null, entropyCoef: 0.01 }, 5);
    const inputs = [tf.tensor2d(m.policy, [m.n, m.A]), tf.tensor1d(m.values), tf.tensor1d(m.logStd)] as const;
    let refLoss = 0;
    const ref = tf.grads((p: Tensor, v: Tensor, s: Tensor) => {
      const { logProb, entropy } = discrete ? categoricalLogProbEntropy(p, tf.oneHot(tf.tensor1d(m.actions, 'int32'), m.A)) : gaussianLogProbEntropy(p, s, tf.tensor2d(m.actions, [m.n, m.A]));
      const loss = tf.add(tf.add(tf.neg(tf.mean(tf.mul(logProb, tf.tensor1d(m.advantages)))), tf.mul(tf.mean(tf.square(tf.sub(tf.tensor1d(m.returns), v))), 0.5)), tf.mul(tf.mean(entropy), -0.01));
      refLoss = loss.dataSync()[0]!;
      return tf.add(loss, tf.mul(tf.sum(s), 0));
    })([...inputs]);
    const stats: PpoStats = { loss: 0, policyLoss: 0, valueLoss: 0, entropy: 0, approxKl: 0, clipFraction: 0 };
    const head = { objective: 'vanilla' as const, discrete, actSize: m.A, actions: m.actions, oldLogProb: new Float32Array(m.n), advantages: m.advantages, returns: m.returns, oldValues: m.oldValues, clipRange: Infinity, clipRangeVf: null, entropyCoef: 0.01, valueCoef: 0.5 };
    const fused = tf.grads((p: Tensor, v: Tensor, s: Tensor) => tf.add(ppoLossHead({ policy: p, value: v }, discrete ? null : s, head, stats), tf.mul(tf.sum(s), 0)))([...inputs]);
    expect(stats.loss).toBeCloseTo(refLoss, 5);
    for (let g = 0; g < 3; g++) {
      const want = ref[g]!.dataSync();
      const got = fused[g]!.dataSync();
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!), `gradient ${g}[${i}]`).toBeLessThan(1e-5 * Math.max(1, Math.abs(want[i]!)));
    }
    tf.dispose([...inputs, ...ref, ...fused]);
  });

  test.each(CASES)('%s: the stacked heads\' joint output [2, n, A] gives the same loss and gradients, none to its padding', (_, c) => {
    const m = minibatch(c, 7);
    const head = { discrete: c.discrete, actSize: m.A, actions: m.actions, oldLogProb: m.oldLogProb, advantages: m.advantages, returns: m.returns, oldValues: m.oldValues, clipRange: 0.2, clipRangeVf: c.clipRangeVf, entropyCoef: c.entropyCoef, valueCoef: 0.5 };
    // [0]: the policy outputs; [1]: the value in column 0, the value network's padded columns beside it
    const joint = new Float32Array(2 * m.n * m.A);
    joint.set(m.policy);
    for (let i = 0; i < m.n; i++) for (let j = 0; j < m.A; j++) joint[(m.n + i) * m.A + j] = j === 0 ? m.values[i]! : 100 + j;
    const apart = { loss: 0, policyLoss: 0, valueLoss: 0, entropy: 0, approxKl: 0, clipFraction: 0 };
    const together = { ...apart };
    const [dp, dv, ds] = tf.grads((p: Tensor, v: Tensor, s: Tensor) => tf.add(ppoLossHead({ policy: p, value: v }, c.discrete ? null : s, head, apart), tf.mul(tf.sum(s), 0)))([tf.tensor2d(m.policy, [m.n, m.A]), tf.tensor1d(m.values), tf.tensor1d(m.logStd)]);
    const jointTensor = tf.tensor3d(joint, [2, m.n, m.A]);
    // the head reads the joint tensor alone: slicing policy or value out of it would throw
    const jointOnly = (j: Tensor) => ({
      joint: j,
      get policy(): Tensor {
        throw new Error('sliced');
      },
      get value(): Tensor {
        throw new Error('sliced');
      },
    });
    const [dj, djs] = tf.grads((j: Tensor, s: Tensor) => tf.add(ppoLossHead(jointOnly(j), c.discrete ? null : s, head, together), tf.mul(tf.sum(s), 0)))([jointTensor, tf.tensor1d(m.logStd)]);
    expect(together).toEqual(apart);
    const g = dj!.dataSync();
    expect(Array.from(g.subarray(0, m.n * m.A))).toEqual(Array.from(dp!.dataSync()));
    for (let i = 0; i < m.n; i++) for (let j = 0; j < m.A; j++) expect(g[(m.n + i) * m.A + j]).toBe(j === 0 ? dv!.dataSync()[i] : 0);
    expect(Array.from(djs!.dataSync())).toEqual(Array.from(ds!.dataSync()));
  });

  test('the gradient of a Gaussian head reaches the log-std through the entropy bonus alone', () => {
    const m = minibatch({ discrete: false, clipRangeVf: null, entropyCoef: 0.1 }, 4);
    const stats: PpoStats = { loss: 0, policyLoss: 0, valueLoss: 0, entropy: 0, approxKl: 0, clipFraction: 0 };
    const zero = new Float32Array(m.n);
    const head = { discrete: false, actSize: m.A, actions: m.actions, oldLogProb: m.oldLogProb, advantages: zero, returns: m.values, oldValues: m.values, clipRange: 0.2, clipRangeVf: null, entropyCoef: 0.1, valueCoef: 0.5 };
    const [, , ds] = tf.grads((p: Tensor, v: Tensor, s: Tensor) => ppoLossHead({ policy: p, value: v }, s, head, stats))([tf.tensor2d(m.policy, [m.n, m.A]), tf.tensor1d(m.values), tf.tensor1d(m.logStd)]);
    // Zero advantages and exact values: only −c_e·mean(H) is left, whose derivative in each s_j is −c_e.
    expect(Array.from(ds!.dataSync())).toEqual([-0.1, -0.1].map(Math.fround));
  });
});
