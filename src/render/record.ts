// Recording episodes: an evaluation on one env copy, every step drawn by the env's render(). What
// `wnrl render` writes and what the Trainer's periodic videos (trainer.video) are made of.
import type { Agent, Inspection } from '../../agents/agent.ts';
import { Wrapper, type Env, type RgbFrame } from '../../envs/core.ts';
import { RecordEpisodeStatistics, type EpisodeStatistics } from '../../envs/wrappers/record-episode-statistics.ts';
import { GymnasiumVectorEnv } from '../../envs/bridge/gymnasium.ts';
import { SyncVectorEnv, type VectorEnv } from '../../envs/vector/vector-env.ts';
import { evaluate, type EvalResult } from '../train/evaluate.ts';

/**
 * Whether a one-copy vector env draws frames: wnrl's own env with render(), or a Gymnasium env opened with
 * `render: true` (its rgb_array frames come through the bridge).
 */
export function canRender(env: VectorEnv): boolean {
  if (env.numEnvs !== 1) return false;
  if (env instanceof SyncVectorEnv) return env.envs[0]!.unwrapped.render !== undefined;
  return env instanceof GymnasiumVectorEnv && env.rendering;
}

async function frameOf(env: VectorEnv): Promise<RgbFrame> {
  const frame = (await env.render?.()) ?? null;
  if (frame === null) throw new TypeError('recording: the env drew no frame');
  return frame;
}

/**
 * `episodes` deterministic episodes of `agent` on a one-copy vector env (seeded `seed`), with a frame
 * after the reset and after every step but the last (same-step autoreset: the frame after an episode's
 * last step already shows the next episode's first state). The returns are `evaluate`'s.
 */
export async function recordEpisodes(agent: Agent, env: VectorEnv, episodes: number, seed: number): Promise<{ frames: RgbFrame[]; result: EvalResult }> {
  if (!canRender(env)) throw new TypeError('recordEpisodes: expected a one-copy vector env that renders');
  const frames: RgbFrame[] = [];
  const draw = async () => void frames.push(await frameOf(env));
  const result = await evaluate(agent, env, episodes, seed, { afterReset: draw, afterStep: draw });
  frames.pop();
  return { frames, result };
}

/** One frame of a replay: the state drawn, and what the policy made of it. */
export interface ReplayStep {
  frame: RgbFrame;
  /** Episode number (1-based). */
  episode: number;
  /** Steps taken in this episode before this frame. */
  t: number;
  /** The task's return so far (the statistics wrapper's: inside any reward transform). */
  returnSoFar: number;
  /** The action chosen here (null on an episode's last frame). */
  action: number[] | null;
  /** Agent.inspect() of this frame's observation (null when the policy cannot say: recurrent). */
  inspection: { kind: Inspection['kind']; outputs: number[]; value: number | null } | null;
}

/**
 * recordEpisodes with what a replay shows under each frame: the action, the return so far, the action
 * probabilities (or mean, or Q-values) and the value estimate. The episodes and returns are evaluate's.
 */
export async function recordReplay(agent: Agent, env: VectorEnv, episodes: number, seed: number): Promise<{ steps: ReplayStep[]; result: EvalResult }> {
  if (!canRender(env)) throw new TypeError('recordReplay: expected a one-copy vector env that renders');
  const steps: ReplayStep[] = [];
  let episode = 1;
  let t = 0;
  let returnSoFar = 0;
  const look = (observations: Float32Array) => {
    const i = agent.inspect?.(observations) ?? null;
    return i === null ? null : { kind: i.kind, outputs: Array.from(i.outputs), value: i.values === null ? null : i.values[0]! };
  };
  const result = await evaluate(agent, env, episodes, seed, {
    afterReset: async (o) => void steps.push({ frame: await frameOf(env), episode, t, returnSoFar, action: null, inspection: look(o) }),
    afterStep: async (actions, r) => {
      steps[steps.length - 1]!.action = Array.from(actions);
      t++;
      const ended = r.terminated[0] === 1 || r.truncated[0] === 1;
      if (ended) {
        // the episode's last state is not drawn (same-step autoreset); its return closes the episode
        const ep = (r.infos[0]!['finalInfo'] as { episode?: EpisodeStatistics } | undefined)?.episode;
        steps.push({ frame: steps[steps.length - 1]!.frame, episode, t, returnSoFar: ep?.return ?? returnSoFar, action: null, inspection: null });
        episode++;
        t = 0;
        returnSoFar = 0;
      } else {
        returnSoFar = (env instanceof SyncVectorEnv ? statisticsReturn(env.envs[0]!) : null) ?? returnSoFar + r.rewards[0]!;
      }
      steps.push({ frame: await frameOf(env), episode, t, returnSoFar, action: null, inspection: look(r.observations) });
    },
  });
  steps.pop(); // the frame after the last episode's end shows the next (unplayed) episode's start
  return { steps, result };
}

/** The return so far of the env's episode statistics wrapper, or null without one. */
function statisticsReturn(env: Env): number | null {
  let e: Env = env;
  while (e instanceof Wrapper) {
    if (e instanceof RecordEpisodeStatistics) return (e as unknown as { episodeReturn: number }).episodeReturn;
    e = (e as Wrapper).env;
  }
  return null;
}
