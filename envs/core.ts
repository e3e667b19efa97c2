// The environment contract (Gymnasium 1.x semantics) and the Wrapper base class.
//
// reset({ seed, options }) -> { observation, info }: seeds the env's generator when `seed` is given;
//   without it the stream continues (an env never seeded draws a seed from Math.random, as Gymnasium).
// step(action) -> { observation, reward, terminated, truncated, info }: `terminated` means the task reached
//   a terminal state (no bootstrapping); `truncated` means it was cut short (a time limit: bootstrap from
//   the observation). Both may be true on one step. Observations are fresh Float32Arrays the caller owns;
//   for a Discrete observation space, a one-element array holding the integer (MultiDiscrete: its k
//   integers), which makeEnv's OneHotObservation turns into one-hot vectors for the networks.
import type { Space } from './spaces/space.ts';

export type Info = Record<string, unknown>;
export type Action = number | Float32Array;

export interface ResetOptions {
  seed?: number;
  options?: Record<string, unknown>;
}
export interface ResetResult {
  observation: Float32Array;
  info: Info;
}
export interface StepResult {
  observation: Float32Array;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: Info;
}

/** What `makeEnv` knows of an env: set on the innermost env it creates (`env.unwrapped.spec`). */
export interface EnvSpec {
  readonly id: string;
  readonly maxEpisodeSteps: number | null;
  readonly rewardThreshold: number | null;
}

export interface Env<A extends Action = Action> {
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  readonly unwrapped: Env<A>;
  spec?: EnvSpec | undefined;
  reset(opts?: ResetOptions): ResetResult;
  step(action: A): StepResult;
  close?(): void;
}

/** Gymnasium-style label: a task prints `<CartPole-v1>`, a wrapper `<Name` + inner + `>`. */
export function envLabel(env: Env): string {
  if (env instanceof Wrapper) return env.toString();
  const id = env.spec?.id ?? (env as object).constructor.name;
  return `<${id}>`;
}

/**
 * Base of every wrapper: forwards everything to the inner env; subclasses override what they change.
 * A wrapper may replace the spaces by assigning them in its constructor.
 */
export abstract class Wrapper<A extends Action = Action> implements Env<A> {
  observationSpace: Space;
  actionSpace: Space;

  constructor(readonly env: Env<A>) {
    this.observationSpace = env.observationSpace;
    this.actionSpace = env.actionSpace;
  }

  get unwrapped(): Env<A> {
    return this.env.unwrapped;
  }

  get spec(): EnvSpec | undefined {
    return this.env.spec;
  }

  reset(opts?: ResetOptions): ResetResult {
    return this.env.reset(opts);
  }

  step(action: A): StepResult {
    return this.env.step(action);
  }

  close(): void {
    this.env.close?.();
  }

  /** The class name Gymnasium would print; subclasses that are invisible (checks) return null. */
  protected get label(): string | null {
    return this.constructor.name;
  }

  toString(): string {
    const inner = envLabel(this.env);
    return this.label === null ? inner : `<${this.label}${inner}>`;
  }
}
