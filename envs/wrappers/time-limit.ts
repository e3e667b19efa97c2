import { Wrapper, type Action, type Env, type ResetOptions, type ResetResult, type StepResult } from '../core.ts';

/** Truncates an episode after `maxEpisodeSteps` steps (`truncated: true`, possibly with `terminated`). */
export class TimeLimit<A extends Action = Action> extends Wrapper<A> {
  private elapsed = 0;

  constructor(
    env: Env<A>,
    readonly maxEpisodeSteps: number,
  ) {
    super(env);
    if (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps < 1) {
      throw new RangeError(`TimeLimit: maxEpisodeSteps must be a positive integer; got ${maxEpisodeSteps}`);
    }
  }

  /** Steps taken in the current episode. */
  get elapsedSteps(): number {
    return this.elapsed;
  }

  override reset(opts?: ResetOptions): ResetResult {
    this.elapsed = 0;
    return this.env.reset(opts);
  }

  override step(action: A): StepResult {
    const r = this.env.step(action);
    this.elapsed++;
    if (this.elapsed >= this.maxEpisodeSteps) r.truncated = true;
    return r;
  }
}
