// One forward and backward pass of a 64-unit LSTM over 32 steps × 8 sequences (the CartPoleNoVel preset's
// shapes), through the fused BlockLSTM kernels and through the step-by-step tfjs-ops path, with the
// kernels each dispatches. Run: npx tsx scripts/lstm-kernels.ts [norm] [starts per sequence]
import type { Tensor3D } from '@tensorflow/tfjs-node';
import { tf } from '../src/backend.ts';
import type { Norm } from '../src/config/network.ts';
import { Lstm } from '../src/nn/lstm.ts';

const norm = (process.argv[2] ?? 'none') as Norm;
const cuts = Number(process.argv[3] ?? 0);
const [T, B, I, U] = [32, 8, 4, 64];
const starts = new Uint8Array(T * B);
for (let k = 0; k < B; k++) for (let c = 1; c <= cuts; c++) starts[Math.floor((c * T) / (cuts + 1) + k) % T * B + k] = 1;
const x = tf.randomNormal([T, B, I], 0, 1, 'float32', 1) as Tensor3D;
const engine = tf.engine();
const runKernel = engine.runKernel.bind(engine);
let kernels = 0;
(engine as unknown as { runKernel: typeof runKernel }).runKernel = ((...a: Parameters<typeof runKernel>) => (kernels++, runKernel(...a))) as typeof runKernel;

for (const impl of ['auto', 'reference'] as const) {
  const lstm = new Lstm({ inputSize: I, units: U, norm, seed: 1, impl });
  const pass = () =>
    tf.tidy(() => {
      tf.variableGrads(() => tf.sum(lstm.forward(x, lstm.zeroState(B), starts, true).output) as never, lstm.trainableWeights);
    });
  for (let i = 0; i < 5; i++) pass();
  const k0 = kernels;
  const t0 = performance.now();
  const n = 30;
  for (let i = 0; i < n; i++) pass();
  const ms = (performance.now() - t0) / n;
  console.log(`${impl === 'auto' ? 'fused kernels' : 'tfjs ops     '} ${norm}, ${cuts} starts/sequence: ${ms.toFixed(2)} ms, ${((kernels - k0) / n).toFixed(0)} kernels per forward + backward`);
  lstm.dispose();
}
