import type { Scalar, Tensor, Tensor2D, Variable } from '@tensorflow/tfjs-node';
import { expect, test } from 'vitest';
import { tf } from '../../src/backend.ts';
import { WeightNormDense } from '../../src/nn/index.ts';
import { scalesProduct } from '../../src/nn/weight-norm-dense.ts';
import { expectClose, expectNoLeak, randomArray, randomTensor2d, values } from '../helpers/tensors.ts';

function makeLayer(inDim: number, units: number, seed: number, activation: 'linear' | 'tanh' = 'linear') {
  const layer = new WeightNormDense({ units, activation, seed });
  layer.build([null, inDim]);
  // Non-trivial g and b, so the checks are not about ones and zeros.
  layer.parameters.g.write(tf.tensor1d(randomArray(units, seed + 1).map((x) => 0.5 + x)));
  layer.parameters.b!.write(tf.tensor1d(randomArray(units, seed + 2)));
  return layer;
}

test.each([
  [3, 5],
  [17, 4],
  [64, 64],
  [1, 7],
])('effective kernel [%i, %i] equals g·v/‖v‖ column by column, and ‖w_j‖ = |g_j|', (inDim, units) => {
  const layer = makeLayer(inDim, units, inDim * 100 + units);
  const v = values(layer.parameters.v.read());
  const g = values(layer.parameters.g.read());
  const w = values(layer.effectiveKernel());
  const expected = new Array<number>(inDim * units);
  for (let j = 0; j < units; j++) {
    let norm = 0;
    for (let i = 0; i < inDim; i++) norm += v[i * units + j]! ** 2;
    norm = Math.sqrt(norm);
    let wNorm = 0;
    for (let i = 0; i < inDim; i++) {
      expected[i * units + j] = (g[j]! * v[i * units + j]!) / norm;
      wNorm += w[i * units + j]! ** 2;
    }
    expect(Math.sqrt(wNorm)).toBeCloseTo(Math.abs(g[j]!), 5);
  }
  expectClose(w, expected, 1e-6, 'W');
  expect(layer.effectiveKernel().shape).toEqual([inDim, units]);
  expect(layer.effectiveKernel().dtype).toBe('float32');
});

test('forward pass is φ(x·W + b) with the shape and dtype of a dense layer', () => {
  const layer = makeLayer(6, 3, 11, 'tanh');
  const x = randomTensor2d(4, 6, 12);
  const y = layer.apply(x) as Tensor;
  expect(y.shape).toEqual([4, 3]);
  expect(y.dtype).toBe('float32');
  const expected = tf.tidy(() => tf.tanh(tf.add(tf.matMul(x, layer.effectiveKernel()), layer.parameters.b!.read())));
  expectClose(values(y), values(expected), 1e-6);
});

// Float64 reference of L(v, g) = Σ c ⊙ (x·W), W = g·v/‖v‖, for the gradient checks.
function lossF64(x: number[], c: number[], v: number[], g: number[], n: number, inDim: number, units: number): number {
  let loss = 0;
  const norms = Array.from({ length: units }, (_, j) => Math.sqrt(Array.from({ length: inDim }, (_, i) => v[i * units + j]! ** 2).reduce((a, b) => a + b, 0)));
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < units; j++) {
      let y = 0;
      for (let i = 0; i < inDim; i++) y += x[r * inDim + i]! * ((g[j]! * v[i * units + j]!) / norms[j]!);
      loss += c[r * units + j]! * y;
    }
  }
  return loss;
}

test('autodiff gradients of v and g equal the closed forms and a float64 finite-difference check', () => {
  const [n, inDim, units] = [5, 4, 3];
  const layer = makeLayer(inDim, units, 21);
  const xArr = randomArray(n * inDim, 22);
  const cArr = randomArray(n * units, 23);
  const x = tf.tensor2d(xArr, [n, inDim]);
  const c = tf.tensor2d(cArr, [n, units]);
  const { grads } = tf.variableGrads(() => tf.sum(tf.mul(c, layer.apply(x) as Tensor)) as Scalar);
  const { v: vVar, g: gVar } = layer.parameters;
  const gradV = values(grads[vVar.name]!);
  const gradG = values(grads[gVar.name]!);
  const v = values(vVar.read());
  const g = values(gVar.read());

  // Closed forms (paper eq. 3): ∇W = xᵀc; ∇g_j = ∇w_j·v_j/‖v_j‖; ∇v_j = (g_j/‖v_j‖)(∇w_j − w_j (w_j·∇w_j)/‖w_j‖²).
  const gradW = new Array<number>(inDim * units).fill(0);
  for (let r = 0; r < n; r++) for (let i = 0; i < inDim; i++) for (let j = 0; j < units; j++) gradW[i * units + j]! += xArr[r * inDim + i]! * cArr[r * units + j]!;
  const closedV = new Array<number>(inDim * units);
  const closedG = new Array<number>(units);
  for (let j = 0; j < units; j++) {
    let norm = 0;
    for (let i = 0; i < inDim; i++) norm += v[i * units + j]! ** 2;
    norm = Math.sqrt(norm);
    let gv = 0;
    for (let i = 0; i < inDim; i++) gv += gradW[i * units + j]! * v[i * units + j]!;
    closedG[j] = gv / norm;
    const w = (i: number) => (g[j]! * v[i * units + j]!) / norm;
    let wDotGrad = 0;
    let wNorm2 = 0;
    for (let i = 0; i < inDim; i++) {
      wDotGrad += w(i) * gradW[i * units + j]!;
      wNorm2 += w(i) ** 2;
    }
    for (let i = 0; i < inDim; i++) closedV[i * units + j] = (g[j]! / norm) * (gradW[i * units + j]! - (w(i) * wDotGrad) / wNorm2);
  }
  expectClose(gradG, closedG, 1e-4, '∇g closed form');
  expectClose(gradV, closedV, 1e-4, '∇v closed form');

  // Central finite differences in float64.
  const h = 1e-6;
  const fdV = v.map((_, k) => {
    const plus = [...v];
    const minus = [...v];
    plus[k]! += h;
    minus[k]! -= h;
    return (lossF64(xArr, cArr, plus, g, n, inDim, units) - lossF64(xArr, cArr, minus, g, n, inDim, units)) / (2 * h);
  });
  const fdG = g.map((_, k) => {
    const plus = [...g];
    const minus = [...g];
    plus[k]! += h;
    minus[k]! -= h;
    return (lossF64(xArr, cArr, v, plus, n, inDim, units) - lossF64(xArr, cArr, v, minus, n, inDim, units)) / (2 * h);
  });
  expectClose(gradV, fdV, 1e-3, '∇v finite differences');
  expectClose(gradG, fdG, 1e-3, '∇g finite differences');
  tf.dispose([x, c, ...Object.values(grads)]);
});

test.each([
  [160, 128, 6, true], // v large, and over four times the batch's activations: the scale multiplies the product
  [256, 256, 64, true], // the line: four times the batch's rows (HalfCheetah-v5's [256, 256] at minibatch 64)
  [160, 128, 48, false], // a batch too large for it: the kernel is formed
  [24, 5, 3, false], // v too small for it
])('a gradient step of a [%i, %i] layer on %i rows (scaled product: %s): loss and gradients of v, g, b equal autodiff through W = g·v/‖v‖', (inDim, units, n, scaled) => {
  expect(scalesProduct(inDim, units, n)).toBe(scaled);
  const layer = makeLayer(inDim, units, 31, 'tanh');
  const x = randomTensor2d(n, inDim, 32);
  const c = randomTensor2d(n, units, 33);
  const { v, g, b } = layer.parameters;
  const ours = tf.variableGrads(() => tf.sum(tf.mul(c, layer.apply(x) as Tensor)) as Scalar, [v.read(), g.read(), b!.read()] as never);
  const ref = tf.valueAndGrads((vv: Tensor, gg: Tensor, bb: Tensor) => tf.sum(tf.mul(c, tf.tanh(tf.add(tf.matMul(x, tf.mul(vv, tf.div(gg, tf.norm(vv, 'euclidean', 0)))), bb)))) as Scalar)([v.read(), g.read(), b!.read()]);
  expectClose(values(ours.value), values(ref.value), 1e-5, 'loss');
  [v, g, b!].forEach((w, i) => expectClose(values(ours.grads[(w.read() as Variable).name]!), values(ref.grads[i]!), 1e-4, w.name));
  tf.dispose([x, c, ours.value, ref.value, ...Object.values(ours.grads), ...ref.grads]);
});

test('scale invariance: multiplying v by a constant leaves the outputs unchanged', () => {
  const layer = makeLayer(8, 6, 31, 'tanh');
  const x = randomTensor2d(10, 8, 32);
  const before = values(layer.apply(x) as Tensor);
  layer.parameters.v.write(tf.tidy(() => tf.mul(layer.parameters.v.read(), 7.5)));
  expectClose(values(layer.apply(x) as Tensor), before, 1e-5);
});

test('the cached acting kernel follows every parameter change', () => {
  const layer = makeLayer(5, 4, 41, 'tanh');
  const x = randomTensor2d(3, 5, 42);
  const optimizer = tf.train.adam(0.1);
  for (let step = 0; step < 3; step++) {
    const acting = values(layer.apply(x) as Tensor); // outside a tape: cached kernel
    const taped = tf.tidy(() => {
      let out: number[] = [];
      tf.variableGrads(() => {
        const y = layer.apply(x) as Tensor2D; // inside a tape: recomputed kernel
        out = values(y);
        return tf.sum(y) as Scalar;
      });
      return out;
    });
    expectClose(acting, taped, 1e-6, `step ${step}`);
    optimizer.minimize(() => tf.sum(tf.square(layer.apply(x) as Tensor)) as Scalar);
  }
  // setWeights invalidates too.
  layer.setWeights(layer.getWeights().map((w) => tf.mul(w, 1.1)));
  const fresh = tf.tidy(() => tf.tanh(tf.add(tf.matMul(x, tf.mul(layer.parameters.v.read(), tf.div(layer.parameters.g.read(), tf.norm(layer.parameters.v.read(), 'euclidean', 0)))), layer.parameters.b!.read())));
  expectClose(values(layer.apply(x) as Tensor), values(fresh), 1e-5, 'after setWeights');
  optimizer.dispose();
});

test('gInit vNorm starts the layer equal to a plain dense layer with kernel v', () => {
  const layer = new WeightNormDense({ units: 3, gInit: 'vNorm', seed: 5 });
  layer.build([null, 4]);
  expectClose(values(layer.effectiveKernel()), values(layer.parameters.v.read()), 1e-6);
});

test('no tensor leaks across forward, backward and parameter updates', () => {
  const layer = makeLayer(6, 5, 51, 'tanh');
  const x = randomTensor2d(8, 6, 52);
  const optimizer = tf.train.adam(0.01);
  const step = () => {
    tf.tidy(() => {
      layer.apply(x);
    });
    optimizer.minimize(() => tf.mean(tf.square(layer.apply(x) as Tensor)) as Scalar)?.dispose();
  };
  step(); // creates optimizer slots and the kernel cache
  expectNoLeak(() => {
    for (let i = 0; i < 20; i++) step();
  }, 'train loop');
  optimizer.dispose();
});

test('rejects invalid units', () => {
  expect(() => new WeightNormDense({ units: 0 })).toThrow('units must be a positive integer');
});
