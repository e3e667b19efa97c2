// From finished runs to results.csv (one row per run), summary.csv (one row per cell with confidence
// intervals), figures (SVG + PNG) and report.md, whose generated findings state only what the intervals
// support. Bootstrap seeds derive from the cell names, so the same runs give the same report, bit for bit.
import fs from 'node:fs';
import path from 'node:path';
import { deriveSeed } from '../envs/rng.ts';
import { ConfigError } from '../src/config/parse.ts';
import { writeTextAtomic } from '../src/train/run-dir.ts';
import type { Summary } from '../src/train/summary.ts';
import { envEntries, type Cell, type ExperimentConfig } from './grid.ts';
import { randomPolicyReturn, type RandomPolicyReturn } from './random-policy.ts';
import { chooseWinners, edgeChoices, type TuningOutcome } from './tuning.ts';
import { intervalSpec, learningCurveSpec, renderFigure, robustnessSpec, type CurvePoint, type IntervalPoint, type RobustnessPoint } from './plots.ts';
import type { GridRun } from './runner.ts';
import { RUN_RECORDS, findRun, readRecords, type RunRecord } from './records.ts';
export { RUN_RECORDS, configHash, readCurve, readRecords, type RunRecord } from './records.ts';
import { areaUnderCurve, iqm, mean, medianReached, probabilityOfImprovement, separated, stratifiedBootstrap, type Interval } from './stats.ts';

export interface RunRow {
  run: string;
  agent: string;
  env: string;
  noise: string;
  norm: string;
  seed: number;
  finalReturn: number;
  auc: number;
  stepsToThreshold: number | null;
  msPerUpdate: number | null;
  stepsPerSecond: number;
  wallSeconds: number;
  curve: { steps: number[]; returns: number[] };
  robustness: NonNullable<Summary['robustness']>;
}

/** Per (agent, training noise, swept wrapper, norm, strength): the mean over seeds with a bootstrap interval. */
function robustnessPoints(cells: readonly { agent: string; noise: string; norm: string; runs: RunRow[] }[]): RobustnessPoint[] {
  const out: RobustnessPoint[] = [];
  for (const c of cells) {
    const sweeps = new Map<string, Map<number, number[]>>();
    for (const r of c.runs) {
      for (const s of r.robustness) {
        const byValue = sweeps.get(s.wrapper) ?? new Map<number, number[]>();
        s.values.forEach((v, i) => byValue.set(v, [...(byValue.get(v) ?? []), s.returnMeans[i]!]));
        sweeps.set(s.wrapper, byValue);
      }
    }
    for (const [wrapper, byValue] of sweeps) {
      for (const [strength, values] of [...byValue.entries()].sort((a, b) => a[0] - b[0])) {
        const ci = stratifiedBootstrap([values], mean, deriveSeed(5, `${c.agent}|${c.noise}|${c.norm}|${wrapper}|${strength}`), 1000);
        out.push({ agent: c.agent, panel: `${c.noise} · ${wrapper}`, norm: c.norm, strength, mean: ci.point, low: ci.low, high: ci.high, runs: values.length });
      }
    }
  }
  return out;
}

/** Fewer seeds than this make percentile-bootstrap intervals degenerate (3 of 3 wins gives [1, 1]). */
export const MIN_SEEDS_FOR_FINDINGS = 5;

const fmt = (x: number | null | undefined, digits = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '' : x.toFixed(digits));
const fmtInterval = (i: Interval, digits = 1) => `${fmt(i.point, digits)} [${fmt(i.low, digits)}, ${fmt(i.high, digits)}]`;
function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const text = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
const toCsv = (header: string[], rows: unknown[][]) => `${[header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n')}\n`;

export interface ReportFiles {
  /** How many runs the report was built from. */
  runs: number;
  results: string;
  summary: string;
  report: string;
  figures: string[];
}

/**
 * How many of these cells the report already in outDir was built from: the cells with a record in
 * runs.jsonl (of any config: an evaluation run under a former tuning winner counts for its cell), else
 * results.csv's rows. Records of runs the cells do not name (runs.jsonl keeps them) do not count.
 */
export function previousRunCount(outDir: string, cells: readonly Cell[]): number {
  const records = path.join(outDir, RUN_RECORDS);
  if (fs.existsSync(records)) {
    const recorded = new Set(readRecords(outDir).map((r) => r.run));
    return cells.filter((c) => recorded.has(c.id)).length;
  }
  const results = path.join(outDir, 'results.csv');
  return fs.existsSync(results) ? Math.max(0, fs.readFileSync(results, 'utf8').trim().split('\n').length - 1) : 0;
}

export function shrinkingReportError(outDir: string, cells: readonly Cell[], available: number): ConfigError | null {
  const before = previousRunCount(outDir, cells);
  if (available >= before) return null;
  return ConfigError.single(
    '--out',
    `${outDir} holds a report built from ${before} runs, and only ${available} are here (run directories or ${RUN_RECORDS} records of the same configs); ` +
      'refusing to replace it with a smaller one: rerun the missing runs, or write the report to another --out',
  );
}

/** Each of these cells' finished run: its run directory, else its committed record (findRun). */
export function finishedRuns(cells: readonly Cell[], outDir: string): { cell: Cell; record: RunRecord }[] {
  const records = readRecords(outDir);
  return cells.flatMap((cell) => {
    const record = findRun(outDir, cell, records);
    return record === null ? [] : [{ cell, record }];
  });
}

/**
 * The runs a report is built from (finishedRuns). Throws when that is fewer runs than the report already
 * in outDir had: a rerun never replaces a report with one built from fewer runs.
 */
export function collectRuns(cells: readonly Cell[], outDir: string): { cell: Cell; record: RunRecord }[] {
  const out = finishedRuns(cells, outDir);
  const error = shrinkingReportError(outDir, cells, out.length);
  if (error) throw error;
  return out;
}

/**
 * Writes runs.jsonl: these runs, then the records of other runs already in the file (a tuning grid grown
 * by another invocation, an evaluation run under a former winner, a cell the experiment no longer has),
 * unchanged: no finished run is lost. Atomic: the file is the old one or the new one.
 */
export function writeRecords(runs: readonly { record: RunRecord }[], outDir: string): void {
  const key = (r: RunRecord) => `${r.run}|${r.config}`;
  const seen = new Set(runs.map(({ record }) => key(record)));
  const others: RunRecord[] = [];
  for (const r of readRecords(outDir)) {
    if (seen.has(key(r))) continue;
    seen.add(key(r));
    others.push(r);
  }
  writeTextAtomic(path.join(outDir, RUN_RECORDS), [...runs.map(({ record }) => record), ...others].map((r) => `${JSON.stringify(r)}\n`).join(''));
}

/**
 * Writes runs.jsonl for these cells (collectRuns, then writeRecords) and returns what it wrote: the
 * report's input, or, without a report, what an unfinished tuning stage has so far, so its runs survive a
 * clone (a rerun skips them).
 */
export function saveRecords(cells: readonly Cell[], outDir: string): { cell: Cell; record: RunRecord }[] {
  const collected = collectRuns(cells, outDir);
  writeRecords(collected, outDir);
  return collected;
}

export async function writeReport(experiment: ExperimentConfig, grid: GridRun, outDir: string, workers: number, cellsInGrid?: readonly Cell[]): Promise<ReportFiles> {
  // Cells are named by env id; a 'module:EnvId' entry of the experiment file reports under its id.
  const envIds = envEntries(experiment.envs).map((e) => e.label);
  const collected = saveRecords(cellsInGrid ?? grid.results.map((r) => r.cell), outDir);
  // The tuning stage, recomputed from the records (so --report-only on a clone gives the same table).
  const tuneCells = (cellsInGrid ?? []).filter((c) => c.tuning !== undefined);
  const byRun = new Map(collected.map((c) => [c.cell.id, c.record]));
  const failedIds = new Set(grid.failed.map((f) => f.cell.id));
  const tuning: TuningOutcome | null =
    experiment.tuning === undefined ? null : chooseWinners(experiment, tuneCells, (c) => byRun.get(c.id) ?? (failedIds.has(c.id) ? 'failed' : null));
  const rows: RunRow[] = collected.filter(({ cell }) => cell.tuning === undefined).map(({ cell, record }) => {
    const r = { cell, summary: record.summary };
    const curve = record.curve;
    return {
      run: r.cell.id,
      agent: r.cell.agent,
      env: r.cell.env,
      noise: r.cell.noise,
      norm: r.cell.norm,
      seed: r.cell.seed,
      finalReturn: r.summary.evalReturnMean ?? Number.NaN,
      auc: areaUnderCurve(curve.steps, curve.returns, r.summary.totalSteps),
      stepsToThreshold: r.summary.stepsToThreshold,
      msPerUpdate: r.summary.msPerUpdate,
      stepsPerSecond: r.summary.stepsPerSecond,
      wallSeconds: r.summary.wallSeconds,
      curve,
      robustness: r.summary.robustness ?? [],
    };
  });

  // --- results.csv: one row per run ---
  const results = path.join(outDir, 'results.csv');
  fs.writeFileSync(
    results,
    toCsv(
      ['run', 'agent', 'env', 'noise', 'norm', 'seed', 'finalReturn', 'auc', 'stepsToThreshold', 'msPerUpdate', 'stepsPerSecond', 'wallSeconds'],
      rows.map((r) => [r.run, r.agent, r.env, r.noise, r.norm, r.seed, fmt(r.finalReturn, 3), fmt(r.auc, 3), r.stepsToThreshold, fmt(r.msPerUpdate, 3), fmt(r.stepsPerSecond, 1), fmt(r.wallSeconds, 2)]),
    ),
  );

  // --- per cell: point estimates with 95% bootstrap intervals across seeds ---
  const keyOf = (r: { agent: string; env: string; noise: string; norm: string }) => `${r.agent}|${r.env}|${r.noise}|${r.norm}`;
  const groups = new Map<string, RunRow[]>();
  for (const r of rows) groups.set(keyOf(r), [...(groups.get(keyOf(r)) ?? []), r]);
  interface CellStats {
    agent: string;
    env: string;
    noise: string;
    norm: string;
    runs: RunRow[];
    finalIqm: Interval;
    finalMean: Interval;
    aucIqm: Interval;
    reached: number;
    medianStepsToThreshold: number | null;
    msPerUpdate: number;
  }
  const cells: CellStats[] = [...groups.entries()].map(([key, runs]) => {
    const [agent, env, noise, norm] = key.split('|') as [string, string, string, string];
    const finals = runs.map((r) => r.finalReturn);
    const reachedRuns = runs.filter((r) => r.stepsToThreshold !== null);
    return {
      agent,
      env,
      noise,
      norm,
      runs,
      finalIqm: stratifiedBootstrap([finals], iqm, deriveSeed(1, `final-iqm|${key}`)),
      finalMean: stratifiedBootstrap([finals], mean, deriveSeed(1, `final-mean|${key}`)),
      aucIqm: stratifiedBootstrap([runs.map((r) => r.auc)], iqm, deriveSeed(1, `auc|${key}`)),
      reached: reachedRuns.length,
      medianStepsToThreshold: medianReached(runs.map((r) => r.stepsToThreshold)),
      msPerUpdate: mean(runs.map((r) => r.msPerUpdate ?? Number.NaN).filter(Number.isFinite)),
    };
  });
  // --- the random-policy floor: a clean cell below it is a broken combination, not a result ---
  const cleanNoise = experiment.noise.find((n) => n.wrappers.length === 0)?.name ?? null;
  const randomReturns = new Map<string, RandomPolicyReturn>();
  const allCells = cellsInGrid ?? grid.results.map((r) => r.cell);
  if (cleanNoise !== null) {
    for (const env of envIds) {
      // Only tasks with a finished clean run: an env whose runs all failed (a crashing user module, say)
      // is not run again here, in the coordinator's own process.
      const finished = cells.some((c) => c.env === env && c.noise === cleanNoise && c.runs.length > 0);
      const cell = allCells.find((c) => c.env === env && c.noise === cleanNoise);
      if (cell && finished) randomReturns.set(env, await randomPolicyReturn(cell.config.env));
    }
  }
  /** The norms whose clean cell (agent, env) ended below the random policy's return. */
  const brokenCell = (agent: string, env: string, norm: string): CellStats | null => {
    const floor = randomReturns.get(env);
    const c = cells.find((x) => x.agent === agent && x.env === env && x.noise === cleanNoise && x.norm === norm);
    return floor !== undefined && c !== undefined && c.finalIqm.point < floor.mean ? c : null;
  };
  const isBroken = (agent: string, env: string, norm: string) => brokenCell(agent, env, norm) !== null;

  const summary = path.join(outDir, 'summary.csv');
  fs.writeFileSync(
    summary,
    toCsv(
      ['agent', 'env', 'noise', 'norm', 'runs', 'finalIqm', 'finalIqmLow', 'finalIqmHigh', 'finalMean', 'finalMeanLow', 'finalMeanHigh', 'aucIqm', 'aucIqmLow', 'aucIqmHigh', 'reachedThreshold', 'medianStepsToThreshold', 'msPerUpdate'],
      cells.map((c) => [c.agent, c.env, c.noise, c.norm, c.runs.length, fmt(c.finalIqm.point, 3), fmt(c.finalIqm.low, 3), fmt(c.finalIqm.high, 3), fmt(c.finalMean.point, 3), fmt(c.finalMean.low, 3), fmt(c.finalMean.high, 3), fmt(c.aucIqm.point, 3), fmt(c.aucIqm.low, 3), fmt(c.aucIqm.high, 3), c.reached, c.medianStepsToThreshold, fmt(c.msPerUpdate, 3)]),
    ),
  );

  // --- figures ---
  const figDir = path.join(outDir, 'figures');
  const figures: string[] = [];
  const robustnessByEnv = new Map<string, RobustnessPoint[]>();
  for (const env of envIds) {
    const slug = env.replace(/[^A-Za-z0-9_.-]/g, '_');
    const curvePoints: CurvePoint[] = [];
    for (const c of cells.filter((x) => x.env === env)) {
      const steps = [...new Set(c.runs.flatMap((r) => r.curve.steps))].sort((a, b) => a - b);
      for (const step of steps) {
        const vals = c.runs.map((r) => r.curve.returns[r.curve.steps.indexOf(step)]).filter((v): v is number => v !== undefined);
        if (vals.length < Math.max(1, Math.ceil(c.runs.length / 2))) continue;
        const ci = stratifiedBootstrap([vals], mean, deriveSeed(2, `${keyOf(c)}|${step}`), 400);
        curvePoints.push({ agent: c.agent, noise: c.noise, norm: c.norm, step, mean: ci.point, low: ci.low, high: ci.high });
      }
    }
    const intervals: IntervalPoint[] = cells.filter((x) => x.env === env).map((c) => ({ agent: c.agent, noise: c.noise, norm: c.norm, ...c.finalIqm }));
    const curves = await renderFigure(learningCurveSpec(curvePoints, `${env}: training return (mean over seeds, 95% bootstrap band)`), path.join(figDir, `${slug}-learning-curves`));
    const finals = await renderFigure(intervalSpec(intervals, `${env}: final evaluation return (IQM, 95% stratified bootstrap CI)`, 'final eval return'), path.join(figDir, `${slug}-final-return`));
    figures.push(curves.svg, curves.png, finals.svg, finals.png);
    const robust = robustnessPoints(cells.filter((x) => x.env === env));
    if (robust.length) {
      const fig = await renderFigure(robustnessSpec(robust, `${env}: final policies under test-time perturbations (mean over seeds, 95% bootstrap band)`), path.join(figDir, `${slug}-robustness`));
      figures.push(fig.svg, fig.png);
      robustnessByEnv.set(env, robust);
    }
  }

  // --- tuning.csv: one row per (agent, env, norm, candidate) ---
  if (tuning !== null) {
    fs.writeFileSync(
      path.join(outDir, 'tuning.csv'),
      toCsv(
        ['agent', 'env', 'norm', 'candidate', 'values', 'metric', 'scores', 'mean', 'chosen'],
        tuning.rows.map((r) => [r.agent, r.env, r.norm, r.candidate, JSON.stringify(r.values), experiment.tuning!.metric, r.scores.map((x) => (x === null ? '' : fmt(x, 3))).join(' '), fmt(r.mean, 3), r.chosen]),
      ),
    );
  }

  // --- report.md ---
  const lines: string[] = [];
  // Runner timing is kept in runner.json (from the invocation that ran the runs), so regenerating the
  // report from the same runs gives the same file.
  const runnerFile = path.join(outDir, 'runner.json');
  const ranNow = grid.results.filter((r) => !r.skipped);
  type RunnerTiming = { runs: number; wallSeconds: number; sumRunSeconds: number; workers: number };
  const previous = fs.existsSync(runnerFile) ? (JSON.parse(fs.readFileSync(runnerFile, 'utf8')) as RunnerTiming) : null;
  // Keep the invocation that ran the most runs (a resume that redoes one run does not replace it).
  if (ranNow.length > 0 && (previous === null || ranNow.length >= previous.runs)) {
    const sumRun = ranNow.reduce((a, r) => a + (r.processSeconds ?? 0), 0);
    fs.writeFileSync(runnerFile, `${JSON.stringify({ runs: ranNow.length, wallSeconds: grid.wallSeconds, sumRunSeconds: sumRun, workers }, null, 2)}\n`);
  }
  const runner = fs.existsSync(runnerFile) ? (JSON.parse(fs.readFileSync(runnerFile, 'utf8')) as RunnerTiming) : null;
  lines.push(`# ${experiment.name}`, '');
  if (experiment.description) lines.push(experiment.description, '');
  lines.push(
    `${experiment.agents.join(', ')} on ${envIds.join(', ')} × norms {${experiment.norms.join(', ')}} × noise {${experiment.noise.map((n) => n.name).join(', ')}} × ${experiment.seeds.length} seeds, ` +
      `${experiment.steps.toLocaleString('en-US')} environment steps per run (${rows.length} runs${grid.failed.length ? `, ${grid.failed.length} failed` : ''}).`,
    '',
    'Point estimates are the interquartile mean (IQM) and mean across seeds with 95% percentile intervals from a stratified bootstrap (2000 resamples; Agarwal et al. 2021). ' +
      'AUC is the mean training return over the whole budget (the area under the learning curve). "P(weight > X)" is the fraction of seeds on which weight norm\'s final return beats norm X (seeds paired), with a bootstrap interval.',
    '',
  );
  if (runner !== null) {
    const perWorker = runner.sumRunSeconds / runner.workers;
    lines.push(`Runner (the invocation that ran ${runner.runs} runs): ${runner.wallSeconds.toFixed(0)} s of wall time with ${runner.workers} workers; the runs summed to ${runner.sumRunSeconds.toFixed(0)} s, ${perWorker.toFixed(0)} s per worker (overhead ${((runner.wallSeconds / perWorker - 1) * 100).toFixed(1)}%).`, '');
  }
  const noiseDesc = experiment.noise.map((n) => `\`${n.name}\`: ${n.wrappers.length ? n.wrappers.map((w) => JSON.stringify(w)).join(', ') : 'no noise'}`);
  lines.push(`Noise settings: ${noiseDesc.join('; ')}.`, '');
  if (tuning !== null) {
    const t = experiment.tuning!;
    lines.push(
      '## Tuning',
      '',
      `Each (agent, env, norm) ran every candidate on tuning seeds ${t.seeds.join(', ')} (${(t.steps ?? experiment.steps).toLocaleString('en-US')} steps, noise setting \`${t.noise ?? experiment.noise[0]!.name}\`); ` +
        `the candidate with the highest mean ${t.metric === 'auc' ? 'area under the learning curve (mean training return over the budget)' : 'final evaluation return'} was then run on the evaluation seeds ${experiment.seeds.join(', ')}, which tuning never saw. Chosen: **bold**.`,
      '',
      `| agent | env | norm | ${Object.keys(t.candidates).join(' | ')} | ${t.metric} per tuning seed | mean |`,
      `| --- | --- | --- | ${Object.keys(t.candidates).map(() => '---').join(' | ')} | --- | --- |`,
    );
    for (const r of tuning.rows) {
      const b = (x: string) => (r.chosen ? `**${x}**` : x);
      lines.push(`| ${r.agent} | ${r.env} | ${r.norm} | ${Object.keys(t.candidates).map((k) => b(JSON.stringify(r.values[k]))).join(' | ')} | ${r.failed ? 'failed' : r.scores.map((x) => fmt(x, 1)).join(', ')} | ${b(fmt(r.mean, 1) || '–')} |`);
    }
    lines.push('');
    const edges = edgeChoices(t.candidates, tuning.rows);
    if (edges.length === 0) lines.push('No chosen value sits on an edge of its grid.', '');
    else {
      lines.push(
        'Chosen on an edge of the grid (the best value may lie beyond it: grow the grid one step that way and run again; candidates are positional in run ids, so a new value goes at the end of its list):',
        '',
        ...edges.map((e) => `- ${e.row.agent} · ${e.row.env} · ${e.row.norm}: ${e.key} ${JSON.stringify(e.row.values[e.key])}, the grid's ${e.side}`),
        '',
      );
    }
  }

  const findings: string[] = [];
  const robustFindings: string[] = []; // stated after the others
  for (const env of envIds) {
    const slug = env.replace(/[^A-Za-z0-9_.-]/g, '_');
    lines.push(`## ${env}`, '', `![learning curves](figures/${slug}-learning-curves.png)`, '', `![final returns](figures/${slug}-final-return.png)`, '');
    const robust = robustnessByEnv.get(env);
    if (robust) {
      lines.push(`![robustness](figures/${slug}-robustness.png)`, '', 'Robustness: mean evaluation return of the final policies [95% bootstrap CI over seeds] at each test-time perturbation strength (the swept wrapper replaces a training one of its type).', '');
      const panels = [...new Set(robust.map((p) => p.panel))];
      for (const agent of experiment.agents) {
        for (const panel of panels) {
          const pts = robust.filter((p) => p.agent === agent && p.panel === panel);
          if (!pts.length) continue;
          const strengths = [...new Set(pts.map((p) => p.strength))].sort((a, b) => a - b);
          lines.push(`| ${agent} · ${panel} | ${strengths.map((x) => `${x}`).join(' | ')} |`, `| --- | ${strengths.map(() => '---').join(' | ')} |`);
          for (const norm of experiment.norms) {
            const row = strengths.map((x) => pts.find((p) => p.norm === norm && p.strength === x));
            if (row.every((p) => p === undefined)) continue;
            lines.push(`| ${norm} | ${row.map((p) => (p ? `${fmt(p.mean)} [${fmt(p.low)}, ${fmt(p.high)}]` : '')).join(' | ')} |`);
          }
          lines.push('');
          // Under each perturbation: where weight norm's mean return separates from another norm's.
          for (const x of strengths.filter((v) => v !== 0)) {
            const w = pts.find((p) => p.norm === 'weight' && p.strength === x);
            if (!w || w.runs < MIN_SEEDS_FOR_FINDINGS) continue;
            if (isBroken(agent, env, 'weight')) continue;
            for (const o of experiment.norms.filter((n) => n !== 'weight')) {
              const c = pts.find((p) => p.norm === o && p.strength === x);
              if (!c || c.runs < MIN_SEEDS_FOR_FINDINGS || isBroken(agent, env, o)) continue;
              const s = separated({ point: w.mean, low: w.low, high: w.high }, { point: c.mean, low: c.low, high: c.high });
              if (s) robustFindings.push(`${agent} on ${env} (${panel} ${x}): weight norm's final policies kept a mean return of ${fmt(w.mean)} [${fmt(w.low)}, ${fmt(w.high)}], ${s} than ${o}'s ${fmt(c.mean)} [${fmt(c.low)}, ${fmt(c.high)}] (intervals do not overlap).`);
            }
          }
        }
      }
    }
    for (const agent of experiment.agents) {
      lines.push(`### ${agent}`, '');
      lines.push('| noise | norm | final IQM [95% CI] | final mean [95% CI] | AUC IQM [95% CI] | reached threshold | median steps to threshold | ms per update |');
      lines.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
      for (const noise of experiment.noise.map((n) => n.name)) {
        for (const norm of experiment.norms) {
          const c = cells.find((x) => x.env === env && x.agent === agent && x.noise === noise && x.norm === norm);
          if (!c) continue;
          lines.push(`| ${noise} | ${norm}${isBroken(agent, env, norm) ? ' (broken: below random)' : ''} | ${fmtInterval(c.finalIqm)} | ${fmtInterval(c.finalMean)} | ${fmtInterval(c.aucIqm)} | ${c.reached}/${c.runs.length} | ${c.medianStepsToThreshold ?? '–'} | ${fmt(c.msPerUpdate, 2)} |`);
        }
      }
      lines.push('');
      // Probability of improvement of weight norm over each other norm, per noise setting.
      if (experiment.norms.includes('weight')) {
        const others = experiment.norms.filter((n) => n !== 'weight');
        lines.push(`| noise | ${others.map((o) => `P(weight > ${o})`).join(' | ')} |`, `| --- | ${others.map(() => '---').join(' | ')} |`);
        for (const noise of experiment.noise.map((n) => n.name)) {
          const w = cells.find((x) => x.env === env && x.agent === agent && x.noise === noise && x.norm === 'weight');
          const cellsFor = others.map((o) => {
            const c = cells.find((x) => x.env === env && x.agent === agent && x.noise === noise && x.norm === o);
            if (!w || !c) return '';
            const bySeed = (rs: RunRow[]) => new Map(rs.map((r) => [r.seed, r.finalReturn]));
            const ws = bySeed(w.runs);
            const os = bySeed(c.runs);
            const seeds = [...ws.keys()].filter((s) => os.has(s)).sort((a, b) => a - b);
            const p = probabilityOfImprovement(seeds.map((s) => ws.get(s)!), seeds.map((s) => os.get(s)!), deriveSeed(3, `${agent}|${env}|${noise}|${o}`));
            if (seeds.length < MIN_SEEDS_FOR_FINDINGS || isBroken(agent, env, o) || isBroken(agent, env, 'weight')) return fmtInterval(p, 2);
            if (p.low > 0.5) findings.push(`${agent} on ${env} (${noise}): weight norm beat ${o} on more seeds than not, P = ${fmtInterval(p, 2)}.`);
            if (p.high < 0.5) findings.push(`${agent} on ${env} (${noise}): ${o} beat weight norm on more seeds than not, P(weight > ${o}) = ${fmtInterval(p, 2)}.`);
            return fmtInterval(p, 2);
          });
          lines.push(`| ${noise} | ${cellsFor.join(' | ')} |`);
        }
        lines.push('');
        // Separated final-return and AUC intervals: the only differences stated.
        for (const noise of experiment.noise.map((n) => n.name)) {
          const w = cells.find((x) => x.env === env && x.agent === agent && x.noise === noise && x.norm === 'weight');
          if (!w) continue;
          for (const o of others) {
            const c = cells.find((x) => x.env === env && x.agent === agent && x.noise === noise && x.norm === o);
            if (!c) continue;
            if (w.runs.length < MIN_SEEDS_FOR_FINDINGS || c.runs.length < MIN_SEEDS_FOR_FINDINGS) continue;
            if (isBroken(agent, env, o) || isBroken(agent, env, 'weight')) continue;
            const s = separated(w.finalIqm, c.finalIqm);
            if (s) findings.push(`${agent} on ${env} (${noise}): weight norm's final-return IQM ${fmtInterval(w.finalIqm)} is ${s} than ${o}'s ${fmtInterval(c.finalIqm)} (intervals do not overlap).`);
            // Return during training (how soon it learned, how well it held on): the area under the learning curve.
            const a = separated(w.aucIqm, c.aucIqm);
            if (a) findings.push(`${agent} on ${env} (${noise}): weight norm's AUC IQM ${fmtInterval(w.aucIqm)} is ${a} than ${o}'s ${fmtInterval(c.aucIqm)} (${a === 'higher' ? 'more' : 'less'} return during training: it learned ${a === 'higher' ? 'sooner' : 'later'} or held on ${a === 'higher' ? 'better' : 'worse'}; intervals do not overlap).`);
          }
        }
      }
      // Aggregate over noise settings: stratified bootstrap (noise settings are the strata).
      lines.push('Across all noise settings (stratified bootstrap over noise settings):', '', '| norm | final IQM [95% CI] | ms per update (× none) |', '| --- | --- | --- |');
      const none = cells.filter((x) => x.env === env && x.agent === agent && x.norm === 'none');
      const noneMs = mean(none.map((c) => c.msPerUpdate).filter(Number.isFinite));
      for (const norm of experiment.norms) {
        const strata = experiment.noise.map((n) => cells.find((x) => x.env === env && x.agent === agent && x.noise === n.name && x.norm === norm)?.runs.map((r) => r.finalReturn) ?? []).filter((s) => s.length > 0);
        const agg = stratifiedBootstrap(strata, iqm, deriveSeed(4, `${agent}|${env}|${norm}`));
        const ms = mean(cells.filter((x) => x.env === env && x.agent === agent && x.norm === norm).map((c) => c.msPerUpdate).filter(Number.isFinite));
        lines.push(`| ${norm} | ${fmtInterval(agg)} | ${fmt(ms, 2)}${Number.isFinite(noneMs) && norm !== 'none' ? ` (${fmt(ms / noneMs, 2)}×)` : ''} |`);
      }
      lines.push('');
    }
  }
  lines.push('## Below a random policy', '');
  if (cleanNoise === null) lines.push('No noise setting of this experiment is clean (without wrappers), so no cell is checked against a random policy.', '');
  else {
    const floors = envIds.filter((e) => randomReturns.has(e)).map((e) => `${e} ${fmt(randomReturns.get(e)!.mean)}`);
    lines.push(
      `A uniformly random policy's mean return on the clean task (measured: ${randomReturns.values().next().value?.episodes ?? 0} seeded episodes): ${floors.join('; ')}. ` +
        'A cell whose clean final IQM is below it is a broken combination (a defect until shown otherwise), not a weak result: it is marked in the tables and no comparison with it is stated below.',
      '',
    );
    const broken = cells.filter((c) => c.noise === cleanNoise && isBroken(c.agent, c.env, c.norm));
    if (broken.length === 0) lines.push('No clean cell is below it.', '');
    else for (const c of broken) lines.push(`- ${c.agent} on ${c.env}, ${c.norm}: clean final IQM ${fmtInterval(c.finalIqm)} < ${fmt(randomReturns.get(c.env)!.mean)}: broken.`);
    if (broken.length) lines.push('');
  }
  lines.push('## What the intervals support', '');
  const fewest = Math.min(...cells.map((c) => c.runs.length));
  lines.push(`Findings are stated only for comparisons with at least ${MIN_SEEDS_FOR_FINDINGS} seeds on both sides (this report: ${fewest === Math.max(...cells.map((c) => c.runs.length)) ? fewest : `${fewest} to ${Math.max(...cells.map((c) => c.runs.length))}`} seeds per cell).`, '');
  findings.push(...robustFindings);
  if (findings.length === 0) lines.push('No difference between weight norm and another norm is resolved: every compared pair of intervals overlaps, every probability-of-improvement interval contains 0.5, or there are too few seeds to say.', '');
  else for (const f of findings) lines.push(`- ${f}`);
  if (grid.failed.length) lines.push('', '## Failed runs', '', ...grid.failed.map((f) => `- ${f.cell.id}: ${f.error}`));
  lines.push('');
  const report = path.join(outDir, 'report.md');
  fs.writeFileSync(report, lines.join('\n'));
  return { runs: collected.length, results, summary, report, figures };
}
