// Matrix products on the native backend: TensorFlow's Eigen kernel (BatchMatMulV2, what tfjs-node runs) against
// oneDNN's (`_MklMatMul`, `_MklBatchMatMulV2`, which src/backend.ts uses above ONEDNN_MIN_MACS), per shape, and
// torch's on one thread (--peer PYTHON) in the same invocation, interleaved round by round. Where oneDNN
// wins sets the thresholds; the shapes are those of wnrl's networks (DQN and MuJoCo PPO [256, 256],
// CartPole PPO [64, 64], stacked policy and value networks: a leading axis of 2).
//
// Run: npx tsx bench/matmul.ts [--rounds 5] [--peer <python with torch>]
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import type { Tensor } from '@tensorflow/tfjs-node';
import { ONEDNN_MIN_MACS, matMulKernel, tf } from '../src/backend.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, peer: { type: 'string' } } });
const rounds = Number(values.rounds);

/** Runs one product through the named kernel and frees its output. */
function op(impl: 'eigen' | 'onednn', a: Tensor, b: Tensor): void {
  matMulKernel(impl, a, b).dispose();
}

/** µs per call: the median over rounds of 100 calls. */
function micros(f: () => void): number {
  for (let i = 0; i < 20; i++) f();
  const t0 = performance.now();
  for (let i = 0; i < 100; i++) f();
  return ((performance.now() - t0) / 100) * 1000;
}

// [batch (0: 2-D), m, k, n]
const shapes: [number, number, number, number][] = [
  [0, 64, 64, 64],
  [0, 256, 64, 64],
  [0, 64, 256, 256],
  [0, 32, 256, 256],
  [0, 256, 64, 256],
  [0, 256, 256, 256],
  [2, 64, 64, 64],
  [2, 256, 64, 64],
  [2, 32, 256, 256],
  [2, 64, 256, 256],
  [2, 256, 256, 256],
];

function peerMicros(shape: [number, number, number, number]): number | null {
  if (values.peer === undefined) return null;
  const [batch, m, k, n] = shape;
  const code = [
    'import time, torch',
    'torch.set_num_threads(1)',
    `a = torch.randn(${batch ? `${batch}, ` : ''}${m}, ${k}); b = torch.randn(${batch ? `${batch}, ` : ''}${k}, ${n})`,
    'for _ in range(20): torch.matmul(a, b)',
    't = time.perf_counter()',
    'for _ in range(100): torch.matmul(a, b)',
    'print((time.perf_counter() - t) / 100 * 1e6)',
  ].join('\n');
  const r = spawnSync(values.peer, ['-c', code], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`peer: ${r.stderr}`);
  return Number(r.stdout.trim());
}

const say = (s: string) => process.stdout.write(`${s}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
say(`thresholds: 2-D ${ONEDNN_MIN_MACS.matMul} multiply-adds, batched ${ONEDNN_MIN_MACS.batchMatMul}`);
say('| shape | multiply-adds | Eigen µs | oneDNN µs | oneDNN / Eigen | torch (1 thread) µs | wnrl choice / torch |');
say('| --- | --- | --- | --- | --- | --- | --- |');
for (const shape of shapes) {
  const [batch, m, k, n] = shape;
  const a = tf.randomNormal(batch ? [batch, m, k] : [m, k]);
  const b = tf.randomNormal(batch ? [batch, k, n] : [k, n]);
  const times: { eigen: number[]; dnn: number[]; torch: number[] } = { eigen: [], dnn: [], torch: [] };
  for (let r = 0; r < rounds; r++) {
    times.eigen.push(micros(() => op('eigen', a, b)));
    times.dnn.push(micros(() => op('onednn', a, b)));
    const p = peerMicros(shape);
    if (p !== null) times.torch.push(p);
  }
  tf.dispose([a, b]);
  const macs = (batch || 1) * m * k * n;
  const chosen = macs >= (batch ? ONEDNN_MIN_MACS.batchMatMul : ONEDNN_MIN_MACS.matMul) ? median(times.dnn) : median(times.eigen);
  const torch = times.torch.length ? median(times.torch) : null;
  const name = `${batch ? `[${batch}, ${m}, ${k}] x [${batch}, ${k}, ${n}]` : `[${m}, ${k}] x [${k}, ${n}]`}`;
  say(`| ${name} | ${(macs / 1e6).toFixed(2)}M | ${median(times.eigen).toFixed(0)} | ${median(times.dnn).toFixed(0)} | ${(median(times.dnn) / median(times.eigen)).toFixed(2)}x | ${torch === null ? '-' : torch.toFixed(0)} | ${torch === null ? '-' : `${(chosen / torch).toFixed(2)}x`} |`);
}
