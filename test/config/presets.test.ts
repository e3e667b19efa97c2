import { expect, test } from 'vitest';
import { createAgent } from '../../agents/index.ts';
import { makeVectorEnv } from '../../envs/index.ts';
import { presetFor, presetKeys } from '../../src/config/presets.ts';
import { resolveRunConfig } from '../../src/config/run.ts';

test.each(presetKeys())('preset %s resolves to a valid run config and builds its agent', (key) => {
  const [algo, envId] = key.split(':') as [string, string];
  const config = resolveRunConfig([{ env: { id: envId }, agent: { algo } }]);
  expect(config.agent.algo).toBe(algo);
  expect(config.env.id).toBe(envId);
  const env = makeVectorEnv(envId, { numEnvs: config.env.numEnvs, seed: 0, wrappers: config.env.wrappers });
  const agent = createAgent(config.agent, env, 0);
  expect(agent.algo).toBe(algo);
  agent.dispose();
  // Reward normalization discounts with the agent's own γ (as the RL Zoo passes γ to VecNormalize).
  for (const w of config.env.wrappers) {
    if (w.type === 'normalizeReward') expect(w.gamma, `${key}: normalizeReward.gamma`).toBe((config.agent as { gamma?: number }).gamma);
  }
});

test('layers override the preset, and unknown pairs fall back to the schema defaults', () => {
  expect(presetFor('dqn', 'CartPole-v1')).toBeDefined();
  const c = resolveRunConfig([{ env: { id: 'CartPole-v1' }, agent: { algo: 'dqn', learningRate: 0.01 } }]);
  expect(c.agent).toMatchObject({ learningRate: 0.01, trainFrequency: 256, gradientSteps: 128 });
  const d = resolveRunConfig([{ env: { id: 'MountainCar-v0' }, agent: { algo: 'dqn' } }]);
  expect(d.agent).toMatchObject({ learningRate: 1e-3, trainFrequency: 4, gradientSteps: 1 });
});
