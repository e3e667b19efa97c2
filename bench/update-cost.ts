// What one gradient step of each agent costs per norm, as a ratio to `none` measured in the same process
// (interleaved rounds), with the kernels it dispatches (the native backend's cost is per kernel).
// A PPO step: CartPole-v1 shapes (and a recurrent PPO step with the CartPoleNoVel-v1 preset's LSTMs) (8 envs × 32 steps, one 256-sample minibatch, policy and value MLPs
// 64-64 tanh, every layer normalized); a DQN step: batch 256, Double DQN, Huber, 64-64 relu (a learn call
// runs two steps and a Polyak update); a PPO step with the RL Zoo's MuJoCo networks ([256, 256] ReLU, minibatch
// 32, on Pendulum-v1). Kernels are counted through the tfjs engine, plus the ops wnrl runs outside it
// (the fused optimizer's: src/backend.ts, nativeOp). With --peer PYTHON,
// the reference's own cost per gradient step on the same shapes (bench/peers/sb3_update_cost.py: SB3's
// PPO and DQN train(), sb3-contrib's RecurrentPPO, torch on one thread) runs in the same invocation,
// interleaved round by round, for the cases that have a peer: PPO [64, 64] tanh at minibatch 64 and 256,
// DQN [256, 256] ReLU at batch 64, PPO [256, 256] ReLU at minibatch 32 and 64, recurrent PPO at the
// CartPoleNoVel-v1 preset's shapes.
// Run: npx tsx bench/update-cost.ts [--rounds 5] [--peer <python with torch, SB3, sb3-contrib>] [--cases 'ppo, minibatch 64;ppo-lstm'] (labels separated by ;)
//        [--norms none,weight] (default: all five)
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Agent } from '../agents/agent.ts';
import { DQN } from '../agents/dqn.ts';
import { PPO } from '../agents/ppo.ts';
import { makeVectorEnv, type VectorEnv } from '../envs/vector/vector-env.ts';
import { backendInfo, nativeOpCount, tf } from '../src/backend.ts';
import { NORMS, type Norm } from '../src/config/network.ts';

let kernels = 0;

interface Case {
  label: string;
  make: (norm: Norm, env: VectorEnv) => { agent: Agent; gradientStepsPerLearn: number };
  /** bench/peers/sb3_update_cost.py's case for the same shapes, if the reference has one. */
  peer?: Record<string, unknown>;
  /** The env the agent trains on (default CartPole-v1). */
  env?: string;
}
/**
 * The RL Zoo's MuJoCo PPO networks: [256, 256] ReLU actor and critic, PyTorch's default init, minibatches
 * from 512-step rollouts (8 envs × 64 steps), on Pendulum-v1 (both sides; the layer widths, not the 3
 * inputs, set the cost).
 */
function zooMujocoPpo(minibatch: number): Case {
  return {
    label: `ppo [256, 256], minibatch ${minibatch}`,
    env: 'Pendulum-v1',
    make: (norm, env) => {
      const agent = new PPO({ env, seed: 1, network: { hidden: [256, 256], activation: 'relu', norm, init: 'torch' }, numSteps: 64, batchSize: minibatch, updateEpochs: 1, logStdInit: -2 });
      agent.initialize(new Float32Array(256 * 3).map((_, i) => Math.sin(i) * 0.1));
      return { agent, gradientStepsPerLearn: 512 / minibatch };
    },
    peer: { case: 'ppo-mujoco', minibatch },
  };
}

const cases: Case[] = [
  {
    // SB3's default PPO shapes where the update dominates: 2048-step rollouts, minibatches of 64
    label: 'ppo, minibatch 64',
    make: (norm, env) => {
      const agent = new PPO({ env, seed: 1, network: { hidden: [64, 64], activation: 'tanh', norm }, numSteps: 256, batchSize: 64, updateEpochs: 1 });
      agent.initialize(new Float32Array(256 * 4).map((_, i) => Math.sin(i) * 0.1));
      return { agent, gradientStepsPerLearn: 32 };
    },
    peer: { case: 'ppo', minibatch: 64 },
  },
  {
    label: 'dqn [256, 256], batch 64',
    make: (norm, env) => {
      // SB3's DQN is vanilla DQN (the target network's max at s'): Double DQN, wnrl's default, would add a forward pass of the online network
      const agent = new DQN({ env, seed: 1, network: { hidden: [256, 256], activation: 'relu', norm }, doubleDqn: false, learningStarts: 512, batchSize: 64, trainFrequency: 8, gradientSteps: 2, tau: 1, targetUpdateInterval: 64 });
      return { agent, gradientStepsPerLearn: 2 };
    },
    peer: { case: 'dqn', minibatch: 64 },
  },
  {
    label: 'ppo',
    make: (norm, env) => {
      const agent = new PPO({ env, seed: 1, network: { hidden: [64, 64], activation: 'tanh', norm }, numSteps: 32, batchSize: 256, updateEpochs: 10 });
      agent.initialize(new Float32Array(256 * 4).map((_, i) => Math.sin(i) * 0.1));
      return { agent, gradientStepsPerLearn: 10 };
    },
    peer: { case: 'ppo', minibatch: 256 },
  },
  {
    // Recurrent PPO with the CartPoleNoVel-v1 preset's shapes: an LSTM of 64 units for the actor and one
    // for the critic, [64] ReLU heads, one minibatch of 8 env rollouts × 32 steps through time, 20 epochs.
    // Early-training episodes (a near-random policy) end often, so sequences are cut at many starts.
    label: 'ppo-lstm',
    make: (norm, env) => {
      const agent = new PPO({ env, seed: 1, network: { hidden: [64], activation: 'relu', norm, recurrent: { type: 'lstm', units: 64 } }, numSteps: 32, batchSize: 256, updateEpochs: 20 });
      agent.initialize(new Float32Array(256 * 4).map((_, i) => Math.sin(i) * 0.1));
      return { agent, gradientStepsPerLearn: 20 };
    },
    peer: { case: 'rppo' },
  },
  // The RL Zoo's MuJoCo PPO networks (issue #27's presets) at minibatch 32 (Hopper-v3's settings) and 64
  // (HalfCheetah-v5's preset)
  zooMujocoPpo(32),
  zooMujocoPpo(64),
  {
    label: 'dqn',
    make: (norm, env) => {
      const agent = new DQN({ env, seed: 1, network: { hidden: [64, 64], activation: 'relu', norm }, learningStarts: 512, batchSize: 256, trainFrequency: 8, gradientSteps: 2, tau: 0.01, targetUpdateInterval: 8 });
      return { agent, gradientStepsPerLearn: 2 };
    },
  },
];

/** ms and kernels per gradient step over `updates` learn calls that updated (after warm-up). */
async function measure(c: Case, norm: Norm, updates: number): Promise<{ ms: number; kernels: number }> {
  const env = makeVectorEnv(c.env ?? 'CartPole-v1', { numEnvs: 8, seed: 2 });
  const { agent, gradientStepsPerLearn } = c.make(norm, env);
  let { observations } = await env.reset({ seed: 2 });
  let step = 0;
  let ms = 0;
  let count = 0;
  let k = 0;
  let seen = 0;
  while (count < updates) {
    const ctx = { step, totalSteps: 1_000_000 };
    const actions = agent.act(observations, ctx);
    const r = await env.step(actions);
    step += env.numEnvs;
    const k0 = kernels + nativeOpCount();
    const t0 = performance.now();
    const m = agent.learn({ observations, actions, rewards: r.rewards, nextObservations: r.observations, terminated: r.terminated, truncated: r.truncated }, { step, totalSteps: 1_000_000 });
    const dt = performance.now() - t0;
    if (m !== null && ++seen > 3) {
      ms += dt;
      k += kernels + nativeOpCount() - k0;
      count++;
    }
    observations = r.observations;
  }
  agent.dispose();
  await env.close();
  return { ms: ms / count / gradientStepsPerLearn, kernels: k / count / gradientStepsPerLearn };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The reference's ms per gradient step for a case (one round: a median over its train() calls). */
function peerMs(python: string, spec: Record<string, unknown>): number {
  const r = spawnSync(python, ['bench/peers/sb3_update_cost.py', JSON.stringify({ ...spec, rounds: 1 })], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sb3_update_cost.py ${JSON.stringify(spec)}: exit ${r.status}\n${r.stderr.slice(-2000)}`);
  return (JSON.parse(r.stdout.trim().split('\n').pop()!) as { msPerStep: number[] }).msPerStep[0]!;
}

/** Markdown tables, one per agent: ms and kernels per gradient step, the ratio to none and (with a peer Python) to the reference. */
export async function benchUpdateCost(rounds: number, peer?: string, only?: readonly string[], norms: readonly Norm[] = NORMS): Promise<string> {
  const engine = tf.engine();
  const runKernel = engine.runKernel.bind(engine);
  (engine as unknown as { runKernel: typeof runKernel }).runKernel = ((...a: Parameters<typeof runKernel>) => (kernels++, runKernel(...a))) as typeof runKernel;
  let out = `${rounds} interleaved rounds, median ms per gradient step\n\n`;
  try {
    for (const c of cases.filter((x) => only === undefined || only.includes(x.label))) {
      const ms = new Map<Norm, number[]>(norms.map((n) => [n, []]));
      const k = new Map<Norm, number>();
      const peerRounds: number[] = [];
      const withPeer = peer !== undefined && c.peer !== undefined;
      for (let r = 0; r < rounds; r++) {
        for (const norm of norms) {
          const m = await measure(c, norm, c.label.startsWith('ppo') ? 3 : 30);
          ms.get(norm)!.push(m.ms);
          k.set(norm, m.kernels);
        }
        if (withPeer) peerRounds.push(peerMs(peer, c.peer!));
      }
      // the ratio column divides by none's time, or by the first norm listed when none did not run
      const baseNorm = ms.has('none') ? 'none' : norms[0]!;
      const baseMs = median(ms.get(baseNorm)!);
      const ref = withPeer ? median(peerRounds) : null;
      const rows = norms.map((norm) => [norm, median(ms.get(norm)!).toFixed(2), k.get(norm)!.toFixed(0), `${(median(ms.get(norm)!) / baseMs).toFixed(2)}x`, ...(ref === null ? [] : [`${(median(ms.get(norm)!) / ref).toFixed(2)}x`])]);
      out += ref === null ? `${c.label}\n| norm | ms per gradient step | kernels | vs ${baseNorm} |\n| --- | --- | --- | --- |\n` : `${c.label} (reference: ${ref.toFixed(2)} ms per gradient step)\n| norm | ms per gradient step | kernels | vs ${baseNorm} | vs reference |\n| --- | --- | --- | --- | --- |\n`;
      out += `${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}\n\n`;
    }
  } finally {
    (engine as unknown as { runKernel: typeof runKernel }).runKernel = runKernel;
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, peer: { type: 'string' }, cases: { type: 'string' }, norms: { type: 'string' } } });
  const only = values.cases?.split(';').map((s) => s.trim());
  const unknown = only?.filter((l) => !cases.some((c) => c.label === l));
  if (unknown?.length) throw new Error(`--cases: unknown ${unknown.join(', ')}; expected some of ${cases.map((c) => c.label).join(', ')}`);
  const norms = values.norms?.split(',').map((s) => s.trim()) ?? [...NORMS];
  const badNorm = norms.find((n) => !(NORMS as readonly string[]).includes(n));
  if (badNorm !== undefined) throw new Error(`--norms: unknown ${badNorm}; expected some of ${NORMS.join(', ')}`);
  process.stdout.write(`backend ${backendInfo().backend}\n${await benchUpdateCost(Number(values.rounds), values.peer, only, norms as Norm[])}`);
}
