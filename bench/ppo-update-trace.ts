// One PPO update of SB3 replayed in wnrl: the same weights, the same rollout and the same minibatch
// order, so what is left to differ is the update itself. bench/peers/sb3_ppo_update_trace.py runs SB3's
// PPO (MlpPolicy, its defaults, VecNormalize) for one rollout and records its weights before the update,
// after its first gradient step and after the update, the rollout buffer, the arguments of its GAE and each
// epoch's permutation. wnrl's PPO with the same settings (norm 'none') then loads those weights and:
//
//   1. runs its networks on the rollout's observations: means and values against SB3's stored values,
//      and the log-probabilities of the stored actions against SB3's;
//   2. computes GAE from the env's rewards and episode ends (bootstrapping truncated episodes from its own
//      critic's value of the final observation) and SB3's values: advantages and returns against SB3's;
//   3. runs its update on SB3's rollout with SB3's minibatch order: weights after the first gradient step
//      and after the whole update (10 epochs × 32 minibatches) against SB3's, and the gradient norms;
//   4. with --rollouts K: trains for K rollouts from SB3's initial weights with wnrl's own loop (Trainer,
//      the bridged env, wnrl's VecNormalize), drawing SB3's action noise and minibatch orders instead of its
//      own: what the policy saw and did per step, and the weights after each update, against SB3's run.
//
//   npx tsx bench/ppo-update-trace.ts --python <venv with SB3> [--env Hopper-v5] [--seed 1] [--no-normalize] [--max-episode-steps N] [--rollouts K [--run-dir DIR]]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Tensor } from '@tensorflow/tfjs-node';
import type { AgentContext } from '../agents/agent.ts';
import type { Rollout } from '../agents/common/actor-critic.ts';
import { computeGae } from '../agents/common/gae.ts';
import type { MlpPolicy } from '../agents/common/policy.ts';
import { PPO, type PpoOptions } from '../agents/ppo.ts';
import { Box } from '../envs/index.ts';
import { openVectorEnv } from '../envs/vector/open.ts';
import { Rng } from '../envs/rng.ts';
import { tf } from '../src/backend.ts';
import { PPO_SB3_DEFAULTS, vecNormalize } from '../src/config/presets.ts';
import { createLogger } from '../src/log/logger.ts';
import { Trainer } from '../src/train/trainer.ts';

const { values: args } = parseArgs({
  options: {
    python: { type: 'string', default: process.env['WNRL_PEER_PYTHON'] ?? 'python3' },
    env: { type: 'string', default: 'Hopper-v5' },
    seed: { type: 'string', default: '1' },
    'no-normalize': { type: 'boolean', default: false },
    /** gymnasium.make's max_episode_steps (a short limit puts truncated episodes in the rollout). */
    'max-episode-steps': { type: 'string' },
    /** Rollouts SB3 trains for; from 2 on, wnrl's own training loop replays them (part 4). */
    rollouts: { type: 'string', default: '1' },
    /** Part 4 writes its run here, with a checkpoint every second (checkpoints must leave training untouched). */
    'run-dir': { type: 'string' },
  },
});
const seed = Number(args.seed);
const maxEpisodeSteps = args['max-episode-steps'] === undefined ? null : Number(args['max-episode-steps']);
const rollouts = Number(args.rollouts);

type Params = Record<string, number[] | number[][]>;
interface Trace {
  paramsBefore: Params;
  paramsAfterFirstStep: Params;
  paramsAfter: Params;
  rollout: { observations: number[]; actions: number[]; logProbs: number[]; values: number[]; rewards: number[]; episodeStarts: number[]; advantages: number[]; returns: number[] };
  lastValues: number[];
  lastDones: number[];
  permutations: number[][];
  losses: { gradNorm: number }[];
  updates: { permutations: number[][]; paramsAfter: Params }[];
  steps: { observation: number[]; action: number[]; noise: number[]; reward: number; terminated: boolean; truncated: boolean; finalObservation: number[] | null }[];
}
const run = spawnSync(args.python, [path.join(import.meta.dirname, 'peers', 'sb3_ppo_update_trace.py'), JSON.stringify({ env: args.env, seed, normalize: !args['no-normalize'], maxEpisodeSteps, rollouts })], { encoding: 'utf8', maxBuffer: 1 << 30 });
if (run.status !== 0) throw new Error(`sb3_ppo_update_trace.py failed: ${run.stderr}`);
const sb3 = JSON.parse(run.stdout) as Trace;

const say = (line: string) => process.stdout.write(`${line}\n`);
const f32 = (xs: number[]) => Float32Array.from(xs);
/** Largest |a − b| and the largest |a − b| relative to max |b|. */
function diff(a: ArrayLike<number>, b: ArrayLike<number>): { abs: number; rel: number } {
  if (a.length !== b.length) throw new Error(`diff: lengths ${a.length} and ${b.length}`);
  let abs = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    abs = Math.max(abs, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return { abs, rel: scale === 0 ? abs : abs / scale };
}
const fmt = (d: { abs: number; rel: number }) => `max |Δ| ${d.abs.toExponential(2)} (${d.rel.toExponential(2)} of the largest value)`;

// --- the spaces from the env itself, wnrl's PPO with SB3's defaults and norm 'none' ---
const probe = await openVectorEnv(`gymnasium:${args.env}`, { numEnvs: 1, seed });
const { singleObservationSpace: observationSpace, singleActionSpace: actionSpace } = probe;
await probe.close();
if (!(actionSpace instanceof Box) || !(observationSpace instanceof Box)) throw new Error(`${args.env}: this trace needs Box observations and actions`);
const obsSize = observationSpace.size;
const actSize = actionSpace.size;
const T = sb3.rollout.values.length;

/** The standard normals SB3 drew for its actions, in its order (env, then action dimension), as wnrl's generator. */
class ScriptedNormals extends Rng {
  private k = 0;
  constructor(private readonly draws: number[]) {
    super(0);
  }
  override normal(): number {
    const z = this.draws[this.k++];
    if (z === undefined) throw new Error(`SB3's trace has ${this.draws.length} action draws; wnrl asked for more`);
    return z;
  }
}

/**
 * PPO that takes SB3's minibatch order (and, given `noise`, SB3's action noise), records its gradient norms,
 * its weights after its first gradient step and after every update, and can run its update on a rollout.
 */
class ReplayPpo extends PPO {
  afterFirstStep: Float32Array[] | null = null;
  afterUpdates: Float32Array[][] = [];
  gradNorms: number[] = [];

  constructor(options: PpoOptions, noise: number[] | null = null) {
    super(options);
    if (noise !== null) (this as unknown as { rng: Rng }).rng = new ScriptedNormals(noise);
    const opt = this.optimizer;
    const step = opt.step.bind(opt);
    opt.step = (lossFn) => {
      const out = step(lossFn);
      this.gradNorms.push(out.gradNorm.dataSync()[0]!);
      this.afterFirstStep ??= this.params();
      return out;
    };
  }

  protected override shuffle(order: Int32Array, epoch: number): void {
    const p = sb3.updates[this.afterUpdates.length]?.permutations[epoch];
    if (p === undefined || p.length !== order.length) throw new Error(`SB3's trace has no permutation of ${order.length} for update ${this.afterUpdates.length + 1}, epoch ${epoch + 1}`);
    order.set(p);
  }

  protected override update(r: Rollout, ctx: AgentContext) {
    const metrics = super.update(r, ctx);
    this.afterUpdates.push(this.params());
    return metrics;
  }

  replay(r: Rollout, ctx: AgentContext) {
    return this.update(r, ctx);
  }

  /** The networks' weights (kernels [in, out], biases; policy then value) and the log-std, in SB3's layer order. */
  params(): Float32Array[] {
    const heads = (this.policy as MlpPolicy).heads;
    heads.sync();
    const read = (ts: Tensor[]) => ts.map((t) => (t.dataSync() as Float32Array).slice());
    return [...read(heads.policyNetwork.getWeights()), ...read(heads.valueNetwork!.getWeights()), (this.logStd!.dataSync() as Float32Array).slice()];
  }
}

const agentOptions: PpoOptions = {
  env: { observationSpace, actionSpace, numEnvs: 1 },
  seed,
  network: { hidden: [64, 64], activation: 'tanh', norm: 'none', init: 'orthogonal', outputNorm: 'auto', recurrent: null },
  ...PPO_SB3_DEFAULTS,
  numSteps: T,
  updateEpochs: sb3.permutations.length,
};

// --- SB3's weights into wnrl's networks, through the checkpoint format (torch Linear is [out, in]) ---
const LAYERS = {
  policy: ['mlp_extractor.policy_net.0', 'mlp_extractor.policy_net.2', 'action_net'],
  value: ['mlp_extractor.value_net.0', 'mlp_extractor.value_net.2', 'value_net'],
} as const;
/** SB3's parameters in the order wnrl's model.json lists its weights: kernel [in, out], then bias, per layer. */
function sb3Weights(params: Params, net: keyof typeof LAYERS): Float32Array[] {
  return LAYERS[net].flatMap((layer) => {
    const w = params[`${layer}.weight`] as number[][];
    const b = params[`${layer}.bias`] as number[];
    const kernel = new Float32Array(w.length * w[0]!.length);
    for (let o = 0; o < w.length; o++) for (let i = 0; i < w[0]!.length; i++) kernel[i * w.length + o] = w[o]![i]!;
    return [kernel, f32(b)];
  });
}
interface Manifest {
  weightsManifest: { weights: { name: string; shape: number[] }[] }[];
}
/** Replaces a saved model folder's weights (model.json's order and sizes) with `weights`. */
function writeWeights(dir: string, weights: Float32Array[]): void {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as Manifest;
  const specs = manifest.weightsManifest[0]!.weights;
  if (specs.length !== weights.length) throw new Error(`${dir}: wnrl has ${specs.length} weights, SB3 ${weights.length}`);
  specs.forEach((w, k) => {
    const n = w.shape.reduce((a, b) => a * b, 1);
    if (n !== weights[k]!.length) throw new Error(`${dir}: ${w.name} has ${n} values, SB3's ${weights[k]!.length}`);
  });
  const joined = new Float32Array(weights.reduce((a, w) => a + w.length, 0));
  let at = 0;
  for (const w of weights) {
    joined.set(w, at);
    at += w.length;
  }
  fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(joined.buffer));
}
const sb3Params = (p: Params) => [...sb3Weights(p, 'policy'), ...sb3Weights(p, 'value'), f32(p['log_std'] as number[])];
const PARAM_NAMES = [...LAYERS.policy, ...LAYERS.value].flatMap((l) => [`${l}.weight`, `${l}.bias`]).concat('log_std');

/** wnrl's PPO with SB3's initial weights: saved, SB3's weights put in the files, loaded back (the checkpoint path). */
async function withSb3Weights(noise: number[] | null = null): Promise<ReplayPpo> {
  const agent = new ReplayPpo(agentOptions, noise);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-ppo-trace-'));
  await agent.policy.save(dir);
  writeWeights(path.join(dir, 'policy'), sb3Weights(sb3.paramsBefore, 'policy'));
  writeWeights(path.join(dir, 'value'), sb3Weights(sb3.paramsBefore, 'value'));
  await agent.policy.load(dir);
  fs.rmSync(dir, { recursive: true, force: true });
  tf.tidy(() => agent.logStd!.assign(tf.tensor1d(sb3.paramsBefore['log_std'] as number[])));
  return agent;
}
const replay = await withSb3Weights();

say(`PPO update trace: ${args.env}, seed ${seed}, ${args['no-normalize'] ? 'no normalization' : 'VecNormalize'}; rollout ${T} steps, ${sb3.permutations.length} epochs, ${sb3.losses.length} gradient steps on SB3's side`);

// --- 1. the networks on the rollout ---
const obs = f32(sb3.rollout.observations);
const inspected = replay.inspect(obs)!;
say(`values on the rollout:            ${fmt(diff(inspected.values!, sb3.rollout.values))}`);
{
  const logStd = sb3.paramsBefore['log_std'] as number[];
  const logProbs = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let lp = 0;
    for (let j = 0; j < actSize; j++) {
      const z = (sb3.rollout.actions[t * actSize + j]! - inspected.outputs[t * actSize + j]!) / Math.exp(logStd[j]!);
      lp += -0.5 * z * z - logStd[j]! - 0.5 * Math.log(2 * Math.PI);
    }
    logProbs[t] = lp;
  }
  say(`log-probs of the actions taken:   ${fmt(diff(logProbs, sb3.rollout.logProbs))}`);
}

// acting runs the networks in JavaScript for a few observations (HOST_MAX_MACS): that path on each observation
{
  const means = new Float32Array(T * actSize);
  const vals = new Float32Array(T);
  let host = 0;
  for (let t = 0; t < T; t++) {
    const out = replay.policy.runHost(obs.subarray(t * obsSize, (t + 1) * obsSize), 1);
    if (out === null) break;
    host++;
    means.set(out.policy, t * actSize);
    vals[t] = out.values[0]!;
  }
  if (host === T) say(`acting path (JavaScript), values:  ${fmt(diff(vals, sb3.rollout.values))}; means against the update path's ${fmt(diff(means, inspected.outputs))}`);
  else say('acting path: the native backend (no JavaScript forward at this size)');
}

// --- 2. GAE: wnrl's from the env's own rewards and episode ends, with its critic's V(final observation) where
// an episode was truncated, against SB3's (which adds γ·V(final observation) to the reward there) ---
const firstSteps = sb3.steps.slice(0, T);
const truncated = Uint8Array.from(firstSteps, (st) => (st.truncated ? 1 : 0));
const terminated = Uint8Array.from(firstSteps, (st) => (st.terminated ? 1 : 0));
const truncationValues = new Float32Array(T);
const finals = firstSteps.flatMap((st, t) => (st.truncated ? [t] : []));
if (finals.length > 0) {
  const v = replay.inspect(f32(finals.flatMap((t) => sb3.steps[t]!.finalObservation!)))!.values!;
  finals.forEach((t, k) => (truncationValues[t] = v[k]!));
}
const gae = computeGae({ rewards: f32(firstSteps.map((st) => st.reward)), values: f32(sb3.rollout.values), terminated, truncated, truncationValues, lastValues: f32(sb3.lastValues), numEnvs: 1, gamma: 0.99, gaeLambda: 0.95 });
say(`episode ends in the rollout:       ${terminated.reduce((a, b) => a + b, 0)} terminated, ${finals.length} truncated`);
say(`advantages:                        ${fmt(diff(gae.advantages, sb3.rollout.advantages))}`);
say(`returns:                           ${fmt(diff(gae.returns, sb3.rollout.returns))}`);

// --- 3. the update on SB3's rollout, in SB3's order ---
const rollout: Rollout = {
  observations: obs,
  actions: f32(sb3.rollout.actions),
  logProbs: f32(sb3.rollout.logProbs),
  values: f32(sb3.rollout.values),
  advantages: f32(sb3.rollout.advantages),
  returns: f32(sb3.rollout.returns),
  episodeStarts: Uint8Array.from(sb3.rollout.episodeStarts),
  size: T,
};
const before = replay.params();
const paramDiff = (mine: Float32Array[], theirs: Float32Array[]) => {
  const rows = PARAM_NAMES.map((name, k) => ({ name, ...diff(mine[k]!, theirs[k]!) }));
  return { rows, worst: rows.reduce((a, b) => (b.rel > a.rel ? b : a)) };
};
const loadedDiff = paramDiff(before, sb3Params(sb3.paramsBefore)).worst;
say(`weights loaded:                    worst ${loadedDiff.name} ${fmt(loadedDiff)}`);
replay.replay(rollout, { step: T, totalSteps: 1_000_000 });

const first = paramDiff(replay.afterFirstStep!, sb3Params(sb3.paramsAfterFirstStep));
const firstMoved = paramDiff(before, sb3Params(sb3.paramsAfterFirstStep));
say(`after the first gradient step:     worst ${first.worst.name} ${fmt(first.worst)}`);
for (const row of first.rows) say(`  ${row.name.padEnd(32)} |Δ| ${row.abs.toExponential(2)}   SB3's step moved it ${firstMoved.rows.find((r) => r.name === row.name)!.abs.toExponential(2)}`);
const after = paramDiff(replay.params(), sb3Params(sb3.paramsAfter));
const moved = paramDiff(before, sb3Params(sb3.paramsAfter));
say(`after the update (${replay.gradNorms.length} steps):      worst ${after.worst.name} ${fmt(after.worst)}`);
for (const row of after.rows) say(`  ${row.name.padEnd(32)} |Δ| ${row.abs.toExponential(2)}   SB3's update moved it ${moved.rows.find((r) => r.name === row.name)!.abs.toExponential(2)}`);
const norms = sb3.losses.map((l) => l.gradNorm);
say(`gradient norms before clipping:    ${fmt(diff(replay.gradNorms.slice(0, norms.length), norms))}; first three wnrl ${replay.gradNorms.slice(0, 3).map((x) => x.toFixed(4)).join(', ')}, SB3 ${norms.slice(0, 3).map((x) => x.toFixed(4)).join(', ')}`);
replay.dispose();

// --- 4. wnrl's own training loop with SB3's draws ---
if (rollouts > 1) {
  const agent = await withSb3Weights(sb3.steps.flatMap((st) => st.noise));
  const env = await openVectorEnv(`gymnasium:${args.env}`, {
    numEnvs: 1,
    seed,
    ...(maxEpisodeSteps === null ? {} : { kwargs: { max_episode_steps: maxEpisodeSteps } }),
    wrappers: args['no-normalize'] ? [] : vecNormalize(0.99),
  });
  // what the policy saw and the (unclipped) actions it took, step by step
  const seen: Float32Array[] = [];
  const act = agent.act.bind(agent);
  agent.act = (observations, ctx) => {
    seen.push(observations.slice());
    return act(observations, ctx);
  };
  // the final observations truncated episodes bootstrap from, and the rewards, as the loop hands them to the agent
  const finals = new Map<number, Float32Array>();
  const rewards: number[] = [];
  const learn = agent.learn.bind(agent);
  agent.learn = (t, ctx) => {
    if (t.truncated[0] === 1 && t.terminated[0] === 0) finals.set(rewards.length, t.nextObservations.slice());
    rewards.push(t.rewards[0]!);
    return learn(t, ctx);
  };
  const logger = createLogger({ level: 'silent' });
  const runDir = args['run-dir'];
  await new Trainer({ agent, env, logger, totalSteps: rollouts * T, seed, ...{ earlyStop: false, evalInterval: 0, evalEpisodes: 1, checkpointInterval: 1e9, checkpointSeconds: 1 }, ...(runDir ? { runDir } : {}) }).run();
  await env.close();
  const steps = Math.min(seen.length, sb3.steps.length);
  say(`\nwnrl's training loop, ${rollouts} rollouts with SB3's action noise and minibatch orders (${steps} steps):`);
  const obsDiff = Array.from({ length: steps }, (_, t) => diff(seen[t]!, sb3.steps[t]!.observation).abs);
  const finalDiffs = [...finals].filter(([t]) => t < T && sb3.steps[t]!.finalObservation !== null).map(([t, o]) => diff(o, sb3.steps[t]!.finalObservation!).abs);
  if (finalDiffs.length > 0) say(`  rollout 1: final observations of ${finalDiffs.length} truncated episodes, max |Δ| ${Math.max(...finalDiffs).toExponential(2)}, median ${finalDiffs.sort((a, b) => a - b)[finalDiffs.length >> 1]!.toExponential(2)}; rewards max |Δ| ${diff(rewards.slice(0, T), sb3.steps.slice(0, T).map((st) => st.reward)).abs.toExponential(2)}`);
  for (let r = 0; r < rollouts; r++) {
    const part = obsDiff.slice(r * T, (r + 1) * T);
    const firstOff = part.findIndex((x) => x > 1e-3);
    const u = agent.afterUpdates[r];
    const w = u === undefined ? null : paramDiff(u, sb3Params(sb3.updates[r]!.paramsAfter)).worst;
    say(`  rollout ${r + 1}: observations max |Δ| ${Math.max(...part).toExponential(2)}${firstOff < 0 ? '' : ` (above 1e-3 from its step ${firstOff + 1})`}; weights after its update: ${w === null ? 'no update' : `worst ${w.name} ${fmt(w)}`}`);
  }
  agent.dispose();
}
