import { TransformWrapper, type Action, type ResetOptions, type ResetResult, type StepResult } from '../core.ts';
import { Rng, deriveSeed, entropySeed } from '../rng.ts';

/**
 * A wrapper that draws random numbers from its own stream: seeded from the reset seed (mixed with the
 * wrapper's name, so two wrappers never share a stream), continued on unseeded resets.
 */
export abstract class SeededWrapper<A extends Action = Action> extends TransformWrapper<A> {
  protected readonly rng = new Rng(0);
  private seeded = false;

  /** Seeds this wrapper's own stream from `opts.seed` (mixed with its name); the first unseeded reset draws one. */
  override beforeReset(opts?: ResetOptions): void {
    if (opts?.seed !== undefined) {
      this.rng.seed(deriveSeed(opts.seed, this.constructor.name));
      this.seeded = true;
    } else if (!this.seeded) {
      this.rng.seed(entropySeed());
      this.seeded = true;
    }
  }
}

/** A seeded wrapper that transforms every observation, the reset's included (noise, flicker). */
export abstract class SeededObservationWrapper<A extends Action = Action> extends SeededWrapper<A> {
  /** Transforms `o` (owned by the wrapper: may change it in place) and returns it. */
  protected abstract observation(o: Float32Array): Float32Array;

  override afterReset(r: ResetResult): ResetResult {
    r.observation = this.observation(r.observation);
    return r;
  }

  override afterStep(r: StepResult): StepResult {
    r.observation = this.observation(r.observation);
    return r;
  }
}
