import { expect, test } from 'vitest';
import { backendInfo, tf } from '../src/backend.ts';

test('the native TensorFlow backend is active by default', () => {
  const info = backendInfo();
  expect(info.backend).toBe('tensorflow');
  expect(tf.getBackend()).toBe('tensorflow');
  expect(info.tfjsVersion).toBe('4.22.0');
  expect(info.tensorflowVersion).toMatch(/^2\.\d+/);
});

test('the native backend computes a matmul correctly', () => {
  const out = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])).arraySync());
  expect(out).toEqual([[17], [39]]);
});
