// `npm run bench`: every benchmark, printed as ratios against a baseline measured in the same process.
import { backendInfo, oneDnnMatMulActive } from '../src/backend.ts';
import { benchEnvs } from './envs.ts';
import { benchNn, markdownTable } from './nn.ts';
import { benchUpdateCost } from './update-cost.ts';

const out = (s: string) => process.stdout.write(`${s}\n`);
const info = backendInfo();
out(`backend: ${info.backend} (TensorFlow ${info.tensorflowVersion}), TF_ENABLE_ONEDNN_OPTS=${process.env.TF_ENABLE_ONEDNN_OPTS}, large products on oneDNN: ${oneDnnMatMulActive} (bench/matmul.ts)`);

out('\n## Environments (CartPole-v1, random actions)');
const envs = await benchEnvs();
const base = envs['CartPole-v1 raw task']!;
for (const [name, sps] of Object.entries(envs)) out(`${name.padEnd(48)} ${(sps / 1e6).toFixed(2)} M steps/s  (${(sps / base).toFixed(2)}x raw)`);

out('\n## Networks: ms per training step and per acting pass (x none)');
const nn = benchNn();
out(markdownTable(nn.header, nn.rows));

out('\n## Agent updates: ms and kernels per gradient step (x none, same process)');
out(await benchUpdateCost(5));
