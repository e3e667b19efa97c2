// One way to get a vector env for any id: wnrl's own envs (makeVectorEnv, in this process) or
// `gymnasium:ID` (the Gymnasium bridge, a Python child process). What the CLI, the Trainer and the
// experiment runner call.
import { GYMNASIUM_PREFIX, GymnasiumVectorEnv, type GymnasiumVectorEnvOptions } from '../bridge/gymnasium.ts';
import { ConfigError } from '../validate.ts';
import type { WrapperConfigInput } from '../wrappers/config.ts';
import { makeVectorEnv, type VectorEnv } from './vector-env.ts';

/** Options of openVectorEnv. */
export interface OpenVectorEnvOptions {
  numEnvs?: number;
  seed?: number;
  /** wnrl's wrappers (own envs only: a bridged env's wrappers are Gymnasium's, in kwargs or its module). */
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
    if (opts.wrappers?.length) {
      throw ConfigError.single(
        'env.wrappers',
        `wnrl's wrappers run inside wnrl's own envs; ${id} runs in Python (got ${opts.wrappers.map((w) => w.type).join(', ')}). Use Gymnasium's wrappers in a module of your own and name it as gymnasium:my_module:MyEnv-v0`,
      );
    }
    return GymnasiumVectorEnv.open(id, {
      ...opts.bridge,
      ...(opts.numEnvs !== undefined ? { numEnvs: opts.numEnvs } : {}),
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      ...(opts.kwargs !== undefined ? { kwargs: opts.kwargs } : {}),
    });
  }
  return makeVectorEnv(id, {
    ...(opts.numEnvs !== undefined ? { numEnvs: opts.numEnvs } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.wrappers !== undefined ? { wrappers: opts.wrappers } : {}),
    ...(opts.kwargs !== undefined ? { options: opts.kwargs } : {}),
  });
}
