import type { Action, Env, StepResult } from '../core.ts';
import { SeededWrapper } from './seeded-wrapper.ts';

/** Adds Gaussian noise N(0, std^2) to every reward. Episode statistics recorded inside stay noise-free. */
export class RewardNoise<A extends Action = Action> extends SeededWrapper<A> {
  constructor(
    env: Env<A>,
    readonly std: number,
  ) {
    super(env);
    if (!(std >= 0) || !Number.isFinite(std)) throw new RangeError(`RewardNoise: std must be a finite number >= 0; got ${std}`);
  }

  override afterStep(r: StepResult): StepResult {
    if (this.std > 0) r.reward += this.std * this.rng.normal();
    return r;
  }
}
