// Scratch tuning helper (not shipped behaviour): trains DQN on CartPole-v1 with hyperparameters from env vars.
import { DQN } from '../agents/dqn.ts';
import { makeVectorEnv } from '../envs/index.ts';
import type { Norm } from '../src/config/network.ts';
import { createLogger } from '../src/log/logger.ts';
import { Trainer } from '../src/train/trainer.ts';

const norm = (process.argv[2] ?? 'weight') as Norm;
const seed = Number(process.argv[3] ?? 1);
const e = (k: string, d: number) => Number(process.env[k] ?? d);
const env = makeVectorEnv('CartPole-v1', { numEnvs: e('NENV', 8), seed });
const agent = new DQN({
  env,
  seed,
  network: { hidden: [e('H', 64), e('H', 64)], activation: (process.env['ACT'] ?? 'relu') as 'relu', norm },
  learningRate: e('LR', 5e-4),
  batchSize: e('BS', 256),
  bufferSize: 100000,
  learningStarts: e('LS', 1000),
  trainFrequency: e('TF', 8),
  gradientSteps: e('GS', 2),
  tau: e('TAU', 0.005),
  targetUpdateInterval: e('TUI', 8),
  explorationFraction: e('EF', 0.2),
  explorationFinalEps: e('FE', 0.02),
  gamma: e('GAMMA', 0.99),
});
const s = await new Trainer({
  agent,
  env,
  totalSteps: e('STEPS', 100000),
  seed,
  evalInterval: e('EI', 5000),
  evalEpisodes: 20,
  logger: createLogger({ level: 'warn', console: false }),
  ...(process.env['RUNDIR'] ? { runDir: `${process.env['RUNDIR']}/${process.env['CFG']}-${norm}-${seed}` } : {}),
  earlyStop: process.env['NOSTOP'] === undefined,
}).run();
process.stdout.write(
  `${JSON.stringify({ cfg: process.env['CFG'], norm, seed, steps: s.totalSteps, wall: Number(s.wallSeconds.toFixed(1)), eval: s.evalReturnMean, sps: Math.round(s.stepsPerSecond), stt: s.stepsToThreshold, msu: Number(s.msPerUpdate?.toFixed(2)), early: s.earlyStopped })}\n`,
);
