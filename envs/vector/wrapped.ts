// wnrl's wrappers around a vector env whose copies step somewhere else (the Gymnasium bridge: in Python).
//
// Each copy gets the same wrapper classes, built from the same config entries in the same order as makeEnv
// stacks them, around a stand-in for that copy (its spaces and spec; it never steps). A vector step runs
// their hooks (TransformWrapper) per copy: actions through `action` outermost first, the inner vector step,
// then `afterStep` innermost first; a copy the inner env reset in that step (same-step autoreset) gets
// `beforeReset` (outermost first) and `afterReset` (innermost first) on its next episode's first
// observation, which is exactly the order a per-copy wrapper chain in a SyncVectorEnv calls them in. So a
// wrapper has one implementation whichever side of the bridge the task runs on: same seeds (copy i's
// streams from seed + i), same statistics shared across the copies, same observations and rewards.
import { Wrapper, TransformWrapper, envLabel, type Action, type Env, type EnvSpec, type Info, type ResetResult, type RgbFrame, type StepResult } from '../core.ts';
import { WnrlError } from '../errors.ts';
import { ConfigError } from '../validate.ts';
import { Box, Discrete, type Space } from '../spaces/space.ts';
import { applyWrapper, orderWrappers, replaceWrapper, type WrapperConfig, type WrapperConfigInput } from '../wrappers/config.ts';
import { RunningNormalizer } from '../wrappers/running-mean-std.ts';
import type { SpawnOptions, VectorEnv, VectorResetResult, VectorStepResult } from './vector-env.ts';

/** Wrapper types a vector env with self-resetting copies cannot take from wnrl: its own env does that job. */
export const INNER_ONLY_WRAPPERS = ['timeLimit', 'recordEpisodeStatistics'] as const;

/** One copy of a vector env as its wrappers see it: spaces and spec; stepping is the vector env's job. */
class CopySlot implements Env {
  constructor(
    readonly observationSpace: Space,
    readonly actionSpace: Space,
    readonly spec: EnvSpec | undefined,
    private readonly label: string,
  ) {}

  get unwrapped(): Env {
    return this;
  }

  reset(): ResetResult {
    throw new WnrlError('ENV_CONTRACT', `${this.label}: a copy of a vector env resets with the vector env, not on its own`);
  }

  step(): StepResult {
    throw new WnrlError('ENV_CONTRACT', `${this.label}: a copy of a vector env steps with the vector env, not on its own`);
  }

  toString(): string {
    return this.label;
  }
}

/** A vector env with wnrl's wrappers applied to each of its copies (see the file comment). */
export class WrappedVectorEnv implements VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space;
  readonly singleActionSpace: Space;
  /** Each copy's wrapper chain, outermost wrapper first in the chain (what normalizer lookups walk). */
  readonly envs: Env[];
  /** The wrappers as configured, in stacking order (innermost first). */
  readonly wrappers: WrapperConfig[];
  /** Per copy, its wrappers innermost first. */
  private readonly layers: TransformWrapper[][];
  private readonly actSize: number;
  private nextSeed: number | null;

  /** `seed`: the first reset given none seeds copy i's wrappers (and the inner env) with seed + i. */
  constructor(
    readonly inner: VectorEnv,
    wrappers: readonly WrapperConfig[],
    seed?: number,
  ) {
    this.wrappers = orderWrappers(wrappers);
    const refused = this.wrappers.filter((w) => (INNER_ONLY_WRAPPERS as readonly string[]).includes(w.type));
    if (refused.length) {
      throw new WnrlError('CONFIG', `WrappedVectorEnv: ${refused.map((w) => w.type).join(', ')} must be the inner env's own (its copies reset themselves; a bridged env's time limit is gymnasium.make's max_episode_steps)`);
    }
    this.numEnvs = inner.numEnvs;
    this.singleActionSpace = inner.singleActionSpace;
    this.actSize = inner.singleActionSpace instanceof Box ? inner.singleActionSpace.size : 1;
    this.layers = [];
    this.envs = [];
    for (let i = 0; i < this.numEnvs; i++) {
      let env: Env = new CopySlot(inner.singleObservationSpace, inner.singleActionSpace, inner.spec, `<${inner.spec?.id ?? 'vector env'} copy ${i}>`);
      const chain: TransformWrapper[] = [];
      for (const c of this.wrappers) {
        try {
          env = applyWrapper(env, c);
        } catch (err) {
          const hint = c.type === 'maskVelocity' ? `; a bridged env declares none: give them, { "type": "maskVelocity", "indices": [...] }` : '';
          throw ConfigError.single('env.wrappers', `${c.type} on ${inner.spec?.id ?? 'this env'}: ${(err as Error).message}${hint}`);
        }
        if (!(env instanceof TransformWrapper)) throw new WnrlError('CONFIG', `WrappedVectorEnv: wrapper ${c.type} does not run as a transform`);
        chain.push(env as TransformWrapper);
      }
      this.layers.push(chain);
      this.envs.push(env);
    }
    shareNormalizers(this.envs);
    this.singleObservationSpace = this.envs[0]!.observationSpace;
    this.nextSeed = seed ?? null;
  }

  get spec(): EnvSpec | undefined {
    return this.inner.spec;
  }

  async reset(opts: { seed?: number } = {}): Promise<VectorResetResult> {
    const seed = opts.seed ?? this.nextSeed ?? undefined;
    this.nextSeed = null;
    const r = await this.inner.reset(seed === undefined ? {} : { seed });
    const size = this.singleObservationSpace.size;
    const observations = new Float32Array(this.numEnvs * size);
    const infos: Info[] = new Array<Info>(this.numEnvs);
    const innerSize = this.inner.singleObservationSpace.size;
    for (let i = 0; i < this.numEnvs; i++) {
      const first = this.resetCopy(i, { observation: r.observations.slice(i * innerSize, (i + 1) * innerSize), info: r.infos[i] ?? {} }, seed === undefined ? undefined : seed + i);
      observations.set(first.observation, i * size);
      infos[i] = first.info;
    }
    return { observations, infos };
  }

  async step(actions: Int32Array | Float32Array): Promise<VectorStepResult> {
    const n = this.numEnvs;
    if (actions.length !== n * this.actSize) {
      throw new WnrlError('ENV_CONTRACT', `VectorEnv.step: actions has length ${actions.length}; expected ${n * this.actSize} (${n} envs x ${this.actSize})`);
    }
    const discrete = this.singleActionSpace instanceof Discrete;
    const start = this.singleActionSpace instanceof Discrete ? this.singleActionSpace.start : 0;
    const taken = discrete ? new Int32Array(n) : new Float32Array(n * this.actSize);
    for (let i = 0; i < n; i++) {
      let a: Action = discrete ? start + actions[i]! : Float32Array.from(actions.subarray(i * this.actSize, (i + 1) * this.actSize));
      const chain = this.layers[i]!;
      for (let k = chain.length - 1; k >= 0; k--) a = chain[k]!.action(a);
      if (discrete) taken[i] = (a as number) - start;
      else taken.set(a as Float32Array, i * this.actSize);
    }
    const r = await this.inner.step(taken);
    const size = this.singleObservationSpace.size;
    const innerSize = this.inner.singleObservationSpace.size;
    const observations = new Float32Array(n * size);
    const rewards = new Float32Array(n);
    const infos: Info[] = new Array<Info>(n);
    for (let i = 0; i < n; i++) {
      const info = r.infos[i] ?? {};
      const done = r.terminated[i] === 1 || r.truncated[i] === 1;
      const row = r.observations.slice(i * innerSize, (i + 1) * innerSize);
      let out: StepResult;
      if (done) {
        const { finalObservation, finalInfo, ...nextInfo } = info as Info & { finalObservation?: Float32Array; finalInfo?: Info };
        if (!(finalObservation instanceof Float32Array)) throw new WnrlError('ENV_CONTRACT', `${envLabel(this.envs[i]!)}: an episode ended without infos[${i}].finalObservation`);
        out = this.stepCopy(i, { observation: Float32Array.from(finalObservation), reward: r.rewards[i]!, terminated: r.terminated[i] === 1, truncated: r.truncated[i] === 1, info: finalInfo ?? {} });
        const first = this.resetCopy(i, { observation: row, info: nextInfo }, undefined);
        observations.set(first.observation, i * size);
        infos[i] = { ...first.info, finalObservation: out.observation, finalInfo: out.info };
      } else {
        out = this.stepCopy(i, { observation: row, reward: r.rewards[i]!, terminated: false, truncated: false, info });
        observations.set(out.observation, i * size);
        infos[i] = out.info;
      }
      rewards[i] = out.reward;
    }
    return { observations, rewards, terminated: r.terminated, truncated: r.truncated, infos };
  }

  private resetCopy(i: number, r: ResetResult, seed: number | undefined): ResetResult {
    const chain = this.layers[i]!;
    const opts = seed === undefined ? undefined : { seed };
    for (let k = chain.length - 1; k >= 0; k--) chain[k]!.beforeReset(opts);
    for (const w of chain) r = w.afterReset(r);
    return r;
  }

  private stepCopy(i: number, r: StepResult): StepResult {
    const done = r.terminated || r.truncated;
    for (const w of this.layers[i]!) r = w.afterStep(r);
    if (r.terminated || r.truncated) {
      if (!done) throw new WnrlError('ENV_CONTRACT', `${envLabel(this.envs[i]!)}: a wrapper ended an episode the inner env did not; that wrapper belongs inside the env`);
    }
    return r;
  }

  render(): Promise<RgbFrame | null> {
    return this.inner.render?.() ?? Promise.resolve(null);
  }

  /** The same inner task and wrappers (`perturb` replacing the wrapper of its type, or added). */
  async spawn(opts: SpawnOptions): Promise<VectorEnv> {
    if (this.inner.spawn === undefined) throw new WnrlError('CONFIG', `${this.toString()}: its inner vector env cannot make another`);
    const { perturb, ...rest } = opts;
    const wrappers = perturb === undefined ? this.wrappers : replaceWrapper<WrapperConfigInput>(this.wrappers, perturb);
    const inner = await this.inner.spawn(rest);
    try {
      return new WrappedVectorEnv(inner, wrappers as WrapperConfig[], opts.seed);
    } catch (err) {
      await inner.close();
      throw err;
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  toString(): string {
    return `WrappedVectorEnv(${envLabel(this.envs[0]!)}, numEnvs=${this.numEnvs})`;
  }
}

/**
 * Every copy's normalizers (normalizeObservation, normalizeReward) update and read one set of running
 * statistics, the first copy's, as Stable-Baselines3's VecNormalize (the RL Zoo's `normalize: true`) and
 * Gymnasium's vector normalizers do: an observation means the same to the policy whichever env it came
 * from. Each copy keeps its own discounted-return accumulator. Matched by position in the wrapper stack.
 */
export function shareNormalizers(envs: readonly Env[]): void {
  const chain = (e: Env) => {
    const out: RunningNormalizer[] = [];
    for (let w: Env = e; w instanceof Wrapper; w = (w as Wrapper).env) if (w instanceof RunningNormalizer) out.push(w as RunningNormalizer);
    return out;
  };
  const first = chain(envs[0]!);
  for (const e of envs.slice(1)) chain(e).forEach((n, k) => n.shareStatistics(first[k]!));
}
