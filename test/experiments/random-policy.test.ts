import { expect, test } from 'vitest';
import { randomPolicyReturn } from '../../experiments/random-policy.ts';

test("a random policy's return is measured, seeded, and lands where the task's is known to be", async () => {
  // CartPole-v1 under uniform random actions: ~22 per episode (22.4 with the default seed, the figure the study reports print)
  const cartpole = await randomPolicyReturn({ id: 'CartPole-v1', numEnvs: 1, wrappers: [] });
  expect(cartpole.episodes).toBe(100);
  expect(cartpole.mean).toBeGreaterThan(18);
  expect(cartpole.mean).toBeLessThan(27);
  expect(await randomPolicyReturn({ id: 'CartPole-v1', numEnvs: 1, wrappers: [] })).toEqual(cartpole);
  // Box actions; Pendulum-v1 episodes of 200 steps under random torques: about −1200
  const pendulum = await randomPolicyReturn({ id: 'Pendulum-v1', numEnvs: 1, wrappers: [] }, 16);
  expect(pendulum.mean).toBeLessThan(-800);
  expect(pendulum.mean).toBeGreaterThan(-1700);
});
