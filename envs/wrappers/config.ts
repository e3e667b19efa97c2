// Wrapper config entries `{ type, ...params }` (JSON-friendly, zod-validated) and the one documented order
// in which makeEnv stacks them, innermost first:
//
//   task -> [EnvChecker] -> TimeLimit -> RecordEpisodeStatistics -> StickyActions -> ClipAction
//        -> Flicker -> ObservationNoise -> MaskVelocity -> RewardNoise -> NormalizeObservation -> NormalizeReward
//
// Statistics sit inside every noise wrapper, so `info.episode` holds the task's true return; the agent sees
// the outermost observation and reward. MaskVelocity sits outside the observation noise: an entry the task
// does not observe stays 0 (noise there would be scaled ~1e4x by the normalizer, its running std being ~0).
// The order entries are listed in does not matter.
import { z } from 'zod';
import type { Env } from '../core.ts';
import { ClipAction } from './clip-action.ts';
import { Flicker } from './flicker.ts';
import { MaskVelocity } from './mask-velocity.ts';
import { NormalizeObservation } from './normalize-observation.ts';
import { NormalizeReward } from './normalize-reward.ts';
import { ObservationNoise } from './observation-noise.ts';
import { RecordEpisodeStatistics } from './record-episode-statistics.ts';
import { RewardNoise } from './reward-noise.ts';
import { StickyActions } from './sticky-actions.ts';
import { TimeLimit } from './time-limit.ts';

/** Which statistics a normalizer keeps at episode ends (running-mean-std.ts: NormalizerConvention). */
const NORMALIZER_CONVENTION = z.enum(['gymnasium', 'sb3'], { error: "expected 'gymnasium' or 'sb3'" });

const nonNegative = z.number({ error: 'expected a finite number >= 0' }).nonnegative({ error: 'expected a finite number >= 0' }).finite();

/** A wrapper as a config entry, `{ type, ...params }` (type the wrapper's name in camelCase): the schema every config and flag goes through. */
export const WrapperConfig = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('timeLimit'), maxEpisodeSteps: z.number().int().positive({ error: 'expected a positive integer' }) }),
    z.strictObject({ type: z.literal('recordEpisodeStatistics') }),
    z.strictObject({ type: z.literal('stickyActions'), p: z.number().min(0, { error: 'expected a probability in [0, 1]' }).max(1, { error: 'expected a probability in [0, 1]' }) }),
    z.strictObject({ type: z.literal('clipAction') }),
    z.strictObject({ type: z.literal('maskVelocity'), indices: z.array(z.number().int().nonnegative()).optional() }),
    z.strictObject({ type: z.literal('flicker'), p: z.number().min(0, { error: 'expected a probability in [0, 1]' }).max(1, { error: 'expected a probability in [0, 1]' }) }),
    z.strictObject({ type: z.literal('observationNoise'), std: nonNegative }),
    z.strictObject({ type: z.literal('rewardNoise'), std: nonNegative }),
    z.strictObject({
      type: z.literal('normalizeObservation'),
      epsilon: z.number().positive().optional(),
      clip: z.number().positive().optional(),
      /** 'sb3': an ended episode's final observation does not update the statistics (SB3's VecNormalize); default 'gymnasium'. */
      convention: NORMALIZER_CONVENTION.optional(),
    }),
    z.strictObject({
      type: z.literal('normalizeReward'),
      gamma: z.number().min(0, { error: 'expected a discount in [0, 1]' }).max(1, { error: 'expected a discount in [0, 1]' }).optional(),
      epsilon: z.number().positive().optional(),
      /** Clip the scaled reward to ±clip (SB3's VecNormalize: 10); none by default, as Gymnasium. */
      clip: z.number().positive().optional(),
      /** 'sb3': the discounted return restarts after every episode end, truncations included (SB3's VecNormalize); default 'gymnasium'. */
      convention: NORMALIZER_CONVENTION.optional(),
    }),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? `unknown wrapper type; expected one of ${WRAPPER_ORDER.join(', ')}` : undefined) },
);
/** A parsed wrapper entry (see the schema of the same name). */
export type WrapperConfig = z.infer<typeof WrapperConfig>;
export type WrapperConfigInput = z.input<typeof WrapperConfig>;

/** Innermost first. */
export const WRAPPER_ORDER = [
  'timeLimit',
  'recordEpisodeStatistics',
  'stickyActions',
  'clipAction',
  'flicker',
  'observationNoise',
  'maskVelocity',
  'rewardNoise',
  'normalizeObservation',
  'normalizeReward',
] as const;

/** `wrappers` with `w` in place of any entry of its type (a test-time perturbation replacing a training one). */
export function replaceWrapper<W extends { type: string }>(wrappers: readonly W[], w: W): W[] {
  return [...wrappers.filter((x) => x.type !== w.type), w];
}

/** Orders wrapper entries canonically (stable for entries of the same type). */
export function orderWrappers(configs: readonly WrapperConfig[]): WrapperConfig[] {
  return [...configs].sort((a, b) => WRAPPER_ORDER.indexOf(a.type) - WRAPPER_ORDER.indexOf(b.type));
}

/** Wraps `env` in the wrapper a config entry describes. */
export function applyWrapper(env: Env, c: WrapperConfig): Env {
  switch (c.type) {
    case 'timeLimit':
      return new TimeLimit(env, c.maxEpisodeSteps);
    case 'recordEpisodeStatistics':
      return new RecordEpisodeStatistics(env);
    case 'stickyActions':
      return new StickyActions(env, c.p);
    case 'clipAction':
      return new ClipAction(env);
    case 'maskVelocity':
      return new MaskVelocity(env, c.indices);
    case 'flicker':
      return new Flicker(env, c.p);
    case 'observationNoise':
      return new ObservationNoise(env, c.std);
    case 'rewardNoise':
      return new RewardNoise(env, c.std);
    case 'normalizeObservation':
      return new NormalizeObservation(env, c.epsilon, c.clip ?? null, c.convention);
    case 'normalizeReward':
      return new NormalizeReward(env, c.gamma, c.epsilon, c.clip ?? null, c.convention);
  }
}
