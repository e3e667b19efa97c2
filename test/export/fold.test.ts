// The folded policy computes what the trained network computes in inference mode, for every norm, and
// holds nothing but TensorFlow.js's own layers.
import { expect, test } from 'vitest';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-node';
import { tf } from '../../src/backend.ts';
import { NORMS } from '../../src/config/network.ts';
import { buildMlp } from '../../src/nn/build-mlp.ts';
import { dataDependentInit } from '../../src/nn/data-dependent-init.ts';
import { forward } from '../../src/nn/forward.ts';
import { foldMlp, modelArtifacts } from '../../src/export/fold.ts';

test.each(NORMS)('%s: the folded MLP equals the network in inference mode', async (norm) => {
  const model = buildMlp({ inputSize: 5, hidden: [16, 8], outputSize: 3, activation: 'tanh', norm, seed: 3, name: `p_${norm.replace('-', '_')}` });
  const x = tf.randomNormal([64, 5], 0, 2, 'float32', 7) as Tensor2D;
  // batch statistics that are not the identity: a few training passes move the running averages
  dataDependentInit(model, x, { outputScale: 0.5 });
  for (let i = 0; i < 5; i++) tf.tidy(() => forward(model, tf.add(tf.mul(x, 1.5), 0.3) as Tensor2D, true));
  const folded = foldMlp(model);
  const kinds = new Set(folded.layers.map((l) => l.getClassName()));
  for (const k of kinds) expect(['Dense', 'LayerNormalization', 'Activation']).toContain(k);
  const probe = tf.randomNormal([32, 5], 0, 3, 'float32', 11) as Tensor2D;
  const want = forward(model, probe, false).arraySync() as number[][];
  const got = (folded.predict(probe) as Tensor).arraySync() as number[][];
  for (let i = 0; i < want.length; i++) for (let j = 0; j < 3; j++) expect(got[i]![j]!).toBeCloseTo(want[i]![j]!, 4);
  // and it round-trips through TensorFlow.js's own serialization
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(await modelArtifacts(folded)));
  expect((loaded.predict(probe) as Tensor).arraySync()).toEqual(got);
});
