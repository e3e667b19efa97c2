import { expect, test } from 'vitest';
import { Box, Discrete, Rng, captureState, checkEnv, makeEnv, restoreState, type CapturedObject, type Env, type StepResult } from '../../envs/index.ts';
import { ScriptedEnv } from '../helpers/scripted-env.ts';

const ok = (o: Float32Array): StepResult => ({ observation: o, reward: 0, terminated: false, truncated: false, info: {} });

test('the built-in tasks and the example pass', async () => {
  for (const id of ['CartPole-v1', 'Acrobot-v1', 'MountainCar-v0', 'MountainCarContinuous-v0', 'Pendulum-v1']) {
    expect(checkEnv(makeEnv(id)), id).toEqual([]);
  }
  const example = await import('../../examples/custom-env.ts');
  expect(checkEnv(example.default())).toEqual([]);
});

test('a space that is not a Space', () => {
  const env = new ScriptedEnv();
  (env as unknown as { observationSpace: unknown }).observationSpace = { shape: [2] };
  expect(checkEnv(env)).toEqual(['ScriptedEnv: observationSpace is an object; expected a Box or Discrete']);
});

test('an observation of the wrong type', () => {
  const env = new ScriptedEnv({ step: () => ({ ...ok(new Float32Array(2)), observation: [0, 0] as unknown as Float32Array }) });
  expect(checkEnv(env)).toContain('ScriptedEnv step 0: observation is an array; expected a Float32Array');
});

test('an observation of the wrong length', () => {
  const env = new ScriptedEnv({ step: () => ok(new Float32Array(3)) });
  expect(checkEnv(env)).toContain('ScriptedEnv step 0: observation has length 3; expected 2');
});

test('a NaN or infinite observation', () => {
  const env = new ScriptedEnv({ step: (e) => ok(new Float32Array([e.t === 5 ? Number.NaN : 0, 0])) });
  expect(checkEnv(env)).toContain('ScriptedEnv step 4: observation[0] is NaN; expected a finite number');
});

test('an observation outside the observation space', () => {
  const env = new ScriptedEnv({ step: () => ok(new Float32Array([0, 5e6])) });
  expect(checkEnv(env)[0]).toMatch(/step 0: observation\[1\] is 5000000; expected a value in \[-1000000, 1000000\]/);
});

test('a reward that is not a finite number', () => {
  const nan = new ScriptedEnv({ step: () => ({ ...ok(new Float32Array(2)), reward: Number.NaN }) });
  expect(checkEnv(nan)).toContain('ScriptedEnv step 0: reward is NaN; expected a finite number');
  const str = new ScriptedEnv({ step: () => ({ ...ok(new Float32Array(2)), reward: '1' as unknown as number }) });
  expect(checkEnv(str)).toContain('ScriptedEnv step 0: reward is a string; expected a finite number');
});

test('flags that are not booleans', () => {
  const env = new ScriptedEnv({ step: () => ({ ...ok(new Float32Array(2)), terminated: 0 as unknown as boolean, truncated: undefined as unknown as boolean }) });
  const problems = checkEnv(env);
  expect(problems).toContain('ScriptedEnv step 0: terminated is a number; expected a boolean');
  expect(problems).toContain('ScriptedEnv step 0: truncated is undefined; expected a boolean');
});

test('a missing info object', () => {
  const env = new ScriptedEnv({ step: () => ({ ...ok(new Float32Array(2)), info: null as unknown as Record<string, unknown> }) });
  expect(checkEnv(env)).toContain('ScriptedEnv step 0: info is null; expected an object');
});

test('a reset that ignores its seed', () => {
  let calls = 0;
  const env = new ScriptedEnv({ reset: () => ({ observation: new Float32Array([calls++, 0]), info: {} }) });
  expect(checkEnv(env)).toContain(
    'ScriptedEnv reset: observation differs between two resets with the same seed; expected reset({ seed }) to be deterministic',
  );
});

test('a step that throws', () => {
  const env = new ScriptedEnv({
    step: () => {
      throw new Error('boom');
    },
  });
  expect(checkEnv(env)).toEqual(['ScriptedEnv step 0: step() threw: boom']);
});

test('every problem is reported, not just the first', () => {
  const env: Env<number> = new ScriptedEnv({ step: () => ({ observation: new Float32Array(1), reward: Number.NaN, terminated: false, truncated: 1 as unknown as boolean, info: {} }) });
  expect(checkEnv(env)).toHaveLength(3);
  expect(new Box(0, 1, [2]).contains(new Float32Array([0.5, 0.5]))).toBe(true);
});

/** A random walk whose position lives in a closure (invisible to a snapshot) or in a field. */
function walker(kind: 'closure' | 'field' | 'custom'): Env<number> {
  let hidden = 0;
  const rng = new Rng(1);
  const env: Record<string, unknown> & { pos: number } = {
    observationSpace: new Box(-1e6, 1e6, [1]),
    actionSpace: new Discrete(2),
    pos: 0,
    rng,
    get unwrapped(): unknown {
      return env;
    },
    reset(opts?: { seed?: number }) {
      if (opts?.seed !== undefined) rng.seed(opts.seed);
      hidden = 0;
      env.pos = 0;
      return { observation: new Float32Array([0]), info: {} };
    },
    step(a: number) {
      const d = (a === 1 ? 1 : -1) + rng.normal();
      if (kind === 'field') env.pos += d;
      else hidden += d;
      const x = kind === 'field' ? env.pos : hidden;
      return { observation: new Float32Array([x]), reward: x, terminated: false, truncated: false, info: {} };
    },
    ...(kind === 'custom'
      ? {
          getState: () => ({ hidden, rng: captureState(rng) }),
          setState: (s: { hidden: number; rng: CapturedObject }) => {
            hidden = s.hidden;
            restoreState(rng, s.rng);
          },
        }
      : {}),
  };
  return env as unknown as Env<number>;
}

test('with make(), a snapshot written into a fresh instance must continue as the original: state kept out of sight fails, fields and getState()/setState() pass', () => {
  expect(checkEnv(walker('field'), { make: () => walker('field') })).toEqual([]);
  expect(checkEnv(walker('custom'), { make: () => walker('custom') })).toEqual([]);
  const problems = checkEnv(walker('closure'), { make: () => walker('closure') });
  expect(problems).toHaveLength(1);
  expect(problems[0]).toMatch(/snapshot: state restored into a fresh instance, it continues differently .*define getState\(\) and setState\(state\)/);
  // the classic-control tasks pass it
  for (const id of ['CartPole-v1', 'Acrobot-v1', 'Pendulum-v1']) expect(checkEnv(makeEnv(id), { make: () => makeEnv(id) }), id).toEqual([]);
});
