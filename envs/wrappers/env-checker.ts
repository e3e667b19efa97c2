import { Wrapper, envLabel, type Action, type Env, type Info, type ResetOptions, type ResetResult, type StepResult } from '../core.ts';
import { EnvError } from '../errors.ts';
import { Box, Discrete, describeType, type Space } from '../spaces/space.ts';

/**
 * Why a reset or step result breaks the Env contract, or null when it is well formed: the field named
 * (`observation[2]`, `reward`, `terminated`), the value found, what was expected.
 */
export function resultProblems(result: unknown, space: Space, kind: 'reset' | 'step'): { field: string; what: string }[] {
  const problems: { field: string; what: string }[] = [];
  if (result === null || typeof result !== 'object') {
    return [{ field: `${kind}()`, what: `returned ${describeType(result)}; expected an object` }];
  }
  const r = result as Record<string, unknown>;
  const obs = r['observation'];
  if (!(obs instanceof Float32Array)) {
    problems.push({ field: 'observation', what: `is ${describeType(obs)}; expected a Float32Array` });
  } else if (obs.length !== space.size) {
    problems.push({ field: 'observation', what: `has length ${obs.length}; expected ${space.size}` });
  } else {
    for (let i = 0; i < obs.length; i++) {
      const v = obs[i]!;
      if (!Number.isFinite(v)) {
        problems.push({ field: `observation[${i}]`, what: `is ${v}; expected a finite number` });
        break;
      }
      if (space instanceof Box && (v < space.low[i]! || v > space.high[i]!)) {
        problems.push({ field: `observation[${i}]`, what: `is ${v}; expected a value in [${space.low[i]}, ${space.high[i]}] (the observation space)` });
        break;
      }
      if (!(space instanceof Box)) {
        const n = space instanceof Discrete ? space.n : space.nvec[i]!;
        const start = space instanceof Discrete ? space.start : space.start[i]!;
        if (!Number.isInteger(v) || v < start || v >= start + n) {
          problems.push({ field: `observation[${i}]`, what: `is ${v}; expected an integer in [${start}, ${start + n - 1}] (${space.toString()})` });
          break;
        }
      }
    }
  }
  const info = r['info'];
  if (info === null || typeof info !== 'object' || Array.isArray(info)) {
    problems.push({ field: 'info', what: `is ${describeType(info)}; expected an object` });
  }
  if (kind === 'step') {
    const reward = r['reward'];
    if (typeof reward !== 'number') problems.push({ field: 'reward', what: `is ${describeType(reward)}; expected a finite number` });
    else if (!Number.isFinite(reward)) problems.push({ field: 'reward', what: `is ${reward}; expected a finite number` });
    for (const flag of ['terminated', 'truncated']) {
      if (typeof r[flag] !== 'boolean') problems.push({ field: flag, what: `is ${describeType(r[flag])}; expected a boolean` });
    }
  }
  return problems;
}

/**
 * Validates every reset and step of a user-supplied env and throws an EnvError naming the env id, the
 * step (within the episode) and the field: training never sees NaN, wrong shapes or non-boolean flags.
 * `makeEnv` puts it directly around envs registered with `check: true` (every custom env by default).
 * It also copies observations, so wrappers above may write into them even when the env reuses a buffer.
 */
export class EnvChecker<A extends Action = Action> extends Wrapper<A> {
  private episodeStep = 0;
  private readonly id: string;

  constructor(env: Env<A>, id?: string) {
    super(env);
    this.id = id ?? env.spec?.id ?? envLabel(env);
  }

  protected override get label(): null {
    return null;
  }

  private check(result: unknown, kind: 'reset' | 'step'): void {
    const [first] = resultProblems(result, this.observationSpace, kind);
    if (first !== undefined) throw new EnvError(this.id, kind === 'reset' ? null : this.episodeStep, first.field, first.what);
  }

  override reset(opts?: ResetOptions): ResetResult {
    this.episodeStep = 0;
    let r: ResetResult;
    try {
      r = this.env.reset(opts);
    } catch (cause) {
      throw new EnvError(this.id, null, 'reset()', `threw: ${(cause as Error).message ?? String(cause)}`, { cause });
    }
    this.check(r, 'reset');
    return { observation: r.observation.slice(), info: r.info };
  }

  override step(action: A): StepResult {
    let r: StepResult;
    try {
      r = this.env.step(action);
    } catch (cause) {
      throw new EnvError(this.id, this.episodeStep, 'step()', `threw: ${(cause as Error).message ?? String(cause)}`, { cause });
    }
    this.check(r, 'step');
    this.episodeStep++;
    const info: Info = r.info;
    return { observation: r.observation.slice(), reward: r.reward, terminated: r.terminated, truncated: r.truncated, info };
  }
}
