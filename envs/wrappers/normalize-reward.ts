import type { Action, Env, ResetResult, StepResult } from '../core.ts';
import { RunningNormalizer, type NormalizerConvention } from './running-mean-std.ts';

/**
 * Scales rewards so that their discounted sum has roughly unit variance: a running discounted return G is
 * tracked, its running variance updated with every step, and the reward divided by sqrt(var + epsilon) (no
 * mean is subtracted, so signs stay). How G runs is the `convention`: 'gymnasium' (default, Gymnasium's
 * NormalizeReward) G ← γ·G·(1 − terminated) + r, carried over truncations and resets; 'sb3' (SB3's
 * VecNormalize) G ← γ·G + r, restarted at 0 after any episode end (truncations included) and at a reset.
 * Episode statistics recorded inside keep the task's reward. The scaled reward is clipped to ±clip when one
 * is given (SB3's VecNormalize: 10). Set `frozen = true` to stop updating; `stats` reads and restores the
 * statistics.
 */
export class NormalizeReward<A extends Action = Action> extends RunningNormalizer<A> {
  private discountedReturn = 0;
  private readonly g = [0];

  constructor(
    env: Env<A>,
    readonly gamma = 0.99,
    readonly epsilon = 1e-8,
    readonly clip: number | null = null,
    readonly convention: NormalizerConvention = 'gymnasium',
  ) {
    super(env, 1);
    if (clip !== null && !(clip > 0)) throw new RangeError(`NormalizeReward: clip must be > 0 or null; got ${clip}`);
    if (!(gamma >= 0 && gamma <= 1)) throw new RangeError(`NormalizeReward: gamma must be in [0, 1]; got ${gamma}`);
    if (!(epsilon > 0) || !Number.isFinite(epsilon)) throw new RangeError(`NormalizeReward: epsilon must be a finite number > 0; got ${epsilon}`);
  }

  override afterReset(r: ResetResult): ResetResult {
    if (this.convention === 'sb3') this.discountedReturn = 0;
    return r;
  }

  override afterStep(r: StepResult): StepResult {
    const sb3 = this.convention === 'sb3';
    this.discountedReturn = this.discountedReturn * this.gamma * (r.terminated && !sb3 ? 0 : 1) + r.reward;
    if (!this.frozen) {
      this.g[0] = this.discountedReturn;
      this.rms.update(this.g);
    }
    r.reward /= Math.sqrt(this.rms.var[0]! + this.epsilon);
    if (this.clip !== null) r.reward = Math.min(this.clip, Math.max(-this.clip, r.reward));
    if (sb3 && (r.terminated || r.truncated)) this.discountedReturn = 0;
    return r;
  }
}
