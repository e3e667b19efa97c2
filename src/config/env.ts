import { z } from 'zod';
import { WrapperConfig } from '../../envs/wrappers/config.ts';
import { positiveInt } from './common.ts';

/** The environment part of a run: the task id (and the module that registers it), how many copies step together, and the wrappers. */
export const EnvConfig = z.strictObject({
  id: z.string({ error: 'expected an environment id such as "CartPole-v1"' }).min(1),
  /** A module whose registerEnv calls add `id` (an absolute path or a package); set from 'module:EnvId'. */
  module: z.string().min(1).optional(),
  /** Options of the env's factory (wnrl's envs) or keyword arguments of gymnasium.make (`gymnasium:ID`). */
  kwargs: z.record(z.string(), z.unknown()).optional(),
  numEnvs: positiveInt().default(1),
  wrappers: z.array(WrapperConfig).default([]),
});
export type EnvConfig = z.output<typeof EnvConfig>;
