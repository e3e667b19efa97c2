// A memory task no feed-forward policy can solve: every step shows a random bit; from step k on, the reward
// is 1 when the action repeats the bit shown k steps earlier. An episode has `length` steps, so the best
// return is length − k; a policy that sees only the current bit gets (length − k)/2 on average.
import { Box, Discrete, Rng, registerEnv, type Env, type ResetOptions, type StepResult } from '../../envs/index.ts';

export class RepeatPrevious implements Env<number> {
  readonly observationSpace = new Box(0, 1, [1]);
  readonly actionSpace = new Discrete(2);
  private readonly rng = new Rng();
  private bits: number[] = [];

  constructor(
    readonly k = 1,
    readonly length = 10,
  ) {}

  get unwrapped(): Env<number> {
    return this;
  }

  private show(): Float32Array {
    const bit = this.rng.int(2);
    this.bits.push(bit);
    return Float32Array.of(bit);
  }

  reset({ seed }: ResetOptions = {}) {
    if (seed !== undefined) this.rng.seed(seed);
    this.bits = [];
    return { observation: this.show(), info: {} };
  }

  step(action: number): StepResult {
    const t = this.bits.length - 1; // the step being answered
    const reward = t >= this.k && action === this.bits[t - this.k] ? 1 : 0;
    const terminated = this.bits.length >= this.length;
    return { observation: this.show(), reward, terminated, truncated: false, info: {} };
  }
}

export const REPEAT_ID = 'test/RepeatPrevious-v0';

export function registerRepeat(): void {
  try {
    registerEnv({ id: REPEAT_ID, create: (o) => new RepeatPrevious(Number(o['k'] ?? 1), Number(o['length'] ?? 10)), rewardThreshold: 8.5 });
  } catch {
    // already registered in this worker
  }
}
