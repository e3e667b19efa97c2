import type { Scalar, Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-node';
import { expect, test } from 'vitest';
import { activationGradKernel, backendInfo, nativeOpCount, tf } from '../../src/backend.ts';
import { ACTIVATIONS, applyActivation } from '../../src/nn/activations.ts';
import { denseOp } from '../../src/nn/dense-op.ts';
import { forward } from '../../src/nn/forward.ts';
import { buildMlp } from '../../src/nn/index.ts';
import { weightNormScale } from '../../src/nn/weight-norm-dense.ts';
import { expectClose, expectNoLeak, randomArray, randomTensor2d, values } from '../helpers/tensors.ts';

// The reference: the same layer composed of tfjs ops, differentiated by tfjs's autodiff.
const reference = (x: Tensor2D, w: Tensor2D, b: Tensor1D | null, act: (typeof ACTIVATIONS)[number]) => applyActivation(b === null ? tf.matMul(x, w) : tf.add(tf.matMul(x, w), b), act);

test.each(ACTIVATIONS.flatMap((a) => [[a, true] as const, [a, false] as const]))('denseOp %s (bias %s): values and gradients to x, W, b match autodiff', (activation, withBias) => {
  tf.tidy(() => {
    const x = randomTensor2d(6, 5, 1);
    const w = randomTensor2d(5, 3, 2);
    const b = withBias ? tf.tensor1d(randomArray(3, 3)) : null;
    // A loss that weights every output differently, so each gradient entry is checked.
    const weights = randomTensor2d(6, 3, 4);
    const loss = (f: typeof reference) => (xx: Tensor, ww: Tensor, bb?: Tensor) => tf.sum(tf.mul(f(xx as Tensor2D, ww as Tensor2D, (bb as Tensor1D | undefined) ?? null, activation), weights)) as Scalar;
    const inputs = b === null ? [x, w] : [x, w, b];
    const mine = tf.valueAndGrads(loss((xx, ww, bb, act) => denseOp(xx, ww, bb, act)))(inputs);
    const ref = tf.valueAndGrads(loss(reference))(inputs);
    expectClose(values(mine.value), values(ref.value), 1e-6, 'value');
    expect(mine.grads.length).toBe(inputs.length);
    mine.grads.forEach((g, i) => expectClose(values(g), values(ref.grads[i]!), 1e-5, `grad ${i}`));
  });
});

test.each([
  ['relu', 2],
  ['tanh', 3],
] as const)('denseOp %s with a scale per column (rank %i): φ((x·V) ⊙ s + b), gradients to x, V, b and s match autodiff', (activation, rank) => {
  tf.tidy(() => {
    const K = 2;
    const x = rank === 2 ? randomTensor2d(6, 5, 31) : tf.reshape(randomTensor2d(6, 5, 31), [1, 6, 5]); // rank 3: one input for both networks
    const v = rank === 2 ? randomTensor2d(5, 3, 32) : tf.reshape(randomTensor2d(K * 5, 3, 32), [K, 5, 3]);
    const b = rank === 2 ? tf.tensor1d(randomArray(3, 33)) : tf.reshape(tf.tensor1d(randomArray(K * 3, 33)), [K, 1, 3]);
    const s = rank === 2 ? tf.tensor1d(randomArray(3, 34).map((a) => 1 + a)) : tf.reshape(tf.tensor1d(randomArray(K * 3, 34).map((a) => 1 + a)), [K, 1, 3]);
    const weights = tf.reshape(randomTensor2d(rank === 2 ? 6 : K * 6, 3, 35), rank === 2 ? [6, 3] : [K, 6, 3]);
    const lossOf = (f: (xx: Tensor, vv: Tensor, bb: Tensor, ss: Tensor) => Tensor) => (xx: Tensor, vv: Tensor, bb: Tensor, ss: Tensor) => tf.sum(tf.mul(f(xx, vv, bb, ss), weights)) as Scalar;
    const mine = tf.valueAndGrads(lossOf((xx, vv, bb, ss) => denseOp(xx as Tensor2D, vv as Tensor2D, bb, activation, ss)))([x, v, b, s]);
    const ref = tf.valueAndGrads(lossOf((xx, vv, bb, ss) => applyActivation(tf.add(tf.mul(tf.matMul(rank === 2 ? xx : tf.tile(xx, [K, 1, 1]), vv), ss), bb), activation)))([x, v, b, s]);
    expectClose(values(mine.value), values(ref.value), 1e-6, 'value');
    mine.grads.forEach((g, i) => {
      expect(g.shape).toEqual(ref.grads[i]!.shape);
      expectClose(values(g), values(ref.grads[i]!), 1e-5, `grad ${i}`);
    });
  });
});

test('weightNormScale: s = g/‖v‖ per column with closed-form gradients equal to autodiff (rank 2 and stacked)', () => {
  tf.tidy(() => {
    for (const [v, g] of [
      [randomTensor2d(5, 3, 41), tf.tensor1d(randomArray(3, 42))],
      [tf.reshape(randomTensor2d(2 * 2 * 5, 3, 43), [2, 2, 5, 3]), tf.reshape(tf.tensor1d(randomArray(12, 44)), [2, 2, 1, 3])],
    ] as const) {
      const w = tf.reshape(tf.tensor1d(randomArray(g.size, 45)), g.shape);
      const lossOf = (f: (vv: Tensor, gg: Tensor) => Tensor) => (vv: Tensor, gg: Tensor) => tf.sum(tf.mul(f(vv, gg), w)) as Scalar;
      const mine = tf.valueAndGrads(lossOf((vv, gg) => weightNormScale(vv, gg)))([v, g]);
      const ref = tf.valueAndGrads(lossOf((vv, gg) => tf.div(gg, tf.sqrt(tf.sum(tf.square(vv), vv.rank - 2, vv.rank >= 3)))))([v, g]);
      expectClose(values(mine.value), values(ref.value), 1e-6, 'value');
      mine.grads.forEach((gr, i) => expectClose(values(gr), values(ref.grads[i]!), 1e-5, `grad ${i}`));
    }
  });
});

test('forward() runs tfjs Dense layers through denseOp with the same outputs and gradients as model.apply', () => {
  const model = buildMlp({ inputSize: 4, hidden: [16, 8], outputSize: 3, activation: 'relu', norm: 'none', seed: 7 });
  tf.tidy(() => {
    const x = randomTensor2d(10, 4, 11);
    expectClose(values(forward(model, x, false)), values(model.apply(x) as Tensor), 1e-6, 'outputs');
    const vars = model.trainableWeights.map((w) => w.read());
    const ours = tf.variableGrads(() => tf.sum(tf.square(forward(model, x, true))) as Scalar, vars as never);
    const theirs = tf.variableGrads(() => tf.sum(tf.square(model.apply(x, { training: true }) as Tensor)) as Scalar, vars as never);
    for (const name of Object.keys(theirs.grads)) expectClose(values(ours.grads[name]!), values(theirs.grads[name]!), 1e-5, name);
  });
  model.dispose();
});

test('denseOp leaves no tensors behind, forward or backward', () => {
  const x = randomTensor2d(4, 3, 1);
  const w = tf.variable(randomTensor2d(3, 2, 2));
  const b = tf.variable(tf.tensor1d([0.1, -0.2]));
  expectNoLeak(() =>
    tf.tidy(() => {
      tf.variableGrads(() => tf.sum(denseOp(x, w, b, 'tanh')) as Scalar, [w, b]);
    }),
  );
  tf.dispose([x, w, b]);
});

test.each(['relu', 'tanh', 'sigmoid', 'elu'] as const)('the %s gradient is one native kernel with the tfjs ops\' values, and denseOp backpropagates through it', (activation) => {
  expect(backendInfo().backend).toBe('tensorflow');
  tf.tidy(() => {
    // values on both sides of 0, exact zeros among them (ReLU's and ELU's branch point)
    const z = tf.tensor2d(randomArray(64 * 32, 3).map((v, i) => (i % 17 === 0 ? 0 : 4 * v)), [64, 32]);
    const y = applyActivation(z, activation);
    const dy = tf.tensor2d(randomArray(64 * 32, 4), [64, 32]);
    const before = nativeOpCount();
    const native = activationGradKernel(activation, y, dy)!;
    expect(native.shape).toEqual([64, 32]);
    expect(nativeOpCount() - before).toBe(1);
    const ref = tf.grad((zz: Tensor) => tf.sum(tf.mul(applyActivation(zz, activation), dy)))(z);
    // sigmoid: TensorFlow multiplies (dy·y)·(1 − y), tfjs's gradient in another order
    if (activation === 'sigmoid') expectClose(native.dataSync(), ref.dataSync(), 1e-7);
    else expect(Array.from(native.dataSync())).toEqual(Array.from(ref.dataSync()));
    // a layer's backward pass makes exactly one native call: the activation's
    const x = randomTensor2d(8, 5, 5);
    const w = randomTensor2d(5, 4, 6);
    const start = nativeOpCount();
    tf.grad((ww: Tensor) => tf.sum(denseOp(x, ww as Tensor2D, null, activation)))(w);
    expect(nativeOpCount() - start).toBe(1);
  });
});
