// checkEnv: runs an env through resets and steps and reports every contract problem it finds, one line
// each (Gymnasium's env_checker, collecting instead of stopping at the first). `wnrl check-env` uses it.
import { Wrapper, envLabel, type Env } from './core.ts';
import { describeType, isSpace } from './spaces/space.ts';
import { resultProblems } from './wrappers/env-checker.ts';
import { captureState, restoreState } from './snapshot.ts';

/** Options of checkEnv. */
export interface CheckEnvOptions {
  /** Steps to take with random actions (default 300). */
  steps?: number;
  seed?: number;
  /**
   * Makes another instance of the env: then checkEnv also checks that a snapshot of the env (captureState,
   * what a checkpoint keeps) written into a fresh instance continues exactly as the original does, which
   * is what `wnrl train --resume` relies on.
   */
  make?: () => Env;
}

/** Every problem found, as `<where>: <field> <what>` lines; empty when the env keeps the contract. */
export function checkEnv(env: Env, opts: CheckEnvOptions = {}): string[] {
  const steps = opts.steps ?? 300;
  const seed = opts.seed ?? 0;
  const problems: string[] = [];
  const seen = new Set<string>();
  const report = (where: string, field: string, what: string): void => {
    const key = `${field}|${what.replace(/-?\d+(\.\d+)?(e-?\d+)?/g, '#')}`;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push(`${where}: ${field} ${what}`);
  };
  const name = (() => {
    try {
      return env.spec?.id ?? (env instanceof Wrapper ? envLabel(env) : (env as object).constructor.name);
    } catch {
      return 'env';
    }
  })();

  // --- spaces ---
  if (!isSpace(env.observationSpace)) report(name, 'observationSpace', `is ${describeType(env.observationSpace)}; expected a Box or Discrete`);
  if (!isSpace(env.actionSpace)) report(name, 'actionSpace', `is ${describeType(env.actionSpace)}; expected a Box or Discrete`);
  if (problems.length > 0) return problems;
  if (env.observationSpace.type !== 'Box') report(name, 'observationSpace', `is ${env.observationSpace.toString()}; wnrl agents expect a Box of float32 observations`);
  if (env.unwrapped === undefined || env.unwrapped === null) report(name, 'unwrapped', 'is missing; expected the innermost env (the env itself when unwrapped)');

  // --- reset ---
  const tryCall = <T>(where: string, field: string, f: () => T): T | undefined => {
    try {
      return f();
    } catch (err) {
      report(where, field, `threw: ${(err as Error).message ?? String(err)}`);
      return undefined;
    }
  };
  const first = tryCall(`${name} reset`, 'reset()', () => env.reset({ seed }));
  if (first === undefined) return problems;
  for (const p of resultProblems(first, env.observationSpace, 'reset')) report(`${name} reset`, p.field, p.what);
  const again = tryCall(`${name} reset`, 'reset()', () => env.reset({ seed }));
  if (first.observation instanceof Float32Array && again?.observation instanceof Float32Array) {
    if (first.observation.length === again.observation.length && first.observation.some((v, i) => !Object.is(v, again.observation[i]))) {
      report(`${name} reset`, 'observation', 'differs between two resets with the same seed; expected reset({ seed }) to be deterministic');
    }
  }

  // --- render() (optional): Gymnasium's rgb_array frames ---
  const inner = env.unwrapped;
  if (inner?.render !== undefined) {
    const frame = tryCall(`${name} render`, 'render()', () => inner.render!()) as unknown;
    if (frame !== undefined) {
      const f = frame as { width?: unknown; height?: unknown; data?: unknown };
      const sizeOk = Number.isInteger(f.width) && Number.isInteger(f.height) && (f.width as number) > 0 && (f.height as number) > 0;
      if (!sizeOk) report(`${name} render`, 'frame', `has width ${String(f.width)} and height ${String(f.height)}; expected positive integers`);
      else if (!(f.data instanceof Uint8Array)) report(`${name} render`, 'frame.data', `is ${describeType(f.data)}; expected a Uint8Array of height × width × 3 RGB values`);
      else if (f.data.length !== (f.width as number) * (f.height as number) * 3) {
        report(`${name} render`, 'frame.data', `has ${f.data.length} values; expected height × width × 3 = ${(f.width as number) * (f.height as number) * 3}`);
      }
    }
  }

  // --- steps with random actions ---
  env.actionSpace.seed(seed);
  for (let t = 0; t < steps; t++) {
    const action = env.actionSpace.sample();
    const r = tryCall(`${name} step ${t}`, 'step()', () => env.step(action));
    if (r === undefined) break;
    for (const p of resultProblems(r, env.observationSpace, 'step')) report(`${name} step ${t}`, p.field, p.what);
    if (r.terminated === true || r.truncated === true) {
      if (tryCall(`${name} step ${t}`, 'reset()', () => env.reset()) === undefined) break;
    }
  }
  if (opts.make !== undefined && problems.length === 0) checkSnapshot(env, opts.make, seed, name, report);
  return problems;
}

/** A snapshot written into a fresh instance continues as the original: the same steps for the same actions. */
function checkSnapshot(env: Env, make: () => Env, seed: number, name: string, report: (where: string, field: string, what: string) => void): void {
  const where = `${name} snapshot`;
  let copy: Env;
  try {
    const state = structuredClone(captureState(env));
    copy = make();
    copy.reset({ seed: seed + 1 });
    restoreState(copy, state);
  } catch (err) {
    report(where, 'captureState()', `failed: ${(err as Error).message}; define getState() and setState(state) on the env`);
    return;
  }
  env.actionSpace.seed(seed + 2);
  for (let t = 0; t < 100; t++) {
    const action = env.actionSpace.sample();
    const a = env.step(action);
    const b = copy.step(action);
    const same = a.reward === b.reward && a.terminated === b.terminated && a.truncated === b.truncated && a.observation.length === b.observation.length && a.observation.every((v, i) => Object.is(v, b.observation[i]));
    if (!same) {
      report(where, 'state', `restored into a fresh instance, it continues differently (step ${t} after the snapshot); keep the env's state in data fields (numbers, arrays, wnrl's Rng) or define getState() and setState(state), or runs will not resume exactly`);
      return;
    }
    if (a.terminated || a.truncated) {
      env.reset();
      copy.reset();
    }
  }
}
