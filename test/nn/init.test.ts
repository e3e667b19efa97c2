import type { LayersModel, Tensor2D } from '@tensorflow/tfjs-node';
import { expect, test } from 'vitest';
import { tf } from '../../src/backend.ts';
import { NORMS, type Init, type Norm } from '../../src/config/network.ts';
import { Lstm, WeightNormDense, buildMlp } from '../../src/index.ts';
import { orthogonalMatrix } from '../../src/nn/init.ts';

/** Gram matrix AᵀA (columns) of a rows × cols row-major matrix. */
function gram(a: Float32Array, rows: number, cols: number): number[][] {
  return Array.from({ length: cols }, (_, i) => Array.from({ length: cols }, (_, j) => {
    let s = 0;
    for (let r = 0; r < rows; r++) s += a[r * cols + i]! * a[r * cols + j]!;
    return s;
  }));
}

test.each([
  [6, 3],
  [3, 6],
  [5, 5],
])('orthogonalMatrix(%i, %i): orthonormal columns (rows ≥ cols) or rows, times the gain, seeded', (rows, cols) => {
  const gain = 1.5;
  const m = orthogonalMatrix(rows, cols, 11, gain);
  expect(m).toHaveLength(rows * cols);
  // rows < cols: the transpose has orthonormal columns
  const t = rows >= cols ? m : Float32Array.from({ length: rows * cols }, (_, k) => m[(k % rows) * cols + Math.floor(k / rows)]!);
  const [R, C] = rows >= cols ? [rows, cols] : [cols, rows];
  const g = gram(t, R, C);
  for (let i = 0; i < C; i++) for (let j = 0; j < C; j++) expect(g[i]![j]!).toBeCloseTo(i === j ? gain * gain : 0, 5);
  expect(orthogonalMatrix(rows, cols, 11, gain)).toEqual(m);
  expect(orthogonalMatrix(rows, cols, 12, gain)).not.toEqual(m);
});

/** The effective kernel and bias of every dense layer (weight norm: g·v/‖v‖), in order. */
function kernels(model: LayersModel): { kernel: Float32Array; bias: Float32Array | null }[] {
  return model.layers.flatMap((l) => {
    if (l instanceof WeightNormDense) {
      const b = l.parameters.b;
      return [{ kernel: tf.tidy(() => l.effectiveKernel().dataSync() as Float32Array), bias: b ? (b.read().dataSync() as Float32Array) : null }];
    }
    if (l.getClassName() !== 'Dense') return [];
    const w = l.getWeights();
    return [{ kernel: w[0]!.dataSync() as Float32Array, bias: w[1] ? (w[1].dataSync() as Float32Array) : null }];
  });
}

test.each(['orthogonal', 'torch'] as const)('init %s: every norm starts from the same kernels (weight norm: g·v/‖v‖ equals them)', (init: Init) => {
  const build = (norm: Norm) => buildMlp({ inputSize: 4, hidden: [32, 16], outputSize: 3, activation: 'tanh', norm, init, outputGain: 0.01, seed: 5 });
  const reference = kernels(build('none'));
  expect(reference).toHaveLength(3);
  for (const norm of NORMS) {
    const model = build(norm);
    const ks = kernels(model);
    expect(ks).toHaveLength(3);
    ks.forEach((k, i) => {
      const ref = reference[i]!;
      k.kernel.forEach((x, j) => expect(x).toBeCloseTo(ref.kernel[j]!, 6));
      // a layer without bias (before batch norm) drops it; the others start from the same one
      if (k.bias !== null && ref.bias !== null) k.bias.forEach((x, j) => expect(x).toBeCloseTo(ref.bias![j]!, 6));
    });
    model.dispose();
  }
});

test('init orthogonal: gain √2 on hidden layers, the output gain on the last, zero biases', () => {
  const model = buildMlp({ inputSize: 4, hidden: [32, 16], outputSize: 3, norm: 'none', init: 'orthogonal', outputGain: 0.01, seed: 3 });
  const ks = kernels(model);
  const shapes: [number, number, number][] = [
    [4, 32, Math.SQRT2],
    [32, 16, Math.SQRT2],
    [16, 3, 0.01],
  ];
  ks.forEach(({ kernel, bias }, i) => {
    const [rows, cols, gain] = shapes[i]!;
    // [in, out] with in < out has orthonormal rows: K·Kᵀ = gain²·I; otherwise KᵀK = gain²·I
    const t = rows >= cols ? kernel : Float32Array.from({ length: rows * cols }, (_, k) => kernel[(k % rows) * cols + Math.floor(k / rows)]!);
    const g = gram(t, Math.max(rows, cols), Math.min(rows, cols));
    g.forEach((row, a) => row.forEach((x, b) => expect(x).toBeCloseTo(a === b ? gain * gain : 0, 4)));
    expect(Array.from(bias!).every((b) => b === 0)).toBe(true);
  });
  model.dispose();
});

test("init torch: kernels and biases within nn.Linear's ±1/√in, spread over it", () => {
  const model = buildMlp({ inputSize: 16, hidden: [64], outputSize: 4, norm: 'none', init: 'torch', seed: 3 });
  const ks = kernels(model);
  for (const [i, inSize] of [16, 64].entries()) {
    const bound = 1 / Math.sqrt(inSize);
    const all = [...ks[i]!.kernel, ...ks[i]!.bias!];
    expect(Math.max(...all.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...all.map(Math.abs))).toBeGreaterThan(0.9 * bound);
  }
  model.dispose();
});

test("LSTM init torch: nn.LSTM's draws (no forget offset; b is the sum of two U(±1/√units)), same for every norm", () => {
  const U = 8;
  const lstms = NORMS.map((norm) => new Lstm({ inputSize: 3, units: U, norm, init: 'torch', seed: 9, impl: 'reference' }));
  const weightsOf = (l: Lstm) =>
    tf.tidy(() => {
      const p = l.parameters;
      const eff = (v: string, g: string, w: string) => (p[v] ? tf.mul(tf.div(p[v], tf.norm(p[v], 'euclidean', 0)), p[g]!) : p[w]!) as Tensor2D;
      return { wx: eff('vx', 'gx', 'wx').dataSync(), wh: eff('vh', 'gh', 'wh').dataSync(), b: p['b']!.dataSync() };
    });
  const ref = weightsOf(lstms[0]!);
  expect(Math.max(...Array.from(ref.wh, Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(U));
  expect(Math.max(...Array.from(ref.b, Math.abs))).toBeLessThanOrEqual(2 / Math.sqrt(U));
  // no forget-gate offset: the forget block's mean bias is near 0, not 1
  const forget = Array.from(ref.b.subarray(U, 2 * U));
  expect(Math.abs(forget.reduce((a, b) => a + b, 0) / U)).toBeLessThan(0.5);
  for (const l of lstms) {
    const w = weightsOf(l);
    w.wx.forEach((x, j) => expect(x).toBeCloseTo(ref.wx[j]!, 6));
    w.wh.forEach((x, j) => expect(x).toBeCloseTo(ref.wh[j]!, 6));
    w.b.forEach((x, j) => expect(x).toBeCloseTo(ref.b[j]!, 6));
    l.dispose();
  }
});
