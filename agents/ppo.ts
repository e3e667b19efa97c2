// PPO (Schulman et al. 2017), clipped surrogate objective, on policy and value networks from buildMlp.
// Rollouts, GAE, acting and persistence come from common/actor-critic.ts; this file is the update:
// several epochs of shuffled minibatches of whole sequences (single steps for an MLP policy, every env's
// rollout for a recurrent one, re-run through time), each one fused optimizer step over both networks.
import type { LayersModel, Scalar, Tensor, Variable } from '@tensorflow/tfjs-node';
import type { VectorEnv } from '../envs/vector/vector-env.ts';
import { tf } from '../src/backend.ts';
import { PpoConfig, type PpoConfigInput } from '../src/config/actor-critic.ts';
import { ConfigError, parseConfig } from '../src/config/parse.ts';
import type { Logger } from '../src/log/logger.ts';
import { FlatOptimizer } from '../src/nn/flat-optimizer.ts';
import type { AgentContext, Metrics } from './agent.ts';
import { ActorCritic, type ActorCriticEnvInfo, type Rollout, type SequenceBatch } from './common/actor-critic.ts';
import { normalizeAdvantages } from './common/gae.ts';
import { ppoLossHead, type PpoStats } from './common/ppo-loss.ts';

/** PPO's constructor options: its hyperparameters (PpoConfig) plus the env (or its spaces), a seed and a logger. */
export type PpoOptions = Omit<PpoConfigInput, 'algo'> & { env: VectorEnv | ActorCriticEnvInfo; seed?: number; logger?: Logger };

const METRICS = ['train/loss', 'train/policyLoss', 'train/valueLoss', 'train/entropy', 'train/approxKl', 'train/clipFraction', 'train/gradNorm', 'train/learningRate', 'train/clipRange', 'train/epochs'] as const;

export interface PpoLossInput {
  logProb: Tensor;
  oldLogProb: Tensor;
  advantages: Tensor;
  entropy: Tensor;
  values: Tensor;
  oldValues: Tensor;
  returns: Tensor;
  clipRange: number;
  clipRangeVf: number | null;
  entropyCoef: number;
  valueCoef: number;
}

/**
 * The PPO loss pieces on one minibatch (advantages already normalized if wanted):
 *   L = −mean(min(ρA, clip(ρ, 1 ± ε)A)) + c_v · mean((R − V)²) − c_e · mean(H),   ρ = exp(log π − log π_old)
 * with V optionally clipped to old V ± ε_vf (as Stable-Baselines3). Also the approximate KL
 * mean((ρ − 1) − log ρ) and the fraction of clipped ratios.
 */
export function ppoLoss(x: PpoLossInput): { loss: Scalar; policyLoss: Scalar; valueLoss: Scalar; entropy: Scalar; approxKl: Scalar; clipFraction: Scalar } {
  const logRatio = tf.sub(x.logProb, x.oldLogProb);
  const ratio = tf.exp(logRatio);
  const unclipped = tf.mul(ratio, x.advantages);
  const clipped = tf.mul(tf.clipByValue(ratio, 1 - x.clipRange, 1 + x.clipRange), x.advantages);
  const policyLoss = tf.neg(tf.mean(tf.minimum(unclipped, clipped))) as Scalar;
  const valuePred = x.clipRangeVf === null ? x.values : tf.add(x.oldValues, tf.clipByValue(tf.sub(x.values, x.oldValues), -x.clipRangeVf, x.clipRangeVf));
  const valueLoss = tf.mean(tf.square(tf.sub(x.returns, valuePred))) as Scalar;
  const entropy = tf.mean(x.entropy) as Scalar;
  const loss = tf.add(tf.add(policyLoss, tf.mul(valueLoss, x.valueCoef)), tf.mul(entropy, -x.entropyCoef)) as Scalar;
  const approxKl = tf.mean(tf.sub(tf.sub(ratio, 1), logRatio)) as Scalar;
  const clipFraction = tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), x.clipRange), 'float32')) as Scalar;
  return { loss, policyLoss, valueLoss, entropy, approxKl, clipFraction };
}

/** Proximal policy optimization (Schulman et al. 2017), clipped objective, MLP or recurrent policy, any norm. */
export class PPO extends ActorCritic<PpoConfig> {
  readonly algo = 'ppo' as const;
  readonly metricNames: readonly string[] = METRICS;
  private readonly batch: SequenceBatch;

  constructor(options: PpoOptions) {
    const { env, seed, logger, ...hyper } = options;
    const config = parseConfig(PpoConfig, { ...hyper, algo: 'ppo' }, 'ppo');
    super(config, { env, ...(seed === undefined ? {} : { seed }), ...(logger ? { logger } : {}) });
    const rolloutSize = config.numSteps * this.numEnvs;
    if (rolloutSize % config.batchSize !== 0) {
      throw ConfigError.single(
        'ppo.batchSize',
        `is ${config.batchSize}, which does not divide the rollout of numSteps × numEnvs = ${config.numSteps} × ${this.numEnvs} = ${rolloutSize}; pick a divisor`,
      );
    }
    const { length } = this.sequenceLayout();
    if (config.batchSize % length !== 0) {
      throw ConfigError.single(
        'ppo.batchSize',
        `is ${config.batchSize}; a recurrent policy trains on whole env rollouts of numSteps = ${length} steps, so batchSize must be a multiple of ${length} (e.g. ${length * Math.max(1, Math.floor(this.numEnvs / 2))})`,
      );
    }
    this.batch = this.sequenceBatch(config.batchSize / length);
  }

  protected makeOptimizer(variables: (Variable | LayersModel['trainableWeights'][number])[], stateOrder: Int32Array | null): FlatOptimizer {
    return new FlatOptimizer(variables, { kind: 'adam', learningRate: this.config.learningRate, epsilon: this.config.adamEpsilon, maxGradNorm: this.config.maxGradNorm, stateOrder });
  }

  protected update(r: Rollout, ctx: AgentContext): Metrics {
    const c = this.config;
    const remaining = Math.max(0, 1 - ctx.step / ctx.totalSteps);
    this.optimizer.learningRate = this.learningRateAt(ctx);
    const clipRange = c.clipRangeSchedule === 'linear' ? c.clipRange * remaining : c.clipRange;
    const s = this.batch;
    const { count } = this.sequenceLayout();
    const order = Int32Array.from({ length: count }, (_, i) => i);
    let gradNorm: Tensor | null = null;
    const stats: PpoStats = { loss: 0, policyLoss: 0, valueLoss: 0, entropy: 0, approxKl: 0, clipFraction: 0 };
    let epochs = 0;
    let stop = false;

    for (let epoch = 0; epoch < c.updateEpochs && !stop; epoch++) {
      epochs++;
      this.shuffle(order, epoch);
      for (let start = 0; start < count; start += s.B) {
        // --- gather the minibatch in JavaScript (time-major), upload once ---
        this.gatherSequences(r, order.subarray(start, start + s.B), s);
        const n = s.T * s.B;
        const advantages = c.normalizeAdvantage && n > 1 ? normalizeAdvantages(s.advantages, s.advantages) : s.advantages;
        tf.dispose(gradNorm ?? []);
        gradNorm = tf.tidy(() => {
          const obs = tf.tensor2d(s.obs, [n, this.obsSize]);
          // --- loss: training mode only here (the batch-norm rule in src/nn); the head is one op (common/ppo-loss.ts) ---
          const step = this.optimizer.step(() => {
            const out = this.evaluate(s, obs, true);
            const head = { discrete: this.discrete, actSize: this.actSize, actions: s.actions, oldLogProb: s.logProbs, advantages, returns: s.returns, oldValues: s.values };
            return ppoLossHead(out, this.discrete ? null : this.logStd!, { ...head, clipRange, clipRangeVf: c.clipRangeVf, entropyCoef: c.entropyCoef, valueCoef: c.valueCoef }, stats);
          });
          step.loss.dispose();
          return step.gradNorm;
        });
        // Target-KL early stop: the KL comes with the loss, no read-back.
        if (c.targetKl !== null && stats.approxKl > 1.5 * c.targetKl) {
          stop = true;
          break;
        }
      }
    }
    // --- the last minibatch's statistics; one read-back, of its gradient norm ---
    const norm = gradNorm === null ? Number.NaN : gradNorm.dataSync()[0]!;
    tf.dispose(gradNorm ?? []);
    return {
      'train/loss': stats.loss,
      'train/policyLoss': stats.policyLoss,
      'train/valueLoss': stats.valueLoss,
      'train/entropy': stats.entropy,
      'train/approxKl': stats.approxKl,
      'train/clipFraction': stats.clipFraction,
      'train/gradNorm': norm,
      'train/learningRate': this.optimizer.learningRate,
      'train/clipRange': clipRange,
      'train/epochs': epochs,
    };
  }

  /**
   * The epoch's minibatch order: shuffles the sequence ids in `order` in place (seeded Fisher-Yates over
   * whole sequences: single steps for an MLP, env rollouts for an LSTM). A replay of another
   * implementation's update (bench/ppo-update-trace.ts) puts that implementation's order here.
   */
  protected shuffle(order: Int32Array, _epoch: number): void {
    for (let i = order.length - 1; i > 0; i--) {
      const j = this.rng.int(i + 1);
      const tmp = order[i]!;
      order[i] = order[j]!;
      order[j] = tmp;
    }
  }

  /** Rebuilds an agent saved by `save(dir)`: config, weights, optimizer state. */
  static load(dir: string, options: { logger?: Logger } = {}): Promise<PPO> {
    return ActorCritic.restore(dir, 'ppo', (config, env, seed) => new PPO({ ...(config as Omit<PpoConfigInput, 'algo'>), env, seed, ...(options.logger ? { logger: options.logger } : {}) }));
  }
}
