// The return of a uniformly random policy on a task, measured: the floor under which a trained cell is a
// broken combination rather than a weak one (report.ts flags it and states no comparison against it).
// Seeded, so a report regenerates byte for byte.
import { Discrete } from '../envs/spaces/space.ts';
import { openVectorEnv } from '../envs/vector/open.ts';
import { loadEnvConfigModule } from '../src/config/env-module.ts';
import type { RunConfig } from '../src/config/run.ts';

export interface RandomPolicyReturn {
  mean: number;
  episodes: number;
}

/**
 * Mean true episode return (info.episode, inside any noise wrapper) of uniformly random actions over
 * `episodes` episodes of the run config's env (its wrappers and kwargs), 8 copies, seeded.
 */
export async function randomPolicyReturn(env: RunConfig['env'], episodes = 100, seed = 12345): Promise<RandomPolicyReturn> {
  await loadEnvConfigModule(env);
  const numEnvs = 8;
  const venv = await openVectorEnv(env.id, { numEnvs, seed, wrappers: env.wrappers, ...(env.kwargs === undefined ? {} : { kwargs: env.kwargs }) });
  try {
    const space = venv.singleActionSpace;
    space.seed(seed);
    const discrete = space instanceof Discrete;
    const size = discrete ? 1 : (space.sample() as Float32Array).length;
    const actions = discrete ? new Int32Array(numEnvs) : new Float32Array(numEnvs * size);
    await venv.reset({ seed });
    const returns: number[] = [];
    while (returns.length < episodes) {
      for (let i = 0; i < numEnvs; i++) {
        const a = space.sample();
        if (typeof a === 'number') actions[i] = a;
        else actions.set(a as Float32Array, i * size);
      }
      const r = await venv.step(actions);
      for (const info of r.infos) {
        const ep = (info['finalInfo'] as { episode?: { return: number } } | undefined)?.episode;
        if (ep && returns.length < episodes) returns.push(ep.return);
      }
    }
    return { mean: returns.reduce((a, b) => a + b, 0) / returns.length, episodes };
  } finally {
    await venv.close();
  }
}
