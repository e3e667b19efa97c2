import type { Action, Env, ResetResult, StepResult } from '../core.ts';
import { Box } from '../spaces/space.ts';
import { RunningNormalizer, type NormalizerConvention } from './running-mean-std.ts';

export type { RunningStats } from './running-mean-std.ts';

/**
 * Normalizes observations by a running mean and variance, (o - mean) / sqrt(var + epsilon), then clipped
 * to ±clip when one is given (SB3's VecNormalize clips at 10; Gymnasium does not clip). Which observations
 * update the statistics is the `convention`: 'gymnasium' (default) every one the wrapper sees, as
 * Gymnasium's NormalizeObservation around one env, an ended episode's final observation included; 'sb3'
 * the ones the agent acts on (reset observations and every step's next one) but not a final observation,
 * which is still normalized (for the value bootstrap of a truncation), as SB3's VecNormalize. Set
 * `frozen = true` to stop updating (evaluation); `stats` reads and restores the statistics.
 */
export class NormalizeObservation<A extends Action = Action> extends RunningNormalizer<A> {
  constructor(
    env: Env<A>,
    readonly epsilon = 1e-8,
    readonly clip: number | null = null,
    readonly convention: NormalizerConvention = 'gymnasium',
  ) {
    super(env, env.observationSpace.size);
    if (clip !== null && !(clip > 0)) throw new RangeError(`NormalizeObservation: clip must be > 0 or null; got ${clip}`);
    const { shape, size } = env.observationSpace;
    this.observationSpace = new Box(-Infinity, Infinity, shape.length ? shape : [size]);
  }

  private normalize(o: Float32Array, update: boolean): Float32Array {
    if (update && !this.frozen) this.rms.update(o);
    const { mean, var: variance } = this.rms;
    for (let i = 0; i < o.length; i++) o[i] = (o[i]! - mean[i]!) / Math.sqrt(variance[i]! + this.epsilon);
    if (this.clip !== null) for (let i = 0; i < o.length; i++) o[i] = Math.min(this.clip, Math.max(-this.clip, o[i]!));
    return o;
  }

  override afterReset(r: ResetResult): ResetResult {
    r.observation = this.normalize(r.observation, true);
    return r;
  }

  override afterStep(r: StepResult): StepResult {
    r.observation = this.normalize(r.observation, this.convention === 'gymnasium' || !(r.terminated || r.truncated));
    return r;
  }
}
