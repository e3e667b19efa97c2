import { Wrapper, type Action, type ResetOptions, type ResetResult } from '../core.ts';
import { Rng, deriveSeed, entropySeed } from '../rng.ts';

/**
 * A wrapper that draws random numbers from its own stream: seeded from the reset seed (mixed with the
 * wrapper's name, so two wrappers never share a stream), continued on unseeded resets.
 */
export abstract class SeededWrapper<A extends Action = Action> extends Wrapper<A> {
  protected readonly rng = new Rng(0);
  private seeded = false;

  override reset(opts?: ResetOptions): ResetResult {
    if (opts?.seed !== undefined) {
      this.rng.seed(deriveSeed(opts.seed, this.constructor.name));
      this.seeded = true;
    } else if (!this.seeded) {
      this.rng.seed(entropySeed());
      this.seeded = true;
    }
    return this.env.reset(opts);
  }
}
