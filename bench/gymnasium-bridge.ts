// The Gymnasium bridge's throughput against Gymnasium stepping the same vector env inside Python: for
// each size, one run of each, interleaved and alternating which goes first, --reps times (this VM's
// speed drifts between runs, so only side-by-side ratios mean anything). Random actions; the bridge's
// time includes the TypeScript side drawing them, Python's includes NumPy drawing them.
// Run: npx tsx bench/gymnasium-bridge.ts [--env CartPole-v1] [--sizes 8,64] [--steps 5000] [--reps 5]
//      (MuJoCo-sized vectors: --env Hopper-v5 --sizes 1,8, after `npx wnrl setup --gymnasium --mujoco`)
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { GymnasiumVectorEnv, findPython } from '../envs/bridge/gymnasium.ts';
import { Rng } from '../envs/rng.ts';
import { Box, type Discrete } from '../envs/spaces/space.ts';

const { values } = parseArgs({
  options: {
    env: { type: 'string', default: 'CartPole-v1' },
    sizes: { type: 'string', default: '8,64' },
    steps: { type: 'string', default: '5000' },
    reps: { type: 'string', default: '5' },
  },
});
const steps = Number(values.steps);
const python = findPython();
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function inPython(n: number, seed: number): number {
  const r = spawnSync(python, [path.join(import.meta.dirname, 'peers', 'gymnasium_vector_speed.py'), values.env, String(n), String(steps), String(seed)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return (JSON.parse(r.stdout.trim()) as { vector_steps_per_second: number }).vector_steps_per_second;
}

async function bridged(n: number, seed: number): Promise<number> {
  const env = await GymnasiumVectorEnv.open(`gymnasium:${values.env}`, { numEnvs: n, seed });
  try {
    await env.reset();
    const rng = new Rng(seed);
    const space = env.singleActionSpace;
    const box = space instanceof Box ? space : null;
    const k = box === null ? (space as Discrete).n : 0;
    const actions = box === null ? new Int32Array(n) : new Float32Array(n * box.size);
    const step = async () => {
      if (box === null) for (let i = 0; i < n; i++) actions[i] = rng.int(k);
      else for (let j = 0; j < actions.length; j++) actions[j] = rng.uniform(box.low[j % box.size]!, box.high[j % box.size]!);
      await env.step(actions);
    };
    for (let t = 0; t < 200; t++) await step(); // warm-up
    const t0 = performance.now();
    for (let t = 0; t < steps; t++) await step();
    return steps / ((performance.now() - t0) / 1000);
  } finally {
    await env.close();
  }
}

const sizes = values.sizes.split(',').map(Number);
const results = new Map(sizes.map((n) => [n, { python: [] as number[], bridge: [] as number[] }]));
for (let rep = 0; rep < Number(values.reps); rep++) {
  for (const n of sizes) {
    const r = results.get(n)!;
    const order = rep % 2 === 0 ? (['python', 'bridge'] as const) : (['bridge', 'python'] as const);
    for (const who of order) r[who].push(who === 'python' ? inPython(n, rep) : await bridged(n, rep));
    process.stdout.write(`rep ${rep + 1}, ${n} envs: python ${r.python.at(-1)!.toFixed(0)}, bridge ${r.bridge.at(-1)!.toFixed(0)} vector steps/s, ratio ${(r.bridge.at(-1)! / r.python.at(-1)!).toFixed(3)}\n`);
  }
}
process.stdout.write(`\n${values.env}, ${steps} vector steps per run, ${values.reps} interleaved reps\n| envs | Python SyncVectorEnv (median vector steps/s) | bridge (median) | ratio per rep | median ratio |\n| --- | --- | --- | --- | --- |\n`);
for (const [n, r] of results) {
  const ratios = r.bridge.map((b, i) => b / r.python[i]!);
  process.stdout.write(`| ${n} | ${median(r.python).toFixed(0)} | ${median(r.bridge).toFixed(0)} | ${ratios.map((x) => x.toFixed(2)).join(', ')} | ${median(ratios).toFixed(3)} |\n`);
}
