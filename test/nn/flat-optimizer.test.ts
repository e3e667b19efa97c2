import type { Scalar, Tensor, Variable } from '@tensorflow/tfjs-node';
import { expect, test } from 'vitest';
import { tf } from '../../src/backend.ts';
import { FlatOptimizer, buildMlp } from '../../src/nn/index.ts';
import { expectClose, expectNoLeak, randomTensor2d, values } from '../helpers/tensors.ts';

const twins = () => [1, 2].map(() => buildMlp({ inputSize: 3, hidden: [8], outputSize: 2, norm: 'weight', seed: 4 }));

test('flat Adam follows tf.train.adam (PyTorch semantics) step for step', () => {
  const [a, b] = twins();
  const x = randomTensor2d(32, 3, 1);
  const y = randomTensor2d(32, 2, 2);
  const lossOf = (m: typeof a) => () => tf.losses.meanSquaredError(y, m!.apply(x) as Tensor) as Scalar;
  const reference = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
  const flat = new FlatOptimizer(b!.trainableWeights, { learningRate: 0.01, epsilon: 1e-8 });
  for (let i = 0; i < 25; i++) {
    reference.minimize(lossOf(a));
    const r = flat.step(lossOf(b));
    tf.dispose([r.loss, r.gradNorm]);
  }
  a!.getWeights().forEach((w, i) => expectClose(values(b!.getWeights()[i]!), values(w), 2e-5, `weight ${i}`));
  expect(flat.steps).toBe(25);
});

test('flat RMSprop matches the PyTorch update v ← αv + (1−α)g², p ← p − lr·g/(√v + ε)', () => {
  const [, b] = twins();
  const x = randomTensor2d(16, 3, 3);
  const before = b!.getWeights().map(values);
  const { grads } = tf.variableGrads(() => tf.mean(b!.apply(x) as Tensor) as Scalar, b!.trainableWeights.map((w) => w.read() as Variable));
  const opt = new FlatOptimizer(b!.trainableWeights, { kind: 'rmsprop', learningRate: 0.1, alpha: 0.9, epsilon: 1e-5 });
  tf.dispose(Object.values(opt.step(() => tf.mean(b!.apply(x) as Tensor) as Scalar)).flat() as Tensor[]);
  b!.trainableWeights.forEach((w, i) => {
    const g = values(grads[w.name]!);
    const expected = before[i]!.map((p, k) => p - (0.1 * g[k]!) / (Math.sqrt(0.1 * g[k]! ** 2) + 1e-5));
    expectClose(values(w.read()), expected, 1e-4, w.name);
  });
});

test('gradient clipping scales the flat gradient to maxGradNorm and reports the norm before clipping', () => {
  const [a] = twins();
  const x = randomTensor2d(16, 3, 5);
  const lossFn = () => tf.mul(tf.sum(a!.apply(x) as Tensor), 100) as Scalar;
  const { grads } = tf.variableGrads(lossFn, a!.trainableWeights.map((w) => w.read() as Variable));
  const flatGrad = a!.trainableWeights.flatMap((w) => values(grads[w.name]!));
  const norm = Math.sqrt(flatGrad.reduce((s, g) => s + g * g, 0));
  const opt = new FlatOptimizer(a!.trainableWeights, { learningRate: 1e-3, maxGradNorm: 0.5 });
  const r = opt.step(lossFn);
  expect(r.gradNorm.dataSync()[0]).toBeCloseTo(norm, 1);
  // After one Adam step m = (1 − β1) · clipped gradient and v = (1 − β2) · its square.
  const clipped = flatGrad.map((g) => g * (0.5 / norm));
  expectClose(Array.from(opt.getState().m), clipped.map((g) => 0.1 * g), 1e-4, 'm');
  expectClose(Array.from(opt.getState().v, (v) => Math.sqrt(v / 0.001)), clipped.map(Math.abs), 1e-4, 'v');
  tf.dispose([r.loss, r.gradNorm]);
});

test('gradient clipping with RMSprop: the update is that of the clipped gradient', () => {
  const [, b] = twins();
  const x = randomTensor2d(16, 3, 6);
  const lossFn = () => tf.mul(tf.sum(b!.apply(x) as Tensor), 100) as Scalar;
  const before = b!.getWeights().map(values);
  const { grads } = tf.variableGrads(lossFn, b!.trainableWeights.map((w) => w.read() as Variable));
  const norm = Math.sqrt(b!.trainableWeights.flatMap((w) => values(grads[w.name]!)).reduce((s, g) => s + g * g, 0));
  expect(norm).toBeGreaterThan(1); // clipping is active
  const opt = new FlatOptimizer(b!.trainableWeights, { kind: 'rmsprop', learningRate: 0.1, alpha: 0.9, epsilon: 1e-5, maxGradNorm: 1 });
  tf.dispose(Object.values(opt.step(lossFn)).flat() as Tensor[]);
  b!.trainableWeights.forEach((w, i) => {
    const g = values(grads[w.name]!).map((gk) => gk / norm);
    const expected = before[i]!.map((p, k) => p - (0.1 * g[k]!) / (Math.sqrt(0.1 * g[k]! ** 2) + 1e-5));
    expectClose(values(w.read()), expected, 1e-4, w.name);
  });
  opt.dispose();
});

test('extras returned by the loss survive, and nothing leaks', () => {
  const [a] = twins();
  const x = randomTensor2d(16, 3, 6);
  const opt = new FlatOptimizer(a!.trainableWeights, { learningRate: 1e-3, maxGradNorm: 1 });
  const step = () => {
    const r = opt.step((extras) => {
      const out = a!.apply(x) as Tensor;
      extras.push(tf.mean(out));
      return tf.mean(tf.square(out)) as Scalar;
    });
    expect(r.extras).toHaveLength(1);
    expect(Number.isFinite(r.extras[0]!.dataSync()[0])).toBe(true);
    tf.dispose([r.loss, r.gradNorm, ...r.extras]);
  };
  step();
  expectNoLeak(() => {
    for (let i = 0; i < 10; i++) step();
    opt.setState(opt.getState());
  });
});
