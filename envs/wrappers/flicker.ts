import type { Action, Env } from '../core.ts';
import { SeededObservationWrapper } from './seeded-wrapper.ts';

/**
 * With probability p the whole observation is replaced by zeros (Hausknecht & Stone 2015's flickering
 * Atari): the agent must carry what it saw across the blanks. Drawn independently at every reset and step
 * from the wrapper's own seeded stream. `lastWasBlank` tells whether the last observation was dropped.
 */
export class Flicker<A extends Action = Action> extends SeededObservationWrapper<A> {
  lastWasBlank = false;

  constructor(
    env: Env<A>,
    readonly p: number,
  ) {
    super(env);
    if (!(p >= 0 && p <= 1)) throw new RangeError(`Flicker: p must be a probability in [0, 1]; got ${p}`);
  }

  protected observation(o: Float32Array): Float32Array {
    this.lastWasBlank = this.p > 0 && this.rng.random() < this.p;
    if (this.lastWasBlank) o.fill(0);
    return o;
  }
}
