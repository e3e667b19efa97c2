import type { Scalar, Tensor } from '@tensorflow/tfjs-node';
import { describe, expect, test } from 'vitest';
import { tdLossHead } from '../../agents/common/losses.ts';
import { Rng } from '../../envs/rng.ts';
import { tf } from '../../src/backend.ts';
import { dqnTargets, huberLoss } from '../helpers/td-reference.ts';
import { expectClose, values } from '../helpers/tensors.ts';

test.each([1, 0.5, 10])('huberLoss (δ = %s): value and gradients to labels and predictions equal tf.losses.huberLoss', (delta) => {
  tf.tidy(() => {
    // Errors on both sides of δ and exactly zero.
    const y = tf.tensor1d([0, 1, -2, 3, 0.25, 7]);
    const q = tf.tensor1d([0.1, -1, -2, 0.5, 0.3, 19]);
    const ours = tf.valueAndGrads((a: Tensor, b: Tensor) => huberLoss(a, b, delta))([y, q]);
    const theirs = tf.valueAndGrads((a: Tensor, b: Tensor) => tf.losses.huberLoss(a, b, undefined, delta) as Scalar)([y, q]);
    expectClose(values(ours.value), values(theirs.value), 1e-6, 'value');
    ours.grads.forEach((g, i) => expectClose(values(g), values(theirs.grads[i]!), 1e-6, `grad ${i}`));
  });
});

test('huberLoss by hand: ½e² inside δ, δ(|e| − ½δ) outside, averaged', () => {
  const v = tf.tidy(() => huberLoss(tf.tensor1d([0, 0]), tf.tensor1d([0.5, -3]), 1).dataSync()[0]!);
  expect(v).toBeCloseTo((0.125 + 2.5) / 2, 6);
});

describe('tdLossHead: DQN\'s targets and Huber loss in one op equal the tensor formulas (dqnTargets, huberLoss)', () => {
  const B = 16;
  const A = 3;
  const rng = new Rng(4);
  const rand = (n: number, scale = 1) => Float32Array.from({ length: n }, () => scale * rng.normal());
  const q = rand(B * A, 3);
  const nextOnline = rand(B * A, 3);
  const nextTarget = rand(B * A, 3);
  const actions = Int32Array.from({ length: B }, () => rng.int(A));
  const rewards = rand(B);
  const terminated = Float32Array.from({ length: B }, (_, i) => (i % 4 === 0 ? 1 : 0));
  const notDone = () => tf.sub(1, tf.tensor1d(terminated));
  /** The reference: y from dqnTargets, Q(s, a) by one-hot, huberLoss; gradient to Q by autodiff. */
  const reference = (target: Float32Array | null, online: Float32Array | null) =>
    tf.valueAndGrad((qq: Tensor) => {
      const y = dqnTargets(tf.tensor1d(rewards), notDone(), tf.tensor2d(target ?? online!, [B, A]), online === null ? null : tf.tensor2d(online, [B, A]), 0.9);
      const taken = tf.sum(tf.mul(qq, tf.oneHot(tf.tensor1d(actions, 'int32'), A)), 1);
      return huberLoss(y, taken, 1.5);
    })(tf.tensor2d(q, [B, A]));
  const head = { batch: B, actions, rewards, terminated, gamma: 0.9, huberDelta: 1.5 };

  test.each([
    ['vanilla DQN (a* maximizes the target)', nextTarget, null],
    ['Double DQN (a* from the online values)', nextTarget, nextOnline],
    ['no target network (the online values bootstrap)', null, nextOnline],
  ] as const)('%s: loss, mean Q(s, a) and the gradient to Q', (_, target, online) => {
    tf.tidy(() => {
      const ref = reference(target, online);
      const stats = { loss: 0, qMean: 0 };
      const ours = tf.valueAndGrad((qq: Tensor) => tdLossHead(qq, { ...head, nextTarget: target, nextOnline: online }, stats))(tf.tensor2d(q, [B, A]));
      expect(stats.loss).toBeCloseTo(ref.value.dataSync()[0]!, 5);
      expect(ours.value.dataSync()[0]).toBeCloseTo(stats.loss, 5);
      expect(stats.qMean).toBeCloseTo(actions.reduce((a, act, i) => a + q[i * A + act]!, 0) / B, 5);
      expectClose(values(ours.grad), values(ref.grad), 1e-6, 'gradient');
      expect(values(ref.grad).filter((g) => g !== 0).length).toBeGreaterThan(B / 2); // the losses are not all flat
    });
  });

  test('one pass over [s; s\'] (CrossQ): the s\' rows choose a* (and bootstrap without a target) and get no gradient', () => {
    tf.tidy(() => {
      for (const target of [nextTarget, null]) {
        const ref = reference(target, nextOnline);
        const stats = { loss: 0, qMean: 0 };
        const joint = tf.tensor2d([...q, ...nextOnline], [2 * B, A]);
        const ours = tf.valueAndGrad((qq: Tensor) => tdLossHead(qq, { ...head, nextTarget: target, nextOnline: 'rows' }, stats))(joint);
        expect(stats.loss).toBeCloseTo(ref.value.dataSync()[0]!, 5);
        const g = values(ours.grad);
        expectClose(g.slice(0, B * A), values(ref.grad), 1e-6, 'gradient to Q(s, ·)');
        expect(g.slice(B * A).every((x) => x === 0)).toBe(true);
      }
    });
  });
});
