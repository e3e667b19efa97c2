import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LayersModel, Scalar, Tensor, Tensor2D } from '@tensorflow/tfjs-node';
import { expect, test } from 'vitest';
import { tf } from '../../src/backend.ts';
import { NORMS, type Norm } from '../../src/config/network.ts';
import { LayerNorm, MeanOnlyBatchNorm, WeightNormDense, buildMlp, forward, dataDependentInit, weightNormDiagnostics } from '../../src/index.ts';
import { expectClose, expectMomentumStep, expectNoLeak, movedBy, randomTensor2d, values } from '../helpers/tensors.ts';

const net = (norm: Norm, seed = 1) => buildMlp({ inputSize: 4, hidden: [32, 16], outputSize: 3, activation: 'tanh', norm, seed });
const predict = (m: LayersModel, x: Tensor, training = false) => tf.tidy(() => values(m.apply(x, { training }) as Tensor));

/** Pre-activation of every weight-normalized layer (after mean-only BN where there is one) on `x`. */
function preActivations(model: LayersModel, x: Tensor2D): Tensor2D[] {
  const out: Tensor2D[] = [];
  let h: Tensor = x;
  const layers = model.layers;
  layers.forEach((layer, i) => {
    if (layer instanceof WeightNormDense) {
      const { b } = layer.parameters;
      let pre: Tensor = tf.matMul(h, layer.effectiveKernel());
      if (b !== null) pre = tf.add(pre, b.read());
      const next = layers[i + 1];
      out.push((next instanceof MeanOnlyBatchNorm ? next.apply(pre, { training: false }) : pre) as Tensor2D);
    }
    h = layer.apply(h, { training: false }) as Tensor;
  });
  return out;
}

test.each(['weight', 'weight-meanonly'] as const)('%s: after data-dependent init every pre-activation has zero mean and unit std on the init batch', (norm) => {
  const model = net(norm);
  const batch = randomTensor2d(512, 4, 7, 3);
  expect(dataDependentInit(model, batch)).toBe(3);
  tf.tidy(() => {
    const pres = preActivations(model, batch);
    expect(pres).toHaveLength(3);
    for (const [k, pre] of pres.entries()) {
      const { mean, variance } = tf.moments(pre, 0);
      for (const m of values(mean)) expect(Math.abs(m), `layer ${k} mean`).toBeLessThan(1e-4);
      for (const v of values(variance)) expect(Math.abs(Math.sqrt(v) - 1), `layer ${k} std`).toBeLessThan(1e-3);
    }
    // A different batch is not re-fitted: the parameters stay and its statistics are merely close.
    const weights = model.getWeights().map(values);
    const other = randomTensor2d(512, 4, 8, 3);
    const { variance } = tf.moments(preActivations(model, other)[0]!, 0);
    expect(values(variance).some((v) => Math.abs(Math.sqrt(v) - 1) > 1e-3)).toBe(true);
    model.getWeights().forEach((w, i) => expect(values(w)).toEqual(weights[i]));
  });
  batch.dispose();
});

test('output scale shrinks the initial outputs of a policy head', () => {
  const model = net('weight');
  const batch = randomTensor2d(256, 4, 9);
  dataDependentInit(model, batch, { outputScale: 0.01 });
  const { variance } = tf.tidy(() => tf.moments(model.apply(batch) as Tensor, 0));
  for (const v of values(variance)) expect(Math.sqrt(v)).toBeCloseTo(0.01, 4);
});

test.each(['none', 'layer'] as const)('%s: data-dependent init is a no-op', (norm) => {
  const model = net(norm);
  const before = model.getWeights().map(values);
  expect(dataDependentInit(model, randomTensor2d(64, 4, 3))).toBe(0);
  model.getWeights().forEach((w, i) => expect(values(w)).toEqual(before[i]));
});

test('batch: data-dependent init sets the running statistics from the batch (trained weights untouched), so inference starts normalized', () => {
  const model = net('batch');
  const trainable = () => model.trainableWeights.map((w) => values(w.read()));
  const before = trainable();
  const batch = randomTensor2d(256, 4, 3, 2);
  expect(dataDependentInit(model, batch)).toBe(0);
  trainable().forEach((w, i) => expect(w).toEqual(before[i]));
  // the first batch-norm layer's output over the batch, in inference mode: zero mean, unit variance (γ 1, β 0)
  tf.tidy(() => {
    const bnOut = model.layers[1]!.apply(model.layers[0]!.apply(batch), { training: false }) as Tensor;
    const { mean, variance } = tf.moments(bnOut, 0);
    values(mean).forEach((m) => expect(m).toBeCloseTo(0, 4));
    values(variance).forEach((v) => expect(v).toBeCloseTo(1, 1)); // ε = 1e-3 against unit-scale variances
  });
});

test('data-dependent init rejects a batch of the wrong shape', () => {
  expect(() => dataDependentInit(net('weight'), randomTensor2d(8, 5, 1))).toThrow('has shape [8, 5]; expected [n, 4]');
  expect(() => dataDependentInit(net('weight'), randomTensor2d(1, 4, 1))).toThrow('expected at least 2');
});

test.each(NORMS)('%s: save and load round-trip gives identical outputs', async (norm) => {
  const model = net(norm, 3);
  const batch = randomTensor2d(64, 4, 4, 2);
  dataDependentInit(model, batch);
  // Move running statistics away from their initial values, as training would.
  tf.tidy(() => {
    model.apply(batch, { training: true });
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-save-'));
  await model.save(`file://${dir}`);
  const loaded = await tf.loadLayersModel(`file://${dir}/model.json`);
  const x = randomTensor2d(16, 4, 5);
  expect(predict(loaded, x)).toEqual(predict(model, x));
  expect(loaded.layers.map((l) => l.getClassName())).toEqual(model.layers.map((l) => l.getClassName()));
});

test.each(NORMS)('%s: the network has the documented layers and shapes', (norm) => {
  const model = net(norm);
  const classes = model.layers.map((l) => l.getClassName());
  const expected: Record<Norm, string[]> = {
    none: ['Dense', 'Dense', 'Dense'],
    weight: ['WeightNormDense', 'WeightNormDense', 'WeightNormDense'],
    'weight-meanonly': ['WeightNormDense', 'MeanOnlyBatchNorm', 'Activation', 'WeightNormDense', 'MeanOnlyBatchNorm', 'Activation', 'WeightNormDense'],
    batch: ['Dense', 'WnrlBatchNorm', 'Activation', 'Dense', 'WnrlBatchNorm', 'Activation', 'Dense'],
    layer: ['Dense', 'LayerNorm', 'Activation', 'Dense', 'LayerNorm', 'Activation', 'Dense'],
  };
  expect(classes).toEqual(expected[norm]);
  expect(model.outputs[0]!.shape).toEqual([null, 3]);
});

test.each(['none', 'weight', 'layer'] as const)('%s: no batch coupling: one observation alone gives the output it gets inside a batch of 256', (norm) => {
  const model = net(norm);
  const batch = randomTensor2d(256, 4, 11, 2);
  dataDependentInit(model, batch);
  const all = predict(model, batch, true);
  for (const row of [0, 17, 255]) {
    const single = tf.tidy(() => predict(model, batch.slice([row, 0], [1, 4]), true));
    expectClose(single, all.slice(row * 3, row * 3 + 3), 1e-5, `row ${row}`);
  }
});

test.each(['batch', 'weight-meanonly'] as const)('%s, plain (batchRenorm false): in training mode outputs depend on the batch (the coupling weight norm avoids); inference mode does not', (norm) => {
  const model = buildMlp({ inputSize: 4, hidden: [32, 16], outputSize: 3, activation: 'tanh', norm, seed: 1, batchRenorm: false });
  const batch = randomTensor2d(256, 4, 12, 2);
  dataDependentInit(model, batch);
  const trainAll = predict(model, batch, true);
  const trainHalf = predict(model, batch.slice([0, 0], [128, 4]), true);
  const diff = Math.max(...trainHalf.map((v, i) => Math.abs(v - trainAll[i]!)));
  expect(diff).toBeGreaterThan(1e-3);
  const inferAll = predict(model, batch, false);
  const inferOne = predict(model, batch.slice([5, 0], [1, 4]), false);
  expectClose(inferOne, inferAll.slice(15, 18), 1e-5);
});

test.each(['batch', 'weight-meanonly'] as const)('%s, renormalized (the default): a training-mode forward has the inference value, yet its gradient goes through the batch statistics', (norm) => {
  const make = (batchRenorm?: false) => buildMlp({ inputSize: 4, hidden: [32, 16], outputSize: 3, activation: 'tanh', norm, seed: 1, ...(batchRenorm === false ? { batchRenorm } : {}) });
  const model = make();
  const batch = randomTensor2d(256, 4, 12, 2);
  // running statistics away from the batch's: the corrections r and d are far from 1 and 0
  dataDependentInit(model, tf.mul(batch, 3) as Tensor2D);
  const infer = predict(model, batch, false);
  const train = predict(model, batch, true); // (moves the running statistics after its forward)
  expectClose(train, infer, 1e-4);
  // The gradient differs from the gradient of the inference function (which treats μ, σ as constants)
  const grads = (training: boolean) =>
    tf.tidy(() => {
      const m = make();
      dataDependentInit(m, tf.mul(batch, 3) as Tensor2D);
      const { grads: g } = tf.variableGrads(() => tf.sum(tf.square(m.apply(batch, { training }) as Tensor)) as Scalar, m.trainableWeights.map((w) => w.read()) as never);
      return values(Object.values(g)[0]!);
    });
  const gTrain = grads(true);
  const gInfer = grads(false);
  expect(Math.max(...gTrain.map((v, i) => Math.abs(v - gInfer[i]!)))).toBeGreaterThan(1e-4);
});

test('mean-only batch norm, plain: subtracts the batch mean in training and the running mean at inference', () => {
  const layer = new MeanOnlyBatchNorm({ momentum: 0.5, renorm: false });
  const x = tf.tensor2d([[1, 10], [3, 30]]);
  expect(values(layer.apply(x, { training: true }) as Tensor)).toEqual([-1, -10, 1, 10]);
  expect(values(layer.movingMean.read())).toEqual([1, 10]); // 0.5·0 + 0.5·[2, 20]
  expect(values(layer.apply(x, { training: false }) as Tensor)).toEqual([0, 0, 2, 20]);
  expect(values(layer.movingMean.read())).toEqual([1, 10]); // inference leaves it alone
});

test('mean-only batch norm, renormalized: the training forward subtracts the running mean (then moves it); dMax clips the correction', () => {
  const layer = new MeanOnlyBatchNorm({ momentum: 0.5 });
  const x = tf.tensor2d([[1, 10], [3, 30]]);
  expect(values(layer.apply(x, { training: true }) as Tensor)).toEqual([1, 10, 3, 30]); // running mean 0
  expect(values(layer.movingMean.read())).toEqual([1, 10]);
  expect(values(layer.apply(x, { training: true }) as Tensor)).toEqual([0, 0, 2, 20]);
  const clipped = new MeanOnlyBatchNorm({ momentum: 0.5, renorm: { rMax: null, dMax: 5 } });
  // batch mean [2, 20], running 0: d = clip([2, 20], ±5) = [2, 5]; y = x − [2, 20] + [2, 5]
  expect(values(clipped.apply(x, { training: true }) as Tensor)).toEqual([1, -5, 3, 15]);
});

test('weight-norm diagnostics report ‖v‖, g and g/‖v‖ per layer, and ‖v‖ grows under SGD', () => {
  const model = net('weight');
  const batch = randomTensor2d(128, 4, 13);
  dataDependentInit(model, batch);
  const before = weightNormDiagnostics(model);
  expect(before.map((d) => d.layer)).toEqual(['mlp_h0', 'mlp_h1', 'mlp_out']);
  const l0 = model.layers[0] as WeightNormDense;
  const vNorms = tf.tidy(() => values(tf.norm(l0.parameters.v.read(), 'euclidean', 0)));
  const g = values(l0.parameters.g.read());
  expect(before[0]!.vNorm).toBeCloseTo(vNorms.reduce((a, b) => a + b) / vNorms.length, 5);
  expect(before[0]!.gMean).toBeCloseTo(g.reduce((a, b) => a + b) / g.length, 5);
  expect(before[0]!.stepScale).toBeCloseTo(g.reduce((a, gj, j) => a + Math.abs(gj) / vNorms[j]!, 0) / g.length, 4);
  const sgd = tf.train.sgd(0.5);
  const target = randomTensor2d(128, 3, 14);
  for (let i = 0; i < 20; i++) sgd.minimize(() => tf.losses.meanSquaredError(target, model.apply(batch, { training: true }) as Tensor) as Scalar);
  const after = weightNormDiagnostics(model);
  for (let k = 0; k < 3; k++) expect(after[k]!.vNorm).toBeGreaterThan(before[k]!.vNorm);
  expect(weightNormDiagnostics(net('none'))).toEqual([]);
});

test.each(NORMS)('%s: no tensor leaks across init, acting and updates', (norm) => {
  const model = net(norm);
  const batch = randomTensor2d(64, 4, 15);
  const target = randomTensor2d(64, 3, 16);
  const optimizer = tf.train.adam(1e-3);
  const cycle = () => {
    tf.tidy(() => {
      model.apply(batch, { training: false });
    });
    optimizer.minimize(() => tf.losses.meanSquaredError(target, model.apply(batch, { training: true }) as Tensor) as Scalar)?.dispose();
    weightNormDiagnostics(model);
  };
  dataDependentInit(model, batch);
  cycle();
  expectNoLeak(() => {
    dataDependentInit(model, batch);
    for (let i = 0; i < 10; i++) cycle();
  }, norm);
  optimizer.dispose();
});

test('invalid builder config names the field', () => {
  expect(() => buildMlp({ inputSize: 4, hidden: [64, -3], outputSize: 2, norm: 'weight' })).toThrow('buildMlp.hidden[1]: expected a positive integer; got -3');
  expect(() => buildMlp({ inputSize: 4, outputSize: 2, norm: 'group' as Norm })).toThrow("buildMlp.norm: expected one of 'none'");
});

test('LayerNorm normalizes each example over its features, then scales and shifts', () => {
  const layer = new LayerNorm({ epsilon: 0 });
  const x = tf.tensor2d([[1, 2, 3, 6], [10, 10, 10, 14]]);
  const y = values(layer.apply(x) as Tensor);
  for (const row of [y.slice(0, 4), y.slice(4, 8)]) {
    const mean = row.reduce((a, b) => a + b) / 4;
    const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / 4;
    expect(mean).toBeCloseTo(0, 5);
    expect(variance).toBeCloseTo(1, 4);
  }
  expect(y[0]).toBeCloseTo((1 - 3) / Math.sqrt(3.5), 5);
});

test.each(NORMS)('%s: forward() calls the layers directly and matches model.apply in both modes', (norm) => {
  const a = net(norm, 21);
  const b = net(norm, 21);
  const x = randomTensor2d(32, 4, 22);
  dataDependentInit(a, x);
  dataDependentInit(b, x);
  expectClose(values(tf.tidy(() => forward(a, x, false))), predict(a, x, false), 1e-6, 'inference');
  expectClose(values(tf.tidy(() => forward(a, x, true))), predict(b, x, true), 1e-6, 'training');
  // Training mode moved the running statistics of both networks alike.
  a.getWeights().forEach((w, i) => expectClose(values(w), values(b.getWeights()[i]!), 1e-6, `weight ${i}`));
});

test.each(['batch', 'weight-meanonly'] as const)('%s: `batchMomentum` sets how far one training pass moves the running mean ((1 − m) of the way)', (norm) => {
  const batch = randomTensor2d(64, 4, 5, 2);
  expectMomentumStep((batchMomentum) => {
    const model = buildMlp({ inputSize: 4, hidden: [8], outputSize: 2, activation: 'tanh', norm, seed: 1, batchMomentum });
    const mean = model.nonTrainableWeights.find((w) => /mean/i.test(w.name))!;
    const delta = movedBy(() => values(mean.read()), () => void model.apply(batch, { training: true }));
    model.dispose();
    return delta;
  });
  expect(() => buildMlp({ inputSize: 4, outputSize: 2, norm, batchMomentum: 1 })).toThrow(/batchMomentum: expected a number in \[0, 1\)/);
});
