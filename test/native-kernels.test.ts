import { expect, test } from 'vitest';
import { backendInfo, tf } from '../src/backend.ts';
import { useNativeKernels } from '../src/native-kernels.ts';

test('the faster Reshape kernel is installed on the native backend', () => {
  expect(backendInfo().kernels).toContain('Reshape');
});

test('Reshape: same values and shapes as TensorFlow, -1 inferred, any dtype, no tensors leaked or kept', () => {
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const x = tf.range(0, 24);
    const a = tf.reshape(x, [2, 3, 4]);
    expect(a.shape).toEqual([2, 3, 4]);
    expect(a.arraySync()).toEqual([
      [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]],
      [[12, 13, 14, 15], [16, 17, 18, 19], [20, 21, 22, 23]],
    ]);
    expect(tf.reshape(a, [-1, 6]).shape).toEqual([4, 6]);
    expect(Array.from(tf.reshape(tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32'), [4]).dataSync())).toEqual([1, 2, 3, 4]);
    expect(tf.reshape(tf.tensor1d([true, false], 'bool'), [2, 1]).dtype).toBe('bool');
    // The same shape many times reuses one native handle; results stay correct.
    for (let i = 0; i < 100; i++) expect(tf.reshape(tf.fill([3, 2], i), [2, 3]).dataSync()[5]).toBe(i);
  });
  expect(tf.memory().numTensors).toBe(before);
});

test('Reshape: gradients flow through it as through TensorFlow\'s', () => {
  const g = tf.tidy(() => tf.grad((x) => tf.sum(tf.mul(tf.reshape(x, [3, 2]), tf.tensor2d([[1, 2], [3, 4], [5, 6]]))))(tf.tensor1d([0, 0, 0, 0, 0, 0])));
  expect(Array.from(g.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
  g.dispose();
});

test('useNativeKernels switches between tfjs-node\'s Reshape and wnrl\'s, with identical results', () => {
  const run = () => tf.tidy(() => Array.from(tf.reshape(tf.range(0, 6), [3, 2]).dataSync()));
  const ours = run();
  useNativeKernels(tf, false);
  try {
    expect(run()).toEqual(ours);
  } finally {
    useNativeKernels(tf, true);
  }
  expect(run()).toEqual([0, 1, 2, 3, 4, 5]);
});
