import { TransformWrapper, type Action, type Env } from '../core.ts';

/**
 * Which observations and returns a normalizer's statistics follow: 'gymnasium' (Gymnasium's
 * NormalizeObservation and NormalizeReward around one env) or 'sb3' (Stable-Baselines3's VecNormalize, the
 * RL Zoo's `normalize: true`). The two differ only at episode ends (see the wrappers).
 */
export type NormalizerConvention = 'gymnasium' | 'sb3';

/** Running mean and variance of a stream of vectors (or scalars: size 1), as saved with checkpoints. */
export interface RunningStats {
  mean: number[];
  var: number[];
  count: number;
}

/**
 * Running mean and (population) variance, updated one sample at a time with Chan et al.'s parallel
 * formula; starts as Gymnasium's RunningMeanStd does (mean 0, var 1, count 1e-4).
 */
export class RunningMeanStd {
  readonly mean: Float64Array;
  readonly var: Float64Array;
  count = 1e-4;

  constructor(readonly size: number) {
    this.mean = new Float64Array(size);
    this.var = new Float64Array(size).fill(1);
  }

  update(x: ArrayLike<number>): void {
    const total = this.count + 1;
    for (let i = 0; i < this.size; i++) {
      const delta = x[i]! - this.mean[i]!;
      const m2 = this.var[i]! * this.count + delta * delta * (this.count / total);
      this.mean[i] = this.mean[i]! + delta / total;
      this.var[i] = m2 / total;
    }
    this.count = total;
  }

  get stats(): RunningStats {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count };
  }
  set stats(s: RunningStats) {
    if (s.mean.length !== this.size || s.var.length !== this.size) {
      throw new RangeError(`running statistics have ${s.mean.length} values; expected ${this.size}`);
    }
    this.mean.set(s.mean);
    this.var.set(s.var);
    this.count = s.count;
  }
}

/**
 * A wrapper that normalizes by running statistics (observations or rewards): `frozen = true` stops the
 * updates (evaluation), `stats` reads and restores the statistics (checkpoints).
 */
export abstract class RunningNormalizer<A extends Action = Action> extends TransformWrapper<A> {
  frozen = false;
  protected rms: RunningMeanStd;

  constructor(env: Env<A>, size: number) {
    super(env);
    this.rms = new RunningMeanStd(size);
  }

  /**
   * Makes this wrapper update and read `other`'s statistics (one set for every copy of a vector env, as
   * Stable-Baselines3's VecNormalize and Gymnasium's vector normalizers keep).
   */
  shareStatistics(other: RunningNormalizer<A>): void {
    if (other.rms.size !== this.rms.size) throw new RangeError(`${this.constructor.name}: cannot share statistics of size ${other.rms.size}; expected ${this.rms.size}`);
    this.rms = other.rms;
  }

  get stats(): RunningStats {
    return this.rms.stats;
  }
  set stats(s: RunningStats) {
    try {
      this.rms.stats = s;
    } catch (e) {
      throw new RangeError(`${this.constructor.name}: ${(e as Error).message}`);
    }
  }
}
