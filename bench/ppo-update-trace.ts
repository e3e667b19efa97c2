// One PPO update of SB3 replayed in wnrl: the same weights, the same rollout and the same minibatch
// order, so what is left to differ is the update itself. bench/peers/sb3_ppo_update_trace.py runs SB3's
// PPO (MlpPolicy, its defaults, VecNormalize) for one rollout (after --pretrain N steps of its own training,
// whose Adam moments and normalizer statistics wnrl then loads too) and records its weights before the update,
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
//   npx tsx bench/ppo-update-trace.ts --python <venv with SB3> [--env Hopper-v5] [--seed 1] [--no-normalize] [--max-episode-steps N] [--rollouts K [--run-dir DIR]] [--pretrain N] [--trace FILE]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Rollout } from '../agents/common/actor-critic.ts';
import { computeGae } from '../agents/common/gae.ts';
import type { PpoOptions } from '../agents/ppo.ts';
import { Box } from '../envs/index.ts';
import { openVectorEnv } from '../envs/vector/open.ts';
import { PPO_SB3_DEFAULTS, vecNormalize } from '../src/config/presets.ts';
import { createLogger } from '../src/log/logger.ts';
import { restoreNormalization } from '../src/train/evaluate.ts';
import { Trainer } from '../src/train/trainer.ts';
import { paramDiff as compareParams, diff, f32, gaussianLogProbs, ReplayPpo, sb3ParamNames, sb3Params, type Sb3Params, type Sb3Trace } from '../test/helpers/sb3-replay.ts';

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
    /** SB3 trains this many steps first, unrecorded; everything then replays from its state there (weights, Adam, VecNormalize). */
    pretrain: { type: 'string', default: '0' },
    /** Part 4 writes its run here, with a checkpoint every second (checkpoints must leave training untouched). */
    'run-dir': { type: 'string' },
    /** SB3's recording is kept in this file and read from it when it exists (pretraining takes minutes). */
    trace: { type: 'string' },
  },
});
const seed = Number(args.seed);
const maxEpisodeSteps = args['max-episode-steps'] === undefined ? null : Number(args['max-episode-steps']);
const rollouts = Number(args.rollouts);
const pretrain = Number(args.pretrain);

/** SB3's recording: from --trace FILE when it exists, else from the peer script (and written there when given). */
function peerTrace(): string {
  const file = args.trace;
  if (file !== undefined && fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
  const run = spawnSync(args.python, [path.join(import.meta.dirname, 'peers', 'sb3_ppo_update_trace.py'), JSON.stringify({ env: args.env, seed, normalize: !args['no-normalize'], maxEpisodeSteps, rollouts, pretrain })], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(`sb3_ppo_update_trace.py failed: ${run.stderr}`);
  if (file !== undefined) fs.writeFileSync(file, run.stdout);
  return run.stdout;
}
const sb3 = JSON.parse(peerTrace()) as Sb3Trace & Required<Pick<Sb3Trace, 'updates' | 'steps'>>;

const say = (line: string) => process.stdout.write(`${line}\n`);
const fmt = (d: { abs: number; rel: number }) => `max |Δ| ${d.abs.toExponential(2)} (${d.rel.toExponential(2)} of the largest value)`;

// --- the spaces from the env itself, wnrl's PPO with SB3's defaults and norm 'none' ---
const probe = await openVectorEnv(`gymnasium:${args.env}`, { numEnvs: 1, seed });
const { singleObservationSpace: observationSpace, singleActionSpace: actionSpace } = probe;
await probe.close();
if (!(actionSpace instanceof Box) || !(observationSpace instanceof Box)) throw new Error(`${args.env}: this trace needs Box observations and actions`);
const obsSize = observationSpace.size;
const actSize = actionSpace.size;
const T = sb3.rollout.values.length;

const agentOptions: PpoOptions = {
  env: { observationSpace, actionSpace, numEnvs: 1 },
  seed,
  network: { hidden: [64, 64], activation: 'tanh', norm: 'none', init: 'orthogonal', outputNorm: 'auto', recurrent: null },
  ...PPO_SB3_DEFAULTS,
  numSteps: T,
  updateEpochs: sb3.permutations.length,
};

const DEPTH = 2;
const PARAM_NAMES = sb3ParamNames(DEPTH);
const sb3ParamsOf = (p: Sb3Params) => sb3Params(p, DEPTH);
const orders = sb3.updates.map((u) => u.permutations);
/** wnrl's PPO with SB3's initial weights (loaded through its checkpoint files). */
async function withSb3Weights(noise: number[] | null = null): Promise<ReplayPpo> {
  const agent = new ReplayPpo(agentOptions, orders, noise);
  await agent.loadSb3(sb3.paramsBefore);
  if (sb3.pretrained) agent.loadSb3Adam(sb3.pretrained);
  return agent;
}
const replay = await withSb3Weights();

say(`PPO update trace: ${args.env}, seed ${seed}, ${args['no-normalize'] ? 'no normalization' : 'VecNormalize'}${sb3.pretrained ? `, after ${sb3.pretrained.steps} steps of SB3's training` : ''}; rollout ${T} steps, ${sb3.permutations.length} epochs, ${sb3.losses.length} gradient steps on SB3's side`);

// --- 1. the networks on the rollout ---
const obs = f32(sb3.rollout.observations);
const inspected = replay.inspect(obs)!;
say(`values on the rollout:            ${fmt(diff(inspected.values!, sb3.rollout.values))}`);
say(`log-probs of the actions taken:   ${fmt(diff(gaussianLogProbs(inspected.outputs, sb3.rollout.actions, sb3.paramsBefore['log_std'] as number[]), sb3.rollout.logProbs))}`);

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
const paramDiff = (mine: Float32Array[], theirs: Float32Array[]) => compareParams(mine, theirs, PARAM_NAMES);
const loadedDiff = paramDiff(before, sb3ParamsOf(sb3.paramsBefore)).worst;
say(`weights loaded:                    worst ${loadedDiff.name} ${fmt(loadedDiff)}`);
replay.replay(rollout, { step: T, totalSteps: 1_000_000 });

const first = paramDiff(replay.afterFirstStep!, sb3ParamsOf(sb3.paramsAfterFirstStep));
const firstMoved = paramDiff(before, sb3ParamsOf(sb3.paramsAfterFirstStep));
say(`after the first gradient step:     worst ${first.worst.name} ${fmt(first.worst)}`);
for (const row of first.rows) say(`  ${row.name.padEnd(32)} |Δ| ${row.abs.toExponential(2)}   SB3's step moved it ${firstMoved.rows.find((r) => r.name === row.name)!.abs.toExponential(2)}`);
const after = paramDiff(replay.params(), sb3ParamsOf(sb3.paramsAfter));
const moved = paramDiff(before, sb3ParamsOf(sb3.paramsAfter));
say(`after the update (${replay.gradNorms.length} steps):      worst ${after.worst.name} ${fmt(after.worst)}`);
for (const row of after.rows) say(`  ${row.name.padEnd(32)} |Δ| ${row.abs.toExponential(2)}   SB3's update moved it ${moved.rows.find((r) => r.name === row.name)!.abs.toExponential(2)}`);
const norms = sb3.losses.map((l) => l.gradNorm);
say(`gradient norms before clipping:    ${fmt(diff(replay.gradNorms.slice(0, norms.length), norms))}; first three wnrl ${replay.gradNorms.slice(0, 3).map((x) => x.toFixed(4)).join(', ')}, SB3 ${norms.slice(0, 3).map((x) => x.toFixed(4)).join(', ')}`);
replay.dispose();

// --- 4. wnrl's own training loop with SB3's draws ---
if (rollouts > 1) {
  // after pretraining SB3 reseeded its env with seed + 1 before the recorded reset
  const loopSeed = sb3.pretrained ? seed + 1 : seed;
  const agent = await withSb3Weights(sb3.steps.flatMap((st) => st.noise));
  const env = await openVectorEnv(`gymnasium:${args.env}`, {
    numEnvs: 1,
    seed: loopSeed,
    ...(maxEpisodeSteps === null ? {} : { kwargs: { max_episode_steps: maxEpisodeSteps } }),
    wrappers: args['no-normalize'] ? [] : vecNormalize(0.99),
  });
  if (sb3.pretrained?.obsRms) restoreNormalization(env, { normalization: sb3.pretrained.obsRms, rewardNormalization: sb3.pretrained.retRms }, false);
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
  await new Trainer({ agent, env, logger, totalSteps: rollouts * T, seed: loopSeed, earlyStop: false, evalInterval: 0, evalEpisodes: 1, checkpointInterval: 1e9, checkpointSeconds: 1, ...(runDir ? { runDir } : {}) }).run();
  await env.close();
  const steps = Math.min(seen.length, sb3.steps.length);
  say(`\nwnrl's training loop, ${rollouts} rollouts with SB3's action noise and minibatch orders (${steps} steps):`);
  const obsDiff = Array.from({ length: steps }, (_, t) => diff(seen[t]!, sb3.steps[t]!.observation).abs);
  const finalDiffs = [...finals].filter(([t]) => t < T && sb3.steps[t]!.finalObservation !== null).map(([t, o]) => diff(o, sb3.steps[t]!.finalObservation!).abs);
  if (finalDiffs.length > 0) say(`  rollout 1: final observations of ${finalDiffs.length} truncated episodes, max |Δ| ${Math.max(...finalDiffs).toExponential(2)}, median ${finalDiffs.sort((a, b) => a - b)[finalDiffs.length >> 1]!.toExponential(2)}; rewards max |Δ| ${diff(rewards.slice(0, T), sb3.steps.slice(0, T).map((st) => st.reward)).abs.toExponential(2)}`);
  // where the first rollout's runs part, against SB3's episode ends
  const ends = sb3.steps.slice(0, T).flatMap((st, t) => (st.terminated || st.truncated ? [t] : []));
  const off = obsDiff.findIndex((x) => x > 1e-3);
  if (off >= 0 && off < T) say(`  rollout 1 parts at step ${off + 1} (|Δ| ${obsDiff[Math.max(0, off - 2)]!.toExponential(1)}, ${obsDiff[Math.max(0, off - 1)]!.toExponential(1)}, ${obsDiff[off]!.toExponential(1)} at steps ${off - 1}..${off + 1}); SB3's episodes ended at steps ${ends.map((t) => `${t + 1}${sb3.steps[t]!.truncated ? ' (truncated)' : ''}`).join(', ')}`);
  for (let r = 0; r < rollouts; r++) {
    const part = obsDiff.slice(r * T, (r + 1) * T);
    const firstOff = part.findIndex((x) => x > 1e-3);
    const u = agent.afterUpdates[r];
    const w = u === undefined ? null : paramDiff(u, sb3ParamsOf(sb3.updates[r]!.paramsAfter)).worst;
    say(`  rollout ${r + 1}: observations max |Δ| ${Math.max(...part).toExponential(2)}${firstOff < 0 ? '' : ` (above 1e-3 from its step ${firstOff + 1})`}; weights after its update: ${w === null ? 'no update' : `worst ${w.name} ${fmt(w)}`}`);
  }
  agent.dispose();
}
