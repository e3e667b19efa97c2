// Recurrent PPO on CartPoleNoVel-v1, timed side by side with its peer: for each seed, one run at a time
// and interleaved, wnrl's recurrent PPO preset, sb3-contrib's RecurrentPPO with the RL Zoo's settings
// (bench/peers/sb3_recurrent_ppo.py, one torch thread) and wnrl's MLP PPO (the CartPole-v1 preset on the
// same task: a policy without memory). 100k steps each, no early stop. Prints per-seed wall seconds,
// seconds to the train-threshold (mean of the last 20 training episodes ≥ 475) and final evaluations,
// medians, and wnrl / sb3-contrib ratios.
// Run: npx tsx bench/recurrent.ts --seeds 1,2,3 [--python /path/to/python] [--out bench/out/recurrent] [--no-mlp]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { presetFor } from '../src/config/presets.ts';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1,2,3' },
    steps: { type: 'string', default: '100000' },
    python: { type: 'string', default: process.env['WNRL_PEER_PYTHON'] ?? 'python3' },
    out: { type: 'string', default: 'bench/out/recurrent' },
    /** Leave out the sb3-contrib runs (no peer installed). */
    'no-peer': { type: 'boolean', default: false },
    /** Leave out wnrl's MLP PPO (the memoryless contrast), e.g. when only the two recurrent ones matter. */
    'no-mlp': { type: 'boolean', default: false },
    'report-only': { type: 'boolean', default: false },
  },
});
const seeds = values.seeds.split(',').map(Number);
const steps = Number(values.steps);

interface Result {
  wallSeconds: number;
  secondsToThreshold: number | null;
  stepsToThreshold: number | null;
  evalReturnMean: number;
}

function run(cmd: string, args: string[], stdout: 'ignore' | 'pipe'): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', stdout, 'inherit'] });
    let text = '';
    child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}`))));
  });
}

async function wnrl(label: string, seed: number, config: object): Promise<Result> {
  const dir = path.join(values.out, `${label}-s${seed}`);
  if (!values['report-only']) {
    const file = path.join(values.out, `${label}.json`);
    fs.mkdirSync(values.out, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(config));
    const args = ['src/cli/bin.js', 'train', '--agent', 'ppo', '--env', 'CartPoleNoVel-v1', '--norm', 'weight', '--seed', String(seed), '--steps', String(steps), '--out', dir, '--force', '--no-progress', '--log-level', 'warn', '--config', file];
    await run(process.execPath, args, 'ignore');
  }
  return JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as Result;
}

async function sb3(seed: number): Promise<Result> {
  const file = path.join(values.out, `sb3-contrib-s${seed}.json`);
  if (!values['report-only']) {
    const text = await run(values.python, ['-W', 'ignore', 'bench/peers/sb3_recurrent_ppo.py', String(seed), String(steps)], 'pipe');
    fs.writeFileSync(file, text.trim().split('\n').at(-1)!);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Result;
}

// The MLP PPO preset of CartPole-v1, as it stands, on the velocity-free task: its env, agent and trainer
// sections replace the recurrent preset's (no LSTM, no normalizers), early stop off.
const cartpole = presetFor('ppo', 'CartPole-v1')!;
const mlpPreset = {
  env: { ...cartpole.env, wrappers: [] },
  agent: { ...cartpole.agent, network: { recurrent: null, hidden: [64, 64], ...(cartpole.agent?.['network'] as object) } },
  trainer: { ...cartpole.trainer, earlyStop: false },
};

const rows: Record<string, Result[]> = { 'wnrl recurrent PPO (weight)': [], 'sb3-contrib RecurrentPPO': [], 'wnrl MLP PPO (weight)': [] };
for (const seed of seeds) {
  rows['wnrl recurrent PPO (weight)']!.push(await wnrl('lstm', seed, { trainer: { earlyStop: false } }));
  if (!values['no-peer']) rows['sb3-contrib RecurrentPPO']!.push(await sb3(seed));
  if (!values['no-mlp']) rows['wnrl MLP PPO (weight)']!.push(await wnrl('mlp', seed, mlpPreset));
}

const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]! : Number.NaN);
const fmt = (x: number | null) => (x === null ? '-' : x.toFixed(1));
// Issue #12's target per seed: the train-threshold reached within the budget and a final evaluation ≥ 475.
const reaches = (r: Result) => r.stepsToThreshold !== null && r.evalReturnMean >= 475;
const header = ['', 'reach the target', 'wall s per seed', 'median wall s', 'steps to train-threshold per seed', 's to train-threshold per seed', 'median s to train-threshold', 'final eval per seed'];
let out = `CartPoleNoVel-v1, ${steps} steps, seeds ${seeds.join(',')}, one run at a time, interleaved per seed\n\n`;
out += `| ${header.join(' | ')} |\n| ${header.map(() => '---').join(' | ')} |\n`;
for (const [name, rs] of Object.entries(rows)) {
  if (rs.length === 0) continue;
  const kSteps = rs.map((r) => (r.stepsToThreshold === null ? '-' : `${(r.stepsToThreshold / 1000).toFixed(1)}k`)).join(' ');
  out += `| ${name} | ${rs.filter(reaches).length} of ${rs.length} | ${rs.map((r) => fmt(r.wallSeconds)).join(' ')} | ${fmt(median(rs.map((r) => r.wallSeconds)))} | ${kSteps} | ${rs.map((r) => fmt(r.secondsToThreshold)).join(' ')} | ${fmt(median(rs.map((r) => r.secondsToThreshold ?? Number.POSITIVE_INFINITY)))} | ${rs.map((r) => r.evalReturnMean.toFixed(0)).join(' ')} |\n`;
}
const ours = rows['wnrl recurrent PPO (weight)']!;
const peer = rows['sb3-contrib RecurrentPPO']!;
if (peer.length) {
  const ratio = (f: (r: Result) => number) => median(ours.map(f)) / median(peer.map(f));
  out += `\nwnrl / sb3-contrib: wall ${ratio((r) => r.wallSeconds).toFixed(2)}x, s to train-threshold ${ratio((r) => r.secondsToThreshold ?? Number.POSITIVE_INFINITY).toFixed(2)}x (medians)\n`;
}
process.stdout.write(out);
