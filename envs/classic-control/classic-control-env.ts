// Shared plumbing of the classic-control tasks: the seeded generator, the float64 `state` (get and set,
// like Gymnasium's env.unwrapped.state) and reset-bound options.
import type { Env, EnvSpec, Info, ResetOptions, ResetResult, StepResult } from '../core.ts';
import { Rng, entropySeed } from '../rng.ts';
import { describeValue } from '../validate.ts';
import type { Box, Discrete } from '../spaces/space.ts';

export abstract class ClassicControlEnv<A extends number | Float32Array> implements Env<A> {
  abstract readonly observationSpace: Box;
  abstract readonly actionSpace: Box | Discrete;
  /** Indices of the observation that are velocities (what MaskVelocity hides). */
  abstract readonly velocityIndices: readonly number[];
  spec?: EnvSpec | undefined;
  protected readonly rng = new Rng();
  private seeded = false;
  protected s: Float64Array;

  constructor(stateSize: number) {
    this.s = new Float64Array(stateSize);
  }

  get unwrapped(): Env<A> {
    return this;
  }

  /** The physical state in float64 (a copy); assigning it sets the state exactly. */
  get state(): number[] {
    return Array.from(this.s);
  }
  set state(value: readonly number[]) {
    if (value.length !== this.s.length) {
      throw new RangeError(`${this.spec?.id ?? this.constructor.name}: state has ${value.length} values; expected ${this.s.length}`);
    }
    this.s.set(value);
  }

  /** Starts an episode from a random state (seeding the generator when `opts.seed` is given), as Gymnasium's task does. */
  reset(opts: ResetOptions = {}): ResetResult {
    if (opts.seed !== undefined) {
      this.rng.seed(opts.seed);
      this.seeded = true;
    } else if (!this.seeded) {
      this.rng.seed(entropySeed());
      this.seeded = true;
    }
    this.resetState(opts.options ?? {});
    return { observation: this.observe(), info: {} };
  }

  abstract step(action: A): StepResult;
  protected abstract resetState(options: Record<string, unknown>): void;
  protected abstract observe(): Float32Array;

  close(): void {}

  protected invalidAction(action: unknown): never {
    throw new RangeError(
      `${this.spec?.id ?? this.constructor.name}: action ${String(action)} is not in ${this.actionSpace.toString()}`,
    );
  }
}

/** Gymnasium's `maybe_parse_reset_bounds`: options.low / options.high override the default reset range. */
export function resetBounds(options: Record<string, unknown>, defaultLow: number, defaultHigh: number): [number, number] {
  const low = options['low'] ?? defaultLow;
  const high = options['high'] ?? defaultHigh;
  if (typeof low !== 'number' || typeof high !== 'number' || !(low <= high)) {
    throw new RangeError(`reset options: low and high must be numbers with low <= high; got ${describeValue(low)}, ${describeValue(high)}`);
  }
  return [low, high];
}

export const emptyInfo = (): Info => ({});
