// Env steps per second for CartPole-v1: the raw task, the makeEnv stack (TimeLimit + statistics), and an
// 8-env SyncVectorEnv. Random actions from a seeded Rng; each measured for a fixed wall time after warm-up.
// Run: npx tsx bench/envs.ts   (or npm run bench)
import { CartPole, Rng, makeEnv, makeVectorEnv, type Env } from '../envs/index.ts';

function timeLoop(seconds: number, body: (n: number) => void): number {
  const chunk = 100_000;
  let steps = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    body(chunk);
    steps += chunk;
  }
  return steps / ((performance.now() - t0) / 1000);
}

function singleEnv(env: Env<number>, seconds: number): number {
  const rng = new Rng(0);
  env.reset({ seed: 0 });
  return timeLoop(seconds, (n) => {
    for (let i = 0; i < n; i++) {
      const r = env.step(rng.nextUint32() & 1);
      if (r.terminated || r.truncated) env.reset();
    }
  });
}

async function vectorEnv(numEnvs: number, seconds: number): Promise<number> {
  const venv = makeVectorEnv('CartPole-v1', { numEnvs, seed: 0 });
  await venv.reset();
  const rng = new Rng(0);
  const actions = new Int32Array(numEnvs);
  let steps = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    for (let k = 0; k < 1000; k++) {
      for (let i = 0; i < numEnvs; i++) actions[i] = rng.nextUint32() & 1;
      await venv.step(actions);
    }
    steps += 1000 * numEnvs;
  }
  return steps / ((performance.now() - t0) / 1000);
}

export async function benchEnvs(seconds = 2): Promise<Record<string, number>> {
  singleEnv(new CartPole(), 0.5); // warm-up (JIT)
  const raw = singleEnv(new CartPole(), seconds);
  const stack = singleEnv(makeEnv<number>('CartPole-v1'), seconds);
  await vectorEnv(8, 0.5);
  const vec8 = await vectorEnv(8, seconds);
  return { 'CartPole-v1 raw task': raw, 'CartPole-v1 makeEnv (TimeLimit + statistics)': stack, 'CartPole-v1 SyncVectorEnv x8': vec8 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await benchEnvs();
  const base = results['CartPole-v1 raw task']!;
  for (const [name, sps] of Object.entries(results)) {
    process.stdout.write(`${name.padEnd(48)} ${(sps / 1e6).toFixed(2)} M steps/s  (${(sps / base).toFixed(2)}x raw)\n`);
  }
}
