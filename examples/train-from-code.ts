// Train PPO with weight norm on CartPole-v1 from code, evaluate it, save it and load it back.
// Run: npx tsx examples/train-from-code.ts [steps]
import { PPO, Trainer, evaluate, makeVectorEnv } from '../src/index.ts';

const steps = Number(process.argv[2] ?? 50_000);
const env = makeVectorEnv('CartPole-v1', { numEnvs: 8, seed: 1 });
const agent = new PPO({ env, seed: 1, network: { hidden: [64, 64], norm: 'weight' }, numSteps: 32, batchSize: 256, learningRate: 3e-3 });
const summary = await new Trainer({ agent, env, totalSteps: steps, seed: 1, runDir: 'runs/example-ppo', evalEpisodes: 10 }).run();
console.log(`final evaluation ${summary.evalReturnMean?.toFixed(1)} after ${summary.totalSteps} steps`);

await agent.save('runs/example-ppo/agent');
const again = await PPO.load('runs/example-ppo/agent');
const evalEnv = makeVectorEnv('CartPole-v1', { numEnvs: 4, seed: 100 });
const { mean } = await evaluate(again, evalEnv, 8);
console.log(`loaded agent: mean return ${mean.toFixed(1)} over 8 episodes`);
await Promise.all([env.close(), evalEnv.close()]);
