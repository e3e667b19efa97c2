import { expect, test } from 'vitest';
import { createAgent } from '../../agents/index.ts';
import { openVectorEnv } from '../../envs/index.ts';
import { presetFor, presetKeys } from '../../src/config/presets.ts';
import { resolveRunConfig } from '../../src/config/run.ts';

test.each(presetKeys())('preset %s resolves to a valid run config and builds its agent', async (key) => {
  const algo = key.slice(0, key.indexOf(':'));
  const envId = key.slice(key.indexOf(':') + 1); // gymnasium:Hopper-v5 keeps its prefix
  const config = resolveRunConfig([{ env: { id: envId }, agent: { algo } }]);
  expect(config.agent.algo).toBe(algo);
  expect(config.env.id).toBe(envId);
  // Bridged ids (MuJoCo) open through the bridge, with the preset's wrappers around the Python copies.
  const env = await openVectorEnv(envId, { numEnvs: config.env.numEnvs, seed: 0, wrappers: config.env.wrappers });
  try {
    const agent = createAgent(config.agent, env, 0);
    expect(agent.algo).toBe(algo);
    agent.dispose();
  } finally {
    await env.close();
  }
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

test("a norm's overrides apply when the run names that norm, and layers still win", () => {
  const resolve = (agent: Record<string, unknown>) => resolveRunConfig([{ env: { id: 'gymnasium:Hopper-v5' }, agent: { algo: 'ppo', ...agent } }]).agent;
  // The preset's own norm (weight, the schema's default) takes its tuned rate; `none` takes SB3's.
  expect(resolve({})).toMatchObject({ learningRate: 1.5e-4, network: { norm: 'weight' } });
  expect(resolve({ network: { norm: 'weight' } })).toMatchObject({ learningRate: 1.5e-4 });
  expect(resolve({ network: { norm: 'none' } })).toMatchObject({ learningRate: 3e-4, network: { norm: 'none', hidden: [64, 64] } });
  // Norms without an override keep the entry's settings.
  expect(resolve({ network: { norm: 'layer' } })).toMatchObject({ learningRate: 1.5e-4 });
  expect(resolve({ network: { norm: 'none' }, learningRate: 1e-4 })).toMatchObject({ learningRate: 1e-4 });
  expect(presetFor('ppo', 'gymnasium:Hopper-v5', 'none')!.agent!['learningRate']).toBe(3e-4);
  expect(presetFor('ppo', 'gymnasium:Hopper-v5')).not.toHaveProperty('byNorm');
  // An unknown norm still fails in the schema, naming the field.
  expect(() => resolve({ network: { norm: 'group' } })).toThrow(/agent\.network\.norm/);
});
