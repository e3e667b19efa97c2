import { Wrapper, type Action, type Env, type ResetOptions, type ResetResult, type StepResult } from '../core.ts';
import { Box } from '../spaces/space.ts';
import { RunningMeanStd, type RunningStats } from './running-mean-std.ts';

export type { RunningStats } from './running-mean-std.ts';

/**
 * Normalizes observations by a running mean and variance, (o - mean) / sqrt(var + epsilon), updated with
 * every observation (as Gymnasium's NormalizeObservation). Set `frozen = true` to stop updating
 * (evaluation); `stats` reads and restores the statistics.
 */
export class NormalizeObservation<A extends Action = Action> extends Wrapper<A> {
  frozen = false;
  private readonly rms: RunningMeanStd;

  constructor(
    env: Env<A>,
    readonly epsilon = 1e-8,
  ) {
    super(env);
    const n = env.observationSpace.size;
    this.rms = new RunningMeanStd(n);
    this.observationSpace = new Box(-Infinity, Infinity, env.observationSpace.shape.length ? env.observationSpace.shape : [n]);
  }

  get stats(): RunningStats {
    return this.rms.stats;
  }
  set stats(s: RunningStats) {
    try {
      this.rms.stats = s;
    } catch (e) {
      throw new RangeError(`NormalizeObservation: ${(e as Error).message}`);
    }
  }

  private normalize(o: Float32Array): Float32Array {
    if (!this.frozen) this.rms.update(o);
    const { mean, var: variance } = this.rms;
    for (let i = 0; i < o.length; i++) o[i] = (o[i]! - mean[i]!) / Math.sqrt(variance[i]! + this.epsilon);
    return o;
  }

  override reset(opts?: ResetOptions): ResetResult {
    const r = this.env.reset(opts);
    r.observation = this.normalize(r.observation);
    return r;
  }

  override step(action: A): StepResult {
    const r = this.env.step(action);
    r.observation = this.normalize(r.observation);
    return r;
  }
}
