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

test.each([
  ['adam', { kind: 'adam' as const, learningRate: 0.01, epsilon: 1e-5, maxGradNorm: 0.5 }],
  ['rmsprop', { kind: 'rmsprop' as const, learningRate: 0.01, alpha: 0.99, epsilon: 1e-5, maxGradNorm: 0.5 }],
])('%s through TensorFlow fused kernel follows the tensor-op path step for step, clipping included', (_, options) => {
  const [a, b] = twins();
  const x = randomTensor2d(32, 3, 7);
  const y = randomTensor2d(32, 2, 8);
  const lossOf = (m: typeof a) => () => tf.mul(tf.losses.meanSquaredError(y, m!.apply(x) as Tensor), 50) as Scalar;
  const fused = new FlatOptimizer(a!.trainableWeights, { ...options, fused: true });
  const plain = new FlatOptimizer(b!.trainableWeights, { ...options, fused: false });
  expect(fused.fused).toBe(true);
  const norms: number[][] = [[], []];
  for (let i = 0; i < 30; i++) {
    [fused, plain].forEach((opt, k) => {
      const r = opt.step(lossOf(k === 0 ? a : b));
      norms[k]!.push(r.gradNorm.dataSync()[0]!);
      tf.dispose([r.loss, r.gradNorm]);
    });
  }
  expect(norms[0]!.slice(0, 3).every((n) => n > 0.5)).toBe(true); // clipping was active
  expectClose(norms[0]!, norms[1]!, 1e-3, 'gradient norms');
  a!.getWeights().forEach((w, i) => expectClose(values(w), values(b!.getWeights()[i]!), 1e-4, `weight ${i}`));
  expectClose(Array.from(fused.getState().v), Array.from(plain.getState().v), 1e-6, 'v');
  fused.dispose();
  plain.dispose();
});

test('the fused path takes up weights assigned between steps (a load, an initialization)', () => {
  const [a, b] = twins();
  const x = randomTensor2d(16, 3, 9);
  const lossOf = (m: typeof a) => () => tf.mean(tf.square(m!.apply(x) as Tensor)) as Scalar;
  const fused = new FlatOptimizer(a!.trainableWeights, { learningRate: 0.05, fused: true });
  const plain = new FlatOptimizer(b!.trainableWeights, { learningRate: 0.05, fused: false });
  const both = () => [fused, plain].forEach((opt, k) => tf.dispose(Object.values(opt.step(lossOf(k === 0 ? a : b))).flat() as Tensor[]));
  both();
  // the same new weights into both networks, as a checkpoint load would write them
  const fresh = buildMlp({ inputSize: 3, hidden: [8], outputSize: 2, norm: 'weight', seed: 11 }).getWeights();
  a!.setWeights(fresh);
  b!.setWeights(fresh);
  both();
  both();
  a!.getWeights().forEach((w, i) => expectClose(values(w), values(b!.getWeights()[i]!), 1e-5, `weight ${i}`));
  fused.dispose();
  plain.dispose();
});

test('the fused path frees its native vectors: no tensors and no native memory left after dispose', () => {
  const [a] = twins();
  const x = randomTensor2d(8, 3, 10);
  expectNoLeak(() => {
    const opt = new FlatOptimizer(a!.trainableWeights, { learningRate: 1e-3, fused: true });
    tf.dispose(Object.values(opt.step(() => tf.mean(a!.apply(x) as Tensor) as Scalar)).flat() as Tensor[]);
    opt.dispose();
  });
  // 3 vectors of 1M floats per optimizer: 40 of them leaked would hold ~480 MB of native memory
  const big = tf.variable(tf.zeros([1 << 20]));
  const rss0 = process.memoryUsage().rss;
  for (let i = 0; i < 40; i++) {
    const opt = new FlatOptimizer([big], { learningRate: 1e-3, fused: true });
    tf.dispose(Object.values(opt.step(() => tf.sum(big) as Scalar)).flat() as Tensor[]);
    opt.dispose();
  }
  expect(process.memoryUsage().rss - rss0).toBeLessThan(150e6);
  big.dispose();
});

test('the fused path never changes data read before a step (a target network sharing the online weights)', () => {
  const [a] = twins();
  const x = randomTensor2d(16, 3, 12);
  const opt = new FlatOptimizer(a!.trainableWeights, { learningRate: 0.05, fused: true });
  const lossFn = () => tf.mean(tf.square(a!.apply(x) as Tensor)) as Scalar;
  tf.dispose(Object.values(opt.step(lossFn)).flat() as Tensor[]);
  for (let i = 0; i < 3; i++) {
    // what a DQN target sync does: a second variable takes the online variables' data, no copy
    const targets = a!.trainableWeights.map((w) => tf.variable(w.read(), false));
    const before = targets.map((t) => values(t));
    tf.dispose(Object.values(opt.step(lossFn)).flat() as Tensor[]);
    targets.forEach((t, k) => expect(values(t)).toEqual(before[k]));
    expect(values(a!.trainableWeights[0]!.read())).not.toEqual(before[0]);
    tf.dispose(targets);
  }
  opt.dispose();
});
