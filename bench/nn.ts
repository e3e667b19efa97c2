// Cost of a training step (forward + backward + clipped Adam through FlatOptimizer, the agents' path) and of an acting forward pass per normalization,
// as a ratio to `none` measured in the same process. Norms are measured in interleaved rounds and the
// median round is kept, so background noise hits every norm alike.
// Run: npx tsx bench/nn.ts
import type { LayersModel, Scalar, Tensor } from '@tensorflow/tfjs-node';
import { backendInfo, tf } from '../src/backend.ts';
import { NORMS, type Norm } from '../src/config/network.ts';
import { FlatOptimizer, buildMlp, dataDependentInit } from '../src/nn/index.ts';
import { forward } from '../src/nn/forward.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Case {
  model: LayersModel;
  optimizer: FlatOptimizer;
  x: Tensor;
  y: Tensor;
  obs8: Tensor;
}

function setup(norm: Norm, hidden: number[], batch: number): Case {
  const model = buildMlp({ inputSize: 8, hidden, outputSize: 2, activation: 'tanh', norm, seed: 1 });
  const x = tf.randomNormal([batch, 8], 0, 1, 'float32', 2);
  const y = tf.randomNormal([batch, 2], 0, 1, 'float32', 3);
  const obs8 = tf.randomNormal([8, 8], 0, 1, 'float32', 4);
  dataDependentInit(model, x as never);
  return { model, optimizer: new FlatOptimizer(model.trainableWeights, { learningRate: 1e-3, maxGradNorm: 0.5 }), x, y, obs8 };
}

function trainStep(c: Case): void {
  const { loss, gradNorm } = c.optimizer.step(() => tf.losses.meanSquaredError(c.y, forward(c.model, c.x, true)) as Scalar);
  loss.dataSync();
  tf.dispose([loss, gradNorm]);
}

function act(c: Case): void {
  const out = tf.tidy(() => forward(c.model, c.obs8, false));
  out.dataSync();
  out.dispose();
}

function timeIt(f: () => void, reps: number): number {
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) f();
  return (performance.now() - t0) / reps;
}

export function benchNn(rounds = 7): { rows: string[][]; header: string[] } {
  const header = ['hidden', 'batch', ...NORMS.map((n) => `${n} train ms (×none)`), ...NORMS.map((n) => `${n} act ms (×none)`)];
  const rows: string[][] = [];
  for (const hidden of [[64, 64], [256, 256]]) {
    for (const batch of [64, 256]) {
      const cases = new Map(NORMS.map((n) => [n, setup(n, hidden, batch)] as const));
      for (const c of cases.values()) {
        for (let i = 0; i < 10; i++) {
          trainStep(c);
          act(c);
        }
      }
      const train = new Map<Norm, number[]>(NORMS.map((n) => [n, []]));
      const acting = new Map<Norm, number[]>(NORMS.map((n) => [n, []]));
      for (let r = 0; r < rounds; r++) {
        for (const n of NORMS) {
          train.get(n)!.push(timeIt(() => trainStep(cases.get(n)!), 30));
          acting.get(n)!.push(timeIt(() => act(cases.get(n)!), 200));
        }
      }
      const t0 = median(train.get('none')!);
      const a0 = median(acting.get('none')!);
      rows.push([
        `[${hidden.join(', ')}]`,
        String(batch),
        ...NORMS.map((n) => `${median(train.get(n)!).toFixed(2)} (${(median(train.get(n)!) / t0).toFixed(2)})`),
        ...NORMS.map((n) => `${median(acting.get(n)!).toFixed(3)} (${(median(acting.get(n)!) / a0).toFixed(2)})`),
      ]);
      for (const c of cases.values()) {
        c.model.dispose();
        c.optimizer.dispose();
        tf.dispose([c.x, c.y, c.obs8]);
      }
    }
  }
  return { header, rows };
}

export function markdownTable(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const info = backendInfo();
  process.stdout.write(`backend ${info.backend} (TensorFlow ${info.tensorflowVersion}), TF_ENABLE_ONEDNN_OPTS=${process.env.TF_ENABLE_ONEDNN_OPTS}\n`);
  const { header, rows } = benchNn();
  process.stdout.write(`${markdownTable(header, rows)}\n`);
}
