// runs.jsonl: what a report needs of each run (its summary and learning curve), committed with the
// report. Read by the report (a fresh clone regenerates it bit for bit) and by the runners (a run with a
// record of the same config is finished, so a grid resumes from the repository alone).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Summary } from '../src/train/summary.ts';
import type { Cell } from './grid.ts';

/**
 * What the report needs of one run, committed with the report as one line of runs.jsonl: its summary and
 * its learning curve. The run directories (checkpoints, TensorBoard) stay out of git; with runs.jsonl a
 * fresh clone regenerates the report bit for bit (`wnrl compare FILE --out DIR --report-only`).
 */
export interface RunRecord {
  run: string;
  /** Hash of the run's config: a record counts only for a cell with the same config. */
  config: string;
  summary: Summary;
  curve: { steps: number[]; returns: number[] };
}
export const RUN_RECORDS = 'runs.jsonl';

export function configHash(cell: Cell): string {
  return createHash('sha256').update(JSON.stringify(cell.config)).digest('hex').slice(0, 16);
}

export function readRecords(outDir: string): RunRecord[] {
  const file = path.join(outDir, RUN_RECORDS);
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RunRecord);
}


/** The summary of `cell`'s run from a runs.jsonl record of the same config, or null. */
export function recordedSummary(records: readonly RunRecord[], cell: Cell): Summary | null {
  const hash = configHash(cell);
  return records.find((r) => r.run === cell.id && r.config === hash)?.summary ?? null;
}
