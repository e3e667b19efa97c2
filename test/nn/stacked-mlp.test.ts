import type { LayersModel, Scalar, Tensor2D, Tensor3D, Variable } from '@tensorflow/tfjs-node';
import { expect, test } from 'vitest';
import { tf } from '../../src/backend.ts';
import { NORMS } from '../../src/config/network.ts';
import { buildMlp } from '../../src/nn/build-mlp.ts';
import { denseOp } from '../../src/nn/dense-op.ts';
import { FlatOptimizer } from '../../src/nn/flat-optimizer.ts';
import { forward } from '../../src/nn/forward.ts';
import { StackedMlp } from '../../src/nn/stacked-mlp.ts';
import { expectClose, expectNoLeak, randomTensor2d, values } from '../helpers/tensors.ts';

// A policy and a value network as an actor-critic builds them: same hidden layers, outputs 3 and 1.
const pair = (norm: (typeof NORMS)[number], seed: number, hidden = [8, 6], outputNorm: 'auto' | 'none' = 'auto') =>
  [
    buildMlp({ inputSize: 5, hidden, outputSize: 3, activation: 'tanh', norm, outputNorm, init: 'orthogonal', outputGain: 0.01, seed, name: `pi${seed}` }),
    buildMlp({ inputSize: 5, hidden, outputSize: 1, activation: 'tanh', norm, outputNorm, init: 'orthogonal', outputGain: 1, seed: seed + 100, name: `vf${seed}` }),
  ] as const;

// Every norm with [8, 6] hidden layers; and weight norm's group with one layer (a plain output layer) and with four.
// [160, 160] behind 5 inputs pads too much to group (WeightNormGroup.pays): each layer keeps its own v and g.
const layouts = [...NORMS.map((norm) => [norm, [8, 6], 'auto'] as const), ['weight', [8], 'none'] as const, ['weight', [8, 7, 6], 'auto'] as const, ['weight', [160, 160], 'auto'] as const];

test('weight norm groups v and g across layers where the padding is small, not where it is large', () => {
  for (const [hidden, variables] of [
    [[8, 6], 5], // V, G and three biases
    [[160, 160], 9], // v, g and b per layer
  ] as const) {
    const [pi, vf] = pair('weight', 1, [...hidden]);
    const stacked = new StackedMlp([pi, vf]);
    expect(stacked.trainableWeights.length, `hidden ${hidden.join(', ')}`).toBe(variables);
    stacked.dispose();
    for (const m of [pi, vf]) m.dispose();
  }
});

/** Every weight of the models (trained and running statistics), flattened in order. */
const allWeights = (models: readonly LayersModel[]) => models.flatMap((m) => m.weights.flatMap((w) => values(w.read())));

/** The stacked output [2, B, 3] as the two networks' outputs: [B, 3] and [B, 1]. */
const unstackOutputs = (out: Tensor3D) => {
  const [p, v] = tf.unstack(out) as [Tensor2D, Tensor2D];
  return [values(p), values(tf.slice(v, [0, 0], [-1, 1]))];
};

test.each(layouts)('%s, hidden %j, output norm %s: two networks stacked compute what they compute apart: outputs, gradients, running statistics, in both modes', (norm, hidden, outputNorm) => {
  const [pi, vf] = pair(norm, 3, [...hidden], outputNorm);
  const [piRef, vfRef] = pair(norm, 3, [...hidden], outputNorm); // the same weights, run apart
  const stacked = new StackedMlp([pi, vf]);
  const x1 = randomTensor2d(7, 5, 1);
  const x2 = randomTensor2d(7, 5, 2);
  for (const training of [false, true]) {
    tf.tidy(() => {
      // one input for both (an MLP policy) and one input each (a recurrent policy's two LSTMs)
      for (const [a, b] of [[x1, x1], [x1, x2]] as const) {
        const input = (a === b ? tf.expandDims(a, 0) : tf.stack([a, b])) as Tensor3D;
        const weights = tf.randomNormal([2, 7, 3], 0, 1, 'float32', 9); // each output weighted differently
        const mask = tf.tensor3d([1, 1, 1, 1, 0, 0], [2, 1, 3]); // the value network's padded columns are not outputs
        const loss = () => tf.sum(tf.mul(tf.mul(stacked.forward(input, training), mask), weights)) as Scalar;
        const refLoss = () => {
          const [w0, w1] = tf.unstack(weights);
          return tf.add(tf.sum(tf.mul(forward(piRef, a, training), w0!)), tf.sum(tf.mul(forward(vfRef, b, training), tf.slice(w1!, [0, 0], [-1, 1])))) as Scalar;
        };
        const [ours, theirs] = [unstackOutputs(stacked.forward(input, false)), [values(forward(piRef, a, false)), values(forward(vfRef, b, false))]];
        expectClose(ours[0]!, theirs[0]!, 1e-5, `${norm} policy output`);
        expectClose(ours[1]!, theirs[1]!, 1e-5, `${norm} value output`);
        const g = tf.variableGrads(loss, stacked.trainableWeights);
        const gRef = tf.variableGrads(refLoss, [...piRef.trainableWeights, ...vfRef.trainableWeights].map((w) => w.read() as Variable));
        expectClose(values(g.value), values(gRef.value), 1e-4, `${norm} loss (training ${training})`);
        // the stacked gradient, read in the networks' own order, is theirs
        const flat = stacked.trainableWeights.flatMap((w) => values(g.grads[w.name]!));
        const order = stacked.stateOrder();
        const refFlat = [...piRef.trainableWeights, ...vfRef.trainableWeights].flatMap((w) => values(gRef.grads[(w.read() as Variable).name]!));
        expectClose(Array.from(order, (i) => flat[i]!), refFlat, 1e-4, `${norm} gradients (training ${training})`);
        // entries outside the order (the value network's padded columns) get no gradient
        const listed = new Set(order);
        expect(flat.filter((_, i) => !listed.has(i)).every((v) => v === 0)).toBe(true);
      }
    });
  }
  // training-mode passes moved the running statistics of both networks alike
  stacked.unpack();
  expectClose(allWeights([pi, vf]), allWeights([piRef, vfRef]), 1e-5, `${norm} weights and running statistics after unpack`);
  stacked.dispose();
  for (const m of [pi, vf, piRef, vfRef]) m.dispose();
  tf.dispose([x1, x2]);
});

test('pack and unpack carry weights both ways; stateOrder lists every trained value once; no tensors leak', () => {
  const [pi, vf] = pair('weight', 5);
  const stacked = new StackedMlp([pi, vf]);
  const before = allWeights([pi, vf]);
  // train the stacked parameters a little: the mirrors change only on unpack
  const opt = new FlatOptimizer(stacked.trainableWeights, { learningRate: 0.05, stateOrder: stacked.stateOrder() });
  const x = tf.keep(tf.expandDims(randomTensor2d(6, 5, 4), 0) as Tensor3D);
  const mask = tf.keep(tf.tensor3d([1, 1, 1, 1, 0, 0], [2, 1, 3])); // what the networks output (not the padding)
  const step = () => {
    const r = opt.step(() => tf.sum(tf.square(tf.mul(stacked.forward(x, true), mask))) as Scalar);
    tf.dispose([r.loss, r.gradNorm]);
  };
  step();
  tf.tidy(() => void stacked.forward(x, false)); // weight norm's kernels, cached while acting
  expectNoLeak(() => {
    for (let i = 0; i < 3; i++) step();
    tf.tidy(() => void stacked.forward(x, false));
  }, 'stacked steps');
  expect(allWeights([pi, vf])).toEqual(before);
  stacked.unpack();
  const after = allWeights([pi, vf]);
  expect(after).not.toEqual(before);
  stacked.pack();
  stacked.unpack();
  expect(allWeights([pi, vf])).toEqual(after);
  const order = stacked.stateOrder();
  const trained = [pi, vf].flatMap((m) => m.trainableWeights).reduce((a, w) => a + w.read().size, 0);
  expect(order.length).toBe(trained);
  expect(new Set(order).size).toBe(trained);
  // the optimizer's checkpoint lists the moments in the networks' own order and reads back
  const state = opt.getState();
  expect(state.m.length).toBe(trained);
  const { m } = opt.flatMoments();
  expect(Array.from(state.m)).toEqual(Array.from(order, (i) => m[i]!));
  const copy = new FlatOptimizer(stacked.trainableWeights, { learningRate: 0.05, stateOrder: order });
  copy.setState(state);
  expect(Array.from(copy.flatMoments().m)).toEqual(Array.from(m));
  expect(() => copy.setState({ t: 1, m: new Float32Array(3), v: new Float32Array(3) })).toThrow(/expected/);
  for (const o of [opt, copy]) o.dispose();
  stacked.dispose();
  tf.dispose([x, mask]);
  for (const net of [pi, vf]) net.dispose();
});

test('networks that differ in more than their last layer width are refused by name', () => {
  const a = buildMlp({ inputSize: 5, hidden: [8], outputSize: 2, norm: 'none', seed: 1, name: 'a' });
  const b = buildMlp({ inputSize: 5, hidden: [9], outputSize: 2, norm: 'none', seed: 2, name: 'b' });
  const c = buildMlp({ inputSize: 5, hidden: [8], outputSize: 2, norm: 'weight', seed: 3, name: 'c' });
  expect(() => new StackedMlp([a, b])).toThrow(/a_h0.*b_h0|differ/);
  expect(() => new StackedMlp([a, c])).toThrow(/layer 0 is Dense vs WeightNormDense/);
  for (const m of [a, b, c]) m.dispose();
});

test('denseOp computes no input gradient that nothing needs (a first layer on observations)', () => {
  const w = tf.variable(randomTensor2d(4, 3, 1));
  const b = tf.variable(tf.zeros([3]));
  const engine = tf.engine();
  const run = engine.runKernel.bind(engine);
  const u = tf.variable(randomTensor2d(5, 4, 3));
  const products = (input: () => Tensor2D) => {
    let n = 0;
    (engine as unknown as { runKernel: unknown }).runKernel = (...args: Parameters<typeof run>) => {
      if (args[0] === 'BatchMatMul') n++;
      return run(...args);
    };
    try {
      tf.tidy(() => tf.variableGrads(() => tf.sum(denseOp(input(), w, b, 'tanh')) as Scalar, [w, b, u]));
    } finally {
      (engine as unknown as { runKernel: unknown }).runKernel = run;
    }
    return n;
  };
  const obs = randomTensor2d(5, 4, 2);
  // forward and dW only; with an input computed from a variable, dx as well
  expect(products(() => obs)).toBe(2);
  expect(products(() => tf.mul(u, 1) as Tensor2D)).toBe(3);
  tf.dispose([w, b, obs, u]);
});

test.each(NORMS)('%s: forwardHost (JavaScript, for acting on a few rows) computes forward()\'s inference output, and follows the parameters as they train', (norm) => {
  const [pi, vf] = pair(norm, 11);
  const stacked = new StackedMlp([pi, vf]);
  const opt = new FlatOptimizer(stacked.trainableWeights, { learningRate: 0.05 });
  const obs = randomTensor2d(4, 5, 12);
  const rows = Float32Array.from(obs.dataSync());
  const check = (label: string) => {
    const ours = stacked.forwardHost(rows, 4);
    const theirs = tf.tidy(() => values(stacked.forward(tf.expandDims(obs, 0) as Tensor3D, false)));
    expectClose(Array.from(ours), theirs, 2e-5, `${norm} ${label}`);
  };
  check('at init');
  // training-mode steps move the weights and (batch norms) the running statistics; the cached arrays follow
  for (let i = 0; i < 3; i++) {
    const r = opt.step(() => tf.sum(tf.square(stacked.forward(tf.expandDims(randomTensor2d(16, 5, 20 + i), 0) as Tensor3D, true))) as Scalar);
    tf.dispose([r.loss, r.gradNorm]);
  }
  check('after three updates');
  expect(stacked.hostMacs(4)).toBe(4 * 2 * (5 * 8 + 8 * 6 + 6 * 3));
  opt.dispose();
  stacked.dispose();
  tf.dispose(obs);
  for (const m of [pi, vf]) m.dispose();
});
