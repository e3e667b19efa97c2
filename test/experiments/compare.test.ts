import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { ExperimentConfig, checkCells, expandGrid } from '../../experiments/grid.ts';
import { iqm, probabilityOfImprovement, stratifiedBootstrap, mean, areaUnderCurve, medianReached } from '../../experiments/stats.ts';
import { main } from '../../src/cli/main.ts';
import { capture } from '../helpers/capture.ts';
import { cliEntry } from '../../src/package-root.ts';
import { configHash } from '../../experiments/report.ts';
import { findRun, finishedSummary } from '../../experiments/records.ts';
import { edgeChoices, type TuningRow } from '../../experiments/tuning.ts';

test('IQM trims a quarter from each end, as scipy.stats.trim_mean(x, 0.25)', () => {
  expect(iqm([1, 2, 3, 4, 100, -50, 5, 6])).toBeCloseTo(mean([2, 3, 4, 5]), 12);
  expect(iqm([1, 2, 3, 4, 5])).toBeCloseTo(3, 12);
});

test('the stratified bootstrap is seeded, brackets its point estimate and resamples within strata', () => {
  const strata = [[1, 2, 3, 4, 5], [10, 11, 12, 13, 14]];
  const a = stratifiedBootstrap(strata, mean, 7);
  expect(stratifiedBootstrap(strata, mean, 7)).toEqual(a);
  expect(a.low).toBeLessThanOrEqual(a.point);
  expect(a.high).toBeGreaterThanOrEqual(a.point);
  // Every resample keeps five runs from each stratum, so the mean stays between the strata means.
  expect(a.low).toBeGreaterThan(3);
  expect(a.high).toBeLessThan(12);
  expect(stratifiedBootstrap([[5, 5, 5]], mean, 1)).toEqual({ point: 5, low: 5, high: 5 });
});

test('probability of improvement pairs seeds', () => {
  expect(probabilityOfImprovement([2, 2, 2, 2], [1, 1, 1, 1], 1).point).toBe(1);
  expect(probabilityOfImprovement([2, 0, 1, 1], [1, 1, 1, 0], 1).point).toBeCloseTo((1 + 0 + 0.5 + 1) / 4, 12);
  expect(() => probabilityOfImprovement([1], [1, 2], 1)).toThrow('paired');
});

test('area under a step-wise curve is the mean return over the budget', () => {
  expect(areaUnderCurve([100, 200], [10, 20], 400)).toBeCloseTo((10 * 100 + 20 * 100 + 20 * 200) / 400, 12);
});

test('median steps to threshold counts runs that never got there as +∞: defined once more than half did', () => {
  expect(medianReached([30, 10, 20])).toBe(20);
  expect(medianReached([30, null, 10, 20, 40, null])).toBe(35); // sorted 10 20 30 40 ∞ ∞: (30 + 40) / 2
  expect(medianReached([10, null, 20, null])).toBeNull(); // (20 + ∞) / 2
  expect(medianReached([5, null, null])).toBeNull();
  expect(medianReached([])).toBeNull();
});

test('a bad experiment file names the field and the cell', async () => {
  const e = ExperimentConfig.parse({ name: 'x', agents: ['dqn'], envs: ['Pendulum-v1'], norms: ['weight'], seeds: [1], steps: 100 });
  const cells = expandGrid(e);
  await expect(checkCells(cells)).rejects.toThrow('cell dqn-Pendulum-v1-clean-weight-s1: dqn: needs a Discrete action space');
  expect(ExperimentConfig.safeParse({ name: 'x', agents: ['dqn'], envs: ['CartPole-v1'], norms: ['group'], seeds: [1], steps: 100 }).success).toBe(false);
});

test("a noise setting adds its wrappers to the preset's (Acrobot keeps its normalizers)", () => {
  const e = ExperimentConfig.parse({
    name: 'x',
    agents: ['ppo'],
    envs: ['Acrobot-v1', 'CartPole-v1'],
    norms: ['weight'],
    seeds: [1],
    steps: 100,
    noise: [{ name: 'clean' }, { name: 'obs', wrappers: [{ type: 'observationNoise', std: 0.1 }] }],
  });
  const wrappers = Object.fromEntries(expandGrid(e).map((c) => [c.id, c.config.env.wrappers]));
  const normalizers = [{ type: 'normalizeObservation' }, { type: 'normalizeReward', gamma: 0.99 }];
  expect(wrappers).toEqual({
    'ppo-Acrobot-v1-clean-weight-s1': normalizers,
    'ppo-Acrobot-v1-obs-weight-s1': [...normalizers, { type: 'observationNoise', std: 0.1 }],
    'ppo-CartPole-v1-clean-weight-s1': [],
    'ppo-CartPole-v1-obs-weight-s1': [{ type: 'observationNoise', std: 0.1 }],
  });
});

test('an experiment can run recurrent PPO on a partially observed task under flicker', () => {
  const e = ExperimentConfig.parse({
    name: 'x',
    agents: ['ppo'],
    envs: ['CartPoleNoVel-v1'],
    norms: ['none', 'weight'],
    seeds: [1],
    steps: 100,
    noise: [{ name: 'flicker', wrappers: [{ type: 'flicker', p: 0.2 }] }],
  });
  const cells = expandGrid(e);
  expect(cells.map((c) => c.id)).toEqual(['ppo-CartPoleNoVel-v1-flicker-none-s1', 'ppo-CartPoleNoVel-v1-flicker-weight-s1']);
  for (const c of cells) {
    expect(c.config.env.wrappers).toContainEqual({ type: 'flicker', p: 0.2 });
    expect(c.config.agent.network.recurrent).toEqual({ type: 'lstm', units: 64, sharedLstm: false, init: 'torch', layerNorm: 'summed' }); // from the preset
  }
});

test("an env entry's wrappers replace its preset's (pinning what a study measured); a noise setting's still add", () => {
  const e = ExperimentConfig.parse({
    name: 'x',
    agents: ['ppo'],
    envs: [{ id: 'CartPoleNoVel-v1', wrappers: [{ type: 'normalizeObservation' }] }],
    norms: ['weight'],
    seeds: [1],
    steps: 100,
    noise: [{ name: 'flicker', wrappers: [{ type: 'flicker', p: 0.2 }] }],
  });
  const [cell] = expandGrid(e);
  expect(cell!.id).toBe('ppo-CartPoleNoVel-v1-flicker-weight-s1');
  // The preset's list (both normalizers, clipped at 10) is replaced; flicker is added.
  expect(cell!.config.env.wrappers).toEqual([{ type: 'normalizeObservation' }, { type: 'flicker', p: 0.2 }]);
  expect(() => ExperimentConfig.parse({ ...e, envs: [{ id: 'CartPole-v1', wrappers: [{ type: 'nope' }] }] })).toThrow(/unknown wrapper type/);
});

test('wnrl compare runs a tiny grid end to end, writes every output, resumes, and regenerates the report bit for bit', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-compare-'));
  const file = path.join(dir, 'tiny.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      name: 'tiny',
      agents: ['dqn', 'ppo'],
      envs: ['CartPole-v1'],
      norms: ['none', 'weight'],
      noise: [{ name: 'clean', wrappers: [] }, { name: 'reward1', wrappers: [{ type: 'rewardNoise', std: 1 }] }],
      seeds: [1],
      steps: 400,
      overrides: {
        dqn: { learningStarts: 100, batchSize: 32, network: { hidden: [16], initSamples: 32 } },
        ppo: { numSteps: 16, batchSize: 64, updateEpochs: 2, network: { hidden: [16], initSamples: 32 } },
      },
      trainer: { evalInterval: 0, evalEpisodes: 2, metricsInterval: 100 },
    }),
  );
  const out = path.join(dir, 'out');
  const { io, chunks } = capture();
  expect(await main(['compare', file, '--out', out, '--workers', '2'], io), chunks.err).toBe(0);
  expect(chunks.out).toContain('8/8 runs finished');
  for (const f of ['results.csv', 'summary.csv', 'report.md', 'experiment.json', 'runner.json', 'figures/CartPole-v1-learning-curves.svg', 'figures/CartPole-v1-learning-curves.png', 'figures/CartPole-v1-final-return.svg', 'figures/CartPole-v1-final-return.png']) {
    expect(fs.existsSync(path.join(out, f)), f).toBe(true);
  }
  expect(fs.readFileSync(path.join(out, 'results.csv'), 'utf8').trim().split('\n')).toHaveLength(9);
  const summary = fs.readFileSync(path.join(out, 'summary.csv'), 'utf8').trim().split('\n');
  expect(summary).toHaveLength(9);
  expect(summary[0]).toContain('finalIqmLow');
  const png = fs.readFileSync(path.join(out, 'figures/CartPole-v1-final-return.png'));
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  const report = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
  expect(report).toContain('![learning curves](figures/CartPole-v1-learning-curves.png)');
  expect(report).toContain('P(weight > none)');
  expect(report).toContain('## What the intervals support');

  // A rerun skips every finished run and writes the same report.
  const again = capture();
  expect(await main(['compare', file, '--out', out, '--workers', '2'], again.io)).toBe(0);
  expect(fs.readFileSync(path.join(out, 'report.md'), 'utf8')).toBe(report);
  // An unfinished run (no summary.json) is redone.
  fs.rmSync(path.join(out, 'runs', 'dqn-CartPole-v1-clean-weight-s1', 'summary.json'));
  const third = capture();
  expect(await main(['compare', file, '--out', out, '--workers', '1'], third.io)).toBe(0);
  expect(fs.existsSync(path.join(out, 'runs', 'dqn-CartPole-v1-clean-weight-s1', 'summary.json'))).toBe(true);

  // A fresh clone has only the committed files (no run directories): the report regenerates bit for bit
  // from runs.jsonl.
  const committed = ['results.csv', 'summary.csv', 'report.md', 'runs.jsonl', 'figures/CartPole-v1-learning-curves.svg', 'figures/CartPole-v1-learning-curves.png', 'figures/CartPole-v1-final-return.svg'];
  const before = new Map(committed.map((f) => [f, fs.readFileSync(path.join(out, f))]));
  expect(fs.readFileSync(path.join(out, 'runs.jsonl'), 'utf8').trim().split('\n')).toHaveLength(8);
  fs.rmSync(path.join(out, 'runs'), { recursive: true });
  const fresh = capture();
  expect(await main(['compare', file, '--out', out, '--report-only'], fresh.io), fresh.chunks.err).toBe(0);
  expect(fresh.chunks.out).toContain('8/8 runs finished');
  for (const f of committed) expect(fs.readFileSync(path.join(out, f)).equals(before.get(f)!), f).toBe(true);
  // A grid resumed on that clone counts the recorded runs as finished: nothing reruns, the same report.
  const resumed = capture();
  expect(await main(['compare', file, '--out', out, '--workers', '2'], resumed.io), resumed.chunks.err).toBe(0);
  expect(fs.existsSync(path.join(out, 'runs'))).toBe(false);
  for (const f of committed) expect(fs.readFileSync(path.join(out, f)).equals(before.get(f)!), f).toBe(true);
  // Without the records too, --report-only refuses to replace the report with an empty one.
  fs.rmSync(path.join(out, 'runs.jsonl'));
  const empty = capture();
  expect(await main(['compare', file, '--out', out, '--report-only'], empty.io)).toBe(2);
  expect(empty.chunks.err).toContain('holds a report built from 8 runs, and only 0 are here');
  expect(fs.readFileSync(path.join(out, 'results.csv')).equals(before.get('results.csv')!)).toBe(true);
}, 180_000);

test('the committed noisy-cartpole report (no per-run records) is refused, not overwritten, by --report-only', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-record-'));
  const out = path.join(dir, 'noisy-cartpole');
  fs.cpSync(path.join('experiments', 'results', 'noisy-cartpole'), out, { recursive: true });
  const files = fs.readdirSync(out, { recursive: true }).map(String).sort();
  const r = capture();
  expect(await main(['compare', path.join('experiments', 'noisy-cartpole.json'), '--out', out, '--report-only'], r.io)).toBe(2);
  expect(r.chunks.err).toContain('holds a report built from 200 runs, and only 0 are here');
  expect(fs.readdirSync(out, { recursive: true }).map(String).sort()).toEqual(files);
  for (const f of ['results.csv', 'report.md', 'summary.csv']) expect(fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join('experiments', 'results', 'noisy-cartpole', f))), f).toBe(true);
}, 60_000);

test('--report-only on a results directory that does not exist: exit 2 naming the flag, nothing created', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-record-'));
  const out = path.join(dir, 'never-ran');
  const r = capture();
  expect(await main(['compare', path.join('experiments', 'noisy-cartpole.json'), '--out', out, '--report-only'], r.io)).toBe(2);
  expect(r.chunks.err).toContain('--report-only');
  expect(r.chunks.err).toContain('does not exist; run the grid first');
  expect(fs.existsSync(out)).toBe(false);
}, 60_000);

test('wnrl compare rejects a bad experiment file with exit 2', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-compare-'));
  const file = path.join(dir, 'bad.json');
  fs.writeFileSync(file, JSON.stringify({ name: 'bad', agents: ['dqn'], envs: ['CartPole-v1'], norms: ['weight'], seeds: [1], steps: -1, extra: true }));
  const { io, chunks } = capture();
  expect(await main(['compare', file, '--out', path.join(dir, 'out')], io)).toBe(2);
  expect(chunks.err).toContain('steps: expected a positive integer');
  expect(chunks.err).toContain('extra: unknown key');
  expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
});

test('a tuning stage picks each norm its candidate on tuning seeds; evaluation seeds run the winner; robustness curves; all regenerate from a clone', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-tuning-'));
  const file = path.join(dir, 'tuned.json');
  const spec = {
    name: 'tuned',
    agents: ['dqn'],
    envs: ['CartPole-v1'],
    norms: ['none', 'weight'],
    seeds: [1, 2],
    steps: 400,
    overrides: { dqn: { learningStarts: 100, batchSize: 32, network: { hidden: [16], initSamples: 32 } } },
    trainer: { evalInterval: 0, evalEpisodes: 2, metricsInterval: 100 },
    tuning: { seeds: [101, 102], candidates: { 'agent.learningRate': [1e-4, 3e-3] }, metric: 'auc' },
    robustness: [{ wrapper: 'observationNoise', values: [0, 0.5] }],
  };
  fs.writeFileSync(file, JSON.stringify({ ...spec, tuning: { ...spec.tuning, seeds: [2, 101] } }));
  const overlap = capture();
  expect(await main(['compare', file, '--out', path.join(dir, 'bad')], overlap.io)).toBe(2);
  expect(overlap.chunks.err).toContain('tuning.seeds: must be disjoint from the evaluation seeds; both have 2');

  fs.writeFileSync(file, JSON.stringify(spec));
  const out = path.join(dir, 'out');
  const r = capture();
  expect(await main(['compare', file, '--out', out, '--workers', '2'], r.io), r.chunks.err).toBe(0);
  expect(r.chunks.out).toContain('12/12 runs finished'); // 2 norms x 2 candidates x 2 tuning seeds + 2 norms x 2 seeds
  const tuning = fs.readFileSync(path.join(out, 'tuning.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  expect(tuning).toHaveLength(4);
  for (const norm of ['none', 'weight']) {
    const rows = tuning.filter((t) => t[2] === norm);
    expect(rows.filter((t) => t.at(-1) === 'true')).toHaveLength(1);
    // The winner has the higher mean AUC, and the evaluation runs used its learning rate.
    const chosen = rows.find((t) => t.at(-1) === 'true')!;
    const other = rows.find((t) => t.at(-1) !== 'true')!;
    expect(Number(chosen.at(-2))).toBeGreaterThanOrEqual(Number(other.at(-2)));
    const lr = JSON.parse(chosen[4]!.replace(/^"|"$/g, '').replace(/""/g, '"')) as Record<string, number>;
    for (const seed of [1, 2]) {
      const config = JSON.parse(fs.readFileSync(path.join(out, 'runs', `dqn-CartPole-v1-clean-${norm}-s${seed}`, 'config.json'), 'utf8')) as { agent: { learningRate: number }; trainer: { robustness: unknown[] } };
      expect(config.agent.learningRate).toBe(lr['agent.learningRate']);
      expect(config.trainer.robustness).toHaveLength(1);
    }
  }
  expect(fs.readFileSync(path.join(out, 'results.csv'), 'utf8').trim().split('\n')).toHaveLength(5); // evaluation runs only
  const report = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
  expect(report).toContain('## Tuning');
  // with two rates every choice is on an edge, and the report names it
  for (const norm of ['none', 'weight']) {
    const lr = tuning.find((t) => t[2] === norm && t.at(-1) === 'true')![4]!.includes('0.003') ? '0.003' : '0.0001';
    expect(report).toContain(`- dqn · CartPole-v1 · ${norm}: agent.learningRate ${lr}, the grid's ${lr === '0.003' ? 'highest' : 'lowest'}`);
  }
  expect(report).toContain('![robustness](figures/CartPole-v1-robustness.png)');
  expect(report).toMatch(/\| dqn · clean · observationNoise \| 0 \| 0\.5 \|/);
  // From the committed files alone (no run directories), the same tuning table, report and figures.
  const committed = ['tuning.csv', 'results.csv', 'summary.csv', 'report.md', 'runs.jsonl', 'figures/CartPole-v1-robustness.svg'];
  const before = new Map(committed.map((f) => [f, fs.readFileSync(path.join(out, f))]));
  // A run directory that ran another config (as after a grown grid moved a winner): --report-only trains
  // nothing, and reads that cell from its record instead.
  const moved = path.join(out, 'runs', 'dqn-CartPole-v1-clean-none-s1', 'config.json');
  const movedConfig = JSON.parse(fs.readFileSync(moved, 'utf8')) as { agent: { learningRate: number } };
  fs.writeFileSync(moved, JSON.stringify({ ...movedConfig, agent: { ...movedConfig.agent, learningRate: 0.5 } }));
  const logBefore = fs.readFileSync(path.join(out, 'compare.jsonl'), 'utf8').length;
  const redo = capture();
  expect(await main(['compare', file, '--out', out, '--report-only'], redo.io), redo.chunks.err).toBe(0);
  const logged = fs.readFileSync(path.join(out, 'compare.jsonl'), 'utf8').slice(logBefore);
  expect(logged).toContain('"toRun":0');
  expect(logged).not.toMatch(/"toRun":[1-9]|run finished/);
  for (const f of committed) expect(fs.readFileSync(path.join(out, f)).equals(before.get(f)!), f).toBe(true);
  // (Two finished tuning runs' directories, kept for the unfinished-stage case below.)
  const partial = path.join(dir, 'partial');
  const tuneRecords = fs.readFileSync(path.join(out, 'runs.jsonl'), 'utf8').trim().split('\n').filter((l) => (JSON.parse(l) as { run: string }).run.startsWith('tune-'));
  expect(tuneRecords).toHaveLength(8);
  const runOf = (line: string) => (JSON.parse(line) as { run: string }).run;
  for (const line of tuneRecords.slice(5, 7)) fs.cpSync(path.join(out, 'runs', runOf(line)), path.join(partial, 'runs', runOf(line)), { recursive: true });
  // (And one evaluation run's, for the unfinished evaluation stage at the end.)
  const stalled = path.join(dir, 'stalled');
  fs.cpSync(path.join(out, 'runs', 'dqn-CartPole-v1-clean-weight-s2'), path.join(stalled, 'runs', 'dqn-CartPole-v1-clean-weight-s2'), { recursive: true });
  fs.rmSync(path.join(out, 'runs'), { recursive: true });
  const again = capture();
  expect(await main(['compare', file, '--out', out, '--report-only'], again.io), again.chunks.err).toBe(0);
  for (const f of committed) expect(fs.readFileSync(path.join(out, f)).equals(before.get(f)!), f).toBe(true);
  // A record of a run this experiment does not have (a candidate another invocation's grown grid added)
  // stays in runs.jsonl, after the experiment's own; the report does not change.
  const foreign = { ...(JSON.parse(tuneRecords[0]!) as object), run: 'tune-dqn-CartPole-v1-none-c2-s101' };
  fs.appendFileSync(path.join(out, 'runs.jsonl'), `${JSON.stringify(foreign)}\n`);
  const withForeign = fs.readFileSync(path.join(out, 'runs.jsonl'));
  const keep = capture();
  expect(await main(['compare', file, '--out', out, '--report-only'], keep.io), keep.chunks.err).toBe(0);
  expect(fs.readFileSync(path.join(out, 'runs.jsonl')).equals(withForeign)).toBe(true);
  expect(fs.readFileSync(path.join(out, 'report.md')).equals(before.get('report.md')!)).toBe(true);

  // An unfinished tuning stage (a sitting stopped with Ctrl-C): --report-only writes no report but records
  // the tuning runs that finished (run directories and earlier records), so a clone keeps them.
  fs.writeFileSync(path.join(partial, 'runs.jsonl'), `${tuneRecords.slice(0, 5).join('\n')}\n`);
  const stopped = capture();
  expect(await main(['compare', file, '--out', partial, '--report-only'], stopped.io)).toBe(1);
  expect(stopped.chunks.err).toContain('the tuning stage is not complete (7 of 8 tuning runs finished');
  expect(stopped.chunks.err).toContain('7 finished runs recorded in');
  expect(fs.existsSync(path.join(partial, 'report.md'))).toBe(false);
  const saved = fs.readFileSync(path.join(partial, 'runs.jsonl'), 'utf8').trim().split('\n');
  expect(saved.map(runOf).sort()).toEqual(tuneRecords.slice(0, 7).map(runOf).sort());
  // From those records alone (no run directories: a clone), the same seven.
  fs.rmSync(path.join(partial, 'runs'), { recursive: true });
  expect(await main(['compare', file, '--out', partial, '--report-only'], capture().io)).toBe(1);
  expect(fs.readFileSync(path.join(partial, 'runs.jsonl'), 'utf8').trim().split('\n').map(runOf).sort()).toEqual(tuneRecords.slice(0, 7).map(runOf).sort());

  // An unfinished evaluation stage: no report either, and the finished runs are recorded. Here the tuning
  // records, one evaluation run's record and one evaluation run's directory: 10 of 12.
  const allRecords = fs.readFileSync(path.join(out, 'runs.jsonl'), 'utf8').trim().split('\n');
  const evalRecords = allRecords.filter((l) => !runOf(l).startsWith('tune-'));
  const recordOf = (id: string) => evalRecords.find((l) => runOf(l) === id)!;
  fs.writeFileSync(path.join(stalled, 'runs.jsonl'), `${[...tuneRecords, recordOf('dqn-CartPole-v1-clean-none-s2')].join('\n')}\n`);
  const unfinished = capture();
  expect(await main(['compare', file, '--out', stalled, '--report-only'], unfinished.io)).toBe(1);
  expect(unfinished.chunks.err).toMatch(/the evaluation stage is not complete \(2 of 4 runs finished, dqn-CartPole-v1-clean-none-s1 and others missing\), so no report; 10 finished runs recorded in/);
  expect(fs.existsSync(path.join(stalled, 'report.md'))).toBe(false);
  const stalledRecords = fs.readFileSync(path.join(stalled, 'runs.jsonl'), 'utf8').trim().split('\n');
  expect(stalledRecords).toHaveLength(10);
  expect(stalledRecords).toContain(recordOf('dqn-CartPole-v1-clean-weight-s2')); // from its directory, as the full run recorded it

  // The same when a report is here, built from more runs (two evaluation runs reran under another config,
  // as after a grown grid moved a winner, and one of them has not finished): the report stays, the finished
  // runs are recorded (one from its directory), with the former config's records kept.
  const rerun = path.join(dir, 'rerun');
  for (const f of committed) fs.cpSync(path.join(out, f), path.join(rerun, f));
  const renamed = (line: string) => JSON.stringify({ ...(JSON.parse(line) as object), config: 'former-config' });
  const movedIds = ['dqn-CartPole-v1-clean-none-s1', 'dqn-CartPole-v1-clean-none-s2'];
  const kept = allRecords.filter((l) => runOf(l) !== 'dqn-CartPole-v1-clean-weight-s2'); // its directory instead
  fs.writeFileSync(path.join(rerun, 'runs.jsonl'), `${kept.map((l) => (movedIds.includes(runOf(l)) ? renamed(l) : l)).join('\n')}\n`);
  fs.cpSync(path.join(stalled, 'runs', 'dqn-CartPole-v1-clean-weight-s2'), path.join(rerun, 'runs', 'dqn-CartPole-v1-clean-weight-s2'), { recursive: true });
  const refused = capture();
  expect(await main(['compare', file, '--out', rerun, '--report-only'], refused.io)).toBe(2);
  expect(refused.chunks.err).toContain('10 finished runs recorded in');
  expect(refused.chunks.err).toContain('holds a report built from 11 runs, and only 10 are here');
  expect(fs.readFileSync(path.join(rerun, 'report.md')).equals(before.get('report.md')!)).toBe(true);
  const movedRecords = fs.readFileSync(path.join(rerun, 'runs.jsonl'), 'utf8').trim().split('\n');
  expect(movedRecords).toHaveLength(13); // 10 finished, the two former-config records, the foreign record from above
  expect(movedRecords).toContain(recordOf('dqn-CartPole-v1-clean-weight-s2'));
  expect(movedRecords.filter((l) => movedIds.includes(runOf(l))).map((l) => (JSON.parse(l) as { config: string }).config)).toEqual(['former-config', 'former-config']);
}, 180_000);

test('findings: stated from separated final-return, AUC and robustness intervals and from probability of improvement, in both directions', async () => {
  // Synthetic committed records (no training): weight norm ends where none ends but learns sooner; batch
  // norm ends lower but learns sooner than weight norm. Six seeds per cell, a little spread in each.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-findings-'));
  const spec = {
    name: 'findings',
    agents: ['ppo'],
    envs: ['CartPole-v1'],
    norms: ['none', 'weight', 'batch'],
    seeds: [1, 2, 3, 4, 5, 6],
    steps: 1000,
    trainer: { evalInterval: 0, evalEpisodes: 2, metricsInterval: 100 },
  };
  const file = path.join(dir, 'findings.json');
  fs.writeFileSync(file, JSON.stringify(spec));
  // Under test-time noise (σ 0.1) weight norm keeps more than none and as much as batch norm.
  const shape: Record<string, { final: number; curve: number; noisy: number }> = {
    none: { final: 480, curve: 100, noisy: 100 },
    weight: { final: 480, curve: 250, noisy: 300 },
    batch: { final: 200, curve: 400, noisy: 300 },
  };
  const cells = expandGrid(ExperimentConfig.parse(spec));
  const out = path.join(dir, 'out');
  fs.mkdirSync(out);
  const records = cells.map((cell) => {
    const { final, curve, noisy } = shape[cell.norm]!;
    const seed = cell.seed;
    const summary = {
      env: 'CartPole-v1', agent: 'ppo', norm: cell.norm, seed, totalSteps: 1000, wallSeconds: 1, stepsPerSecond: 1000, episodes: 10,
      stepsToThreshold: null, secondsToThreshold: null, evalReturnMean: final + seed, evalReturnStd: 0, evalEpisodes: 2,
      rewardThreshold: 475, earlyStopped: false, msPerUpdate: 1, backend: 'tensorflow', version: '0',
      robustness: [{ wrapper: 'observationNoise', values: [0, 0.1], returnMeans: [final + seed, noisy + seed] }],
    };
    const steps = Array.from({ length: 10 }, (_, i) => (i + 1) * 100);
    return { run: cell.id, config: configHash(cell), summary, curve: { steps, returns: steps.map(() => curve + seed) } };
  });
  fs.writeFileSync(path.join(out, 'runs.jsonl'), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  const { io, chunks } = capture();
  expect(await main(['compare', file, '--out', out, '--report-only'], io), chunks.err).toBe(0);
  const report = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
  // Point estimates exactly (the IQM of base + 1..6); the bootstrap bounds only as intervals.
  const findings = report
    .slice(report.indexOf('## What the intervals support'))
    .split('\n')
    .filter((l) => l.startsWith('- '))
    .map((l) => l.replace(/\[\d+\.\d+, \d+\.\d+\]/g, '[…]'));
  expect(findings).toEqual([
    '- ppo on CartPole-v1 (clean): weight norm beat batch on more seeds than not, P = 1.00 […].',
    "- ppo on CartPole-v1 (clean): weight norm's AUC IQM 253.5 […] is higher than none's 103.5 […] (more return during training: it learned sooner or held on better; intervals do not overlap).",
    "- ppo on CartPole-v1 (clean): weight norm's final-return IQM 483.5 […] is higher than batch's 203.5 […] (intervals do not overlap).",
    "- ppo on CartPole-v1 (clean): weight norm's AUC IQM 253.5 […] is lower than batch's 403.5 […] (less return during training: it learned later or held on worse; intervals do not overlap).",
    // Robustness last; strength 0 is the final return again and is not restated.
    "- ppo on CartPole-v1 (clean · observationNoise 0.1): weight norm's final policies kept a mean return of 303.5 […], higher than none's 103.5 […] (intervals do not overlap).",
  ]);
  // Equal final returns on every seed: P(weight > none) = 0.5 exactly, no finding either way.
  expect(report).toContain('| clean | 0.50 [0.50, 0.50] | 1.00 [1.00, 1.00] |');
}, 60_000);

test("a setting added later counts at its legacy value only: old records match a config that pins the old behaviour, not the new defaults", () => {
  const base = { name: 'x', agents: ['ppo'], envs: ['CartPole-v1'], norms: ['batch'], seeds: [1], steps: 100 };
  const cellOf = (overrides: Record<string, unknown>) => expandGrid(ExperimentConfig.parse({ ...base, overrides: { ppo: overrides } }))[0]!;
  const pinned = cellOf({ network: { init: 'glorot', batchRenorm: false } });
  const fresh = cellOf({});
  expect(configHash(fresh)).not.toBe(configHash(pinned)); // orthogonal init and renormalized batch norm are other runs
  // the pinned config hashes as the same config without the new keys (what earlier versions recorded)
  const legacy = structuredClone(pinned);
  const net = legacy.config.agent.network as Record<string, unknown>;
  for (const k of ['init', 'dataDependentInit', 'batchRenorm']) delete net[k];
  expect(configHash(legacy)).toBe(configHash(pinned));
  // a legacy key at another value stays in the hash
  expect(configHash(cellOf({ network: { init: 'glorot', batchRenorm: false, dataDependentInit: false } }))).not.toBe(configHash(pinned));
});

test('edge choices: a chosen value at either end of a numeric list, per setting; interior and non-numeric settings are not', () => {
  const row = (values: Record<string, unknown>, chosen = true): TuningRow => ({ agent: 'ppo', env: 'E', norm: 'weight', candidate: 0, values, scores: [], mean: 1, failed: false, chosen });
  const grid = { 'agent.learningRate': [1e-3, 3e-3, 1e-2, 3e-4], 'agent.clipRange': [0.1, 0.2], 'network.activation': ['tanh', 'relu'] };
  const at = (lr: number, clip = 0.1, chosen = true) => edgeChoices(grid, [row({ 'agent.learningRate': lr, 'agent.clipRange': clip, 'network.activation': 'tanh' }, chosen)]).map((e) => `${e.key} ${e.side}`);
  expect(at(3e-3)).toEqual(['agent.clipRange lowest']); // 3e-3 is inside (the list is not sorted), 0.1 the lowest clip
  expect(at(3e-4, 0.2)).toEqual(['agent.learningRate lowest', 'agent.clipRange highest']);
  expect(at(1e-2)).toEqual(['agent.learningRate highest', 'agent.clipRange lowest']);
  expect(at(1e-2, 0.1, false)).toEqual([]); // only chosen rows
  expect(edgeChoices({ 'agent.learningRate': [1e-3] }, [row({ 'agent.learningRate': 1e-3 })])).toEqual([]); // one value: no grid to grow
});

test("a run directory counts for a cell only when it ran the cell's config: a tuning winner that changes reruns the evaluation runs that keep their ids", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-records-'));
  const cellAt = (learningRate: number) => expandGrid(ExperimentConfig.parse({ name: 'x', agents: ['ppo'], envs: ['CartPole-v1'], norms: ['weight'], seeds: [1], steps: 100, overrides: { ppo: { learningRate } } }))[0]!;
  const [before, after] = [cellAt(3e-3), cellAt(1e-3)];
  expect(after.id).toBe(before.id); // the id does not name the learning rate
  const summary = {
    env: 'CartPole-v1', agent: 'ppo' as const, norm: 'weight', seed: 1, totalSteps: 100, wallSeconds: 1, stepsPerSecond: 100, episodes: 3,
    stepsToThreshold: null, secondsToThreshold: null, evalReturnMean: 42, evalReturnStd: 0, evalEpisodes: 2,
    rewardThreshold: 475, earlyStopped: false, msPerUpdate: 1, backend: 'tensorflow', version: '0',
  };
  const runDir = path.join(dir, 'runs', before.id);
  fs.mkdirSync(runDir, { recursive: true });
  fs.writeFileSync(path.join(runDir, 'config.json'), JSON.stringify(before.config));
  fs.writeFileSync(path.join(runDir, 'summary.json'), JSON.stringify(summary));
  fs.writeFileSync(path.join(runDir, 'metrics.csv'), 'step,rollout/episodeReturn\n100,20\n');
  expect(finishedSummary(dir, before, [])?.evalReturnMean).toBe(42);
  expect(findRun(dir, before, [])?.config).toBe(configHash(before));
  // the same directory under the new winner's config: not finished (the runner redoes it), and the
  // report reads only a record of the new config
  expect(finishedSummary(dir, after, [])).toBeNull();
  expect(findRun(dir, after, [])).toBeNull();
  const record = { run: after.id, config: configHash(after), summary: { ...summary, evalReturnMean: 7 }, curve: { steps: [100], returns: [7] } };
  expect(findRun(dir, after, [record])?.summary.evalReturnMean).toBe(7);
  // a directory of the new config counts again
  fs.writeFileSync(path.join(runDir, 'config.json'), JSON.stringify(after.config));
  expect(finishedSummary(dir, after, [])?.evalReturnMean).toBe(42);
  // one without config.json (stored by an earlier queue coordinator) cannot tell, and counts as before
  fs.rmSync(path.join(runDir, 'config.json'));
  expect(finishedSummary(dir, before, [])?.evalReturnMean).toBe(42);
});

test('Ctrl-C on wnrl compare (SIGINT to its terminal process group): the runs in flight checkpoint and stop; the same command resumes them, and the results equal a grid without faults', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-compare-stop-'));
  const file = path.join(dir, 'stop.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      name: 'stop',
      agents: ['dqn'],
      envs: ['CartPole-v1'],
      norms: ['none'],
      seeds: [1, 2],
      steps: 5000,
      overrides: { dqn: { network: { hidden: [32] } } },
      trainer: { evalEpisodes: 3, evalInterval: 2000, checkpointSeconds: 0.3 },
    }),
  );
  const out = path.join(dir, 'out');
  // its own process group, as a shell gives a command; the runs it starts sit in groups of their own
  const child = spawn(process.execPath, [cliEntry(), 'compare', file, '--out', out, '--workers', '2'], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const runs = ['dqn-CartPole-v1-clean-none-s1', 'dqn-CartPole-v1-clean-none-s2'].map((id) => path.join(out, 'runs', id));
  const t0 = Date.now();
  while (!runs.every((r) => fs.existsSync(path.join(r, 'checkpoint', 'resume.bin')))) {
    if (Date.now() - t0 > 60_000) throw new Error(`no checkpoints: ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  process.kill(-child.pid!, 'SIGINT'); // what Ctrl-C in a terminal does
  expect(await exited, err).toBe(130);
  expect(err).toContain('the runs in flight checkpointed');
  for (const r of runs) expect(fs.existsSync(path.join(r, 'summary.json'))).toBe(false);
  expect(spawnSync('pgrep', ['-af', out], { encoding: 'utf8' }).stdout.trim()).toBe('');

  const { io, chunks } = capture();
  expect(await main(['compare', file, '--out', out, '--workers', '2'], io), chunks.err).toBe(0);
  expect(fs.readFileSync(path.join(out, 'compare.jsonl'), 'utf8').match(/resumed from its checkpoint/g)).toHaveLength(2);
  const clean = capture();
  expect(await main(['compare', file, '--out', path.join(dir, 'clean'), '--workers', '2'], clean.io), clean.chunks.err).toBe(0);
  const deterministic = (f: string) => {
    const [header, ...rows] = fs.readFileSync(f, 'utf8').trim().split('\n');
    const keep = header!.split(',').map((c, i) => (['msPerUpdate', 'stepsPerSecond', 'wallSeconds'].includes(c) ? -1 : i)).filter((i) => i >= 0);
    return [header!, ...rows].map((r) => keep.map((i) => r.split(',')[i]).join(','));
  };
  expect(deterministic(path.join(out, 'results.csv'))).toEqual(deterministic(path.join(dir, 'clean', 'results.csv')));
}, 180_000);
