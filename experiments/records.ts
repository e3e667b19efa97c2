// runs.jsonl: what a report needs of each run (its summary and learning curve), committed with the
// report. Read by the report (a fresh clone regenerates it bit for bit) and by the runners (a run with a
// record of the same config is finished, so a grid resumes from the repository alone).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Summary } from '../src/train/summary.ts';
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

/**
 * Settings added after runs were recorded, with the value that reproduces what those runs did. A config
 * holding that value hashes as if the setting did not exist, so its old records still count; any other
 * value is a different config (the records of the earlier behaviour do not count for it).
 */
const LEGACY_SETTINGS: readonly { path: readonly string[]; value: unknown }[] = [
  { path: ['agent', 'network', 'init'], value: 'glorot' },
  { path: ['agent', 'network', 'dataDependentInit'], value: true },
  { path: ['agent', 'network', 'batchRenorm'], value: false },
  { path: ['agent', 'network', 'batchMomentum'], value: 0.99 },
  { path: ['agent', 'network', 'recurrent', 'init'], value: 'glorot' },
  { path: ['agent', 'network', 'recurrent', 'layerNorm'], value: 'separate' },
  { path: ['agent', 'targetNetwork'], value: true },
];

/** Settings that cannot change a run's numbers (how often it checkpoints, videos): never part of the hash. */
const BOOKKEEPING_SETTINGS: readonly (readonly string[])[] = [
  ['trainer', 'checkpointSeconds'],
  ['trainer', 'video'], // drawn on a separate env copy with deterministic actions
];

/** The config as hashed: bookkeeping settings and legacy settings at their legacy values left out. */
function hashedConfig(config: unknown): unknown {
  const out = structuredClone(config) as Record<string, unknown>;
  for (const keys of BOOKKEEPING_SETTINGS) {
    const parent = keys.slice(0, -1).reduce<unknown>((node, k) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[k] : undefined), out);
    if (parent !== null && typeof parent === 'object') delete (parent as Record<string, unknown>)[keys[keys.length - 1]!];
  }
  for (const { path: keys, value } of LEGACY_SETTINGS) {
    let node: unknown = out;
    for (const k of keys.slice(0, -1)) node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[k] : undefined;
    if (node === null || typeof node !== 'object') continue;
    const last = keys[keys.length - 1]!;
    if ((node as Record<string, unknown>)[last] === value) delete (node as Record<string, unknown>)[last];
  }
  return out;
}

export function configHash(cell: Cell): string {
  return hashOf(cell.config);
}

function hashOf(config: unknown): string {
  return createHash('sha256').update(JSON.stringify(hashedConfig(config))).digest('hex').slice(0, 16);
}

/**
 * Whether `cell`'s run directory ran `cell`'s config (its config.json, hashed as records are; a directory
 * without one, stored by an earlier queue coordinator, cannot tell and counts). Run ids do not name every
 * setting: when a tuning grid grows and a norm's winner changes, its evaluation runs keep their ids under
 * another learning rate, and the directories of the former rate are not theirs.
 */
function runDirIsCell(outDir: string, cell: Cell): boolean {
  const file = path.join(outDir, 'runs', cell.id, 'config.json');
  if (!fs.existsSync(file)) return true;
  try {
    return hashOf(JSON.parse(fs.readFileSync(file, 'utf8'))) === configHash(cell);
  } catch {
    return false;
  }
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


export function summaryPath(outDir: string, cell: Cell): string {
  return path.join(outDir, 'runs', cell.id, 'summary.json');
}

export function readSummary(file: string): Summary | null {
  if (!fs.existsSync(file)) return null;
  try {
    return Summary.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch {
    return null;
  }
}

/** The training-return curve of a run (metrics.csv rows with a recent-episodes mean). */
export function readCurve(runDir: string): { steps: number[]; returns: number[] } {
  const file = path.join(runDir, 'metrics.csv');
  if (!fs.existsSync(file)) return { steps: [], returns: [] };
  const [header, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n');
  const cols = header!.split(',');
  const si = cols.indexOf('step');
  const ri = cols.indexOf('rollout/episodeReturn');
  const steps: number[] = [];
  const returns: number[] = [];
  for (const line of lines) {
    const cells = line.split(',');
    if (cells[ri] === '' || cells[ri] === undefined) continue;
    steps.push(Number(cells[si]));
    returns.push(Number(cells[ri]));
  }
  return { steps, returns };
}

const recordOf = (records: readonly RunRecord[], cell: Cell): RunRecord | undefined => {
  const hash = configHash(cell);
  return records.find((r) => r.run === cell.id && r.config === hash);
};

/**
 * What is known of `cell`'s finished run: its run directory (summary.json and metrics.csv, when the
 * directory ran this config) first, then a runs.jsonl record of the same config; null when neither.
 * What the report and the tuning choice read.
 */
export function findRun(outDir: string, cell: Cell, records: readonly RunRecord[]): RunRecord | null {
  const summary = runDirIsCell(outDir, cell) ? readSummary(summaryPath(outDir, cell)) : null;
  if (summary !== null) return { run: cell.id, config: configHash(cell), summary, curve: readCurve(path.dirname(summaryPath(outDir, cell))) };
  return recordOf(records, cell) ?? null;
}

/**
 * Whether a runner skips `cell`: a summary.json on disk from a run of its config, or (no run directory at
 * all: a clone) a runs.jsonl record of the same config. A directory without summary.json is an unfinished
 * run, and one of another config a run of something else: both are redone.
 */
export function finishedSummary(outDir: string, cell: Cell, records: readonly RunRecord[]): Summary | null {
  const file = summaryPath(outDir, cell);
  if (fs.existsSync(path.dirname(file))) return runDirIsCell(outDir, cell) ? readSummary(file) : null;
  return recordOf(records, cell)?.summary ?? null;
}
