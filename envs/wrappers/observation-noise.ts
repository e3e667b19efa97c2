import type { Action, Env } from '../core.ts';
import { SeededObservationWrapper } from './seeded-wrapper.ts';

/** Adds independent Gaussian noise N(0, std^2) to every observation element (reset included). */
export class ObservationNoise<A extends Action = Action> extends SeededObservationWrapper<A> {
  constructor(
    env: Env<A>,
    readonly std: number,
  ) {
    super(env);
    if (!(std >= 0) || !Number.isFinite(std)) throw new RangeError(`ObservationNoise: std must be a finite number >= 0; got ${std}`);
  }

  protected observation(o: Float32Array): Float32Array {
    if (this.std === 0) return o;
    for (let i = 0; i < o.length; i++) o[i] = o[i]! + this.std * this.rng.normal();
    return o;
  }
}
