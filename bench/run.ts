// `npm run bench`: every benchmark, printed as ratios against a baseline measured in the same process.
import { benchEnvs } from './envs.ts';

const out = (s: string) => process.stdout.write(`${s}\n`);

out('## Environments (CartPole-v1, random actions)');
const envs = await benchEnvs();
const base = envs['CartPole-v1 raw task']!;
for (const [name, sps] of Object.entries(envs)) out(`${name.padEnd(48)} ${(sps / 1e6).toFixed(2)} M steps/s  (${(sps / base).toFixed(2)}x raw)`);
