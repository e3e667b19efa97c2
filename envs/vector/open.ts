// One way to get a vector env for any id: wnrl's own envs (makeVectorEnv, in this process) or
// `gymnasium:ID` (the Gymnasium bridge, a Python child process). What the CLI, the Trainer and the
// experiment runner call.
import { GYMNASIUM_PREFIX, GymnasiumVectorEnv, type GymnasiumVectorEnvOptions } from '../bridge/gymnasium.ts';
import { z } from 'zod';
import { ConfigError, parseConfig } from '../validate.ts';
import { WrapperConfig, type WrapperConfigInput } from '../wrappers/config.ts';
import { makeVectorEnv, type VectorEnv } from './vector-env.ts';
import { INNER_ONLY_WRAPPERS, WrappedVectorEnv } from './wrapped.ts';

/** Options of openVectorEnv. */
export interface OpenVectorEnvOptions {
  numEnvs?: number;
  seed?: number;
  /**
   * wnrl's wrappers, for any env: inside each copy of an own env, around each Python copy of a bridged
   * one (WrappedVectorEnv; a timeLimit there becomes gymnasium.make's max_episode_steps).
   */
  wrappers?: WrapperConfigInput[];
  /** Options of the env's factory (own envs) or keyword arguments of gymnasium.make (bridged). */
  kwargs?: Record<string, unknown>;
  /** Bridge settings (python, timeouts). */
  bridge?: Omit<GymnasiumVectorEnvOptions, 'numEnvs' | 'seed' | 'kwargs'>;
}

export function isGymnasiumId(id: string): boolean {
  return id.startsWith(GYMNASIUM_PREFIX);
}

/** A vector env for any id: wnrl's own (in this process) or `gymnasium:ID` (Python's Gymnasium through the bridge). */
export async function openVectorEnv(id: string, opts: OpenVectorEnvOptions = {}): Promise<VectorEnv> {
  if (isGymnasiumId(id)) {
    // wnrl's wrappers run in this process around each Python copy (WrappedVectorEnv); the time limit is
    // gymnasium.make's own (max_episode_steps), and the bridge records episode statistics itself.
    const wrappers = parseConfig(z.array(WrapperConfig), opts.wrappers ?? [], 'env.wrappers');
    const limit = wrappers.find((w) => w.type === 'timeLimit');
    if (limit !== undefined && opts.kwargs?.['max_episode_steps'] !== undefined && opts.kwargs['max_episode_steps'] !== limit.maxEpisodeSteps) {
      throw ConfigError.single('env.wrappers', `timeLimit ${limit.maxEpisodeSteps} and env.kwargs.max_episode_steps ${JSON.stringify(opts.kwargs['max_episode_steps'])} disagree; give one`);
    }
    const kwargs = limit === undefined ? opts.kwargs : { ...opts.kwargs, max_episode_steps: limit.maxEpisodeSteps };
    const outer = wrappers.filter((w) => !(INNER_ONLY_WRAPPERS as readonly string[]).includes(w.type));
    const bridged = await GymnasiumVectorEnv.open(id, {
      ...opts.bridge,
      ...(opts.numEnvs !== undefined ? { numEnvs: opts.numEnvs } : {}),
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      ...(kwargs !== undefined ? { kwargs } : {}),
    });
    if (outer.length === 0) return bridged;
    try {
      return new WrappedVectorEnv(bridged, outer, opts.seed);
    } catch (err) {
      await bridged.close();
      throw err;
    }
  }
  return makeVectorEnv(id, {
    ...(opts.numEnvs !== undefined ? { numEnvs: opts.numEnvs } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.wrappers !== undefined ? { wrappers: opts.wrappers } : {}),
    ...(opts.kwargs !== undefined ? { options: opts.kwargs } : {}),
  });
}
