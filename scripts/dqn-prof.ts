// Scratch profiler for one DQN update (not shipped behaviour).
import { DQN } from '../agents/dqn.ts';
import { makeVectorEnv } from '../envs/index.ts';
import { tf } from '../src/backend.ts';
const env = makeVectorEnv('CartPole-v1', { numEnvs: 8, seed: 1 });
const norm = (process.argv[2] ?? 'weight') as 'weight';
const agent = new DQN({ env, seed: 1, network: { hidden: [64, 64], activation: 'relu', norm }, batchSize: Number(process.argv[3] ?? 128), learningStarts: 0, trainFrequency: 8, gradientSteps: 1 });
let { observations } = await env.reset();
let step = 0;
const learnOnce = async () => {
  const actions = agent.act(observations, { step, totalSteps: 1e6 });
  const r = await env.step(actions);
  step += 8;
  agent.learn({ observations, actions, rewards: r.rewards, nextObservations: r.observations, terminated: r.terminated, truncated: r.truncated }, { step, totalSteps: 1e6 });
  observations = r.observations;
};
for (let i = 0; i < 300; i++) await learnOnce();
const t0 = performance.now();
for (let i = 0; i < 500; i++) await learnOnce();
const per = (performance.now() - t0) / 500;
// op count of one learn call
const before = tf.engine().state.numTensors;
let kernels = 0;
const orig = tf.engine().runKernel.bind(tf.engine());
(tf.engine() as unknown as { runKernel: typeof orig }).runKernel = ((...a: Parameters<typeof orig>) => (kernels++, orig(...a))) as typeof orig;
await learnOnce();
process.stdout.write(`${norm}: ${per.toFixed(2)} ms per vector step (act + env + 1 update), ~${kernels} kernels via runKernel, tensors ${tf.engine().state.numTensors - before}\n`);
const hist = new Map<string, number>();
(tf.engine() as unknown as { runKernel: typeof orig }).runKernel = ((...a: Parameters<typeof orig>) => (hist.set(a[0] as string, (hist.get(a[0] as string) ?? 0) + 1), orig(...a))) as typeof orig;
await learnOnce();
process.stdout.write(`${[...hist.entries()].sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k}:${v}`).join(' ')}\n`);
