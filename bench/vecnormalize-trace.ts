// wnrl's VecNormalize (the normalizeObservation and normalizeReward wrappers with SB3's clips, around a
// bridged Gymnasium env) against SB3's VecNormalize itself: the same env, seed and action sequence on both
// sides (bench/peers/sb3_vecnormalize_trace.py drives SB3's), then what the agent sees compared step by
// step: the normalized observations (the reset one where an episode ended), the final observations of
// ended episodes, the normalized rewards and the episode ends.
//
//   npx tsx bench/vecnormalize-trace.ts --python <venv with SB3> [--env Hopper-v5] [--seed 1] [--steps 20000] [--gamma 0.99] [--max-episode-steps N]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openVectorEnv } from '../envs/vector/open.ts';
import type { NormalizerConvention } from '../envs/wrappers/running-mean-std.ts';

const { values } = parseArgs({
  options: {
    python: { type: 'string', default: process.env['WNRL_PEER_PYTHON'] ?? 'python3' },
    env: { type: 'string', default: 'Hopper-v5' },
    seed: { type: 'string', default: '1' },
    steps: { type: 'string', default: '20000' },
    gamma: { type: 'string', default: '0.99' },
    /** gymnasium.make's max_episode_steps on both sides (a short limit puts truncations in the trace). */
    'max-episode-steps': { type: 'string' },
  },
});
const seed = Number(values.seed);
const steps = Number(values.steps);
const gamma = Number(values.gamma);
const maxEpisodeSteps = values['max-episode-steps'] === undefined ? null : Number(values['max-episode-steps']);

interface Trace {
  actions: number[][];
  observations: number[][];
  rewards: number[];
  dones: boolean[];
  truncated: boolean[];
  finalObservations: (number[] | null)[];
  returnVar: number;
}
const peer = spawnSync(values.python, [path.join(import.meta.dirname, 'peers', 'sb3_vecnormalize_trace.py'), JSON.stringify({ env: values.env, seed, steps, gamma, maxEpisodeSteps })], { encoding: 'utf8', maxBuffer: 1 << 30 });
if (peer.status !== 0) throw new Error(`sb3_vecnormalize_trace.py failed: ${peer.stderr}`);
const sb3 = JSON.parse(peer.stdout) as Trace;

const say = (line: string) => process.stdout.write(`${line}\n`);
const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);

/** wnrl's side with one normalizer convention, against SB3's trace. */
async function compare(convention: NormalizerConvention) {
  const env = await openVectorEnv(`gymnasium:${values.env}`, {
    numEnvs: 1,
    seed,
    ...(maxEpisodeSteps === null ? {} : { kwargs: { max_episode_steps: maxEpisodeSteps } }),
    wrappers: [{ type: 'normalizeObservation', clip: 10, convention }, { type: 'normalizeReward', gamma, clip: 10, convention }],
  });
  const obsDiff: number[] = [];
  const finalDiff: number[] = [];
  const rewardDiff: number[] = [];
  let doneMismatch = 0;
  let episodes = 0;
  let truncations = 0;
  const { observations } = await env.reset();
  obsDiff.push(maxAbs(observations, sb3.observations[0]!));
  for (let t = 0; t < steps; t++) {
    const r = await env.step(Float32Array.from(sb3.actions[t]!));
    const done = r.terminated[0] === 1 || r.truncated[0] === 1;
    // SB3 flags a truncation only where the episode did not also terminate (TimeLimit.truncated)
    if (done !== sb3.dones[t] || (r.truncated[0] === 1 && r.terminated[0] === 0) !== sb3.truncated[t]) doneMismatch++;
    if (done) {
      episodes++;
      if (r.truncated[0] === 1) truncations++;
      const fin = sb3.finalObservations[t];
      if (fin) finalDiff.push(maxAbs(r.infos[0]!['finalObservation'] as Float32Array, fin));
    }
    obsDiff.push(maxAbs(r.observations, sb3.observations[t + 1]!));
    rewardDiff.push(Math.abs(r.rewards[0]! / sb3.rewards[t]! - 1));
  }
  await env.close();
  return { episodes, truncations, doneMismatch, obsDiff, finalDiff, rewardDiff };
}

const quantiles = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `median ${q(0.5).toExponential(2)}, 99% ${q(0.99).toExponential(2)}, max ${s[s.length - 1]!.toExponential(2)}`;
};
say(`${values.env}${maxEpisodeSteps === null ? '' : ` (max_episode_steps ${maxEpisodeSteps})`}, seed ${seed}, ${steps} uniform random actions, γ ${gamma}; per step, the largest |wnrl − SB3| over the entries:`);
say('| wnrl convention | episodes (truncated) | episode ends (or truncations) that differ | normalized observations | final observations | normalized rewards, |wnrl/SB3 − 1| |');
say('| --- | --- | --- | --- | --- | --- |');
for (const convention of ['gymnasium', 'sb3'] as const) {
  const c = await compare(convention);
  say(`| ${convention} | ${c.episodes} (${c.truncations}) | ${c.doneMismatch} | ${quantiles(c.obsDiff)} | ${c.finalDiff.length ? quantiles(c.finalDiff) : '-'} | ${quantiles(c.rewardDiff)} |`);
}
say(`SB3's return variance at the end: ${sb3.returnVar.toFixed(4)}`);
