// Runs that survive interruption: checkpoints by wall time (the last two kept), SIGTERM/SIGINT that finish
// the step, checkpoint and exit 75 ("interrupted, resumable"), a damaged newest checkpoint that falls back
// to the previous one, and resume messages that say what to do.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { DQN } from '../../agents/dqn.ts';
import { makeVectorEnv } from '../../envs/index.ts';
import { EXIT_INTERRUPTED } from '../../src/cli/train.ts';
import { createLogger } from '../../src/log/logger.ts';
import { findCheckpoint } from '../../src/train/run-dir.ts';
import { Trainer } from '../../src/train/trainer.ts';
import { runCli } from '../helpers/capture.ts';

const root = path.resolve(import.meta.dirname, '../..');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-interrupt-'));
const quiet = createLogger({ level: 'silent', console: false });

const cli = runCli;

test('checkpoints come by wall time too (checkpointSeconds), and the previous one is kept beside the newest', async () => {
  const runDir = path.join(tmp(), 'run');
  const env = makeVectorEnv('CartPole-v1', { numEnvs: 4, seed: 1 });
  const agent = new DQN({ env, seed: 1, network: { hidden: [16] }, learningStarts: 100, trainFrequency: 4 });
  const steps: number[] = [];
  await new Trainer({
    agent,
    env,
    runDir,
    totalSteps: 3_000,
    seed: 1,
    evalInterval: 0,
    evalEpisodes: 2,
    checkpointInterval: 0, // never by steps
    checkpointSeconds: 1e-6, // every step is due
    logger: quiet,
    callbacks: {
      onStep: ({ step }) => {
        if (step % 1_000 === 0) steps.push(JSON.parse(fs.readFileSync(path.join(runDir, 'checkpoint', 'trainer.json'), 'utf8')).step as number);
      },
    },
  }).run();
  // onStep runs before that step's checkpoint: the checkpoint it sees is the previous step's (4 envs)
  expect(steps).toEqual([996, 1_996, 2_996]);
  const prev = JSON.parse(fs.readFileSync(path.join(runDir, 'checkpoint.prev', 'trainer.json'), 'utf8')) as { step: number };
  const last = JSON.parse(fs.readFileSync(path.join(runDir, 'checkpoint', 'trainer.json'), 'utf8')) as { step: number };
  expect(last.step).toBe(3_000);
  expect(prev.step).toBeLessThan(last.step);
  agent.dispose();
  await env.close();
}, 60_000);

test('SIGTERM finishes the step, writes a checkpoint and exits 75 without summary.json; --resume finishes the run', async () => {
  const out = path.join(tmp(), 'run');
  const child = spawn(process.execPath, [path.join(root, 'src/cli/bin.js'), 'train', '--env', 'CartPole-v1', '--agent', 'ppo', '--norm', 'weight', '--steps', '200000', '--seed', '3', '--out', out, '--no-progress', '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  // wait until training is under way (episodes are being logged)
  await new Promise<void>((resolve, reject) => {
    const t = setInterval(() => {
      if (fs.existsSync(path.join(out, 'log.jsonl')) && fs.readFileSync(path.join(out, 'log.jsonl'), 'utf8').includes('"msg":"episode"')) {
        clearInterval(t);
        resolve();
      }
    }, 100);
    setTimeout(() => reject(new Error(`training never started: ${err}`)), 60_000);
  });
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(code, err).toBe(EXIT_INTERRUPTED);
  expect(err).toContain('interrupted at step');
  expect(err).toContain(`wnrl train --out ${out} --resume`);
  expect(fs.existsSync(path.join(out, 'summary.json'))).toBe(false);
  const state = JSON.parse(fs.readFileSync(path.join(out, 'checkpoint', 'trainer.json'), 'utf8')) as { step: number };
  expect(state.step).toBeGreaterThan(0);
  expect(state.step).toBeLessThan(200_000);
  const resumed = await cli(['train', '--resume', '--out', out, '--steps', String(state.step + 512)]);
  expect(resumed.code, resumed.err).toBe(0);
  expect(JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')).totalSteps).toBeGreaterThanOrEqual(state.step + 512);
}, 120_000);

test('a damaged newest checkpoint falls back to the previous one with a warning; no checkpoint at all says to restart with --force', async () => {
  const out = path.join(tmp(), 'run');
  const first = await cli(['train', '--env', 'CartPole-v1', '--agent', 'ppo', '--norm', 'none', '--steps', '512', '--seed', '2', '--out', out, '--no-progress', '--log-level', 'warn']);
  expect(first.code, first.err).toBe(0);
  const extended = await cli(['train', '--resume', '--out', out, '--steps', '1024', '--log-level', 'warn']);
  expect(extended.code, extended.err).toBe(0);
  // two checkpoints now (512 as the previous, 1024 the newest); cut the newest short, as a kill mid-write would
  expect(findCheckpoint(out)).toEqual({ dir: path.join(out, 'checkpoint'), fellBack: false });
  fs.writeFileSync(path.join(out, 'checkpoint', 'trainer.json'), '{"step": 10');
  expect(findCheckpoint(out)).toEqual({ dir: path.join(out, 'checkpoint.prev'), fellBack: true });
  const resumed = await cli(['train', '--resume', '--out', out, '--steps', '1536', '--log-level', 'warn']);
  expect(resumed.code, resumed.err).toBe(0);
  expect(resumed.err).toContain('resuming from the previous checkpoint');

  const fresh = path.join(tmp(), 'run');
  fs.mkdirSync(fresh);
  fs.copyFileSync(path.join(out, 'config.json'), path.join(fresh, 'config.json'));
  const none = await cli(['train', '--resume', '--out', fresh]);
  expect(none.code).toBe(2);
  expect(none.err).toContain('has no checkpoint yet');
  expect(none.err).toContain('start it again with --force');
}, 120_000);
