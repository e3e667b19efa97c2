// Callbacks: watch every episode, and stop training from code when the last 20 episodes average 195.
// Run: npx tsx examples/custom-callback.ts [steps]
import { DQN, Trainer, makeVectorEnv } from '../src/index.ts';

const steps = Number(process.argv[2] ?? 50_000);
const env = makeVectorEnv('CartPole-v1', { numEnvs: 8, seed: 1 });
const agent = new DQN({ env, seed: 1, network: { hidden: [64, 64], norm: 'weight' }, learningStarts: 1_000, trainFrequency: 8, targetUpdateInterval: 800 });
const recent: number[] = [];
let best = -Infinity;
const summary = await new Trainer({
  agent,
  env,
  totalSteps: steps,
  seed: 1,
  evalInterval: 0,
  callbacks: {
    onEpisode: (e) => {
      recent.push(e.return);
      if (recent.length > 20) recent.shift();
      best = Math.max(best, e.return);
    },
    // returning false stops training after this step
    onStep: () => !(recent.length === 20 && recent.reduce((a, b) => a + b, 0) / 20 >= 195),
  },
}).run();
console.log(`${summary.totalSteps < steps ? 'stopped early' : 'used the whole budget'}: ${summary.totalSteps} steps, ${summary.episodes} episodes, best episode ${best}`);
await env.close();
