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

/** Extra information an env returns with every reset and step (Gymnasium's `info` dict). */
export type Info = Record<string, unknown>;
/** An action: an integer for a Discrete action space, a Float32Array for a Box. */
export type Action = number | Float32Array;

/** Arguments of `Env.reset`. */
export interface ResetOptions {
  /** Seeds the env's random generator; without it the stream continues. */
  seed?: number;
  /** Task-specific reset options (Gymnasium's `options`). */
  options?: Record<string, unknown>;
}
/** What `Env.reset` returns: the first observation of an episode and its info. */
export interface ResetResult {
  observation: Float32Array;
  info: Info;
}
/**
 * What `Env.step` returns. `terminated`: the task reached a terminal state (no bootstrapping);
 * `truncated`: it was cut short, e.g. by a time limit (bootstrap from `observation`). Both may be true.
 */
export interface StepResult {
  observation: Float32Array;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: Info;
}

/**
 * A rendered frame, Gymnasium's `rgb_array`: height × width × 3 uint8 values, row-major from the top-left
 * pixel (`data[(row * width + col) * 3 + channel]`).
 */
export interface RgbFrame {
  width: number;
  height: number;
  data: Uint8Array;
}

/** What `makeEnv` knows of an env: set on the innermost env it creates (`env.unwrapped.spec`). */
export interface EnvSpec {
  readonly id: string;
  readonly maxEpisodeSteps: number | null;
  readonly rewardThreshold: number | null;
}

/**
 * The environment contract, Gymnasium 1.x semantics: `reset` starts an episode, `step` advances it by one
 * action. Observations are fresh Float32Arrays the caller owns.
 */
export interface Env<A extends Action = Action> {
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  /** The innermost env under every wrapper. */
  readonly unwrapped: Env<A>;
  spec?: EnvSpec | undefined;
  /** Starts an episode (seeding the env's generator when `opts.seed` is given). */
  reset(opts?: ResetOptions): ResetResult;
  /** Applies one action; see {@link StepResult} for the meaning of the flags. */
  step(action: A): StepResult;
  /** The current state as an RGB frame (Gymnasium's `render_mode="rgb_array"`); optional. */
  render?(): RgbFrame;
  /** Releases what the env holds (windows, processes); optional. */
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

  /** Resets the inner env (subclasses transform what it returns). */
  reset(opts?: ResetOptions): ResetResult {
    return this.env.reset(opts);
  }

  /** Steps the inner env (subclasses transform the action or what it returns). */
  step(action: A): StepResult {
    return this.env.step(action);
  }

  /** Renders the inner env (wrappers draw nothing of their own). */
  render(): RgbFrame {
    if (this.env.render === undefined) throw new TypeError(`${envLabel(this.env)} has no render(); it cannot be drawn`);
    return this.env.render();
  }

  /** Closes the inner env. */
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

/**
 * A wrapper whose work is a transform around its inner env's reset and step, never a control of them: it
 * changes the action on the way in and what comes back on the way out, and keeps its own state (a random
 * stream, running statistics, counters). Every wnrl wrapper of the config list is one, so the same class,
 * and the same code, also wraps each copy of a vector env whose copies step elsewhere (the Gymnasium
 * bridge): `WrappedVectorEnv` calls these hooks per copy around the vector step, in the order `reset` and
 * `step` below call them.
 */
export abstract class TransformWrapper<A extends Action = Action> extends Wrapper<A> {
  /** Before the inner env resets (with the reset's options: a seed seeds the wrapper's own stream). */
  beforeReset(_opts?: ResetOptions): void {}

  /** The inner env's reset result, transformed (the observation is the wrapper's to change in place). */
  afterReset(r: ResetResult): ResetResult {
    return r;
  }

  /** The action the inner env takes in place of `action`. */
  action(action: A): A {
    return action;
  }

  /** The inner env's step result, transformed (the observation is the wrapper's to change in place). */
  afterStep(r: StepResult): StepResult {
    return r;
  }

  override reset(opts?: ResetOptions): ResetResult {
    this.beforeReset(opts);
    return this.afterReset(this.env.reset(opts));
  }

  override step(action: A): StepResult {
    return this.afterStep(this.env.step(this.action(action)));
  }
}
