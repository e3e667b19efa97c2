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

test('a forward pass and its gradient on the native backend match the pure-JS cpu backend within 1e-5', async () => {
  const compute = () =>
    tf.tidy(() => {
      const x = tf.tensor2d([[0.3, -1.2, 0.5], [1.1, 0.4, -0.7]]);
      const v = tf.tensor2d([[0.2, -0.5], [0.7, 0.1], [-0.3, 0.9]]);
      const g = tf.tensor1d([1.5, 0.8]);
      // A weight-normalized layer: w = g * v / ||v|| per output column.
      const f = (vv: typeof v, gg: typeof g) => tf.tanh(tf.matMul(x, vv.div(vv.norm('euclidean', 0)).mul(gg))).sum();
      const { value, grads } = tf.valueAndGrads(f as (...a: unknown[]) => ReturnType<typeof f>)([v, g] as never);
      return [value, ...grads].map((t) => Array.from(t.dataSync()));
    });
  const native = compute();
  await tf.setBackend('cpu');
  try {
    expect(tf.getBackend()).toBe('cpu');
    const cpu = compute();
    for (let i = 0; i < native.length; i++) {
      for (let j = 0; j < native[i]!.length; j++) expect(Math.abs(native[i]![j]! - cpu[i]![j]!)).toBeLessThan(1e-5);
    }
  } finally {
    await tf.setBackend('tensorflow');
  }
  expect(tf.getBackend()).toBe('tensorflow');
});
