import type { Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs-node';
import { describe, expect, test } from 'vitest';
import { tf } from '../../src/backend.ts';
import { hasFusedLstm } from '../../src/nn/block-lstm.ts';
import { Lstm } from '../../src/nn/lstm.ts';
import { lstmJs, type Norm, type Params } from '../helpers/lstm-reference.ts';
import { expectMomentumStep, movedBy } from '../helpers/tensors.ts';

const T = 5;
const B = 3;
const I = 4;
const U = 6;
/** Every norm, and the layer-norm LSTM in both forms ('layer' is the summed one). */
type Variant = Norm | 'layer-separate';
const NORMS: Variant[] = ['none', 'weight', 'weight-meanonly', 'batch', 'layer', 'layer-separate'];
const normOf = (v: Variant): Norm => (v === 'layer-separate' ? 'layer' : v);
// Sequence 1 starts an episode at step 2, sequence 2 at steps 1 and 4: resets mid-sequence.
const STARTS = Uint8Array.from({ length: T * B }, (_, r) => ([2 * B + 1, 1 * B + 2, 4 * B + 2].includes(r) ? 1 : 0));

function randomX(seed: number): Float32Array {
  return tf.tidy(() => tf.randomNormal([T * B * I], 0, 1, 'float32', seed).dataSync() as Float32Array);
}

/** An Lstm whose parameters are perturbed away from their init (so every term matters). */
/** Plain batch statistics by default: the float64 reference (lstm-reference.ts) writes those equations. */
function makeLstm(variant: Variant, impl: 'auto' | 'reference', seed = 3, plain = true): Lstm {
  const layerNorm = variant === 'layer-separate' ? 'separate' : 'summed';
  const lstm = new Lstm({ inputSize: I, units: U, norm: normOf(variant), layerNorm, seed, impl, name: 'cell', ...(plain ? { renorm: false as const } : {}) });
  tf.tidy(() => {
    Object.values(lstm.parameters).forEach((v, k) => v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.3, 'float32', 100 + k))));
  });
  return lstm;
}

function paramsJs(lstm: Lstm): Params {
  return Object.fromEntries(Object.entries(lstm.parameters).map(([k, v]) => [k, Float64Array.from(v.dataSync())]));
}

function run(lstm: Lstm, x: Float32Array, starts: Uint8Array | null, training: boolean): Float32Array {
  return tf.tidy(() => lstm.forward(tf.tensor3d(x, [T, B, I]), lstm.zeroState(B), starts, training).output.dataSync() as Float32Array);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe.each(NORMS)('LSTM, norm %s', (norm) => {
  test('matches the plain-JS float64 equations (training-mode statistics, resets mid-sequence)', () => {
    for (const impl of ['auto', 'reference'] as const) {
      const lstm = makeLstm(norm, impl);
      const x = randomX(1);
      const got = run(lstm, x, STARTS, true);
      const want = lstmJs(paramsJs(lstm), normOf(norm), Float64Array.from(x), T, B, I, U, STARTS);
      expect(got.length).toBe(T * B * U);
      expect(maxAbsDiff(got, want)).toBeLessThan(2e-5);
      lstm.dispose();
    }
  });

  test('renormalized (the default): a training-mode pass has the inference value, for both implementations', () => {
    for (const impl of ['auto', 'reference'] as const) {
      const lstm = makeLstm(norm, impl, 3, false);
      const x = randomX(1);
      // running statistics from another batch (scaled), so the corrections are not trivial
      tf.tidy(() => lstm.dataDependentInit(tf.mul(tf.tensor2d(x, [T * B, I]), 2.5) as Tensor2D));
      const infer = run(lstm, x, STARTS, false);
      const train = run(lstm, x, STARTS, true);
      expect(maxAbsDiff(train, infer)).toBeLessThan(2e-5);
      lstm.dispose();
    }
  });

  test('gradients of every parameter match central finite differences of the float64 reference', () => {
    const lstm = makeLstm(norm, 'auto');
    const x = randomX(2);
    const r = tf.tidy(() => tf.randomNormal([T * B * U], 0, 1, 'float32', 7).dataSync() as Float32Array);
    // L = Σ h ⊙ r
    const vars = lstm.trainableWeights;
    const grads: Float64Array[] = [];
    tf.tidy(() => {
      const { grads: g } = tf.variableGrads(() => tf.sum(tf.mul(lstm.forward(tf.tensor3d(x, [T, B, I]), lstm.zeroState(B), STARTS, true).output, tf.tensor3d(r, [T, B, U]))) as never, vars);
      for (const v of vars) grads.push(Float64Array.from(g[v.name]!.dataSync()));
    });
    const p = paramsJs(lstm);
    const names = Object.keys(lstm.parameters);
    const loss = (q: Params) => lstmJs(q, normOf(norm), Float64Array.from(x), T, B, I, U, STARTS).reduce((a, h, i) => a + h * r[i]!, 0);
    const eps = 1e-6;
    names.forEach((name, vi) => {
      const n = p[name]!.length;
      for (const j of [0, Math.floor(n / 3), Math.floor((2 * n) / 3), n - 1]) {
        const plus = { ...p, [name]: Float64Array.from(p[name]!) };
        const minus = { ...p, [name]: Float64Array.from(p[name]!) };
        plus[name]![j]! += eps;
        minus[name]![j]! -= eps;
        const fd = (loss(plus) - loss(minus)) / (2 * eps);
        expect(Math.abs(grads[vi]![j]! - fd), `${name}[${j}]: ${grads[vi]![j]} vs ${fd}`).toBeLessThan(2e-3 * Math.max(1, Math.abs(fd)));
      }
    });
    lstm.dispose();
  });

  test('a sequence that starts an episode mid-way gives, from there on, the outputs of a fresh sequence', () => {
    const lstm = makeLstm(norm, 'auto');
    const x = randomX(3);
    // Inference mode: batch statistics would couple the two runs through the batch.
    const full = run(lstm, x, STARTS, false);
    // Sequence 1 restarts at step 2: run steps 2..T-1 of it alone from a zero state.
    const tail = tf.tidy(() => {
      const xs = tf.slice(tf.tensor3d(x, [T, B, I]), [2, 1, 0], [T - 2, 1, I]) as Tensor3D;
      return lstm.forward(xs, lstm.zeroState(1), null, false).output.dataSync();
    });
    for (let t = 2; t < T; t++) {
      const a = full.subarray((t * B + 1) * U, (t * B + 2) * U);
      const b = tail.subarray((t - 2) * U, (t - 1) * U);
      expect(maxAbsDiff(a, b)).toBeLessThan(1e-6);
    }
    lstm.dispose();
  });
});

// 'auto' is the fused kernel for four norms (native backend) and the JavaScript recurrence for 'layer'.
test('the fast paths and the tfjs-ops path agree, gradients included', () => {
  const norms = hasFusedLstm() ? (['none', 'weight', 'weight-meanonly', 'batch', 'layer', 'layer-separate'] as const) : (['layer', 'layer-separate'] as const);
  for (const norm of norms) {
    const a = makeLstm(norm, 'auto', 5);
    const b = makeLstm(norm, 'reference', 5);
    const x = randomX(4);
    const grad = (l: Lstm) => {
      const out: number[] = [];
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(l.forward(tf.tensor3d(x, [T, B, I]), l.zeroState(B), STARTS, true).output)) as never, l.trainableWeights);
        out.push(value.dataSync()[0]!, ...l.trainableWeights.flatMap((v) => Array.from(grads[v.name]!.dataSync())));
      });
      return out;
    };
    expect(maxAbsDiff(grad(a), grad(b))).toBeLessThan(1e-4);
    a.dispose();
    b.dispose();
  }
});

test('batch statistics move the running averages only in training mode', () => {
  const lstm = makeLstm('batch', 'auto');
  const x = randomX(5);
  const before = Array.from(lstm.weights.at(-2)!.dataSync());
  run(lstm, x, null, false);
  expect(Array.from(lstm.weights.at(-2)!.dataSync())).toEqual(before);
  run(lstm, x, null, true);
  expect(Array.from(lstm.weights.at(-2)!.dataSync())).not.toEqual(before);
  lstm.dispose();
});

test('data-dependent init gives the input term zero mean and unit variance on the batch, forget bias kept', () => {
  const lstm = new Lstm({ inputSize: I, units: U, norm: 'weight', seed: 1, name: 'cell' });
  const x = tf.randomNormal([256, I], 2, 3, 'float32', 9);
  expect(lstm.dataDependentInit(x as never)).toBe(true);
  const p = lstm.parameters;
  const { mean, variance } = tf.tidy(() => {
    const wx = tf.mul(tf.div(p['vx']!, tf.norm(p['vx']!, 'euclidean', 0)), p['gx']!);
    const b = tf.concat([tf.slice(p['b']!, [0], [U]), tf.sub(tf.slice(p['b']!, [U], [U]), 1), tf.slice(p['b']!, [2 * U], [2 * U])]);
    const m = tf.moments(tf.add(tf.matMul(x, wx), b), 0);
    return { mean: m.mean.dataSync(), variance: m.variance.dataSync() };
  });
  for (let j = 0; j < 4 * U; j++) {
    expect(mean[j]).toBeCloseTo(0, 4);
    expect(variance[j]).toBeCloseTo(1, 3);
  }
  // the recurrent kernel starts orthogonal per gate block with g_h = 1: W_h = V_h, columns of unit norm
  const colNorms = tf.tidy(() => tf.norm(p['vh']!, 'euclidean', 0).dataSync());
  colNorms.forEach((n) => expect(n).toBeCloseTo(1, 5));
  p['gh']!.dataSync().forEach((g) => expect(g).toBeCloseTo(1, 5)); // g = ‖V‖ per column
  expect(Object.keys(lstm.diagnostics())).toEqual(['nn/cell_x/vNorm', 'nn/cell_x/gMean', 'nn/cell_x/stepScale', 'nn/cell_h/vNorm', 'nn/cell_h/gMean', 'nn/cell_h/stepScale']);
  x.dispose();
  lstm.dispose();
});

test('no tensors leak from forward and gradient passes', () => {
  for (const norm of NORMS) {
    const lstm = makeLstm(norm, 'auto');
    const x = tf.tensor3d(randomX(6), [T, B, I]);
    const pass = () =>
      tf.tidy(() => {
        const { grads, value } = tf.variableGrads(() => tf.sum(lstm.forward(x, lstm.zeroState(B), STARTS, true).output) as never, lstm.trainableWeights);
        tf.dispose([value, ...Object.values(grads)] as Tensor[]);
        lstm.forward(x, lstm.zeroState(B), STARTS, false, true);
      });
    pass();
    const n = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) pass();
    expect(tf.memory().numTensors).toBe(n);
    x.dispose();
    lstm.dispose();
  }
});

test("layer norm 'summed' sees its input's scale; Ba et al.'s 'separate' form cannot (one step from a zero state)", () => {
  // CartPoleNoVel-like inputs: two of four entries nonzero, then the same observation 2.5× larger
  const x = Float32Array.from({ length: B * I }, (_, i) => (i % 2 === 0 ? 0.3 + 0.1 * i : 0));
  const step = (lstm: Lstm, scale: number) =>
    tf.tidy(() => lstm.forward(tf.tensor3d(x.map((v) => v * scale), [1, B, I]), lstm.zeroState(B), null, false).output.dataSync() as Float32Array);
  const summed = new Lstm({ inputSize: I, units: U, norm: 'layer', seed: 2 });
  const separate = new Lstm({ inputSize: I, units: U, norm: 'layer', layerNorm: 'separate', seed: 2 });
  expect(maxAbsDiff(step(summed, 1), step(summed, 2.5))).toBeGreaterThan(1e-2);
  expect(maxAbsDiff(step(separate, 1), step(separate, 2.5))).toBeLessThan(1e-4);
  summed.dispose();
  separate.dispose();
});

test.each(['batch', 'weight-meanonly'] as const)('%s LSTM: `momentum` sets how far one training pass moves the running statistics ((1 − m) of the way)', (norm) => {
  const x = tf.tensor3d(randomX(7), [T, B, I]);
  expectMomentumStep((momentum) => {
    const lstm = new Lstm({ inputSize: I, units: U, norm, seed: 3, momentum, name: 'cell' });
    const mean = lstm.weights.find((w) => w.name.includes('movingMean'))!;
    const delta = movedBy(() => mean.dataSync(), () => void lstm.forward(x, lstm.zeroState(B), STARTS, true));
    lstm.dispose();
    return delta;
  });
  x.dispose();
});
