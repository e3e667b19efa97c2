// What a checkpoint costs: wall time and bytes of what the Trainer writes (networks, optimizer state,
// agent.json, trainer.json, and resume.bin with the agent's buffers and the envs' states), for the agents
// at their preset sizes, DQN with its replay buffer full. The same code path as the Trainer's (the
// checkpoint folder written to a temporary name, then swapped in with the previous one kept).
// Run: npx tsx bench/checkpoint.ts [--repeats 5]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Agent } from '../agents/agent.ts';
import { DQN } from '../agents/dqn.ts';
import { PPO } from '../agents/ppo.ts';
import { Box, Discrete } from '../envs/spaces/space.ts';
import { makeVectorEnv } from '../envs/vector/vector-env.ts';
import { backendInfo } from '../src/backend.ts';
import { writeCheckpointDir, writeJsonAtomic } from '../src/train/run-dir.ts';
import { writeResumeState } from '../src/train/resume.ts';
import { captureState } from '../envs/snapshot.ts';

const { values } = parseArgs({ options: { repeats: { type: 'string', default: '5' } } });
const repeats = Number(values.repeats);
const say = (line: string) => process.stdout.write(`${line}\n`);

/** A DQN whose buffer holds `size` transitions of `obsSize` (random values: the bytes are what count). */
function fullDqn(obsSize: number, bufferSize: number, hidden: number[]): DQN {
  const agent = new DQN({ env: { observationSpace: new Box(-1, 1, [obsSize]), actionSpace: new Discrete(3) }, seed: 1, network: { hidden }, bufferSize, batchSize: 64, learningStarts: 1000 });
  const chunk = 1000;
  const obs = new Float32Array(chunk * obsSize).map(() => Math.random());
  const actions = new Int32Array(chunk);
  const rewards = new Float32Array(chunk).fill(1);
  const flags = new Uint8Array(chunk);
  const buffer = (agent as unknown as { buffer: { addBatch: (...a: unknown[]) => void } }).buffer;
  for (let i = 0; i < bufferSize; i += chunk) buffer.addBatch(obs, actions, rewards, obs, flags, flags);
  return agent;
}

const cases: { label: string; make: () => Agent }[] = [
  { label: 'PPO [64, 64], CartPole-v1 (8 envs × 32 steps)', make: () => new PPO({ env: makeVectorEnv('CartPole-v1', { numEnvs: 8 }), seed: 1, network: { hidden: [64, 64] }, numSteps: 32, batchSize: 256 }) },
  { label: 'recurrent PPO, LSTM 64 + [64], CartPoleNoVel-v1', make: () => new PPO({ env: makeVectorEnv('CartPoleNoVel-v1', { numEnvs: 8 }), seed: 1, network: { hidden: [64], recurrent: { type: 'lstm', units: 64 } }, numSteps: 32, batchSize: 256 }) },
  { label: 'DQN [256, 256], CartPole-v1, buffer 100k full', make: () => fullDqn(4, 100_000, [256, 256]) },
  { label: 'DQN [256, 256], 11 observations, buffer 1M full', make: () => fullDqn(11, 1_000_000, [256, 256]) },
];

const env = makeVectorEnv('CartPole-v1', { numEnvs: 8, seed: 1 });
await env.reset({ seed: 1 });
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-checkpoint-bench-'));
say(`backend: ${backendInfo().backend}; ${repeats} checkpoints each, median\n`);
say('| agent | ms per checkpoint (median) | bytes | of which resume.bin |');
say('| --- | --- | --- | --- |');
for (const c of cases) {
  const agent = c.make();
  const dir = path.join(root, 'checkpoint');
  const ms: number[] = [];
  let resumeBytes = 0;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    await writeCheckpointDir(dir, async (tmp) => {
      await agent.save(tmp);
      writeJsonAtomic(path.join(tmp, 'trainer.json'), { step: 0, episodes: 0 });
      resumeBytes = writeResumeState(tmp, { trainer: { step: 0, episodes: 0, window: [], recentLengths: [], stepsToThreshold: null, secondsToThreshold: null, lastEval: null, lastEvalStep: -1, lastMetrics: null, wallSeconds: 0, updateMs: 0, updateCalls: 0 }, observations: new Float32Array(32), env: captureState(env), evalEnv: captureState(env), agent: agent.captureState?.() ?? null, files: {} });
    });
    ms.push(performance.now() - t0);
  }
  const bytes = fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).reduce((n, e) => n + fs.statSync(path.join(e.parentPath, e.name)).size, 0);
  ms.sort((a, b) => a - b);
  const mb = (b: number) => (b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${(b / 1e3).toFixed(0)} KB`);
  say(`| ${c.label} | ${ms[Math.floor(ms.length / 2)]!.toFixed(1)} | ${mb(bytes)} | ${mb(resumeBytes)} |`);
  agent.dispose();
  fs.rmSync(path.join(root, 'checkpoint'), { recursive: true, force: true });
  fs.rmSync(path.join(root, 'checkpoint.prev'), { recursive: true, force: true });
}
fs.rmSync(root, { recursive: true, force: true });
