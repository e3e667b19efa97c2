// Python's Gymnasium environments as `gymnasium:ID` (needs `npx wnrl setup --gymnasium` once): the bridge
// runs them in a Python child process behind the same VectorEnv interface as wnrl's own envs.
// Run: npx tsx examples/gymnasium-env.ts [steps]
import { PPO, Trainer, openVectorEnv } from '../src/index.ts';

const steps = Number(process.argv[2] ?? 20_000);
const env = await openVectorEnv('gymnasium:CartPole-v1', { numEnvs: 4, seed: 1 });
try {
  const agent = new PPO({ env, seed: 1, network: { hidden: [64, 64], norm: 'weight' }, numSteps: 64, batchSize: 128 });
  const summary = await new Trainer({ agent, env, totalSteps: steps, seed: 1, evalInterval: 0, evalEpisodes: 4 }).run();
  console.log(`${env.singleObservationSpace.toString()} → ${env.singleActionSpace.toString()}: ${summary.episodes} episodes, final evaluation ${summary.evalReturnMean?.toFixed(1)}`);
} finally {
  await env.close(); // ends the Python process
}
