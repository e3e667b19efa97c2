import { TransformWrapper, type Action, type Env, type StepResult } from '../core.ts';

/** Truncates an episode after `maxEpisodeSteps` steps (`truncated: true`, possibly with `terminated`). */
export class TimeLimit<A extends Action = Action> extends TransformWrapper<A> {
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

  override beforeReset(): void {
    this.elapsed = 0;
  }

  override afterStep(r: StepResult): StepResult {
    this.elapsed++;
    if (this.elapsed >= this.maxEpisodeSteps) r.truncated = true;
    return r;
  }
}
