// Acting on a few observations: the stacked policy and value heads (src/nn/stacked-mlp.ts) on the native
// backend (upload, one kernel per layer op, read-back) against the same network in JavaScript
// (forwardHost), per number of rows. Where JavaScript is faster sets HOST_MAX_MACS (agents/common/policy.ts).
//
// Run: npx tsx bench/acting.ts [--rounds 5]
import { parseArgs } from 'node:util';
import type { Tensor3D } from '@tensorflow/tfjs-node';
import { tf } from '../src/backend.ts';
import type { Norm } from '../src/config/network.ts';
import { buildMlp } from '../src/nn/build-mlp.ts';
import { StackedMlp } from '../src/nn/stacked-mlp.ts';
import { HOST_MAX_MACS } from '../agents/common/policy.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const rounds = Number(values.rounds);

/** Median µs per call over `rounds` rounds of 200 calls (after 50 to warm up). */
function micros(f: () => void): number {
  for (let i = 0; i < 50; i++) f();
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) f();
    times.push(((performance.now() - t0) / 200) * 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

const shapes: [string, number, number, number][] = [
  ['CartPole-sized (4 in, [64, 64], 2 out)', 4, 64, 2],
  ['Hopper-sized (11 in, [64, 64], 3 out)', 11, 64, 3],
  ['Hopper, Zoo heads (11 in, [256, 256], 3 out)', 11, 256, 3],
];
const say = (s: string) => process.stdout.write(`${s}\n`);
say(`HOST_MAX_MACS = ${HOST_MAX_MACS}\n`);
say('| network | norm | rows | multiply-adds | native µs | JavaScript µs | JavaScript / native |');
say('| --- | --- | --- | --- | --- | --- | --- |');
for (const [name, inputs, hidden, outputs] of shapes) {
  for (const norm of ['none', 'weight'] as Norm[]) {
    const pi = buildMlp({ inputSize: inputs, hidden: [hidden, hidden], outputSize: outputs, activation: 'tanh', norm, seed: 1 });
    const vf = buildMlp({ inputSize: inputs, hidden: [hidden, hidden], outputSize: 1, activation: 'tanh', norm, seed: 2 });
    const stacked = new StackedMlp([pi, vf]);
    for (const rows of [1, 2, 4, 8, 32]) {
      const x = Float32Array.from({ length: rows * inputs }, (_, i) => Math.sin(i));
      const native = micros(() => {
        const out = tf.tidy(() => stacked.forward(tf.expandDims(tf.tensor2d(x, [rows, inputs]), 0) as Tensor3D, false));
        out.dataSync();
        out.dispose();
      });
      const host = micros(() => void stacked.forwardHost(x, rows));
      say(`| ${name} | ${norm} | ${rows} | ${stacked.hostMacs(rows)} | ${native.toFixed(0)} | ${host.toFixed(0)} | ${(host / native).toFixed(2)} |`);
    }
    stacked.dispose();
    pi.dispose();
    vf.dispose();
  }
}
