// Vector environments: what agents consume. Batched Float32Array observations (numEnvs x obsSize, row i is
// env i), async so that out-of-process adapters fit the same interface.
//
// Autoreset (Gymnasium's SAME_STEP mode): when env i's episode ends inside step(), env i is reset in that
// same step. The returned observations[i] is the *first observation of the next episode*;
// infos[i].finalObservation holds the last observation of the episode that ended and infos[i].finalInfo its
// step info (where `episode` statistics are). So a truncated episode bootstraps from finalObservation and
// no stored transition mixes two episodes. terminated[i] / truncated[i] describe the episode that ended.
import { envLabel, type Action, type Env, type EnvSpec, type Info, type RgbFrame } from '../core.ts';
import { WnrlError } from '../errors.ts';
import { entropySeed } from '../rng.ts';
import { Box, Discrete, type Space } from '../spaces/space.ts';
import { makeEnv, type MakeEnvOptions } from '../registry.ts';
import { replaceWrapper, type WrapperConfigInput } from '../wrappers/config.ts';
import { shareNormalizers } from './wrapped.ts';

/** What `VectorEnv.reset` returns: every env's first observation (numEnvs × observation size, row per env) and info. */
export interface VectorResetResult {
  observations: Float32Array;
  infos: Info[];
}
/** What `VectorEnv.step` returns, one row or entry per env. An env whose episode ended was reset in the same step: its row holds the next episode's first observation and `infos[i].finalObservation` / `finalInfo` the last of the old one. */
export interface VectorStepResult {
  observations: Float32Array;
  rewards: Float32Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  infos: Info[];
}

export interface SpawnOptions {
  numEnvs: number;
  seed?: number;
  /** The copy will draw frames (a Gymnasium env is then made with render_mode="rgb_array"; wnrl's envs always can). */
  render?: boolean;
  perturb?: WrapperConfigInput;
}

/** N copies of a task stepped together, the interface agents consume (async, so out-of-process envs fit). */
export interface VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space;
  readonly singleActionSpace: Space;
  /** The task's id, time limit and reward threshold, when known. */
  readonly spec?: EnvSpec | undefined;
  /**
   * Each copy's wrapper chain in this process, when the copies have one (SyncVectorEnv: the whole env;
   * WrappedVectorEnv: wnrl's wrappers around a copy that steps elsewhere): where normalization statistics
   * are read, restored and frozen.
   */
  readonly envs?: readonly Env[];
  /**
   * Another vector env of the same task and settings (what the Trainer evaluates on). `perturb` replaces
   * the wrapper of its type (or adds it): a test-time perturbation for robustness curves.
   */
  spawn?(opts: SpawnOptions): Promise<VectorEnv>;
  /** Resets every env; env i is seeded with seed + i when a seed is given. */
  reset(opts?: { seed?: number }): Promise<VectorResetResult>;
  /**
   * `Int32Array` of numEnvs actions for Discrete, as indices 0..n-1 (env i receives start + index, so
   * a Discrete(3, start=-1) env gets -1, 0 or 1), `Float32Array` of numEnvs x actionSize for Box.
   */
  step(actions: Int32Array | Float32Array): Promise<VectorStepResult>;
  /** Closes every env (and any process behind them). */
  close(): Promise<void>;
  /** The first copy's current frame (Gymnasium's rgb_array), or null when it cannot draw. */
  render?(): Promise<RgbFrame | null>;
}

/** Steps its envs one after another in this process (Gymnasium's SyncVectorEnv). */
export class SyncVectorEnv implements VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space;
  readonly singleActionSpace: Space;
  private readonly obsSize: number;
  private readonly actSize: number;
  /** How makeVectorEnv built it (id and env options), so an identical env can be made for evaluation. */
  origin: { id: string; options: MakeEnvOptions } | null = null;
  private nextSeed: number | null;
  private needsReset = true;
  private closed = false;

  /** `seed`: used by the first reset() that is given none (env i gets seed + i). */
  constructor(
    readonly envs: Env[],
    seed?: number,
  ) {
    if (envs.length === 0) throw new WnrlError('CONFIG', 'SyncVectorEnv: needs at least one env');
    this.numEnvs = envs.length;
    const first = envs[0]!;
    this.singleObservationSpace = first.observationSpace;
    this.singleActionSpace = first.actionSpace;
    this.obsSize = first.observationSpace.size;
    this.actSize = first.actionSpace instanceof Box ? first.actionSpace.size : 1;
    for (const [i, e] of envs.entries()) {
      if (e.observationSpace.size !== this.obsSize || e.actionSpace.type !== first.actionSpace.type || e.actionSpace.size !== first.actionSpace.size) {
        throw new WnrlError('CONFIG', `SyncVectorEnv: env ${i} has spaces ${e.observationSpace.toString()} / ${e.actionSpace.toString()}; expected those of env 0`);
      }
    }
    this.nextSeed = seed ?? null;
  }

  // Errors surface as rejected promises, as they would from an out-of-process env.
  // eslint-disable-next-line @typescript-eslint/require-await
  async reset(opts: { seed?: number } = {}): Promise<VectorResetResult> {
    this.assertOpen();
    const seed = opts.seed ?? this.nextSeed ?? undefined;
    this.nextSeed = null;
    const observations = new Float32Array(this.numEnvs * this.obsSize);
    const infos: Info[] = new Array<Info>(this.numEnvs);
    for (let i = 0; i < this.numEnvs; i++) {
      const r = this.envs[i]!.reset(seed === undefined ? {} : { seed: seed + i });
      observations.set(r.observation, i * this.obsSize);
      infos[i] = r.info;
    }
    this.needsReset = false;
    return { observations, infos };
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async step(actions: Int32Array | Float32Array): Promise<VectorStepResult> {
    this.assertOpen();
    if (this.needsReset) throw new WnrlError('ENV_CONTRACT', 'VectorEnv: step() called before reset()');
    const n = this.numEnvs;
    if (actions.length !== n * this.actSize) {
      throw new WnrlError(
        'ENV_CONTRACT',
        `VectorEnv.step: actions has length ${actions.length}; expected ${n * this.actSize} (${n} envs x ${this.actSize})`,
      );
    }
    const discrete = this.singleActionSpace instanceof Discrete;
    const start = this.singleActionSpace instanceof Discrete ? this.singleActionSpace.start : 0;
    const observations = new Float32Array(n * this.obsSize);
    const rewards = new Float32Array(n);
    const terminated = new Uint8Array(n);
    const truncated = new Uint8Array(n);
    const infos: Info[] = new Array<Info>(n);
    for (let i = 0; i < n; i++) {
      const env = this.envs[i]!;
      const action: Action = discrete ? start + actions[i]! : Float32Array.from(actions.subarray(i * this.actSize, (i + 1) * this.actSize));
      const r = env.step(action);
      rewards[i] = r.reward;
      terminated[i] = r.terminated ? 1 : 0;
      truncated[i] = r.truncated ? 1 : 0;
      if (r.terminated || r.truncated) {
        const next = env.reset();
        observations.set(next.observation, i * this.obsSize);
        infos[i] = { ...next.info, finalObservation: r.observation, finalInfo: r.info };
      } else {
        observations.set(r.observation, i * this.obsSize);
        infos[i] = r.info;
      }
    }
    return { observations, rewards, terminated, truncated, infos };
  }

  close(): Promise<void> {
    if (!this.closed) for (const e of this.envs) e.close?.();
    this.closed = true;
    return Promise.resolve();
  }

  private assertOpen(): void {
    if (this.closed) throw new WnrlError('ENV_CONTRACT', 'VectorEnv: used after close()');
  }

  get spec(): EnvSpec | undefined {
    return this.envs[0]!.spec;
  }

  /** The first copy's frame, drawn by its render() (null for an env without one). */
  render(): Promise<RgbFrame | null> {
    return Promise.resolve(this.envs[0]!.unwrapped.render?.() ?? null);
  }

  spawn(opts: SpawnOptions): Promise<VectorEnv> {
    if (this.origin === null) return Promise.reject(new WnrlError('CONFIG', 'SyncVectorEnv.spawn: only a vector env made by makeVectorEnv knows how to make another'));
    const { perturb, render: _render, ...rest } = opts; // wnrl's envs always draw
    let wrappers = this.origin.options.wrappers ?? [];
    if (perturb !== undefined) wrappers = replaceWrapper(wrappers, perturb);
    return Promise.resolve(makeVectorEnv(this.origin.id, { ...this.origin.options, ...rest, wrappers }));
  }

  toString(): string {
    return `SyncVectorEnv(${envLabel(this.envs[0]!)}, numEnvs=${this.numEnvs})`;
  }
}

/** Options of `makeVectorEnv`: `makeEnv`'s for each copy, the number of copies and the first seed. */
export interface MakeVectorEnvOptions extends MakeEnvOptions {
  /** Number of copies (default 1). */
  numEnvs?: number;
  /** Env i is seeded with seed + i at the first reset. Default: a random seed. */
  seed?: number;
}

/** N copies of a registered env in this process (a {@link SyncVectorEnv}), each made by `makeEnv` with the same options. */
export function makeVectorEnv(id: string, opts: MakeVectorEnvOptions = {}): SyncVectorEnv {
  const { numEnvs = 1, seed, ...envOptions } = opts;
  if (!Number.isInteger(numEnvs) || numEnvs < 1) {
    throw new WnrlError('CONFIG', `makeVectorEnv ${id}: numEnvs must be a positive integer; got ${numEnvs}`);
  }
  const envs = Array.from({ length: numEnvs }, () => makeEnv(id, envOptions));
  shareNormalizers(envs);
  const venv = new SyncVectorEnv(envs, seed ?? entropySeed());
  venv.origin = { id, options: envOptions };
  return venv;
}
