import { z } from 'zod';

/** summary.json: written last and atomically; its presence means the run finished. */
export const Summary = z.object({
  env: z.string(),
  agent: z.enum(['dqn', 'a2c', 'ppo']),
  norm: z.string(),
  seed: z.number().nullable(),
  totalSteps: z.number(),
  wallSeconds: z.number(),
  stepsPerSecond: z.number(),
  episodes: z.number(),
  /** First env step at which the mean return of the last `returnWindow` training episodes reached the threshold. */
  stepsToThreshold: z.number().nullable(),
  /** Wall seconds since training began at that step. */
  secondsToThreshold: z.number().nullable(),
  evalReturnMean: z.number().nullable(),
  evalReturnStd: z.number().nullable(),
  evalEpisodes: z.number(),
  rewardThreshold: z.number().nullable(),
  earlyStopped: z.boolean(),
  /** Mean wall milliseconds per agent update (learn calls that updated). */
  msPerUpdate: z.number().nullable(),
  backend: z.string(),
  version: z.string(),
  /** Set when SIGINT/SIGTERM stopped the run (a checkpoint was written; no summary.json). */
  interrupted: z.boolean().optional(),
  /** Final-policy evaluations under test-time perturbations (trainer.robustness), one entry per sweep. */
  robustness: z
    .array(z.object({ wrapper: z.string(), values: z.array(z.number()), returnMeans: z.array(z.number()) }))
    .optional(),
});
export type Summary = z.infer<typeof Summary>;
