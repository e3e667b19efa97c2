// The tuning stage's choice: per (agent, env, norm), the candidate whose tuning runs score best on the
// experiment's metric (mean over the tuning seeds of the area under the learning curve, or of the final
// evaluation return). A candidate with a failed run is out; the choice waits for every other run.
import type { Summary } from '../src/train/summary.ts';
import { candidates, tuningKey, type Candidate, type Cell, type ExperimentConfig } from './grid.ts';
import { areaUnderCurve, mean } from './stats.ts';

export type RunLookup = (cell: Cell) => { summary: Summary; curve: { steps: number[]; returns: number[] } } | 'failed' | null;

export interface TuningRow {
  agent: string;
  env: string;
  norm: string;
  candidate: number;
  values: Candidate;
  /** Per tuning seed, in order; null where the run is missing or failed. */
  scores: (number | null)[];
  mean: number | null;
  failed: boolean;
  chosen: boolean;
}

export interface TuningOutcome {
  winners: Map<string, Candidate>;
  rows: TuningRow[];
  /** Tuning runs not finished yet (neither a result nor a recorded failure). */
  pending: Cell[];
}

export function chooseWinners(e: ExperimentConfig, tuneCells: readonly Cell[], lookup: RunLookup): TuningOutcome {
  const metric = e.tuning?.metric ?? 'auc';
  const all = candidates(e);
  const groups = new Map<string, Cell[]>();
  for (const c of tuneCells) groups.set(tuningKey(c), [...(groups.get(tuningKey(c)) ?? []), c]);
  const winners = new Map<string, Candidate>();
  const rows: TuningRow[] = [];
  const pending: Cell[] = [];
  for (const [key, cells] of groups) {
    const group: TuningRow[] = [];
    let complete = true;
    for (let k = 0; k < all.length; k++) {
      const runs = cells.filter((c) => c.tuning?.candidate === k).sort((a, b) => a.seed - b.seed);
      let failed = false;
      const scores = runs.map((c) => {
        const r = lookup(c);
        if (r === null) {
          pending.push(c);
          complete = false;
          return null;
        }
        if (r === 'failed') {
          failed = true;
          return null;
        }
        return metric === 'auc' ? areaUnderCurve(r.curve.steps, r.curve.returns, r.summary.totalSteps) : (r.summary.evalReturnMean ?? Number.NaN);
      });
      const done = scores.every((x) => x !== null) && !failed;
      group.push({ agent: cells[0]!.agent, env: cells[0]!.env, norm: cells[0]!.norm, candidate: k, values: all[k]!, scores, mean: done ? mean(scores as number[]) : null, failed, chosen: false });
    }
    if (complete) {
      // Highest mean wins; ties go to the candidate listed first.
      const best = group.filter((r) => r.mean !== null && Number.isFinite(r.mean)).reduce<TuningRow | null>((b, r) => (b === null || r.mean! > b.mean! ? r : b), null);
      if (best !== null) {
        best.chosen = true;
        winners.set(key, best.values);
      }
    }
    rows.push(...group);
  }
  return { winners, rows, pending };
}

/** A chosen value at the end of its setting's numeric candidate list: the best value may lie beyond it. */
export interface EdgeChoice {
  row: TuningRow;
  key: string;
  side: 'lowest' | 'highest';
}

/**
 * The tuning choices that sit on an edge of the grid, per numeric setting with at least two values (the
 * study's rule: grow the grid one step that way before the evaluation stage counts).
 */
export function edgeChoices(grid: Record<string, readonly unknown[]>, rows: readonly TuningRow[]): EdgeChoice[] {
  const out: EdgeChoice[] = [];
  for (const row of rows.filter((r) => r.chosen)) {
    for (const [key, values] of Object.entries(grid)) {
      const numbers = values.filter((v): v is number => typeof v === 'number');
      if (numbers.length !== values.length || new Set(numbers).size < 2) continue;
      const v = row.values[key];
      if (v === Math.min(...numbers)) out.push({ row, key, side: 'lowest' });
      else if (v === Math.max(...numbers)) out.push({ row, key, side: 'highest' });
    }
  }
  return out;
}
