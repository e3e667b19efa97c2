import { Wrapper, type Action, type Env, type ResetOptions, type ResetResult, type StepResult } from '../core.ts';
import { Box } from '../spaces/space.ts';

export interface RunningStats {
  mean: number[];
  var: number[];
  count: number;
}

/**
 * Normalizes observations by a running mean and variance, (o - mean) / sqrt(var + epsilon), updated with
 * every observation (Chan et al.'s parallel update, as Gymnasium's RunningMeanStd, count starting at 1e-4).
 * Set `frozen = true` to stop updating (evaluation); `stats` reads and restores the statistics.
 */
export class NormalizeObservation<A extends Action = Action> extends Wrapper<A> {
  frozen = false;
  private readonly mean: Float64Array;
  private readonly var: Float64Array;
  private count = 1e-4;

  constructor(
    env: Env<A>,
    readonly epsilon = 1e-8,
  ) {
    super(env);
    const n = env.observationSpace.size;
    this.mean = new Float64Array(n);
    this.var = new Float64Array(n).fill(1);
    this.observationSpace = new Box(-Infinity, Infinity, env.observationSpace.shape.length ? env.observationSpace.shape : [n]);
  }

  get stats(): RunningStats {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count };
  }
  set stats(s: RunningStats) {
    if (s.mean.length !== this.mean.length || s.var.length !== this.var.length) {
      throw new RangeError(`NormalizeObservation: stats have ${s.mean.length} values; expected ${this.mean.length}`);
    }
    this.mean.set(s.mean);
    this.var.set(s.var);
    this.count = s.count;
  }

  private update(o: Float32Array): void {
    const total = this.count + 1;
    for (let i = 0; i < o.length; i++) {
      const delta = o[i]! - this.mean[i]!;
      const m2 = this.var[i]! * this.count + delta * delta * (this.count / total);
      this.mean[i] = this.mean[i]! + delta / total;
      this.var[i] = m2 / total;
    }
    this.count = total;
  }

  private normalize(o: Float32Array): Float32Array {
    if (!this.frozen) this.update(o);
    for (let i = 0; i < o.length; i++) o[i] = (o[i]! - this.mean[i]!) / Math.sqrt(this.var[i]! + this.epsilon);
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
