// Replays every trajectory recorded from Gymnasium 1.3.0 (test/fixtures/gymnasium, a copy of
// ../shared/fixtures/gymnasium; WNRL_FIXTURES_DIR points at another folder of the same format): set the
// state, apply the actions, compare observation, state, reward (1e-6 relative to max(1, |value|)) and the
// flags (exactly) at every step.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { makeEnv, spaceFromJSON, type Action, type Env, type SpaceJson } from '../../envs/index.ts';

const dir = process.env.WNRL_FIXTURES_DIR ?? path.join(import.meta.dirname, '..', 'fixtures', 'gymnasium');

interface Trajectory {
  env_id: string;
  seed: number;
  reset_options: Record<string, number> | null;
  initial_state: number[];
  actions: (number | number[])[];
  steps: { obs: number[]; reward: number; terminated: boolean; truncated: boolean; state: number[] }[];
}

const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'spaces.json');
const close = (actual: number, expected: number) => Math.abs(actual - expected) <= 1e-6 * Math.max(1, Math.abs(expected));

function firstMismatch(env: Env, t: Trajectory): string | null {
  env.reset({ seed: 0, ...(t.reset_options ? { options: t.reset_options } : {}) });
  (env.unwrapped as unknown as { state: number[] }).state = t.initial_state;
  for (let i = 0; i < t.actions.length; i++) {
    const a = t.actions[i]!;
    const action: Action = typeof a === 'number' ? a : Float32Array.from(a);
    const r = env.step(action);
    const e = t.steps[i]!;
    const state = (env.unwrapped as unknown as { state: number[] }).state;
    for (let j = 0; j < e.obs.length; j++) if (!close(r.observation[j]!, e.obs[j]!)) return `step ${i}: obs[${j}] ${r.observation[j]} vs ${e.obs[j]}`;
    for (let j = 0; j < e.state.length; j++) if (!close(state[j]!, e.state[j]!)) return `step ${i}: state[${j}] ${state[j]} vs ${e.state[j]}`;
    if (!close(r.reward, e.reward)) return `step ${i}: reward ${r.reward} vs ${e.reward}`;
    if (r.terminated !== e.terminated) return `step ${i}: terminated ${r.terminated} vs ${e.terminated}`;
    if (r.truncated !== e.truncated) return `step ${i}: truncated ${r.truncated} vs ${e.truncated}`;
    if (r.observation.length !== e.obs.length) return `step ${i}: observation length ${r.observation.length} vs ${e.obs.length}`;
  }
  return null;
}

test('fixtures are present', () => {
  expect(files.length).toBeGreaterThanOrEqual(5);
});

// The test copy must be the shared reference set, byte for byte, wherever the shared folder exists (it
// sits next to the repository on the development machines; a clone elsewhere has only the copy).
const shared = path.join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures', 'gymnasium');
test.skipIf(!fs.existsSync(shared) || process.env.WNRL_FIXTURES_DIR !== undefined)('the test copy equals ../shared/fixtures/gymnasium', () => {
  const names = (d: string) => fs.readdirSync(d).sort();
  expect(names(dir)).toEqual(names(shared));
  for (const name of names(shared)) {
    expect(fs.readFileSync(path.join(dir, name)).equals(fs.readFileSync(path.join(shared, name))), name).toBe(true);
  }
});

for (const file of files) {
  const trajectories = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Trajectory[];
  describe(file, () => {
    test.each(trajectories.map((t, i) => [i, t.seed, t] as const))('trajectory %i (seed %i) matches Gymnasium step for step', (_i, _seed, t) => {
      expect(firstMismatch(makeEnv(t.env_id), t)).toBeNull();
    });
  });
}

test('spaces, time limits and reward thresholds match Gymnasium', () => {
  const spaces = JSON.parse(fs.readFileSync(path.join(dir, 'spaces.json'), 'utf8')) as Record<
    string,
    { observation_space: SpaceJson; action_space: SpaceJson & { start?: number }; max_episode_steps: number | null; reward_threshold: number | null }
  >;
  for (const [id, s] of Object.entries(spaces)) {
    const env = makeEnv(id);
    expect(env.observationSpace.toJSON(), id).toEqual(spaceFromJSON(s.observation_space).toJSON());
    expect(env.actionSpace.toJSON(), id).toEqual(spaceFromJSON({ start: 0, ...s.action_space }).toJSON());
    expect(env.spec?.maxEpisodeSteps, id).toBe(s.max_episode_steps);
    expect(env.spec?.rewardThreshold, id).toBe(s.reward_threshold);
  }
});
