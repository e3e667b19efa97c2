import type { Tensor } from '@tensorflow/tfjs-node';
import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { NativeVector, backendInfo, matMulKernel, nativeAdamActive, oneDnnMatMulActive, tf } from '../src/backend.ts';
import { expectClose } from './helpers/tensors.ts';

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

// Large matrix products go through oneDNN's kernel (src/backend.ts, oneDnnMatMul), small ones through
// TensorFlow's Eigen kernel as before; both must compute the same products.
describe('matrix products above the oneDNN threshold', () => {
  /** tfjs-node's own kernel: Eigen's BatchMatMulV2, called directly. */
  const eigen = (a: Tensor, b: Tensor, ta = false, tb = false) => matMulKernel('eigen', a, b, ta, tb);
  const maxAbsDiff = (x: Tensor, y: Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(x, y))).dataSync()[0]!);

  test('is active here, and WNRL_ONEDNN_MATMUL=0 turns it off', () => {
    expect(oneDnnMatMulActive).toBe(true);
    const probe = (env: Record<string, string>) =>
      execFileSync(process.execPath, ['--import', 'tsx', '-e', "import('./src/backend.ts').then((m) => console.log(m.oneDnnMatMulActive))"], { env: { ...process.env, ...env }, encoding: 'utf8' }).trim();
    expect(probe({ WNRL_ONEDNN_MATMUL: '0' })).toBe('false');
  });

  test.each([
    ['2-D', [64, 256], [256, 256], false, false],
    ['2-D, a transposed', [256, 64], [256, 256], true, false],
    ['2-D, b transposed', [64, 256], [256, 256], false, true],
    ['batched', [2, 64, 256], [2, 256, 256], false, false],
    ['batched, both transposed', [2, 256, 64], [2, 256, 256], true, true],
  ] as const)('%s: tf.matMul equals the Eigen kernel to float32 rounding, gradients too', (_, sa, sb, ta, tb) => {
    tf.tidy(() => {
      const a = tf.randomNormal([...sa], 0, 1, 'float32', 1);
      const b = tf.randomNormal([...sb], 0, 1, 'float32', 2);
      const ours = tf.matMul(a, b, ta, tb);
      expect(ours.shape).toEqual(eigen(a, b, ta, tb).shape);
      expect(maxAbsDiff(ours, eigen(a, b, ta, tb))).toBeLessThan(1e-4);
      // the gradient of Σ w ⊙ (op(a)·op(b)) for a: w·op(b)ᵀ, or op(b)·wᵀ when a is transposed; by Eigen here
      const w = tf.randomNormal(ours.shape, 0, 1, 'float32', 3);
      const [da] = tf.grads((x: Tensor) => tf.sum(tf.mul(tf.matMul(x, b, ta, tb), w)))([a]);
      expect(maxAbsDiff(da!, ta ? eigen(b, w, tb, true) : eigen(w, b, false, !tb))).toBeLessThan(1e-3);
    });
  });

  test('are deterministic: the same product repeated is bit for bit the same (runs resume exactly)', () => {
    tf.tidy(() => {
      for (const [sa, sb] of [
        [[64, 256], [256, 256]],
        [[2, 64, 256], [2, 256, 256]],
      ] as const) {
        const a = tf.randomNormal([...sa], 0, 1, 'float32', 6);
        const b = tf.randomNormal([...sb], 0, 1, 'float32', 7);
        const first = Array.from(tf.matMul(a, b).dataSync());
        for (let i = 0; i < 30; i++) expect(Array.from(tf.matMul(a, b).dataSync())).toEqual(first);
      }
    });
  });

  test('small products stay on the Eigen kernel: bit for bit its result', () => {
    tf.tidy(() => {
      for (const [sa, sb] of [
        [[64, 64], [64, 64]],
        [[2, 64, 64], [2, 64, 64]],
        [[8, 4], [4, 2]],
      ] as const) {
        const a = tf.randomNormal([...sa], 0, 1, 'float32', 4);
        const b = tf.randomNormal([...sb], 0, 1, 'float32', 5);
        expect(Array.from(tf.matMul(a, b).dataSync())).toEqual(Array.from(eigen(a, b).dataSync()));
      }
    });
  });
});

test('NativeVector: a TensorFlow resource variable that reads back what was assigned and takes a fused Adam step in place', () => {
  expect(nativeAdamActive).toBe(true);
  const [p, m, v] = [new NativeVector(3), new NativeVector(3), new NativeVector(3)];
  tf.tidy(() => {
    p.assign(tf.tensor1d([1, -2, 3]));
    m.assign(tf.zeros([3]));
    v.assign(tf.zeros([3]));
    expect(Array.from(p.read().dataSync())).toEqual([1, -2, 3]);
    expect(() => p.assign(tf.zeros([4]))).toThrow(/4 values for a vector of 3/);
    const g = [0.5, -1, 2];
    p.applyAdam(m, v, { beta1Power: 0.9, beta2Power: 0.999, learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }, tf.tensor1d(g));
    // first step: m = 0.1g, v = 0.001g², p -= 0.1·√0.001/0.1 · m/(√v + ε) = 0.1·sign(g)
    expectClose(Array.from(m.read().dataSync()), g.map((x) => 0.1 * x), 1e-6, 'm');
    expectClose(Array.from(v.read().dataSync()), g.map((x) => 0.001 * x * x), 1e-6, 'v');
    expectClose(Array.from(p.read().dataSync()), [0.9, -1.9, 2.9], 1e-5, 'p');
  });
  for (const x of [p, m, v]) x.dispose();
});
