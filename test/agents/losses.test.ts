import type { Scalar, Tensor } from '@tensorflow/tfjs-node';
import { expect, test } from 'vitest';
import { huberLoss } from '../../agents/common/losses.ts';
import { tf } from '../../src/backend.ts';
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
