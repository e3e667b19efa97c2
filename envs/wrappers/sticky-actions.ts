import type { Action, Env, ResetOptions } from '../core.ts';
import { SeededWrapper } from './seeded-wrapper.ts';

/**
 * With probability p the env repeats the previous action instead of the one given (Machado et al. 2018's
 * sticky actions). The first step after a reset always takes the given action.
 */
export class StickyActions<A extends Action = Action> extends SeededWrapper<A> {
  private previous: A | null = null;
  /** Whether the last step repeated the previous action (for tests and diagnostics). */
  lastWasSticky = false;

  constructor(
    env: Env<A>,
    readonly p: number,
  ) {
    super(env);
    if (!(p >= 0 && p <= 1)) throw new RangeError(`StickyActions: p must be a probability in [0, 1]; got ${p}`);
  }

  override beforeReset(opts?: ResetOptions): void {
    this.previous = null;
    super.beforeReset(opts);
  }

  override action(action: A): A {
    this.lastWasSticky = this.previous !== null && this.rng.random() < this.p;
    const taken = this.lastWasSticky ? (this.previous as A) : action;
    this.previous = typeof taken === 'number' ? taken : (Float32Array.from(taken) as A);
    return taken;
  }
}
