// Where a PPO iteration's time goes: acting (one forward of both networks + sampling), the env step, and
// the update (per gradient step), with the kernels each runs. Run:
//   npx tsx scripts/ppo-profile.ts [norm] [numEnvs] [numSteps] [batchSize] [epochs]
import { PPO } from '../agents/ppo.ts';
import { makeVectorEnv } from '../envs/vector/vector-env.ts';
import { tf } from '../src/backend.ts';
import type { Norm } from '../src/config/network.ts';

const [norm = 'weight', numEnvs = '8', numSteps = '32', batchSize = '256', epochs = '20'] = process.argv.slice(2);
const env = makeVectorEnv('CartPole-v1', { numEnvs: Number(numEnvs), seed: 1 });
const agent = new PPO({
  env,
  seed: 1,
  network: { hidden: [64, 64], activation: 'tanh', norm: norm as Norm },
  numSteps: Number(numSteps),
  batchSize: Number(batchSize),
  updateEpochs: Number(epochs),
  gaeLambda: 0.8,
  gamma: 0.98,
  entropyCoef: 0,
  learningRate: 1e-3,
});
if ((agent.warmupSamples?.() ?? 0) > 0) {
  const obs = new Float32Array(1024 * 4).map(() => Math.random() * 0.1);
  agent.initialize(obs);
}

const eng = tf.engine();
const orig = eng.runKernel.bind(eng);
let kernels = 0;
(eng as unknown as { runKernel: typeof orig }).runKernel = ((...a: Parameters<typeof orig>) => (kernels++, orig(...a))) as typeof orig;

let { observations } = await env.reset({ seed: 1 });
let step = 0;
const totals = { act: 0, env: 0, learn: 0, update: 0, actKernels: 0, updateKernels: 0, updates: 0, acts: 0 };
const iterations = Number(numSteps) * 30;
for (let i = 0; i < iterations; i++) {
  const ctx = { step, totalSteps: 1_000_000 };
  let k0 = kernels;
  let t0 = performance.now();
  const actions = agent.act(observations, ctx);
  totals.act += performance.now() - t0;
  totals.actKernels += kernels - k0;
  totals.acts++;
  t0 = performance.now();
  const r = await env.step(actions);
  totals.env += performance.now() - t0;
  step += env.numEnvs;
  k0 = kernels;
  t0 = performance.now();
  const m = agent.learn({ observations, actions, rewards: r.rewards, nextObservations: r.observations, terminated: r.terminated, truncated: r.truncated }, ctx);
  const dt = performance.now() - t0;
  if (m !== null) {
    totals.update += dt;
    totals.updateKernels += kernels - k0;
    totals.updates++;
  } else totals.learn += dt;
  observations = r.observations;
}
const grads = Number(epochs) * ((Number(numSteps) * Number(numEnvs)) / Number(batchSize));
const stepsPerIter = Number(numSteps) * Number(numEnvs);
const iterMs = (totals.act + totals.env + totals.learn + totals.update) / totals.updates;
console.log(`${norm}: ${numEnvs} envs × ${numSteps} steps, batch ${batchSize}, ${epochs} epochs (${grads} gradient steps per rollout)`);
console.log(`  act ${(totals.act / totals.acts).toFixed(3)} ms (${(totals.actKernels / totals.acts).toFixed(0)} kernels), env ${(totals.env / totals.acts).toFixed(3)} ms, store ${(totals.learn / totals.acts).toFixed(3)} ms per vector step`);
console.log(`  update ${(totals.update / totals.updates).toFixed(1)} ms per rollout = ${(totals.update / totals.updates / grads).toFixed(2)} ms per gradient step (${(totals.updateKernels / totals.updates / grads).toFixed(0)} kernels)`);
console.log(`  iteration ${iterMs.toFixed(1)} ms for ${stepsPerIter} env steps → ${((stepsPerIter / iterMs) * 1000).toFixed(0)} steps/s; tensors ${tf.memory().numTensors}`);
