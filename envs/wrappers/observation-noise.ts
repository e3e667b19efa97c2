import type { Action, Env, ResetOptions, ResetResult, StepResult } from '../core.ts';
import { SeededWrapper } from './seeded-wrapper.ts';

/** Adds independent Gaussian noise N(0, std^2) to every observation element (reset included). */
export class ObservationNoise<A extends Action = Action> extends SeededWrapper<A> {
  constructor(
    env: Env<A>,
    readonly std: number,
  ) {
    super(env);
    if (!(std >= 0) || !Number.isFinite(std)) throw new RangeError(`ObservationNoise: std must be a finite number >= 0; got ${std}`);
  }

  private noisy(o: Float32Array): Float32Array {
    if (this.std === 0) return o;
    for (let i = 0; i < o.length; i++) o[i] = o[i]! + this.std * this.rng.normal();
    return o;
  }

  override reset(opts?: ResetOptions): ResetResult {
    const r = super.reset(opts);
    r.observation = this.noisy(r.observation);
    return r;
  }

  override step(action: A): StepResult {
    const r = this.env.step(action);
    r.observation = this.noisy(r.observation);
    return r;
  }
}
