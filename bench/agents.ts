// Learning benchmarks: trains (agent, env, norm, seed) cells through `wnrl train` in child processes
// (--workers at a time), then tabulates summary.json and metrics.csv per norm: how many seeds solved the
// task (some deterministic evaluation's mean ≥ the reward threshold: where early stop stops, so runs
// without early stop count the same), the step and wall time of that evaluation, the training-episode
// threshold (secondsToThreshold) and the whole loop's steps per second.
// Run: npx tsx bench/agents.ts --agent dqn --env CartPole-v1 --norms weight,none,batch,layer --seeds 1,2,3,4,5
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { spawnCli } from '../src/package-root.ts';

const { values } = parseArgs({
  options: {
    agent: { type: 'string', default: 'dqn' },
    env: { type: 'string', default: 'CartPole-v1' },
    norms: { type: 'string', default: 'weight,none,batch,layer' },
    seeds: { type: 'string', default: '1,2,3,4,5' },
    steps: { type: 'string' },
    workers: { type: 'string', default: '2' },
    out: { type: 'string', default: 'bench/out' },
    /** A partial run config passed to every run (e.g. {"trainer":{"earlyStop":false}}). */
    config: { type: 'string' },
    /** Tabulate the runs already in --out without training. */
    'report-only': { type: 'boolean', default: false },
    /** Train only the cells without a summary.json (continue an interrupted benchmark). */
    'skip-finished': { type: 'boolean', default: false },
  },
});
const norms = values.norms.split(',');
const seeds = values.seeds.split(',').map(Number);
const cells = norms.flatMap((norm) => seeds.map((seed) => ({ norm, seed, dir: path.join(values.out, `${values.agent}-${values.env}-${norm}-s${seed}`) })));

function runCell(cell: (typeof cells)[number]): Promise<void> {
  const args = ['train', '--agent', values.agent, '--env', values.env, '--norm', cell.norm, '--seed', String(cell.seed), '--out', cell.dir, '--force', '--no-progress', '--log-level', 'warn'];
  if (values.steps) args.push('--steps', values.steps);
  if (values.config) args.push('--config', values.config);
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, 'inherit');
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cell.dir}: exit ${code}`))));
  });
}

const t0 = performance.now();
const queue = values['report-only'] ? [] : cells.filter((c) => !(values['skip-finished'] && fs.existsSync(path.join(c.dir, 'summary.json'))));
await Promise.all(
  Array.from({ length: Number(values.workers) }, async () => {
    for (let cell = queue.shift(); cell !== undefined; cell = queue.shift()) await runCell(cell);
  }),
);
const total = (performance.now() - t0) / 1000;

const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]! : Number.NaN);
interface S { stepsToThreshold: number | null; earlyStopped: boolean; evalReturnMean: number; totalSteps: number; wallSeconds: number; stepsPerSecond: number; secondsToThreshold: number | null; rewardThreshold: number | null; msPerUpdate: number | null }
/** The first evaluation (step, wall seconds) whose mean reached the threshold, from metrics.csv: where early stop would have stopped. */
function firstSolve(dir: string, threshold: number | null): { step: number; seconds: number } | null {
  if (threshold === null) return null;
  const [head, ...lines] = fs.readFileSync(path.join(dir, 'metrics.csv'), 'utf8').trim().split('\n');
  const cols = head!.split(',');
  const [iStep, iWall, iEval] = ['step', 'wallSeconds', 'eval/returnMean'].map((c) => cols.indexOf(c)) as [number, number, number];
  for (const line of lines) {
    const f = line.split(',');
    if (f[iEval] !== '' && Number(f[iEval]) >= threshold) return { step: Number(f[iStep]), seconds: Number(f[iWall]) };
  }
  return null;
}
const rows = norms.map((norm) => {
  // With --report-only, cells not finished yet are left out (the header counts what is there).
  const runs = cells.filter((c) => c.norm === norm && (!values['report-only'] || fs.existsSync(path.join(c.dir, 'summary.json')))).map((c) => {
    const s = JSON.parse(fs.readFileSync(path.join(c.dir, 'summary.json'), 'utf8')) as S;
    return { s, solve: firstSolve(c.dir, s.rewardThreshold) };
  });
  const sums = runs.map((r) => r.s);
  const solved = runs.filter((r) => r.solve !== null);
  return [
    norm,
    `${solved.length}/${runs.length}`,
    runs.map((r) => (r.solve === null ? '-' : `${(r.solve.step / 1000).toFixed(1)}k`)).join(' '),
    runs.map((r) => (r.solve === null ? '-' : r.solve.seconds.toFixed(1))).join(' '),
    sums.map((s) => s.evalReturnMean.toFixed(0)).join(' '),
    sums.map((s) => (s.stepsToThreshold === null ? '-' : `${(s.stepsToThreshold / 1000).toFixed(1)}k`)).join(' '),
    sums.map((s) => (s.secondsToThreshold === null ? '-' : s.secondsToThreshold.toFixed(1))).join(' '),
    // A seed that never reached the threshold counts as +∞, so the median is honest about failures.
    median(sums.map((s) => s.secondsToThreshold ?? Number.POSITIVE_INFINITY)).toFixed(1),
    median(sums.map((s) => s.stepsPerSecond)).toFixed(0),
    median(sums.map((s) => s.msPerUpdate ?? Number.NaN)).toFixed(2),
  ];
});
const header = ['norm', 'solved (an eval ≥ threshold)', 'steps at first solving eval', 'wall s at first solving eval', 'final eval per seed', 'steps to train-threshold per seed', 's to train-threshold per seed', 'median s to train-threshold', 'steps/s', 'ms per learn call'];
process.stdout.write(`${values.agent} on ${values.env}, seeds ${seeds.join(',')}, ${values.workers} workers, ${total.toFixed(0)} s total\n`);
process.stdout.write(`| ${header.join(' | ')} |\n| ${header.map(() => '---').join(' | ')} |\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}\n`);
