// Parity with the reference implementations: for each case, wnrl with the peer's exact settings (norm
// `none`, then `weight`) and the peer itself (Stable-Baselines3 / sb3-contrib through
// bench/peers/sb3_parity.py, one torch thread), one run at a time, interleaved per seed. Both learning
// curves go through the same statistics: AUC = mean over the budget of the mean of the last 20 training
// episodes (areaUnderCurve, as the study), IQM with a bootstrap interval over seeds; median steps to the
// training threshold (that window's mean reaching it; a run that never does counts as +∞); final
// deterministic evaluation (20 episodes) IQM; steps per second. Each run's result is kept in --out (committed:
// bench/results/parity), so an interrupted invocation resumes where it stopped and --report-only prints the
// table from a clone.
//
// Run: npx tsx bench/parity.ts --cases ppo-cartpole,a2c-cartpole,dqn-cartpole,ppo-pendulum,rppo-cartpolenovel
//        --seeds 1..10 [--norms none,weight,preset,weight@learningRate=3e-4] [--python <venv with torch, SB3, sb3-contrib>] [--out bench/results/parity]
//        [--steps N: a speed run, every budget N steps on both sides, into another --out]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { deriveSeed } from '../envs/rng.ts';
import { areaUnderCurve, iqm, median, medianReached, stratifiedBootstrap, type Interval } from '../experiments/stats.ts';
import { PPO_SB3_DEFAULTS, presetFor, vecNormalize } from '../src/config/presets.ts';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: 'ppo-cartpole' },
    seeds: { type: 'string', default: '1..10' },
    norms: { type: 'string', default: 'none,weight' },
    python: { type: 'string', default: process.env['WNRL_PEER_PYTHON'] ?? 'python3' },
    /** Each run's result (<case>/<impl>-s<seed>.json: its episodes, final evaluation, wall time): committed, so the table reprints from a clone. */
    out: { type: 'string', default: 'bench/results/parity' },
    /** wnrl's run directories (logs, checkpoints): not committed. */
    work: { type: 'string', default: 'bench/out/parity-runs' },
    /** Leave out the peer (no SB3 installed): wnrl's rows only. */
    'no-peer': { type: 'boolean', default: false },
    'report-only': { type: 'boolean', default: false },
    /** A speed run: every case's budget becomes this many steps on both sides (use another --out: the results are not the learning table's). */
    steps: { type: 'string' },
  },
});

/** "1..10" or "1,2,5" */
function parseSeeds(s: string): number[] {
  const range = /^(\d+)\.\.(\d+)$/.exec(s);
  if (range) return Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => Number(range[1]) + i);
  return s.split(',').map(Number);
}

interface Case {
  /** What the peer's settings are (the Zoo file and entry). */
  source: string;
  agent: 'ppo' | 'a2c' | 'dqn';
  env: string;
  steps: number;
  /** Training threshold: the mean of the last 20 training episodes reaching it. */
  threshold: number;
  /** wnrl's run config (agent, env, trainer) for a norm: every setting the peer's case fixes. */
  wnrl: (norm: string) => Record<string, unknown>;
  /** sb3_parity.py's case, without seed. */
  peer: Record<string, unknown>;
  /** Known, deliberate differences (printed under the table). */
  notes?: string;
}

const noEval = { earlyStop: false, evalInterval: 0, evalEpisodes: 20, checkpointInterval: 1e9 };

// Zoo ppo.yml CartPole-v1: 8 envs × 32 steps, batch 256, 20 epochs, lr and clip lin_1e-3 / lin_0.2, γ 0.98,
// λ 0.8, no entropy bonus; SB3's MlpPolicy defaults ([64, 64] tanh, ortho_init, Adam ε 1e-5, grad norm 0.5).
const PPO_CARTPOLE = { ...PPO_SB3_DEFAULTS, numSteps: 32, batchSize: 256, gaeLambda: 0.8, gamma: 0.98, updateEpochs: 20, learningRate: 1e-3, learningRateSchedule: 'linear', clipRangeSchedule: 'linear' };

// vecNormalize(γ) (src/config/presets.ts): SB3's convention at episode ends (bench/vecnormalize-trace.ts).
// Runs made before commit 0795f64 used Gymnasium's convention (the final observation of an episode in the
// statistics, the discounted return carried over truncations).

/**
 * A MuJoCo case (issue #27): the Zoo's tuned settings for the v3 task, on v5, both sides (VecNormalize with
 * the algorithm's γ, both clips 10; 1M steps). `agent` is wnrl's agent config with those settings;
 * `peerHyper` and `policyKwargs` restate it in SB3's names.
 */
function mujocoCase(id: string, threshold: number, agent: Record<string, unknown>, peerHyper: Record<string, unknown>, policyKwargs: Record<string, unknown>): Case {
  const gamma = agent['gamma'] as number;
  return {
    source: `rl-zoo ppo.yml ${id.replace('-v5', '-v3')} on ${id}`,
    agent: 'ppo',
    env: `gymnasium:${id}`,
    steps: 1_000_000,
    threshold,
    wnrl: (norm) => ({
      env: { numEnvs: 1, wrappers: vecNormalize(gamma) },
      agent: { numSteps: 512, adamEpsilon: 1e-5, ...agent, network: { ...(agent['network'] as object), norm, outputNorm: 'auto', recurrent: null } },
      trainer: { totalSteps: 1_000_000, ...noEval },
    }),
    peer: { algo: 'ppo', env: id, nEnvs: 1, steps: 1_000_000, normalize: { obs: true, reward: true, gamma }, hyper: { n_steps: 512, ...peerHyper }, policyKwargs },
    notes: 'threshold: a marker for the table (the mean of the last 20 training episodes reaching it), not a solved criterion.',
  };
}

/** The Zoo's Hopper-v3 PPO settings in wnrl's names (wnrl's Hopper-v5 preset until the tuning seeds showed that they do not hop on v5). */
const ZOO_HOPPER_V3 = { network: { hidden: [256, 256], activation: 'relu', init: 'torch' }, batchSize: 32, gamma: 0.999, learningRate: 9.80828e-5, entropyCoef: 0.00229519, clipRange: 0.2, updateEpochs: 5, gaeLambda: 0.99, maxGradNorm: 0.7, valueCoef: 0.835671, logStdInit: -2 };
/** The Zoo's HalfCheetah-v3 PPO settings in wnrl's names. */
const ZOO_HALFCHEETAH_V3 = { network: { hidden: [256, 256], activation: 'relu', init: 'torch' }, batchSize: 64, gamma: 0.98, learningRate: 2.0633e-5, entropyCoef: 0.000401762, clipRange: 0.1, updateEpochs: 20, gaeLambda: 0.92, maxGradNorm: 0.8, valueCoef: 0.58096, logStdInit: -2 };
/** The Zoo's Walker2d-v3 PPO settings in wnrl's names (SB3's default policy: [64, 64] tanh, orthogonal init, log-std 0). */
const ZOO_WALKER2D_V3 = { network: { hidden: [64, 64], activation: 'tanh', init: 'orthogonal' }, batchSize: 32, gamma: 0.99, learningRate: 5.05041e-5, entropyCoef: 0.000585045, clipRange: 0.1, updateEpochs: 20, gaeLambda: 0.95, maxGradNorm: 1, valueCoef: 0.871923, logStdInit: 0 };

const ZOO_MUJOCO_POLICY = { log_std_init: -2, ortho_init: false, activation_fn: 'relu', net_arch: { pi: [256, 256], vf: [256, 256] } };

/**
 * The Zoo's `mujoco-defaults` (ppo.yml: `normalize: true` and SB3's PPO defaults, 1M steps; its entry for
 * Ant, and the commented-out one for Hopper and Walker2d) on a MuJoCo task: the settings most MuJoCo PPO
 * results use (CleanRL's too, less its learning-rate annealing). VecNormalize with its default γ 0.99, both
 * clips 10.
 */
function mujocoDefaultsCase(id: string, threshold: number, steps = 1_000_000): Case {
  return {
    source: `rl-zoo ppo.yml mujoco-defaults (normalize: true, SB3's PPO defaults) on ${id}`,
    agent: 'ppo',
    env: `gymnasium:${id}`,
    steps,
    threshold,
    wnrl: (norm) => ({
      env: { numEnvs: 1, wrappers: vecNormalize(0.99) },
      agent: { network: { hidden: [64, 64], activation: 'tanh', norm, init: 'orthogonal', outputNorm: 'auto', recurrent: null }, ...PPO_SB3_DEFAULTS },
      trainer: { totalSteps: steps, ...noEval },
    }),
    peer: { algo: 'ppo', env: id, nEnvs: 1, steps, normalize: { obs: true, reward: true, gamma: 0.99 }, hyper: {} },
    notes: 'threshold: a marker for the table (the mean of the last 20 training episodes reaching it), not a solved criterion.',
  };
}

const CASES: Record<string, Case> = {
  // Issue #30's speed case: SB3's default PPO on Hopper-v5 for ten rollouts (the update dominates: 320
  // gradient steps of minibatch 64 per rollout). A timing case, not a learning one.
  'ppo-hopper-sb3-defaults': {
    source: "SB3's PPO defaults on gymnasium:Hopper-v5 (speed)",
    agent: 'ppo',
    env: 'gymnasium:Hopper-v5',
    steps: 20_480,
    threshold: 1e9,
    wnrl: (norm) => ({
      env: { numEnvs: 1, wrappers: [] },
      agent: { network: { hidden: [64, 64], activation: 'tanh', norm, init: 'orthogonal', outputNorm: 'auto', recurrent: null }, ...PPO_SB3_DEFAULTS },
      trainer: { totalSteps: 20_480, ...noEval },
    }),
    peer: { algo: 'ppo', env: 'Hopper-v5', nEnvs: 1, steps: 20_480, hyper: {} },
    notes: 'A speed case: ten rollouts of 2048 steps, each followed by 320 gradient steps; the steps/s column is the comparison.',
  },
  'ppo-hopper-defaults': mujocoDefaultsCase('Hopper-v5', 2000),
  'ppo-halfcheetah-defaults': mujocoDefaultsCase('HalfCheetah-v5', 3000),
  'ppo-walker2d-defaults': mujocoDefaultsCase('Walker2d-v5', 2000),
  // Many seeds for little time: the same algorithm and normalization as the cases above on a task whose
  // 50-step episodes all end by truncation (the bootstrap path) and whose curves are smooth, 200k steps.
  'ppo-reacher-defaults': mujocoDefaultsCase('Reacher-v5', -10, 200_000),
  'ppo-hopper': mujocoCase('Hopper-v5', 2000, ZOO_HOPPER_V3, { batch_size: 32, gamma: 0.999, learning_rate: 9.80828e-5, ent_coef: 0.00229519, clip_range: 0.2, n_epochs: 5, gae_lambda: 0.99, max_grad_norm: 0.7, vf_coef: 0.835671 }, ZOO_MUJOCO_POLICY),
  'ppo-halfcheetah': mujocoCase('HalfCheetah-v5', 3000, ZOO_HALFCHEETAH_V3, { batch_size: 64, gamma: 0.98, learning_rate: 2.0633e-5, ent_coef: 0.000401762, clip_range: 0.1, n_epochs: 20, gae_lambda: 0.92, max_grad_norm: 0.8, vf_coef: 0.58096 }, ZOO_MUJOCO_POLICY),
  'ppo-walker2d': mujocoCase('Walker2d-v5', 2000, ZOO_WALKER2D_V3, { batch_size: 32, gamma: 0.99, learning_rate: 5.05041e-5, ent_coef: 0.000585045, clip_range: 0.1, n_epochs: 20, gae_lambda: 0.95, max_grad_norm: 1, vf_coef: 0.871923 }, {}),
  'ppo-cartpole': {
    source: 'rl-zoo ppo.yml CartPole-v1',
    agent: 'ppo',
    env: 'CartPole-v1',
    steps: 100_000,
    threshold: 475,
    wnrl: (norm) => ({
      env: { numEnvs: 8, wrappers: [] },
      agent: { network: { hidden: [64, 64], activation: 'tanh', norm, init: 'orthogonal', outputNorm: 'auto', recurrent: null }, ...PPO_CARTPOLE },
      trainer: { totalSteps: 100_000, ...noEval },
    }),
    peer: { algo: 'ppo', env: 'CartPole-v1', nEnvs: 8, steps: 100_000, hyper: { n_steps: 32, batch_size: 256, gae_lambda: 0.8, gamma: 0.98, n_epochs: 20, ent_coef: 0.0, learning_rate: 1e-3, clip_range: 0.2 }, schedules: { learning_rate: 'lin', clip_range: 'lin' } },
  },
  'a2c-cartpole': {
    source: 'rl-zoo a2c.yml CartPole-v1',
    agent: 'a2c',
    env: 'CartPole-v1',
    steps: 500_000,
    threshold: 475,
    // SB3's A2C defaults: 5 steps, lr 7e-4 constant, RMSprop (α 0.99, ε 1e-5), γ 0.99, λ 1, grad norm 0.5,
    // no advantage normalization, ortho_init.
    wnrl: (norm) => ({
      env: { numEnvs: 8, wrappers: [] },
      agent: { network: { hidden: [64, 64], activation: 'tanh', norm, init: 'orthogonal', outputNorm: 'auto', recurrent: null }, numSteps: 5, learningRate: 7e-4, learningRateSchedule: 'constant', gamma: 0.99, gaeLambda: 1, entropyCoef: 0, valueCoef: 0.5, maxGradNorm: 0.5, normalizeAdvantage: false, optimizer: 'rmsprop', rmsAlpha: 0.99, optimizerEpsilon: 1e-5 },
      trainer: { totalSteps: 500_000, ...noEval },
    }),
    peer: { algo: 'a2c', env: 'CartPole-v1', nEnvs: 8, steps: 500_000, hyper: { ent_coef: 0.0 } },
  },
  'dqn-cartpole': {
    source: 'rl-zoo dqn.yml CartPole-v1',
    agent: 'dqn',
    env: 'CartPole-v1',
    steps: 50_000,
    threshold: 475,
    // SB3's DQN: one env, no Double DQN, Huber (δ 1), Adam ε 1e-8, grad norm 10, torch's default init; the
    // target copied every 10 env steps (so after every 256-step training phase of 128 gradient steps).
    wnrl: (norm) => ({
      env: { numEnvs: 1, wrappers: [] },
      agent: {
        network: { hidden: [256, 256], activation: 'relu', norm, init: 'torch', outputNorm: 'auto' },
        learningRate: 2.3e-3, batchSize: 64, bufferSize: 100_000, learningStarts: 1_000, gamma: 0.99, targetUpdateInterval: 10, trainFrequency: 256, gradientSteps: 128,
        explorationFraction: 0.16, explorationInitialEps: 1, explorationFinalEps: 0.04, tau: 1, doubleDqn: false, huberDelta: 1, maxGradNorm: 10, adamEpsilon: 1e-8,
      },
      trainer: { totalSteps: 50_000, ...noEval },
    }),
    peer: { algo: 'dqn', env: 'CartPole-v1', nEnvs: 1, steps: 50_000, hyper: { learning_rate: 2.3e-3, batch_size: 64, buffer_size: 100_000, learning_starts: 1000, gamma: 0.99, target_update_interval: 10, train_freq: 256, gradient_steps: 128, exploration_fraction: 0.16, exploration_final_eps: 0.04 }, policyKwargs: { net_arch: [256, 256] } },
  },
  'ppo-pendulum': {
    source: 'rl-zoo ppo.yml Pendulum-v1 without gSDE (wnrl has none): a state-independent log-std in both',
    agent: 'ppo',
    env: 'Pendulum-v1',
    steps: 100_000,
    threshold: -200,
    wnrl: (norm) => ({
      env: { numEnvs: 4, wrappers: [] },
      agent: { network: { hidden: [64, 64], activation: 'tanh', norm, init: 'orthogonal', outputNorm: 'auto', recurrent: null }, numSteps: 1024, batchSize: 64, gaeLambda: 0.95, gamma: 0.9, updateEpochs: 10, entropyCoef: 0, learningRate: 1e-3, learningRateSchedule: 'constant', clipRange: 0.2, clipRangeSchedule: 'constant', valueCoef: 0.5, maxGradNorm: 0.5, adamEpsilon: 1e-5, normalizeAdvantage: true, logStdInit: 0 },
      trainer: { totalSteps: 100_000, ...noEval },
    }),
    peer: { algo: 'ppo', env: 'Pendulum-v1', nEnvs: 4, steps: 100_000, hyper: { n_steps: 1024, gae_lambda: 0.95, gamma: 0.9, n_epochs: 10, ent_coef: 0.0, learning_rate: 1e-3, clip_range: 0.2, use_sde: false } },
    notes: 'The Zoo uses gSDE (use_sde, sde_sample_freq 4) on Pendulum; both sides run without it here.',
  },
  'rppo-cartpolenovel': {
    source: 'rl-zoo ppo_lstm.yml CartPoleNoVel-v1 (sb3-contrib RecurrentPPO)',
    agent: 'ppo',
    env: 'CartPoleNoVel-v1',
    steps: 100_000,
    threshold: 475,
    // ortho_init False: torch's defaults for the heads and nn.LSTM's for the LSTMs; VecNormalize (γ 0.98,
    // observations and rewards clipped at ±10).
    wnrl: (norm) => ({
      env: { numEnvs: 8, wrappers: vecNormalize(0.98) },
      agent: { network: { hidden: [64], activation: 'relu', norm, init: 'torch', outputNorm: 'auto', recurrent: { type: 'lstm', units: 64, init: 'torch' } }, ...PPO_CARTPOLE },
      trainer: { totalSteps: 100_000, ...noEval },
    }),
    peer: {
      algo: 'recurrentppo', env: 'CartPole-v1', noVel: true, nEnvs: 8, steps: 100_000, normalize: { obs: true, reward: true, gamma: 0.98 },
      hyper: { n_steps: 32, batch_size: 256, gae_lambda: 0.8, gamma: 0.98, n_epochs: 20, ent_coef: 0.0, learning_rate: 1e-3, clip_range: 0.2 }, schedules: { learning_rate: 'lin', clip_range: 'lin' },
      policyKwargs: { ortho_init: false, activation_fn: 'relu', lstm_hidden_size: 64, enable_critic_lstm: true, net_arch: { pi: [64], vf: [64] } },
    },
  },
};

/** A training episode: the step it ended at, its return, and (runs from 2026-12-04 on) the seconds since training started. */
type Episode = [number, number] | [number, number, number];

interface RunResult {
  wallSeconds: number;
  /** Every training episode. */
  episodes: Episode[];
  evalReturnMean: number;
}

/** The run in progress: Ctrl-C or SIGTERM stops it too (its checkpoint or partial output is discarded). */
let current: ReturnType<typeof spawn> | null = null;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    current?.kill('SIGKILL');
    process.exit(130);
  });
}

/** Runs a command; its stdout, or an error with the tail of its stderr. */
function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    current = child;
    let text = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`${cmd} ${args.slice(0, 3).join(' ')}...: exit ${code}\n${err}`))));
  });
}

/**
 * `norm` 'preset': wnrl's own preset for the env and agent (its default norm, weight), with only the
 * budget and the evaluation protocol of the case: what a user gets, beside the peer with its settings.
 */
async function runWnrl(c: Case, spec: string, seed: number, dir: string): Promise<RunResult> {
  const file = `${dir}.config.json`;
  const { norm, agent } = parseVariant(spec);
  const preset = norm === 'preset';
  const config = preset ? { trainer: c.wnrl('none')['trainer'] } : c.wnrl(norm);
  if (Object.keys(agent).length > 0) config['agent'] = { ...(config['agent'] as object | undefined), ...agent };
  fs.writeFileSync(file, JSON.stringify(config));
  await run(process.execPath, ['src/cli/bin.js', 'train', '--agent', c.agent, '--env', c.env, ...(preset ? [] : ['--norm', norm]), '--seed', String(seed), '--out', dir, '--force', '--no-progress', '--log-level', 'info', '--config', file]);
  const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as { wallSeconds: number; evalReturnMean: number };
  const episodes: Episode[] = [];
  let start: number | null = null;
  for (const line of fs.readFileSync(path.join(dir, 'log.jsonl'), 'utf8').split('\n')) {
    if (!line.includes('"episode"') && !line.includes('"train start"')) continue;
    const rec = JSON.parse(line) as { msg?: string; step?: number; return?: number; time: string };
    if (rec.msg === 'train start') start = Date.parse(rec.time);
    if (rec.msg === 'episode' && rec.step !== undefined && rec.return !== undefined) episodes.push([rec.step, rec.return, start === null ? Number.NaN : (Date.parse(rec.time) - start) / 1000]);
  }
  return { wallSeconds: summary.wallSeconds, episodes, evalReturnMean: summary.evalReturnMean };
}

/**
 * A --norms entry: a norm (or `preset`), optionally with agent settings changed for tuning, e.g.
 * `weight@learningRate=2.9e-4` or `weight@learningRate=2.9e-4&clipRange=0.1` (numbers only; the train
 * command's config schema rejects a setting it does not know).
 */
function parseVariant(spec: string): { norm: string; agent: Record<string, number> } {
  const [norm, settings, ...extra] = spec.split('@');
  if (!norm || extra.length > 0) throw new Error(`--norms: '${spec}' is not NORM or NORM@key=value[&key=value]`);
  const agent: Record<string, number> = {};
  for (const pair of settings === undefined ? [] : settings.split('&')) {
    const [key, value, ...rest] = pair.split('=');
    const x = Number(value);
    if (!key || value === undefined || value === '' || rest.length > 0 || !Number.isFinite(x)) throw new Error(`--norms: '${pair}' in '${spec}' is not key=number`);
    agent[key] = x;
  }
  return { norm, agent };
}

async function runPeer(c: Case, seed: number): Promise<RunResult> {
  const text = await run(values.python, ['bench/peers/sb3_parity.py', JSON.stringify({ ...c.peer, seed })]);
  return JSON.parse(text.trim().split('\n').pop()!) as RunResult;
}

/** The learning curve as the threshold sees it: the mean of the last 20 episodes at each episode's end. */
function windowCurve(episodes: Episode[]): { steps: number[]; returns: number[] } {
  const steps: number[] = [];
  const returns: number[] = [];
  const window: number[] = [];
  for (const [step, ret] of episodes) {
    window.push(ret);
    if (window.length > 20) window.shift();
    steps.push(step);
    returns.push(window.reduce((a, b) => a + b, 0) / window.length);
  }
  return { steps, returns };
}

/** The index of the episode at which the window's mean first reaches the threshold, or null. */
function thresholdEpisode(episodes: Episode[], threshold: number): number | null {
  const { returns } = windowCurve(episodes);
  for (let i = 19; i < returns.length; i++) if (returns[i]! >= threshold) return i;
  return null;
}

function stepsToThreshold(episodes: Episode[], threshold: number): number | null {
  const i = thresholdEpisode(episodes, threshold);
  return i === null ? null : episodes[i]![0];
}

/** Seconds from the start of training to the threshold; undefined for a run recorded without times. */
function secondsToThreshold(episodes: Episode[], threshold: number): number | null | undefined {
  if (episodes.some((e) => e.length < 3 || !Number.isFinite(e[2]))) return undefined;
  const i = thresholdEpisode(episodes, threshold);
  return i === null ? null : episodes[i]![2]!;
}

/** The case with another budget on both sides (--steps). */
function withBudget(c: Case, steps: number): Case {
  return {
    ...c,
    steps,
    wnrl: (norm) => {
      const config = c.wnrl(norm);
      return { ...config, trainer: { ...(config['trainer'] as object), totalSteps: steps } };
    },
    peer: { ...c.peer, steps },
  };
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
const fmtI = (i: Interval, d = 1) => `${fmt(i.point, d)} [${fmt(i.low, d)}, ${fmt(i.high, d)}]`;

async function main(): Promise<void> {
  const seeds = parseSeeds(values.seeds);
  const norms = values.norms.split(',');
  const names = values.cases.split(',');
  for (const n of names) if (!CASES[n]) throw new Error(`--cases: unknown case '${n}'; expected some of ${Object.keys(CASES).join(', ')}`);
  norms.forEach(parseVariant); // a malformed entry stops here, before any run
  const impls = [...norms.map((n) => `wnrl-${n}`), ...(values['no-peer'] ? [] : ['peer'])];
  const budget = values.steps === undefined ? null : Number(values.steps);
  if (budget !== null && !(Number.isInteger(budget) && budget > 0)) throw new Error(`--steps: expected a positive integer; got '${values.steps}'`);
  for (const name of names) {
    const c = budget === null ? CASES[name]! : withBudget(CASES[name]!, budget);
    const dir = path.join(values.out, name);
    const workDir = path.join(values.work, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.mkdirSync(workDir, { recursive: true });
    const results = new Map<string, RunResult[]>(impls.map((i) => [i, []]));
    for (const seed of seeds) {
      for (const impl of impls) {
        const file = path.join(dir, `${impl}-s${seed}.json`);
        if (!fs.existsSync(file)) {
          if (values['report-only']) continue;
          const started = Date.now();
          const r = impl === 'peer' ? await runPeer(c, seed) : await runWnrl(c, impl.slice('wnrl-'.length), seed, path.join(workDir, `${impl}-s${seed}`));
          fs.writeFileSync(`${file}.tmp`, JSON.stringify(r));
          fs.renameSync(`${file}.tmp`, file);
          process.stderr.write(`${name} ${impl} seed ${seed}: ${((Date.now() - started) / 1000).toFixed(1)} s, eval ${fmt(r.evalReturnMean)}, threshold at ${stepsToThreshold(r.episodes, c.threshold) ?? '-'}\n`);
        }
        results.get(impl)!.push(JSON.parse(fs.readFileSync(file, 'utf8')) as RunResult);
      }
    }
    say(`\n### ${name}: ${c.source}, ${c.steps / 1000}k steps\n`);
    say('| implementation | seeds | AUC IQM [95% CI] | reached threshold | median steps to threshold | median seconds to threshold | final eval IQM [95% CI] | median steps/s | median s per 1M steps |');
    say('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const impl of impls) {
      const rs = results.get(impl)!;
      if (rs.length === 0) continue;
      const aucs = rs.map((r) => {
        const w = windowCurve(r.episodes);
        return areaUnderCurve(w.steps, w.returns, c.steps);
      });
      const reached = rs.map((r) => stepsToThreshold(r.episodes, c.threshold));
      const med = medianReached(reached);
      const seconds = rs.map((r) => secondsToThreshold(r.episodes, c.threshold));
      const medSeconds = seconds.every((x) => x !== undefined) ? medianReached(seconds as (number | null)[]) : undefined;
      // Each side's own training loop (its wall time over the budget); a median over seeds (mean of the middle two for an even count).
      const sps = median(rs.map((r) => c.steps / r.wallSeconds));
      const label = impl === 'peer' ? `${String(c.peer['algo']) === 'recurrentppo' ? 'sb3-contrib' : 'SB3'} (none)` : impl === 'wnrl-preset' ? `wnrl preset (${String((presetFor(c.agent, c.env)?.agent as { network?: { norm?: string } } | undefined)?.network?.norm ?? 'weight')}, its own settings)` : `wnrl ${impl.slice(5)}`;
      const seedKey = deriveSeed(1, `${name}|${impl}`);
      say(
        `| ${label} | ${rs.length} | ${fmtI(stratifiedBootstrap([aucs], iqm, seedKey))} | ${reached.filter((x) => x !== null).length} of ${rs.length} | ${med === null ? '-' : `${(med / 1000).toFixed(1)}k`} | ${medSeconds === undefined ? 'n/a' : medSeconds === null ? '-' : fmt(medSeconds)} | ${fmtI(stratifiedBootstrap([rs.map((r) => r.evalReturnMean)], iqm, seedKey + 1))} | ${fmt(sps, 0)} | ${fmt(1e6 / sps, 0)} |`,
      );
    }
    if (c.notes) say(`\n${c.notes}`);
  }
}

await main();
