// What A2C and PPO share: the policy and value networks (from buildMlp, any norm), acting with a
// categorical or diagonal-Gaussian policy, the rollout buffer, GAE, data-dependent init from a
// random-policy warm-up, diagnostics and persistence. Each algorithm adds only its update (a2c.ts, ppo.ts).
import fs from 'node:fs';
import path from 'node:path';
import type { LayersModel, Tensor, Variable } from '@tensorflow/tfjs-node';
import { Rng, deriveSeed, entropySeed } from '../../envs/rng.ts';
import { Box, Discrete, type Space } from '../../envs/spaces/space.ts';
import type { VectorEnv } from '../../envs/vector/vector-env.ts';
import { tf } from '../../src/backend.ts';
import type { A2cConfig, PpoConfig } from '../../src/config/actor-critic.ts';
import type { Norm } from '../../src/config/network.ts';
import { ConfigError } from '../../src/config/parse.ts';
import { silentLogger, type Logger } from '../../src/log/logger.ts';
import { buildMlp, usesWeightNorm } from '../../src/nn/build-mlp.ts';
import { dataDependentInit } from '../../src/nn/data-dependent-init.ts';
import { weightNormTags } from '../../src/nn/diagnostics.ts';
import { FlatOptimizer } from '../../src/nn/flat-optimizer.ts';
import { forward } from '../../src/nn/forward.ts';
import type { Agent, AgentContext, Metrics, Transition } from '../agent.ts';
import { categoricalLogProbEntropy, gaussianLogProbEntropy, sampleCategorical, sampleGaussian } from './distributions.ts';
import { computeGae } from './gae.ts';
import { loadOptimizer, loadWeightsInto, readAgentFile, saveModel, saveOptimizer, writeAgentFile } from './persist.ts';

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
  size: number;
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
  /** Policy network (outputs logits or Gaussian means; with a shared trunk, also the value as its last unit). */
  readonly policyNetwork: LayersModel;
  /** Value network, or null with a shared trunk. */
  readonly valueNetwork: LayersModel | null;
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
  // What act() chose, for the learn() that follows.
  private pending: { raw: Float32Array; logProbs: Float32Array; values: Float32Array } | null = null;

  protected constructor(config: C, options: ActorCriticOptions) {
    this.config = config;
    this.seed = options.seed ?? entropySeed();
    this.logger = options.logger ?? silentLogger;
    const { env } = options;
    const observationSpace = 'singleObservationSpace' in env ? env.singleObservationSpace : env.observationSpace;
    const actionSpace = 'singleActionSpace' in env ? env.singleActionSpace : env.actionSpace;
    if (!(observationSpace instanceof Box)) throw ConfigError.single(config.algo, `needs a Box observation space; got ${observationSpace.toString()}`);
    this.observationSpace = observationSpace;
    this.actionSpace = actionSpace;
    this.numEnvs = env.numEnvs;
    this.discrete = actionSpace instanceof Discrete;
    this.obsSize = observationSpace.size;
    this.actSize = actionSpace instanceof Discrete ? actionSpace.n : actionSpace.size;
    this.rng = new Rng(deriveSeed(this.seed, `${config.algo}-policy`));

    // --- networks ---
    const net = config.network;
    const mlp = (name: string, outputSize: number, salt: string) =>
      buildMlp({
        inputSize: this.obsSize,
        hidden: net.hidden,
        outputSize,
        activation: net.activation,
        norm: net.norm,
        outputNorm: net.outputNorm,
        seed: deriveSeed(this.seed, salt),
        name,
      });
    if (config.sharedTrunk) {
      this.policyNetwork = mlp('actor_critic', this.actSize + 1, 'ac-shared');
      this.valueNetwork = null;
    } else {
      this.policyNetwork = mlp('pi', this.actSize, 'ac-policy');
      this.valueNetwork = mlp('vf', 1, 'ac-value');
    }
    this.logStd = this.discrete ? null : tf.variable(tf.fill([this.actSize], config.logStdInit), true, undefined);
    const variables = [...this.policyNetwork.trainableWeights, ...(this.valueNetwork?.trainableWeights ?? []), ...(this.logStd ? [this.logStd] : [])];
    this.optimizer = this.makeOptimizer(variables);
    this.initialized = !usesWeightNorm(net.norm);

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
  }

  protected abstract makeOptimizer(variables: (Variable | LayersModel['trainableWeights'][number])[]): FlatOptimizer;
  /** The algorithm's update on a full rollout; returns its metrics. */
  protected abstract update(rollout: Rollout, ctx: AgentContext): Metrics;

  get norm(): Norm {
    return this.config.network.norm;
  }

  setLogger(logger: Logger): void {
    this.logger = logger;
  }

  // --- networks: policy outputs and values in one place ---

  /** Policy outputs [B, actSize] and values [B]; `training` only inside an update (the batch-norm rule). */
  protected heads(obs: Tensor, training: boolean): { policy: Tensor; value: Tensor } {
    if (this.valueNetwork === null) {
      const out = forward(this.policyNetwork, obs, training);
      const [policy, value] = tf.split(out, [this.actSize, 1], 1);
      return { policy: policy!, value: tf.reshape(value!, [-1]) };
    }
    return { policy: forward(this.policyNetwork, obs, training), value: tf.reshape(forward(this.valueNetwork, obs, training), [-1]) };
  }

  /** log π(a|s) and entropy per row for the actions of a batch (discrete: a one-hot mask). */
  protected logProbEntropy(policy: Tensor, actions: Tensor): { logProb: Tensor; entropy: Tensor } {
    return this.discrete ? categoricalLogProbEntropy(policy, tf.oneHot(tf.cast(actions, 'int32'), this.actSize)) : gaussianLogProbEntropy(policy, this.logStd!, tf.reshape(actions, [-1, this.actSize]));
  }

  /** Value estimates for a batch of observations (one read-back). */
  private valuesOf(observations: Float32Array): Float32Array {
    const n = observations.length / this.obsSize;
    const v = tf.tidy(() => this.heads(tf.tensor2d(observations, [n, this.obsSize]), false).value);
    const out = v.dataSync() as Float32Array;
    v.dispose();
    return out;
  }

  // --- acting ---

  /** One forward pass, one read-back: policy outputs and values for `n` observations. */
  private policyAndValues(observations: Float32Array): { policy: Float32Array; values: Float32Array; n: number } {
    const n = observations.length / this.obsSize;
    if (!Number.isInteger(n)) throw ConfigError.single('observations', `has ${observations.length} values; expected a multiple of ${this.obsSize}`);
    const packed = tf.tidy(() => {
      const { policy, value } = this.heads(tf.tensor2d(observations, [n, this.obsSize]), false);
      return tf.concat([policy, tf.reshape(value, [-1, 1])], 1);
    });
    const data = packed.dataSync();
    packed.dispose();
    const k = this.actSize + 1;
    const policy = new Float32Array(n * this.actSize);
    const values = new Float32Array(n);
    for (let r = 0; r < n; r++) {
      policy.set(data.subarray(r * k, r * k + this.actSize), r * this.actSize);
      values[r] = data[r * k + this.actSize]!;
    }
    return { policy, values, n };
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
    const { policy, values, n } = this.policyAndValues(observations);
    const { actions, raw, logProbs } = this.sample(policy, n, false);
    this.pending = { raw, logProbs, values };
    return actions;
  }

  predict(observations: Float32Array, opts: { deterministic?: boolean } = {}): Int32Array | Float32Array {
    const { policy, n } = this.policyAndValues(observations);
    return this.sample(policy, n, opts.deterministic ?? true).actions;
  }

  // --- data-dependent init from a random-policy warm-up ---

  warmupSamples(): number {
    return this.initialized ? 0 : this.config.network.initSamples;
  }

  initialize(observations: Float32Array): void {
    const n = observations.length / this.obsSize;
    tf.tidy(() => {
      const batch = tf.tensor2d(observations, [n, this.obsSize]);
      // With a shared trunk the value unit shares the policy's small output scale (it learns its scale fast).
      dataDependentInit(this.policyNetwork, batch, { outputScale: this.config.network.outputInitScale ?? 0.01 });
      if (this.valueNetwork !== null) dataDependentInit(this.valueNetwork, batch);
    });
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
    // Truncated episodes bootstrap from V(final observation): evaluate just those rows (rare).
    const truncatedRows: number[] = [];
    for (let i = 0; i < N; i++) if (t.truncated[i] && !t.terminated[i]) truncatedRows.push(i);
    if (truncatedRows.length > 0) {
      const finals = new Float32Array(truncatedRows.length * this.obsSize);
      truncatedRows.forEach((i, k) => finals.set(t.nextObservations.subarray(i * this.obsSize, (i + 1) * this.obsSize), k * this.obsSize));
      const v = this.valuesOf(finals);
      truncatedRows.forEach((i, k) => (this.bufTruncValues[base + i] = v[k]!));
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
      { observations: this.bufObs, actions: this.bufActions, logProbs: this.bufLogProbs, values: this.bufValues, advantages, returns, size: this.T * N },
      ctx,
    );
  }

  /** Learning rate for this point of training under the configured schedule. */
  protected learningRateAt(ctx: AgentContext): number {
    const remaining = Math.max(0, 1 - ctx.step / ctx.totalSteps);
    return this.config.learningRateSchedule === 'linear' ? this.config.learningRate * remaining : this.config.learningRate;
  }

  diagnostics(): Metrics {
    const out: Metrics = weightNormTags(this.valueNetwork === null ? [this.policyNetwork] : [this.policyNetwork, this.valueNetwork]);
    if (this.logStd !== null) out['train/std'] = Math.exp((this.logStd.dataSync() as Float32Array).reduce((a, b) => a + b, 0) / this.actSize);
    return out;
  }

  // --- persistence ---

  async save(dir: string): Promise<void> {
    fs.mkdirSync(dir, { recursive: true });
    await saveModel(this.policyNetwork, path.join(dir, 'policy'));
    if (this.valueNetwork !== null) await saveModel(this.valueNetwork, path.join(dir, 'value'));
    const { t } = saveOptimizer(this.optimizer, dir, 'optimizer');
    writeAgentFile(dir, {
      algo: this.algo,
      config: this.config,
      observationSpace: this.observationSpace.toJSON(),
      actionSpace: this.actionSpace.toJSON(),
      state: { seed: this.seed, numEnvs: this.numEnvs, optimizerSteps: t, logStd: this.logStd ? Array.from(this.logStd.dataSync()) : null },
    });
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
    await loadWeightsInto(agent.policyNetwork, path.join(dir, 'policy'));
    if (agent.valueNetwork !== null) await loadWeightsInto(agent.valueNetwork, path.join(dir, 'value'));
    loadOptimizer(agent.optimizer, dir, 'optimizer', state.optimizerSteps ?? 0);
    if (agent.logStd !== null && state.logStd) {
      const logStd = agent.logStd;
      tf.tidy(() => logStd.assign(tf.tensor1d(state.logStd!)));
    }
    agent.initialized = true;
    return agent;
  }

  dispose(): void {
    this.policyNetwork.dispose();
    this.valueNetwork?.dispose();
    this.logStd?.dispose();
    this.optimizer.dispose();
  }
}
