// DQN (Mnih et al. 2015) with Double-DQN targets (van Hasselt et al. 2016) on networks from buildMlp, so
// the Q-network can be weight-normalized, batch-normalized, layer-normalized or plain.
//
// Reads top to bottom: config -> networks -> acting (ε-greedy) -> learning (replay, targets, loss,
// target sync) -> persistence. Step counts are environment steps summed over the vector env's copies.
import fs from 'node:fs';
import path from 'node:path';
import type { LayersModel, Tensor } from '@tensorflow/tfjs-node';
import { Rng, deriveSeed, entropySeed } from '../envs/rng.ts';
import { Box, Discrete, type Space } from '../envs/spaces/space.ts';
import type { VectorEnv } from '../envs/vector/vector-env.ts';
import { tf } from '../src/backend.ts';
import { DqnConfig, type DqnConfigInput } from '../src/config/dqn.ts';
import { ConfigError, parseConfig } from '../src/config/parse.ts';
import { silentLogger, type Logger } from '../src/log/logger.ts';
import { buildMlp, usesBatchStatistics, usesWeightNorm } from '../src/nn/build-mlp.ts';
import { dataDependentInit } from '../src/nn/data-dependent-init.ts';
import { weightNormTags } from '../src/nn/diagnostics.ts';
import { forward, forwardValues } from '../src/nn/forward.ts';
import { FlatOptimizer, type StepResult as OptimizerStepResult } from '../src/nn/flat-optimizer.ts';
import type { Agent, AgentContext, Inspection, Metrics, Transition } from './agent.ts';
import { tdLossHead, type TdStats } from './common/losses.ts';
import { captureFields, restoreState, type CapturedObject } from '../envs/snapshot.ts';
import { loadOptimizer, loadWeightsInto, readAgentFile, saveModel, saveOptimizer, writeAgentFile } from './common/persist.ts';
import { ReplayBuffer, type ReplayBatch } from './common/replay-buffer.ts';
import { linearSchedule } from './common/schedules.ts';
import { hardUpdate, polyakUpdate } from './common/target-sync.ts';

/** DQN's constructor options: its hyperparameters (DqnConfig) plus the env (or its spaces), a seed and a logger. */
export type DqnOptions = Omit<DqnConfigInput, 'algo'> & {
  /** The training env (its single spaces are used), or the spaces themselves. */
  env: VectorEnv | { observationSpace: Space; actionSpace: Space };
  /** Seeds network init, replay sampling and exploration (default: random). */
  seed?: number;
  logger?: Logger;
};

const METRICS = ['train/loss', 'train/qMean', 'train/gradNorm', 'train/updates', 'rollout/explorationRate'] as const;

/** Deep Q-learning (Mnih et al. 2015) with Double-DQN targets (van Hasselt et al. 2016), a replay buffer and a target network (or CrossQ's joint pass), on networks of any norm. */
export class DQN implements Agent {
  readonly algo = 'dqn' as const;
  readonly config: DqnConfig;
  readonly seed: number;
  readonly observationSpace: Box;
  readonly actionSpace: Discrete;
  readonly metricNames: readonly string[] = METRICS;
  readonly qNetwork: LayersModel;
  readonly targetNetwork: LayersModel;
  private readonly optimizer: FlatOptimizer;
  private readonly buffer: ReplayBuffer;
  /** The last update's loss and mean Q(s, a) (tdLossHead). */
  private readonly tdStats: TdStats = { loss: 0, qMean: 0 };
  private readonly exploreRng: Rng;
  private readonly obsSize: number;
  private readonly nActions: number;
  private readonly epsilon: (progressRemaining: number) => number;
  private readonly batchScratch: ReplayBatch;
  private logger: Logger;
  private initialized: boolean;
  private nextTrainAt: number;
  private nextTargetAt: number;
  private updates = 0;

  constructor(options: DqnOptions) {
    const { env, seed, logger, ...hyper } = options;
    this.config = parseConfig(DqnConfig, { ...hyper, algo: 'dqn' }, 'dqn');
    this.seed = seed ?? entropySeed();
    this.logger = logger ?? silentLogger;
    const observationSpace = 'singleObservationSpace' in env ? env.singleObservationSpace : env.observationSpace;
    const actionSpace = 'singleActionSpace' in env ? env.singleActionSpace : env.actionSpace;
    if (!(actionSpace instanceof Discrete)) {
      throw ConfigError.single('dqn', `needs a Discrete action space; got ${actionSpace.toString()}. Use PPO or A2C for continuous actions`);
    }
    if (!(observationSpace instanceof Box)) throw ConfigError.single('dqn', `needs a Box observation space; got ${observationSpace.toString()}`);
    this.observationSpace = observationSpace;
    this.actionSpace = actionSpace;
    this.obsSize = observationSpace.size;
    this.nActions = actionSpace.n;
    const c = this.config;
    if (c.batchSize > c.bufferSize) throw ConfigError.single('dqn.batchSize', `is ${c.batchSize}; expected at most bufferSize (${c.bufferSize})`);
    if (c.learningStarts < c.batchSize) {
      this.logger.warn({ learningStarts: c.learningStarts, batchSize: c.batchSize }, 'dqn: learningStarts < batchSize; the first batches repeat transitions');
    }

    // --- networks: online Q and its target, identical architecture, same initial weights ---
    const mlp = (name: string) =>
      buildMlp({
        inputSize: this.obsSize,
        hidden: c.network.hidden,
        outputSize: this.nActions,
        activation: c.network.activation,
        norm: c.network.norm,
        outputNorm: c.network.outputNorm,
        init: c.network.init,
        outputGain: 1,
        batchRenorm: c.network.batchRenorm,
        batchMomentum: c.network.batchMomentum,
        seed: deriveSeed(this.seed, 'dqn-network'),
        name,
      });
    this.qNetwork = mlp('q');
    this.targetNetwork = mlp('q_target');
    hardUpdate(this.targetNetwork, this.qNetwork);
    this.optimizer = new FlatOptimizer(this.qNetwork.trainableWeights, {
      kind: 'adam',
      learningRate: c.learningRate,
      epsilon: c.adamEpsilon,
      maxGradNorm: c.maxGradNorm,
    });
    this.buffer = new ReplayBuffer(c.bufferSize, this.obsSize, deriveSeed(this.seed, 'dqn-replay'));
    this.exploreRng = new Rng(deriveSeed(this.seed, 'dqn-explore'));
    this.actionSpace.seed(deriveSeed(this.seed, 'dqn-action-space'));
    this.epsilon = linearSchedule(c.explorationInitialEps, c.explorationFinalEps, c.explorationFraction);
    this.batchScratch = {
      observations: new Float32Array(c.batchSize * this.obsSize),
      actions: new Int32Array(c.batchSize),
      rewards: new Float32Array(c.batchSize),
      nextObservations: new Float32Array(c.batchSize * this.obsSize),
      terminated: new Float32Array(c.batchSize),
    };
    this.initialized = !((usesWeightNorm(c.network.norm) || usesBatchStatistics(c.network.norm)) && c.network.dataDependentInit);
    this.nextTrainAt = c.learningStarts + c.trainFrequency;
    this.nextTargetAt = c.learningStarts + c.targetUpdateInterval;
  }

  get norm() {
    return this.config.network.norm;
  }

  setLogger(logger: Logger): void {
    this.logger = logger;
  }

  // --- acting ---

  /** Greedy actions: one batched forward pass in inference mode, one read-back. */
  private greedy(observations: Float32Array): Int32Array {
    const n = observations.length / this.obsSize;
    if (!Number.isInteger(n)) {
      throw ConfigError.single('observations', `has ${observations.length} values; expected a multiple of the observation size ${this.obsSize}`);
    }
    const values = forwardValues(this.qNetwork, observations, this.obsSize);
    const actions = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let a = 1; a < this.nActions; a++) if (values[i * this.nActions + a]! > values[i * this.nActions + best]!) best = a;
      actions[i] = best;
    }
    return actions;
  }

  /** ε of the ε-greedy policy at this point of training (linear from explorationInitialEps to explorationFinalEps over explorationFraction of the steps). */
  explorationRate(ctx: AgentContext): number {
    return this.epsilon(1 - ctx.step / ctx.totalSteps);
  }

  act(observations: Float32Array, ctx: AgentContext): Int32Array {
    const n = observations.length / this.obsSize;
    // Uniformly random actions until learning starts (they also feed data-dependent init).
    if (ctx.step < this.config.learningStarts) return Int32Array.from({ length: n }, () => this.randomAction());
    const eps = this.explorationRate(ctx);
    const explore = Array.from({ length: n }, () => this.exploreRng.random() < eps);
    const greedy = explore.every(Boolean) ? null : this.greedy(observations);
    return Int32Array.from({ length: n }, (_, i) => (explore[i] || greedy === null ? this.randomAction() : greedy[i]!));
  }

  predict(observations: Float32Array, opts: { deterministic?: boolean } = {}): Int32Array {
    if (opts.deterministic ?? true) return this.greedy(observations);
    const eps = this.config.explorationFinalEps;
    const greedy = this.greedy(observations);
    return greedy.map((a) => (this.exploreRng.random() < eps ? this.randomAction() : a));
  }

  inspect(observations: Float32Array): Inspection {
    return { kind: 'q', outputs: forwardValues(this.qNetwork, observations, this.obsSize), values: null };
  }

  // --- learning ---

  learn(t: Transition, ctx: AgentContext): Metrics | null {
    this.buffer.addBatch(t.observations, t.actions as Int32Array, t.rewards, t.nextObservations, t.terminated, t.truncated);
    if (ctx.step < this.config.learningStarts) return null;
    if (this.buffer.size < this.config.batchSize) {
      // Refilling after a resume (the buffer is not checkpointed): keep the schedules from piling up.
      this.resumeAt(ctx.step);
      return null;
    }
    if (!this.initialized) this.initializeFromBuffer();

    let last: Tensor | null = null;
    while (ctx.step >= this.nextTrainAt) {
      this.nextTrainAt += this.config.trainFrequency;
      for (let g = 0; g < this.config.gradientSteps; g++) {
        last?.dispose();
        last = this.update();
      }
    }
    while (ctx.step >= this.nextTargetAt) {
      this.nextTargetAt += this.config.targetUpdateInterval;
      polyakUpdate(this.targetNetwork, this.qNetwork, this.config.tau);
    }
    if (last === null) return null;
    // One read-back per learn call, for the last update's gradient norm (its loss and mean Q are numbers).
    const gradNorm = last.dataSync()[0]!;
    last.dispose();
    return {
      'train/loss': this.tdStats.loss,
      'train/gradNorm': gradNorm,
      'train/qMean': this.tdStats.qMean,
      'train/updates': this.updates,
      'rollout/explorationRate': this.explorationRate(ctx),
    };
  }

  /** Data-dependent init (weight-norm variants) from the random-policy observations already stored. */
  private initializeFromBuffer(): void {
    const obs = this.buffer.recentObservations(this.config.network.initSamples);
    const n = obs.length / this.obsSize;
    tf.tidy(() => {
      dataDependentInit(this.qNetwork, tf.tensor2d(obs, [n, this.obsSize]), { outputScale: this.config.network.outputInitScale ?? 1 });
    });
    hardUpdate(this.targetNetwork, this.qNetwork);
    this.initialized = true;
    this.logger.debug({ samples: n }, 'dqn: data-dependent init');
  }

  /** One gradient step on a replay batch; returns the gradient norm (kept, caller disposes); the loss and mean Q go to `tdStats`. */
  private update(): Tensor {
    const c = this.config;
    const B = c.batchSize;
    const batch = this.buffer.sample(B, this.batchScratch);
    this.updates++;
    return tf.tidy(() => {
      const obs = tf.tensor2d(batch.observations, [B, this.obsSize]);
      const nextObs = tf.tensor2d(batch.nextObservations, [B, this.obsSize]);
      // --- targets: no gradient; the target network in inference mode, read back once ---
      const valuesAtNext = (network: LayersModel) => forward(network, nextObs, false).dataSync() as Float32Array;
      const nextTarget = c.targetNetwork ? valuesAtNext(this.targetNetwork) : null;
      const head = { batch: B, actions: batch.actions, rewards: batch.rewards, terminated: batch.terminated, gamma: c.gamma, huberDelta: c.huberDelta, nextTarget };
      let r: OptimizerStepResult;
      // Plain batch statistics make a training-mode output depend on its batch, so s' must stay out of it.
      // Renormalized (the default) or without batch statistics, one pass over [s; s'] gives the loss, the
      // online network's a* (Double DQN) and, without a target network, the bootstrap itself (CrossQ's joint
      // forward: the statistics cover both s and s'); its s' rows pass no gradient.
      const plainBatchStatistics = usesBatchStatistics(this.norm) && c.network.batchRenorm === false;
      if (!plainBatchStatistics && (c.doubleDqn || nextTarget === null)) {
        const both = tf.concat([obs, nextObs]);
        r = this.optimizer.step(() => tdLossHead(forward(this.qNetwork, both, true), { ...head, nextOnline: 'rows' }, this.tdStats));
      } else {
        // a* (Double DQN), or the bootstrap without a target network, from an inference pass
        const nextOnline = c.doubleDqn || nextTarget === null ? valuesAtNext(this.qNetwork) : null;
        r = this.optimizer.step(() => tdLossHead(forward(this.qNetwork, obs, true), { ...head, nextOnline }, this.tdStats));
      }
      r.loss.dispose();
      return r.gradNorm;
    });
  }

  diagnostics(): Metrics {
    return weightNormTags([this.qNetwork]);
  }

  // --- persistence ---

  async save(dir: string): Promise<void> {
    fs.mkdirSync(dir, { recursive: true });
    await saveModel(this.qNetwork, path.join(dir, 'q'));
    await saveModel(this.targetNetwork, path.join(dir, 'q_target'));
    const { t } = saveOptimizer(this.optimizer, dir, 'optimizer');
    writeAgentFile(dir, {
      algo: this.algo,
      config: this.config,
      observationSpace: this.observationSpace.toJSON(),
      actionSpace: this.actionSpace.toJSON(),
      state: { seed: this.seed, optimizerSteps: t, updates: this.updates, initialized: this.initialized },
    });
  }

  /** Rebuilds an agent saved by `save(dir)`: config, both networks, optimizer state and counters. */
  static async load(dir: string, options: { logger?: Logger } = {}): Promise<DQN> {
    const { file, observationSpace, actionSpace } = readAgentFile(dir, 'dqn');
    const state = file.state as { seed?: number; optimizerSteps?: number; updates?: number };
    const agent = new DQN({
      ...(file.config as Omit<DqnConfigInput, 'algo'>),
      env: { observationSpace, actionSpace },
      seed: state.seed ?? 0,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    await loadWeightsInto(agent.qNetwork, path.join(dir, 'q'));
    await loadWeightsInto(agent.targetNetwork, path.join(dir, 'q_target'));
    loadOptimizer(agent.optimizer, dir, 'optimizer', state.optimizerSteps ?? 0);
    agent.updates = state.updates ?? 0;
    agent.initialized = true;
    return agent;
  }

  captureState(): unknown {
    return captureFields(this, ['buffer', 'exploreRng', 'actionSpace', 'nextTrainAt', 'nextTargetAt', 'updates', 'initialized']);
  }

  restoreState(state: unknown): void {
    restoreState(this, state as CapturedObject);
  }

  /** Continue a schedule from `step` environment steps (used when resuming a run without its state). */
  resumeAt(step: number): void {
    const c = this.config;
    const after = (start: number, every: number) => (step < start ? start : start + Math.ceil((step - start + 1) / every) * every);
    this.nextTrainAt = after(c.learningStarts + c.trainFrequency, c.trainFrequency);
    this.nextTargetAt = after(c.learningStarts + c.targetUpdateInterval, c.targetUpdateInterval);
  }

  dispose(): void {
    this.qNetwork.dispose();
    this.targetNetwork.dispose();
    this.optimizer.dispose();
  }

  /** A uniformly random action index (the VectorEnv contract: 0..n-1; the env adds its space's start). */
  private randomAction(): number {
    return this.actionSpace.sample() - this.actionSpace.start;
  }
}
