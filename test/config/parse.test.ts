import { expect, test } from 'vitest';
import { z } from 'zod';
import { positiveInt } from '../../src/config/common.ts';
import { ConfigError, closest, parseConfig } from '../../src/config/parse.ts';

const Network = z.strictObject({
  hidden: z.array(positiveInt()).default([64, 64]),
  activation: z.enum(['tanh', 'relu']).default('tanh'),
});
const Config = z.strictObject({ network: Network.default({ hidden: [64, 64], activation: 'tanh' }), gamma: z.number().default(0.99) });

test('defaults fill a missing config', () => {
  expect(parseConfig(Config, {})).toEqual({ network: { hidden: [64, 64], activation: 'tanh' }, gamma: 0.99 });
});

test('every problem is reported on its own line with its path and the offending value', () => {
  let caught: unknown;
  try {
    parseConfig(Config, { network: { hidden: [64, -3], activation: 'sigmoid', extra: 1 }, gamma: 'high' });
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  const err = caught as ConfigError;
  expect(err.code).toBe('CONFIG');
  expect(err.issues.map((i) => i.path).sort()).toEqual(['gamma', 'network.activation', 'network.extra', 'network.hidden[1]']);
  expect(err.message).toContain('network.hidden[1]: expected a positive integer; got -3');
  expect(err.message).toContain('network.extra: unknown key');
  expect(err.message.split('\n')).toHaveLength(4);
});

test('a where-prefix names the source of the config', () => {
  expect(() => parseConfig(positiveInt(), 0, '--steps')).toThrow('--steps: expected a positive integer; got 0');
});

test('closest suggests near spellings only', () => {
  expect(closest('CartPole-v0', ['CartPole-v1', 'Acrobot-v1', 'Pendulum-v1'])).toEqual(['CartPole-v1']);
  expect(closest('zzzzzz', ['CartPole-v1'])).toEqual([]);
});
