// What A2C and PPO share: the policy (policy.ts: MLP heads from buildMlp, optionally behind an LSTM, any
// norm), acting with a categorical or diagonal-Gaussian policy, the recurrent state of every env, the
// rollout buffer, GAE, data-dependent init from a random-policy warm-up, diagnostics and persistence.
// Each algorithm adds only its update (a2c.ts, ppo.ts), written once for both kinds of policy: it asks
// for minibatches of whole sequences (sequenceLayout, gatherSequences, evaluate); an MLP's sequences are
// single steps, a recurrent policy's are every env's whole rollout, re-run from the state stored at the
// rollout's start with the current weights (backpropagation through time, no padding).
import fs from 'node:fs';
import type { LayersModel, Tensor, Tensor2D, Variable } from '@tensorflow/tfjs-node';
import { Rng, deriveSeed, entropySeed } from '../../envs/rng.ts';
import { Box, Discrete, type Space } from '../../envs/spaces/space.ts';
import type { VectorEnv } from '../../envs/vector/vector-env.ts';
import { tf } from '../../src/backend.ts';
import type { A2cConfig, PpoConfig } from '../../src/config/actor-critic.ts';
import type { Norm } from '../../src/config/network.ts';
import { ConfigError } from '../../src/config/parse.ts';
import { silentLogger, type Logger } from '../../src/log/logger.ts';
import { usesBatchStatistics, usesWeightNorm } from '../../src/nn/build-mlp.ts';
import { FlatOptimizer } from '../../src/nn/flat-optimizer.ts';
import type { Agent, AgentContext, Inspection, Metrics, PolicyStateHandle, PredictOptions, Transition } from '../agent.ts';
import { categoricalLogProbEntropy, gaussianLogProbEntropy, sampleCategorical, sampleGaussian } from './distributions.ts';
import { computeGae } from './gae.ts';
import { loadOptimizer, readAgentFile, saveOptimizer, writeAgentFile } from './persist.ts';
import { captureFields, restoreState, type CapturedObject } from '../../envs/snapshot.ts';
import { createPolicy, disposeState, gatherState, stateFromArrays, stateToArrays, type ActorCriticPolicy, type PolicyOutput, type RecurrentState, type SavedRecurrentState } from './policy.ts';

export type ActorCriticConfig = PpoConfig | A2cConfig;

export interface ActorCriticEnvInfo {
  observationSpace: Space;
  actionSpace: Space;
  numEnvs: number;
}

export interface ActorCriticOptions {
  env: VectorEnv | ActorCriticEnvInfo;
  seed?: number;
  logger?: Logger;
}

/** A rollout of T steps × N envs, row-major (t * N + i), as the update sees it. */
export interface Rollout {
  observations: Float32Array;
  actions: Float32Array; // discrete actions stored as floats (exact below 2^24)
  logProbs: Float32Array;
  values: Float32Array;
  advantages: Float32Array;
  returns: Float32Array;
  /** 1 where the observation is the first of an episode (the recurrent state is reset before it). */
  episodeStarts: Uint8Array;
  size: number;
}

/**
 * How a rollout splits into sequences for the update: `count` sequences of `length` steps. A recurrent
 * policy's sequences are the N envs' rollouts (T steps each); an MLP's are the T·N single steps.
 */
export interface SequenceLayout {
  count: number;
  length: number;
}

/** A minibatch of whole sequences in JavaScript, time-major (row t*B + k: step t of sequence k). */
export interface SequenceBatch {
  /** Sequence ids (rollout envs, or rollout rows for an MLP). */
  ids: Int32Array;
  T: number;
  B: number;
  obs: Float32Array;
  actions: Float32Array;
  logProbs: Float32Array;
  advantages: Float32Array;
  returns: Float32Array;
  values: Float32Array;
  starts: Uint8Array;
}

/** A recurrent state handle for predict() (evaluation, user code): the agent updates it in place. */
class StateHandle implements PolicyStateHandle {
  constructor(
    readonly numEnvs: number,
    public state: RecurrentState | null,
  ) {}

  dispose(): void {
    disposeState(this.state);
    this.state = null;
  }
}

export abstract class ActorCritic<C extends ActorCriticConfig> implements Agent {
  abstract readonly algo: 'a2c' | 'ppo';
  abstract readonly metricNames: readonly string[];
  readonly config: C;
  readonly seed: number;
  readonly observationSpace: Box;
  readonly actionSpace: Box | Discrete;
  readonly numEnvs: number;
  readonly discrete: boolean;
  /** The networks: an MLP, or LSTMs then MLP heads (policy.ts). */
  readonly policy: ActorCriticPolicy;
  /** Log standard deviation of the Gaussian policy (continuous actions), else null. */
  readonly logStd: Variable | null;
  protected readonly optimizer: FlatOptimizer;
  protected readonly rng: Rng;
  protected logger: Logger;
  protected readonly obsSize: number;
  /** Policy outputs per observation: number of actions (Discrete) or action dimensions (Box). */
  protected readonly actSize: number;
  private initialized: boolean;

  // Rollout storage (T × N).
  private readonly T: number;
  private pos = 0;
  private readonly bufObs: Float32Array;
  private readonly bufActions: Float32Array;
  private readonly bufLogProbs: Float32Array;
  private readonly bufValues: Float32Array;
  private readonly bufRewards: Float32Array;
  private readonly bufTerminated: Uint8Array;
  private readonly bufTruncated: Uint8Array;
  private readonly bufTruncValues: Float32Array;
  private readonly bufStarts: Uint8Array;
  // What act() chose, for the learn() that follows.
  private pending: { raw: Float32Array; logProbs: Float32Array; values: Float32Array } | null = null;
  // --- recurrent state of the training envs (null for an MLP) ---
  /** The state every env carries into its next act(). */
  private state: RecurrentState | null;
  /** The state at the current rollout's first step: the update re-runs sequences from it. */
  private rolloutState: RecurrentState | null = null;
  /** 1 where the next observation starts an episode (all envs start one at the beginning). */
  private readonly episodeStarts: Uint8Array;

  protected constructor(config: C, options: ActorCriticOptions) {
    this.config = config;
    this.seed = options.seed ?? entropySeed();
    this.logger = options.logger ?? silentLogger;
    const { env } = options;
    const observationSpace = 'singleObservationSpace' in env ? env.singleObservationSpace : env.observationSpace;
    const actionSpace = 'singleActionSpace' in env ? env.singleActionSpace : env.actionSpace;
    if (!(observationSpace instanceof Box)) throw ConfigError.single(config.algo, `needs a Box observation space; got ${observationSpace.toString()}`);
    if (!(actionSpace instanceof Box) && !(actionSpace instanceof Discrete)) {
      throw ConfigError.single(config.algo, `needs a Discrete or Box action space; got ${actionSpace.toString()}`);
    }
    this.observationSpace = observationSpace;
    this.actionSpace = actionSpace;
    this.numEnvs = env.numEnvs;
    this.discrete = actionSpace instanceof Discrete;
    this.obsSize = observationSpace.size;
    this.actSize = actionSpace instanceof Discrete ? actionSpace.n : actionSpace.size;
    this.rng = new Rng(deriveSeed(this.seed, `${config.algo}-policy`));

    // --- networks ---
    const net = config.network;
    if (net.recurrent !== null && config.sharedTrunk && !net.recurrent.sharedLstm) {
      throw ConfigError.single(`${config.algo}.sharedTrunk`, 'needs network.recurrent.sharedLstm: true with a recurrent network (one LSTM feeds the shared heads)');
    }
    this.policy = createPolicy({ obsSize: this.obsSize, actSize: this.actSize, network: net, sharedTrunk: config.sharedTrunk, seed: this.seed });
    this.logStd = this.discrete ? null : tf.variable(tf.fill([this.actSize], config.logStdInit), true, undefined);
    const variables = [...this.policy.trainableWeights, ...(this.logStd ? [this.logStd] : [])];
    this.optimizer = this.makeOptimizer(variables, this.optimizerStateOrder());
    this.initialized = !((usesWeightNorm(net.norm) || usesBatchStatistics(net.norm)) && net.dataDependentInit);

    // --- rollout buffer ---
    this.T = config.numSteps;
    const size = this.T * this.numEnvs;
    this.bufObs = new Float32Array(size * this.obsSize);
    this.bufActions = new Float32Array(size * (this.discrete ? 1 : this.actSize));
    this.bufLogProbs = new Float32Array(size);
    this.bufValues = new Float32Array(size);
    this.bufRewards = new Float32Array(size);
    this.bufTerminated = new Uint8Array(size);
    this.bufTruncated = new Uint8Array(size);
    this.bufTruncValues = new Float32Array(size);
    this.bufStarts = new Uint8Array(size);
    this.state = this.keepState(this.policy.zeroState(this.numEnvs));
    this.episodeStarts = new Uint8Array(this.numEnvs).fill(1);
  }

  private keepState(state: RecurrentState | null): RecurrentState | null {
    if (state !== null) for (const s of state) {
        tf.keep(s.h);
        tf.keep(s.c);
      }
    return state;
  }

  protected abstract makeOptimizer(variables: (Variable | LayersModel['trainableWeights'][number])[], stateOrder: Int32Array | null): FlatOptimizer;

  /** The policy's checkpoint order of the optimizer's moments (policy.stateOrder), then the log-std's. */
  private optimizerStateOrder(): Int32Array | null {
    const order = this.policy.stateOrder();
    if (order === null) return null;
    const policySize = this.policy.trainableWeights.reduce((a, w) => a + (w as Variable).size, 0);
    const logStd = Array.from({ length: this.logStd?.size ?? 0 }, (_, i) => policySize + i);
    return Int32Array.from([...order, ...logStd]);
  }
  /** The algorithm's update on a full rollout; returns its metrics. */
  protected abstract update(rollout: Rollout, ctx: AgentContext): Metrics;

  get norm(): Norm {
    return this.config.network.norm;
  }

  setLogger(logger: Logger): void {
    this.logger = logger;
  }

  // --- networks: policy outputs and values in one place ---

  /** Whether the policy carries a recurrent state. */
  get recurrent(): boolean {
    return this.policy.recurrent;
  }

  /** log π(a|s) and entropy per row for the actions of a batch (discrete: a one-hot mask). */
  protected logProbEntropy(policy: Tensor, actions: Tensor): { logProb: Tensor; entropy: Tensor } {
    return this.discrete ? categoricalLogProbEntropy(policy, tf.oneHot(tf.cast(actions, 'int32'), this.actSize)) : gaussianLogProbEntropy(policy, this.logStd!, tf.reshape(actions, [-1, this.actSize]));
  }

  // --- sequences: what an update trains on ---

  /** Sequences of a rollout: the N envs' whole rollouts (recurrent) or the T·N single steps (MLP). */
  protected sequenceLayout(): SequenceLayout {
    return this.policy.recurrent ? { count: this.numEnvs, length: this.T } : { count: this.T * this.numEnvs, length: 1 };
  }

  /** A batch buffer for `count` sequences of the layout (reused across minibatches). */
  protected sequenceBatch(count: number): SequenceBatch {
    const { length: T } = this.sequenceLayout();
    const n = count * T;
    const aSize = this.discrete ? 1 : this.actSize;
    return {
      ids: new Int32Array(count),
      T,
      B: count,
      obs: new Float32Array(n * this.obsSize),
      actions: new Float32Array(n * aSize),
      logProbs: new Float32Array(n),
      advantages: new Float32Array(n),
      returns: new Float32Array(n),
      values: new Float32Array(n),
      starts: new Uint8Array(n),
    };
  }

  /**
   * Every sequence of the rollout, in order, as a batch that views the rollout's own arrays: for both
   * layouts row t*B + k of "all sequences" is rollout row t*N + k (recurrent, B = N) or k (MLP), so no copy.
   */
  protected wholeRollout(r: Rollout): SequenceBatch {
    const { count, length } = this.sequenceLayout();
    return {
      ids: Int32Array.from({ length: count }, (_, i) => i),
      T: length,
      B: count,
      obs: r.observations,
      actions: r.actions,
      logProbs: r.logProbs,
      advantages: r.advantages,
      returns: r.returns,
      values: r.values,
      starts: r.episodeStarts,
    };
  }

  /** Copies sequences `ids` of the rollout into `out`, time-major (row t*B + k). */
  protected gatherSequences(r: Rollout, ids: ArrayLike<number>, out: SequenceBatch): SequenceBatch {
    const { T, B } = out;
    const N = this.numEnvs;
    const aSize = this.discrete ? 1 : this.actSize;
    const o = this.obsSize;
    for (let k = 0; k < B; k++) out.ids[k] = ids[k]!;
    for (let t = 0; t < T; t++) {
      for (let k = 0; k < B; k++) {
        const src = this.policy.recurrent ? t * N + ids[k]! : ids[k]!;
        const dst = t * B + k;
        out.obs.set(r.observations.subarray(src * o, (src + 1) * o), dst * o);
        out.actions.set(r.actions.subarray(src * aSize, (src + 1) * aSize), dst * aSize);
        out.logProbs[dst] = r.logProbs[src]!;
        out.advantages[dst] = r.advantages[src]!;
        out.returns[dst] = r.returns[src]!;
        out.values[dst] = r.values[src]!;
        out.starts[dst] = r.episodeStarts[src]!;
      }
    }
    return out;
  }

  /**
   * Policy outputs [T·B, actSize] and values [T·B] of a minibatch, re-run with the current weights from
   * the state its sequences had at the rollout's start; `training` only inside an update.
   */
  protected evaluate(batch: SequenceBatch, obs: Tensor2D, training: boolean): PolicyOutput {
    const state = gatherState(this.rolloutState, batch.ids);
    return this.policy.run(obs, { T: batch.T, starts: this.policy.recurrent ? batch.starts : null, state, training });
  }

  /** Values of `observations` [N × obs] for the training envs' current state (one read-back). */
  private valuesOf(observations: Float32Array): Float32Array {
    const v = tf.tidy(() => this.policy.run(tf.tensor2d(observations, [this.numEnvs, this.obsSize]), { T: 1, starts: null, state: this.state, training: false }).value);
    const out = v.dataSync() as Float32Array;
    v.dispose();
    return out;
  }

  // --- acting ---

  /**
   * One step of the policy for `n` observations from `state` (reset where starts is 1), one read-back:
   * policy outputs and values, and the next state (kept; the caller disposes the old one).
   */
  private policyAndValues(observations: Float32Array, state: RecurrentState | null, starts: Uint8Array | null): { policy: Float32Array; values: Float32Array; n: number; next: RecurrentState | null } {
    const n = observations.length / this.obsSize;
    if (!Number.isInteger(n)) throw ConfigError.single('observations', `has ${observations.length} values; expected a multiple of ${this.obsSize}`);
    if (state === null) {
      const host = this.policy.runHost(observations, n);
      if (host !== null) return { ...host, n, next: null };
    }
    let next: RecurrentState | null = null;
    const packed = tf.tidy(() => {
      const out = this.policy.run(tf.tensor2d(observations, [n, this.obsSize]), { T: 1, starts, state, training: false, needState: true });
      next = out.state;
      if (next !== null) for (const s of next) {
          tf.keep(s.h);
          tf.keep(s.c);
        }
      // stacked heads: [2, n, actSize] as it is (policy block, then values in column 0); else [n, actSize + 1]
      return out.joint ?? tf.concat([out.policy, tf.reshape(out.value, [-1, 1])], 1);
    });
    const data = packed.dataSync() as Float32Array;
    const joint = packed.rank === 3;
    packed.dispose();
    const A = this.actSize;
    const values = new Float32Array(n);
    if (joint) {
      for (let r = 0; r < n; r++) values[r] = data[(n + r) * A]!;
      return { policy: data.slice(0, n * A), values, n, next };
    }
    const policy = new Float32Array(n * A);
    for (let r = 0; r < n; r++) {
      policy.set(data.subarray(r * (A + 1), r * (A + 1) + A), r * A);
      values[r] = data[r * (A + 1) + A]!;
    }
    return { policy, values, n, next };
  }

  private sample(policy: Float32Array, n: number, deterministic: boolean): { actions: Int32Array | Float32Array; raw: Float32Array; logProbs: Float32Array } {
    const logProbs = new Float32Array(n);
    const rng = deterministic ? null : this.rng;
    if (this.discrete) {
      const actions = new Int32Array(n);
      sampleCategorical(policy, n, this.actSize, rng, actions, logProbs);
      return { actions, raw: Float32Array.from(actions), logProbs };
    }
    const raw = new Float32Array(n * this.actSize);
    sampleGaussian(policy, this.logStd!.dataSync(), n, this.actSize, rng, raw, logProbs);
    // The env gets actions clipped to its bounds; the buffer keeps the unclipped sample and its log-prob.
    const box = this.actionSpace as Box;
    const actions = raw.map((a, k) => Math.min(Math.max(a, box.low[k % this.actSize]!), box.high[k % this.actSize]!));
    return { actions, raw, logProbs };
  }

  act(observations: Float32Array, _ctx: AgentContext): Int32Array | Float32Array {
    if (this.pos === 0 && this.policy.recurrent) {
      // The update re-runs this rollout from the state the envs carry into it.
      disposeState(this.rolloutState);
      this.rolloutState = this.state!.map((s) => ({ h: tf.keep(tf.clone(s.h)), c: tf.keep(tf.clone(s.c)) }));
    }
    const { policy, values, n, next } = this.policyAndValues(observations, this.state, this.policy.recurrent ? this.episodeStarts : null);
    disposeState(this.state);
    this.state = next;
    this.bufStarts.set(this.episodeStarts, this.pos * this.numEnvs);
    const { actions, raw, logProbs } = this.sample(policy, n, false);
    this.pending = { raw, logProbs, values };
    return actions;
  }

  /**
   * Zero recurrent state for `numEnvs` envs, to pass to predict() (null for a feed-forward policy). The
   * caller disposes it.
   */
  initialState(numEnvs: number): PolicyStateHandle | null {
    return this.policy.recurrent ? new StateHandle(numEnvs, this.keepState(this.policy.zeroState(numEnvs))) : null;
  }

  predict(observations: Float32Array, opts: PredictOptions = {}): Int32Array | Float32Array {
    const handle = (opts.state ?? null) as StateHandle | null;
    if (this.policy.recurrent && handle === null) {
      throw ConfigError.single(`${this.algo}.predict`, 'this policy is recurrent; pass { state: agent.initialState(numEnvs), episodeStarts } and reuse the state across steps');
    }
    const n = observations.length / this.obsSize;
    if (handle !== null && handle.numEnvs !== n) throw ConfigError.single(`${this.algo}.predict state`, `is for ${handle.numEnvs} envs; got ${n} observations`);
    const { policy, next } = this.policyAndValues(observations, handle?.state ?? null, handle === null ? null : (opts.episodeStarts ?? null));
    if (handle !== null) {
      disposeState(handle.state);
      handle.state = next;
    }
    return this.sample(policy, n, opts.deterministic ?? true).actions;
  }

  inspect(observations: Float32Array): Inspection | null {
    if (this.policy.recurrent) return null;
    const n = observations.length / this.obsSize;
    const [outputs, values] = tf.tidy(() => {
      const out = this.policy.run(tf.tensor2d(observations, [n, this.obsSize]), { T: 1, starts: null, state: null, training: false });
      return [this.discrete ? tf.softmax(out.policy) : out.policy, out.value];
    });
    const result: Inspection = { kind: this.discrete ? 'probabilities' : 'mean', outputs: outputs!.dataSync() as Float32Array, values: values!.dataSync() as Float32Array };
    tf.dispose([outputs!, values!]);
    return result;
  }

  // --- data-dependent init from a random-policy warm-up ---

  warmupSamples(): number {
    return this.initialized ? 0 : this.config.network.initSamples;
  }

  initialize(observations: Float32Array): void {
    const n = observations.length / this.obsSize;
    this.policy.initialize(observations, this.numEnvs, this.config.network.outputInitScale ?? 0.01);
    this.initialized = true;
    this.logger.debug({ samples: n }, `${this.algo}: data-dependent init`);
  }

  // --- rollouts ---

  learn(t: Transition, ctx: AgentContext): Metrics | null {
    if (this.pending === null) throw new Error(`${this.algo}.learn: called without a preceding act()`);
    const N = this.numEnvs;
    const base = this.pos * N;
    const aSize = this.discrete ? 1 : this.actSize;
    this.bufObs.set(t.observations, base * this.obsSize);
    this.bufActions.set(this.pending.raw, base * aSize);
    this.bufLogProbs.set(this.pending.logProbs, base);
    this.bufValues.set(this.pending.values, base);
    this.bufRewards.set(t.rewards, base);
    this.bufTerminated.set(t.terminated, base);
    this.bufTruncated.set(t.truncated, base);
    this.pending = null;
    // The recurrent state is reset before the next step of an env whose episode ended here.
    for (let i = 0; i < N; i++) this.episodeStarts[i] = t.terminated[i] || t.truncated[i] ? 1 : 0;
    // Truncated episodes bootstrap from V(final observation), with the critic's state of that env after
    // this step (rare: one pass over every env's next observation).
    let truncated = false;
    for (let i = 0; i < N; i++) truncated ||= t.truncated[i] === 1 && t.terminated[i] === 0;
    if (truncated) {
      const v = this.valuesOf(t.nextObservations);
      for (let i = 0; i < N; i++) if (t.truncated[i] && !t.terminated[i]) this.bufTruncValues[base + i] = v[i]!;
    }
    this.pos++;
    if (this.pos < this.T) return null;

    // --- the rollout is full: advantages, then the algorithm's update ---
    this.pos = 0;
    const lastValues = this.valuesOf(t.nextObservations);
    const { advantages, returns } = computeGae({
      rewards: this.bufRewards,
      values: this.bufValues,
      terminated: this.bufTerminated,
      truncated: this.bufTruncated,
      truncationValues: this.bufTruncValues,
      lastValues,
      numEnvs: N,
      gamma: this.config.gamma,
      gaeLambda: this.config.gaeLambda,
    });
    return this.update(
      { observations: this.bufObs, actions: this.bufActions, logProbs: this.bufLogProbs, values: this.bufValues, advantages, returns, episodeStarts: this.bufStarts, size: this.T * N },
      ctx,
    );
  }

  /** Learning rate for this point of training under the configured schedule. */
  protected learningRateAt(ctx: AgentContext): number {
    const remaining = Math.max(0, 1 - ctx.step / ctx.totalSteps);
    return this.config.learningRateSchedule === 'linear' ? this.config.learningRate * remaining : this.config.learningRate;
  }

  diagnostics(): Metrics {
    const out: Metrics = this.policy.diagnostics();
    if (this.logStd !== null) out['train/std'] = Math.exp((this.logStd.dataSync() as Float32Array).reduce((a, b) => a + b, 0) / this.actSize);
    return out;
  }

  // --- persistence ---

  async save(dir: string): Promise<void> {
    fs.mkdirSync(dir, { recursive: true });
    await this.policy.save(dir);
    const { t } = saveOptimizer(this.optimizer, dir, 'optimizer');
    writeAgentFile(dir, {
      algo: this.algo,
      config: this.config,
      observationSpace: this.observationSpace.toJSON(),
      actionSpace: this.actionSpace.toJSON(),
      state: { seed: this.seed, numEnvs: this.numEnvs, optimizerSteps: t, logStd: this.logStd ? Array.from(this.logStd.dataSync()) : null },
    });
  }

  /** The fields captureState() keeps (the recurrent states go apart: they are tensors). */
  private static readonly STATE_FIELDS = ['rng', 'pos', 'bufObs', 'bufActions', 'bufLogProbs', 'bufValues', 'bufRewards', 'bufTerminated', 'bufTruncated', 'bufTruncValues', 'bufStarts', 'episodeStarts', 'initialized'] as const;

  captureState(): unknown {
    if (this.pending !== null) throw new Error(`${this.algo}.captureState: between act() and learn(); capture between vector steps`);
    return { fields: captureFields(this, ActorCritic.STATE_FIELDS), state: stateToArrays(this.state), rolloutState: stateToArrays(this.rolloutState) };
  }

  restoreState(s: unknown): void {
    const { fields, state, rolloutState } = s as { fields: CapturedObject; state: SavedRecurrentState; rolloutState: SavedRecurrentState };
    restoreState(this, fields);
    disposeState(this.state);
    disposeState(this.rolloutState);
    this.state = stateFromArrays(state);
    this.rolloutState = stateFromArrays(rolloutState);
  }

  /** Restores weights, optimizer state and log-std saved by save(); used by PPO.load / A2C.load. */
  protected static async restore<A extends ActorCritic<ActorCriticConfig>>(
    dir: string,
    algo: 'a2c' | 'ppo',
    make: (config: Record<string, unknown>, env: ActorCriticEnvInfo, seed: number) => A,
  ): Promise<A> {
    const { file, observationSpace, actionSpace } = readAgentFile(dir, algo);
    const state = file.state as { seed?: number; numEnvs?: number; optimizerSteps?: number; logStd?: number[] | null };
    const agent = make(file.config, { observationSpace, actionSpace, numEnvs: state.numEnvs ?? 1 }, state.seed ?? 0);
    await agent.policy.load(dir);
    loadOptimizer(agent.optimizer, dir, 'optimizer', state.optimizerSteps ?? 0);
    if (agent.logStd !== null && state.logStd) {
      const logStd = agent.logStd;
      tf.tidy(() => logStd.assign(tf.tensor1d(state.logStd!)));
    }
    agent.initialized = true;
    return agent;
  }

  dispose(): void {
    this.policy.dispose();
    disposeState(this.state);
    disposeState(this.rolloutState);
    this.state = null;
    this.rolloutState = null;
    this.logStd?.dispose();
    this.optimizer.dispose();
  }
}
