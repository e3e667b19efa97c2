// The environment registry: ids -> factories, with the time limit and reward threshold of each task.
// `makeEnv` builds the documented wrapper stack (see wrappers/config.ts); custom envs are validated on
// every step by an EnvChecker unless registered with `check: false`.
import { z } from 'zod';
import { Acrobot } from './classic-control/acrobot.ts';
import { CartPole } from './classic-control/cartpole.ts';
import { MountainCarContinuous } from './classic-control/mountain-car-continuous.ts';
import { MountainCar } from './classic-control/mountain-car.ts';
import { Pendulum } from './classic-control/pendulum.ts';
import type { Action, Env, EnvSpec } from './core.ts';
import { RegistryError } from './errors.ts';
import { parseConfig } from './validate.ts';
import { EnvChecker } from './wrappers/env-checker.ts';
import { OneHotObservation } from './wrappers/one-hot-observation.ts';
import { Box } from './spaces/space.ts';
import { WrapperConfig, applyWrapper, orderWrappers, type WrapperConfigInput } from './wrappers/config.ts';

/** What `registerEnv` takes: an id, a factory and the spec values (Gymnasium's `register`). */
export interface EnvRegistration {
  /** `Name-vN`, optionally namespaced: `my-pkg/Chain-v0`. */
  id: string;
  /** Makes one instance of the env from its options (the registration's defaults merged with the caller's). */
  create: (options: Record<string, unknown>) => Env;
  /** Episodes are truncated after this many steps (a TimeLimit); omit for none. */
  maxEpisodeSteps?: number;
  /** The return at which the task counts as solved (used for stepsToThreshold). */
  rewardThreshold?: number;
  /** Validate every reset and step (default true; the built-in tasks, tested against Gymnasium, skip it). */
  check?: boolean;
  /** Default options passed to `create`. */
  options?: Record<string, unknown>;
  /**
   * Wrappers every env of this id gets (Gymnasium's `additional_wrappers`), stacked with the ones makeEnv
   * is given in the one documented order: a NoVel task's mask sits outside the observation noise, so noise
   * never lands on the entries the task does not observe.
   */
  wrappers?: WrapperConfigInput[];
}

const ID_PATTERN = /^(?:[A-Za-z0-9_.-]+\/)?[A-Za-z0-9_.-]+$/; // no ':' (it separates 'module:EnvId')
type Entry = Required<Omit<EnvRegistration, 'maxEpisodeSteps' | 'rewardThreshold' | 'wrappers'>> & EnvSpec & { wrappers: WrapperConfig[] };
// One registry per process, even when two copies of wnrl's modules are loaded (a user's module required
// from a CommonJS project gets its own transpiled copy, or an env package ships its own wnrl): a
// registerEnv from either copy is visible to makeEnv from the other.
const REGISTRY = Symbol.for('wnrl.envRegistry');
const registry = ((globalThis as { [REGISTRY]?: Map<string, Entry> })[REGISTRY] ??= new Map<string, Entry>());

/** Registers an env id (an error names a duplicate id or a malformed registration). */
export function registerEnv(registration: EnvRegistration): void {
  const { id } = registration;
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    throw new RegistryError(`registerEnv: id '${String(id)}' is not valid; expected 'Name-vN' or 'namespace/Name-vN'`);
  }
  if (registry.has(id)) throw new RegistryError(`registerEnv: '${id}' is already registered`);
  if (typeof registration.create !== 'function') throw new RegistryError(`registerEnv ${id}: create must be a function`);
  const max = registration.maxEpisodeSteps;
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
    throw new RegistryError(`registerEnv ${id}: maxEpisodeSteps must be a positive integer; got ${max}`);
  }
  const wrappers = parseConfig(z.array(WrapperConfig), registration.wrappers ?? [], `registerEnv ${id}: wrappers`);
  registry.set(id, {
    id,
    create: registration.create,
    wrappers,
    check: registration.check ?? true,
    options: registration.options ?? {},
    maxEpisodeSteps: max ?? null,
    rewardThreshold: registration.rewardThreshold ?? null,
  });
}

/** Removes a registration (tests, hot reload). */
export function unregisterEnv(id: string): boolean {
  return registry.delete(id);
}

/** The spec of every registered id, sorted. */
export function listEnvs(): EnvSpec[] {
  return [...registry.values()].map(({ id, maxEpisodeSteps, rewardThreshold }) => ({ id, maxEpisodeSteps, rewardThreshold }));
}

function closestIds(id: string): string[] {
  const ids = [...registry.keys()];
  const lower = id.toLowerCase();
  const base = lower.replace(/-v\d+$/, '');
  const scored = ids
    .map((c) => {
      const cl = c.toLowerCase();
      const score = cl === lower ? 0 : cl.replace(/-v\d+$/, '') === base ? 1 : cl.includes(base) || base.includes(cl.replace(/-v\d+$/, '')) ? 2 : 99;
      return { c, score };
    })
    .filter((x) => x.score < 99)
    .sort((a, b) => a.score - b.score);
  // Only the best tier: 'CartPole-v0' suggests 'CartPole-v1', not also 'CartPoleNoVel-v1'.
  return scored.filter((x) => x.score === scored[0]!.score).slice(0, 3).map((x) => x.c);
}

/** The spec of a registered id (a RegistryError with the closest ids otherwise). */
export function envSpec(id: string): EnvSpec {
  const entry = registry.get(id);
  if (entry === undefined) {
    const near = closestIds(id);
    throw new RegistryError(
      `makeEnv: no environment '${id}' is registered${near.length ? `; did you mean ${near.map((n) => `'${n}'`).join(' or ')}?` : ''}` +
        ` (wnrl envs lists them)`,
      near,
    );
  }
  return { id: entry.id, maxEpisodeSteps: entry.maxEpisodeSteps, rewardThreshold: entry.rewardThreshold };
}

/** Options of `makeEnv`: extra wrappers, the factory's options, and the checks to run. */
export const MakeEnvOptions = z.strictObject({
  wrappers: z.array(WrapperConfig).default([]),
  /** Overrides the registered time limit; null removes it. */
  maxEpisodeSteps: z.number().int().positive().nullable().optional(),
  /** Passed to the env's factory, over the registered defaults. */
  options: z.record(z.string(), z.unknown()).default({}),
  /** Skip recordEpisodeStatistics (added by default). */
  recordStatistics: z.boolean().default(true),
});
/** Options of `makeEnv` (see the schema of the same name). */
export type MakeEnvOptions = z.input<typeof MakeEnvOptions>;

/**
 * Builds an env by id: the task, an EnvChecker for custom envs, the time limit, episode statistics and the
 * wrappers given, in the documented order. `String(env)` shows the stack.
 */
export function makeEnv<A extends Action = Action>(id: string, opts: MakeEnvOptions = {}): Env<A> {
  const o = parseConfig(MakeEnvOptions, opts);
  const spec = envSpec(id);
  const entry = registry.get(id)!;
  const maxEpisodeSteps = o.maxEpisodeSteps === undefined ? spec.maxEpisodeSteps : o.maxEpisodeSteps;
  const fullSpec: EnvSpec = { ...spec, maxEpisodeSteps };
  let env: Env = entry.create({ ...entry.options, ...o.options });
  if (env === null || typeof env !== 'object' || typeof env.reset !== 'function' || typeof env.step !== 'function') {
    throw new RegistryError(`makeEnv ${id}: create() returned ${env === null ? 'null' : typeof env}; expected an Env with reset() and step()`);
  }
  try {
    env.unwrapped.spec = fullSpec;
  } catch {
    // A frozen or getter-only spec: labels fall back to the class name.
  }
  if (entry.check) env = new EnvChecker(env, id);
  // Discrete / MultiDiscrete observations: one-hot vectors for the networks, below every other wrapper.
  if (!(env.observationSpace instanceof Box)) env = new OneHotObservation(env);
  const configs: WrapperConfigInput[] = [];
  if (maxEpisodeSteps !== null && !o.wrappers.some((w) => w.type === 'timeLimit')) configs.push({ type: 'timeLimit', maxEpisodeSteps });
  if (o.recordStatistics && !o.wrappers.some((w) => w.type === 'recordEpisodeStatistics')) configs.push({ type: 'recordEpisodeStatistics' });
  const own = entry.wrappers.filter((w) => !o.wrappers.some((given) => given.type === w.type));
  for (const c of orderWrappers([...(configs as WrapperConfig[]), ...own, ...o.wrappers])) env = applyWrapper(env, c);
  return env;
}

/** The built-in tasks register once per process (a second copy of this module finds them registered). */
function registerBuiltin(registration: EnvRegistration): void {
  if (!registry.has(registration.id)) registerEnv(registration);
}

// --- the built-in classic-control tasks (ids, limits and thresholds as Gymnasium 1.x registers them) ---
registerBuiltin({ id: 'CartPole-v1', create: () => new CartPole(), maxEpisodeSteps: 500, rewardThreshold: 475, check: false });
registerBuiltin({ id: 'Acrobot-v1', create: () => new Acrobot(), maxEpisodeSteps: 500, rewardThreshold: -100, check: false });
registerBuiltin({ id: 'MountainCar-v0', create: () => new MountainCar(), maxEpisodeSteps: 200, rewardThreshold: -110, check: false });
registerBuiltin({ id: 'MountainCarContinuous-v0', create: () => new MountainCarContinuous(), maxEpisodeSteps: 999, rewardThreshold: 90, check: false });
registerBuiltin({ id: 'Pendulum-v1', create: () => new Pendulum(), maxEpisodeSteps: 200, check: false });

// --- partially observed variants (the RL Zoo's NoVel envs): velocities multiplied by 0, the observation
// keeps its width (CartPole indices 1 and 3, Pendulum 2, MountainCar 1); same limits and thresholds ---
const noVel: WrapperConfigInput[] = [{ type: 'maskVelocity' }];
registerBuiltin({ id: 'CartPoleNoVel-v1', create: () => new CartPole(), wrappers: noVel, maxEpisodeSteps: 500, rewardThreshold: 475, check: false });
registerBuiltin({ id: 'PendulumNoVel-v1', create: () => new Pendulum(), wrappers: noVel, maxEpisodeSteps: 200, check: false });
registerBuiltin({ id: 'MountainCarContinuousNoVel-v0', create: () => new MountainCarContinuous(), wrappers: noVel, maxEpisodeSteps: 999, rewardThreshold: 90, check: false });
