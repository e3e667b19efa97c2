import { z } from 'zod';
import { nonNegativeInt, positiveInt, seed } from './common.ts';


/**
 * A test-time perturbation swept over strengths after training: the final policy is evaluated once per
 * value (evalEpisodes deterministic episodes, the same seed for every value and run) with the
 * wrapper set to that value, replacing a training-time wrapper of the same type (0 removes it).
 */
export const RobustnessSweep = z
  .strictObject({
    wrapper: z.enum(['observationNoise', 'flicker', 'stickyActions'], { error: "expected 'observationNoise' (std), 'flicker' (p) or 'stickyActions' (p)" }),
    values: z.array(z.number().nonnegative({ error: 'expected values >= 0' }).finite()).min(1),
  })
  .refine((s) => s.wrapper === 'observationNoise' || s.values.every((v) => v <= 1), { error: 'flicker and stickyActions take probabilities in [0, 1]', path: ['values'] });
export type RobustnessSweep = z.output<typeof RobustnessSweep>;

export const TrainerConfig = z.strictObject({
  /** Environment steps (summed over envs). */
  totalSteps: positiveInt().default(100_000),
  seed: seed().default(0),
  /** Environment steps between evaluations (0: only the final one). */
  evalInterval: nonNegativeInt().default(10_000),
  evalEpisodes: positiveInt().default(20),
  /** Stop when an evaluation's mean return reaches the reward threshold. */
  earlyStop: z.boolean().default(true),
  /**
   * The return that counts as solved (early stop, stepsToThreshold, the `solved` of benchmarks). Default:
   * the env's registered rewardThreshold; set it for envs registered without one (Pendulum-v1, as in
   * Gymnasium), or null for none.
   */
  rewardThreshold: z.number().nullable().optional(),
  /** Environment steps between checkpoints (0: only the final one). */
  checkpointInterval: nonNegativeInt().default(50_000),
  /**
   * Wall seconds between checkpoints as well (whichever of this and checkpointInterval comes first), so a
   * kill never loses more than this much work; 0: steps only.
   */
  checkpointSeconds: z.number().min(0, { error: 'expected a number of seconds ≥ 0' }).default(300),
  /** Environment steps between rows of metrics.csv / TensorBoard points. */
  metricsInterval: positiveInt().default(2_000),
  /** Window of training episodes for the solved criterion and the progress display. */
  returnWindow: positiveInt().default(20),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Videos while training: every `everySteps` environment steps, `episodes` deterministic episodes on a
   * fresh copy of the env, drawn by its render() into videos/step-<N>.gif in the run directory (null: none).
   */
  video: z
    .strictObject({ everySteps: positiveInt(), episodes: positiveInt().default(1), fps: z.number().positive().default(30) })
    .nullable()
    .default(null),
  /** Robustness curves: evaluations of the final policy under swept test-time perturbations. */
  robustness: z.array(RobustnessSweep).default([]),
});
export type TrainerConfig = z.output<typeof TrainerConfig>;
export type TrainerConfigInput = z.input<typeof TrainerConfig>;
