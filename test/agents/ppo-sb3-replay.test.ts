// wnrl's PPO against Stable-Baselines3's, on a recording of SB3's (test/fixtures/sb3/ppo-update-pendulum.json:
// SB3 2.x PPO on Pendulum-v1, seed 1, [16, 16] tanh, 256-step rollout, 4 epochs of minibatch 64, its other
// defaults; regenerate with bench/peers/sb3_ppo_update_trace.py and the fixture's own `case`). From SB3's
// initial weights, wnrl's networks, GAE and update (in SB3's minibatch order) must land where SB3's did.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Rollout } from '../../agents/common/actor-critic.ts';
import { computeGae } from '../../agents/common/gae.ts';
import type { PpoOptions } from '../../agents/ppo.ts';
import { Box } from '../../envs/index.ts';
import { PPO_SB3_DEFAULTS } from '../../src/config/presets.ts';
import { diff, f32, gaussianLogProbs, paramDiff, ReplayPpo, sb3ParamNames, sb3Params, type Sb3Trace } from '../helpers/sb3-replay.ts';

const trace = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'sb3', 'ppo-update-pendulum.json'), 'utf8')) as Sb3Trace & {
  steps: NonNullable<Sb3Trace['steps']>;
  case: { hyper: { n_steps: number; n_epochs: number; policy_kwargs: { net_arch: number[] } } };
};
const T = trace.case.hyper.n_steps;
const hidden = trace.case.hyper.policy_kwargs.net_arch;
const names = sb3ParamNames(hidden.length);
const theirs = (p: Sb3Trace['paramsBefore']) => sb3Params(p, hidden.length);

function options(overrides: Partial<PpoOptions> = {}): PpoOptions {
  return {
    env: { observationSpace: new Box(-Infinity, Infinity, [3]), actionSpace: new Box(-2, 2, [1]), numEnvs: 1 },
    seed: 1,
    network: { hidden, activation: 'tanh', norm: 'none', init: 'orthogonal' },
    ...PPO_SB3_DEFAULTS,
    numSteps: T,
    updateEpochs: trace.case.hyper.n_epochs,
    ...overrides,
  };
}

const rollout = (): Rollout => ({
  observations: f32(trace.rollout.observations),
  actions: f32(trace.rollout.actions),
  logProbs: f32(trace.rollout.logProbs),
  values: f32(trace.rollout.values),
  advantages: f32(trace.rollout.advantages),
  returns: f32(trace.rollout.returns),
  episodeStarts: Uint8Array.from(trace.rollout.episodeStarts),
  size: T,
});

/** wnrl's PPO from SB3's initial weights, its update run on SB3's rollout in SB3's order. */
async function replayed(overrides: Partial<PpoOptions> = {}): Promise<ReplayPpo> {
  const agent = new ReplayPpo(options(overrides), [trace.permutations]);
  await agent.loadSb3(trace.paramsBefore);
  return agent;
}

describe("PPO replays Stable-Baselines3's first update on Pendulum-v1", () => {
  let agent: ReplayPpo;
  beforeAll(async () => {
    agent = await replayed();
  });
  afterAll(() => agent.dispose());

  test("SB3's weights load: values and log-probabilities of the rollout are SB3's", () => {
    expect(paramDiff(agent.params(), theirs(trace.paramsBefore), names).worst.abs).toBe(0);
    const out = agent.inspect(f32(trace.rollout.observations))!;
    expect(diff(out.values!, trace.rollout.values).rel).toBeLessThan(1e-5);
    const logProbs = gaussianLogProbs(out.outputs, trace.rollout.actions, trace.paramsBefore['log_std'] as number[]);
    expect(diff(logProbs, trace.rollout.logProbs).abs).toBeLessThan(1e-5);
  });

  test("GAE with the truncation bootstrapped from the critic's V(final observation) gives SB3's advantages", () => {
    const truncated = Uint8Array.from(trace.steps, (s) => (s.truncated ? 1 : 0));
    expect(truncated.reduce((a, b) => a + b, 0)).toBe(1); // Pendulum's 200-step limit inside the 256 steps
    const truncationValues = new Float32Array(T);
    trace.steps.forEach((s, t) => {
      if (s.truncated) truncationValues[t] = agent.inspect(f32(s.finalObservation!))!.values![0]!;
    });
    const gae = computeGae({
      rewards: f32(trace.steps.map((s) => s.reward)),
      values: f32(trace.rollout.values),
      terminated: Uint8Array.from(trace.steps, (s) => (s.terminated ? 1 : 0)),
      truncated,
      truncationValues,
      lastValues: f32(trace.lastValues),
      numEnvs: 1,
      gamma: 0.99,
      gaeLambda: 0.95,
    });
    expect(diff(gae.advantages, trace.rollout.advantages).rel).toBeLessThan(1e-5);
    expect(diff(gae.returns, trace.rollout.returns).rel).toBeLessThan(1e-5);
  });

  test("the update lands on SB3's weights after its first gradient step and after all of them", () => {
    const before = agent.params();
    agent.replay(rollout(), { step: T, totalSteps: 100_000 });
    expect(agent.gradNorms).toHaveLength(trace.losses.length);
    expect(diff(agent.gradNorms, trace.losses.map((l) => l.gradNorm)).rel).toBeLessThan(1e-5);
    const first = paramDiff(agent.afterFirstStep!, theirs(trace.paramsAfterFirstStep), names);
    expect(first.worst.rel).toBeLessThan(1e-4);
    const after = paramDiff(agent.params(), theirs(trace.paramsAfter), names);
    const moved = paramDiff(before, theirs(trace.paramsAfter), names);
    // every parameter moved, by far more than the two implementations differ
    for (const row of after.rows) {
      const m = moved.rows.find((r) => r.name === row.name)!;
      expect(row.abs, row.name).toBeLessThan(m.abs / 1000);
    }
  });
});

test("the replay notices a different optimizer (Adam's ε 1e-8 instead of SB3's 1e-5)", async () => {
  const agent = await replayed({ adamEpsilon: 1e-8 });
  const before = agent.params();
  agent.replay(rollout(), { step: T, totalSteps: 100_000 });
  const after = paramDiff(agent.params(), theirs(trace.paramsAfter), names);
  const moved = paramDiff(before, theirs(trace.paramsAfter), names);
  const worst = after.rows.map((r, k) => r.abs / moved.rows[k]!.abs).reduce((a, b) => Math.max(a, b));
  expect(worst).toBeGreaterThan(1e-3);
  agent.dispose();
});
