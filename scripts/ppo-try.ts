// Scratch: train PPO/A2C with the preset through the library and print the summary (tuning helper).
import { createAgent } from '../agents/index.ts';
import { makeVectorEnv } from '../envs/index.ts';
import { resolveRunConfig } from '../src/config/run.ts';
import { createLogger } from '../src/log/logger.ts';
import { Trainer } from '../src/train/trainer.ts';

const [algo = 'ppo', envId = 'CartPole-v1', norm = 'weight', seedArg = '1', extra = '{}'] = process.argv.slice(2);
const seed = Number(seedArg);
const config = resolveRunConfig([{ env: { id: envId }, agent: { algo, network: { norm } }, trainer: { seed } }, JSON.parse(extra)]);
const env = makeVectorEnv(config.env.id, { numEnvs: config.env.numEnvs, seed, wrappers: config.env.wrappers });
const agent = createAgent(config.agent, env, seed);
const s = await new Trainer({ ...config.trainer, agent, env, logger: createLogger({ level: 'warn', console: false }), ...(process.env['RUNDIR'] ? { runDir: process.env['RUNDIR'] } : {}) }).run();
console.log(JSON.stringify({ algo, norm, seed, steps: s.totalSteps, wall: Number(s.wallSeconds.toFixed(1)), eval: s.evalReturnMean, sps: Math.round(s.stepsPerSecond), stt: s.stepsToThreshold, stts: s.secondsToThreshold && Number(s.secondsToThreshold.toFixed(1)), msu: Number(s.msPerUpdate?.toFixed(2)), early: s.earlyStopped }));
