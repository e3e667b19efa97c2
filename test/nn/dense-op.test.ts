import type { Scalar, Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-node';
import { expect, test } from 'vitest';
import { tf } from '../../src/backend.ts';
import { ACTIVATIONS, applyActivation } from '../../src/nn/activations.ts';
import { denseOp } from '../../src/nn/dense-op.ts';
import { forward } from '../../src/nn/forward.ts';
import { buildMlp } from '../../src/nn/index.ts';
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
