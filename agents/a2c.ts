// A2C (Mnih et al. 2016, synchronous): n-step returns (GAE with λ = 1 by default) over a short rollout of
// every env, then one gradient step on the whole batch with RMSprop (or Adam). Rollouts, acting and
// persistence come from common/actor-critic.ts; this file is the update.
import type { LayersModel, Scalar, Variable } from '@tensorflow/tfjs-node';
import type { VectorEnv } from '../envs/vector/vector-env.ts';
import { tf } from '../src/backend.ts';
import { A2cConfig, type A2cConfigInput } from '../src/config/actor-critic.ts';
import { parseConfig } from '../src/config/parse.ts';
import type { Logger } from '../src/log/logger.ts';
import { FlatOptimizer } from '../src/nn/flat-optimizer.ts';
import type { AgentContext, Metrics } from './agent.ts';
import { ActorCritic, type ActorCriticEnvInfo, type Rollout } from './common/actor-critic.ts';
import { normalizeAdvantages } from './common/gae.ts';

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

  protected makeOptimizer(variables: (Variable | LayersModel['trainableWeights'][number])[]): FlatOptimizer {
    const c = this.config;
    return new FlatOptimizer(variables, { kind: c.optimizer, learningRate: c.learningRate, alpha: c.rmsAlpha, epsilon: c.optimizerEpsilon, maxGradNorm: c.maxGradNorm });
  }

  protected update(r: Rollout, ctx: AgentContext): Metrics {
    const c = this.config;
    this.optimizer.learningRate = this.learningRateAt(ctx);
    // The whole rollout as one batch of sequences (a view: the rollout is already in that order).
    const b = this.wholeRollout(r);
    const n = r.size;
    const out = tf.tidy(() => {
      const obs = tf.tensor2d(b.obs, [n, this.obsSize]);
      const actions = tf.tensor1d(b.actions);
      const advantages = tf.tensor1d(c.normalizeAdvantage && n > 1 ? normalizeAdvantages(b.advantages) : b.advantages);
      const returns = tf.tensor1d(b.returns);
      // --- loss: −mean(log π(a|s) · A) + c_v · mean((R − V)²) − c_e · mean(H); training mode only here ---
      const step = this.optimizer.step((extras) => {
        const { policy, value } = this.evaluate(b, obs, true);
        const { logProb, entropy } = this.logProbEntropy(policy, actions);
        const policyLoss = tf.neg(tf.mean(tf.mul(logProb, advantages))) as Scalar;
        const valueLoss = tf.mean(tf.square(tf.sub(returns, value))) as Scalar;
        const meanEntropy = tf.mean(entropy) as Scalar;
        extras.push(policyLoss, valueLoss, meanEntropy);
        return tf.add(tf.add(policyLoss, tf.mul(valueLoss, c.valueCoef)), tf.mul(meanEntropy, -c.entropyCoef)) as Scalar;
      });
      const scalars = [step.loss, ...step.extras, step.gradNorm];
      const packed = tf.stack(scalars);
      tf.dispose(scalars); // kept by the optimizer for us; the stack is all we read
      return packed;
    });
    const [loss, policyLoss, valueLoss, entropy, gradNorm] = out.dataSync();
    out.dispose();
    return {
      'train/loss': loss!,
      'train/policyLoss': policyLoss!,
      'train/valueLoss': valueLoss!,
      'train/entropy': entropy!,
      'train/gradNorm': gradNorm!,
      'train/learningRate': this.optimizer.learningRate,
    };
  }

  /** Rebuilds an agent saved by `save(dir)`: config, weights, optimizer state. */
  static load(dir: string, options: { logger?: Logger } = {}): Promise<A2C> {
    return ActorCritic.restore(dir, 'a2c', (config, env, seed) => new A2C({ ...(config as Omit<A2cConfigInput, 'algo'>), env, seed, ...(options.logger ? { logger: options.logger } : {}) }));
  }
}
