// A2C (Mnih et al. 2016, synchronous): n-step returns (GAE with λ = 1 by default) over a short rollout of
// every env, then one gradient step on the whole batch with RMSprop (or Adam). Rollouts, acting and
// persistence come from common/actor-critic.ts; this file is the update.
import type { LayersModel, Variable } from '@tensorflow/tfjs-node';
import type { VectorEnv } from '../envs/vector/vector-env.ts';
import { tf } from '../src/backend.ts';
import { A2cConfig, type A2cConfigInput } from '../src/config/actor-critic.ts';
import { parseConfig } from '../src/config/parse.ts';
import type { Logger } from '../src/log/logger.ts';
import { FlatOptimizer } from '../src/nn/flat-optimizer.ts';
import type { AgentContext, Metrics } from './agent.ts';
import { ActorCritic, type ActorCriticEnvInfo, type Rollout } from './common/actor-critic.ts';
import { normalizeAdvantages } from './common/gae.ts';
import { ppoLossHead, type PpoStats } from './common/ppo-loss.ts';

/** A2C's constructor options: its hyperparameters (A2cConfig) plus the env (or its spaces), a seed and a logger. */
export type A2cOptions = Omit<A2cConfigInput, 'algo'> & { env: VectorEnv | ActorCriticEnvInfo; seed?: number; logger?: Logger };

const METRICS = ['train/loss', 'train/policyLoss', 'train/valueLoss', 'train/entropy', 'train/gradNorm', 'train/learningRate'] as const;

/** Synchronous advantage actor-critic (Mnih et al. 2016): short rollouts of every env, one gradient step per rollout, MLP or recurrent policy, any norm. */
export class A2C extends ActorCritic<A2cConfig> {
  readonly algo = 'a2c' as const;
  readonly metricNames: readonly string[] = METRICS;

  constructor(options: A2cOptions) {
    const { env, seed, logger, ...hyper } = options;
    super(parseConfig(A2cConfig, { ...hyper, algo: 'a2c' }, 'a2c'), { env, ...(seed === undefined ? {} : { seed }), ...(logger ? { logger } : {}) });
  }

  protected makeOptimizer(variables: (Variable | LayersModel['trainableWeights'][number])[], stateOrder: Int32Array | null): FlatOptimizer {
    const c = this.config;
    return new FlatOptimizer(variables, { kind: c.optimizer, learningRate: c.learningRate, alpha: c.rmsAlpha, epsilon: c.optimizerEpsilon, maxGradNorm: c.maxGradNorm, stateOrder });
  }

  protected update(r: Rollout, ctx: AgentContext): Metrics {
    const c = this.config;
    this.optimizer.learningRate = this.learningRateAt(ctx);
    // The whole rollout as one batch of sequences (a view: the rollout is already in that order).
    const b = this.wholeRollout(r);
    const n = r.size;
    const advantages = c.normalizeAdvantage && n > 1 ? normalizeAdvantages(b.advantages) : b.advantages;
    const stats: PpoStats = { loss: 0, policyLoss: 0, valueLoss: 0, entropy: 0, approxKl: 0, clipFraction: 0 };
    const gradNorm = tf.tidy(() => {
      const obs = tf.tensor2d(b.obs, [n, this.obsSize]);
      // --- loss: −mean(log π(a|s) · A) + c_v · mean((R − V)²) − c_e · mean(H), one op (common/ppo-loss.ts); training mode only here ---
      const step = this.optimizer.step(() => {
        const out = this.evaluate(b, obs, true);
        const head = { objective: 'vanilla' as const, discrete: this.discrete, actSize: this.actSize, actions: b.actions, oldLogProb: b.logProbs, advantages, returns: b.returns, oldValues: b.values };
        return ppoLossHead(out, this.discrete ? null : this.logStd!, { ...head, clipRange: Infinity, clipRangeVf: null, entropyCoef: c.entropyCoef, valueCoef: c.valueCoef }, stats);
      });
      step.loss.dispose();
      return step.gradNorm;
    });
    const norm = gradNorm.dataSync()[0]!;
    gradNorm.dispose();
    return {
      'train/loss': stats.loss,
      'train/policyLoss': stats.policyLoss,
      'train/valueLoss': stats.valueLoss,
      'train/entropy': stats.entropy,
      'train/gradNorm': norm,
      'train/learningRate': this.optimizer.learningRate,
    };
  }

  /** Rebuilds an agent saved by `save(dir)`: config, weights, optimizer state. */
  static load(dir: string, options: { logger?: Logger } = {}): Promise<A2C> {
    return ActorCritic.restore(dir, 'a2c', (config, env, seed) => new A2C({ ...(config as Omit<A2cConfigInput, 'algo'>), env, seed, ...(options.logger ? { logger: options.logger } : {}) }));
  }
}
