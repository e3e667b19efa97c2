// Kernel counts and JS overhead of a forward pass and a gradient pass, through model.apply versus
// calling the layers directly (src/nn/forward.ts). Run: npx tsx scripts/kernel-profile.ts [norm]
import type { Tensor } from '@tensorflow/tfjs-node';
import { tf } from '../src/backend.ts';
import { buildMlp } from '../src/nn/index.ts';
const m = buildMlp({ inputSize: 4, hidden: [64, 64], outputSize: 2, activation: 'relu', norm: (process.argv[2] ?? 'none') as 'none', seed: 1 });
const x = tf.ones([128, 4]);
const eng = tf.engine();
const orig = eng.runKernel.bind(eng);
function count(label: string, f: () => void) {
  const hist = new Map<string, number>();
  (eng as unknown as { runKernel: typeof orig }).runKernel = ((...a: Parameters<typeof orig>) => (hist.set(a[0] as string, (hist.get(a[0] as string) ?? 0) + 1), orig(...a))) as typeof orig;
  f();
  (eng as unknown as { runKernel: typeof orig }).runKernel = orig;
  const t0 = performance.now();
  for (let i = 0; i < 200; i++) f();
  const ms = (performance.now() - t0) / 200;
  console.log(label, ms.toFixed(3), 'ms', [...hist.values()].reduce((a, b) => a + b, 0), [...hist.entries()].map(([k, v]) => `${k}:${v}`).join(' '));
}
count('apply fwd', () => tf.tidy(() => { m.apply(x, { training: false }); }));
count('call fwd', () => tf.tidy(() => { let h: Tensor = x; for (const l of m.layers) h = l.call(h, { training: false }) as Tensor; }));
const vars = m.trainableWeights.map((w) => w.read() as never);
count('apply grad', () => tf.tidy(() => { tf.variableGrads(() => tf.mean(m.apply(x, { training: true }) as Tensor) as never, vars); }));
count('call grad', () => tf.tidy(() => { tf.variableGrads(() => { let h: Tensor = x; for (const l of m.layers) h = l.call(h, { training: true }) as Tensor; return tf.mean(h) as never; }, vars); }));
