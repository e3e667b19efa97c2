// Recording episodes: an evaluation on one env copy, every step drawn by the env's render(). What
// `wnrl render` writes and what the Trainer's periodic videos (trainer.video) are made of.
import type { Agent } from '../../agents/agent.ts';
import type { Env, RgbFrame } from '../../envs/core.ts';
import { SyncVectorEnv, type VectorEnv } from '../../envs/vector/vector-env.ts';
import { evaluate, type EvalResult } from '../train/evaluate.ts';

/** The env copy that draws a one-copy vector env's frames, or null when it cannot render. */
export function renderableCopy(env: VectorEnv): Env | null {
  const copy = env instanceof SyncVectorEnv && env.numEnvs === 1 ? env.envs[0]! : null;
  return copy !== null && copy.unwrapped.render !== undefined ? copy : null;
}

/**
 * `episodes` deterministic episodes of `agent` on a one-copy vector env (seeded `seed`), with a frame
 * after the reset and after every step but the last (same-step autoreset: the frame after an episode's
 * last step already shows the next episode's first state). The returns are `evaluate`'s.
 */
export async function recordEpisodes(agent: Agent, env: VectorEnv, episodes: number, seed: number): Promise<{ frames: RgbFrame[]; result: EvalResult }> {
  const copy = renderableCopy(env);
  if (copy === null) throw new TypeError('recordEpisodes: expected a one-copy vector env of an env with render()');
  const frames: RgbFrame[] = [];
  const draw = () => void frames.push(copy.unwrapped.render!());
  const result = await evaluate(agent, env, episodes, seed, { afterReset: draw, afterStep: draw });
  frames.pop();
  return { frames, result };
}
