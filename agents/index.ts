import fs from 'node:fs';
import path from 'node:path';
import type { VectorEnv } from '../envs/vector/vector-env.ts';
import { ConfigError } from '../src/config/parse.ts';
import type { AgentConfig } from '../src/config/run.ts';
import type { Logger } from '../src/log/logger.ts';
import type { Agent } from './agent.ts';
import { A2C } from './a2c.ts';
import { DQN } from './dqn.ts';
import { PPO } from './ppo.ts';

export type { Agent, AgentContext, Inspection, Metrics, PolicyStateHandle, PredictOptions, Transition } from './agent.ts';
export { MlpPolicy, RecurrentPolicy, createPolicy, type ActorCriticPolicy, type RecurrentState } from './common/policy.ts';
export { A2C, type A2cOptions } from './a2c.ts';
export { DQN, type DqnOptions } from './dqn.ts';
export { PPO, ppoLoss, type PpoOptions } from './ppo.ts';
export { computeGae } from './common/gae.ts';

/** Builds the agent a resolved config names. */
export function createAgent(config: AgentConfig, env: VectorEnv, seed: number, logger?: Logger): Agent {
  switch (config.algo) {
    case 'dqn': {
      const { algo: _algo, ...hyper } = config;
      return new DQN({ ...hyper, env, seed, ...(logger ? { logger } : {}) });
    }
    case 'ppo': {
      const { algo: _algo, ...hyper } = config;
      return new PPO({ ...hyper, env, seed, ...(logger ? { logger } : {}) });
    }
    case 'a2c': {
      const { algo: _algo, ...hyper } = config;
      return new A2C({ ...hyper, env, seed, ...(logger ? { logger } : {}) });
    }
  }
}

/** Loads whichever agent `dir` holds (from agent.json's algo). */
export async function loadAgent(dir: string, logger?: Logger): Promise<Agent> {
  const file = path.join(dir, 'agent.json');
  if (!fs.existsSync(file)) throw ConfigError.single(dir, 'has no agent.json; expected a checkpoint directory');
  const { algo } = JSON.parse(fs.readFileSync(file, 'utf8')) as { algo?: string };
  switch (algo) {
    case 'dqn':
      return DQN.load(dir, logger ? { logger } : {});
    case 'ppo':
      return PPO.load(dir, logger ? { logger } : {});
    case 'a2c':
      return A2C.load(dir, logger ? { logger } : {});
    default:
      throw ConfigError.single(`${file}.algo`, `is ${JSON.stringify(algo)}; expected one of 'dqn', 'ppo', 'a2c'`);
  }
}
