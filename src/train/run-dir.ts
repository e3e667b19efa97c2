// Run directories and atomic writes: a file or folder appears complete or not at all (temp, then rename).
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/parse.ts';

export function writeTextAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeTextAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** A fresh `<dir>.tmp-<pid>` filled by `fill`; removed again if `fill` throws. */
async function filledTemp(dir: string, fill: (tmpDir: string) => Promise<void>): Promise<string> {
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  try {
    await fill(tmp);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return tmp;
}

/** Writes a folder through `fill(tmpDir)`, then swaps it into place; the old version is removed after. */
export async function writeDirAtomic(dir: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  const tmp = await filledTemp(dir, fill);
  const old = `${dir}.old-${process.pid}`;
  const hadOld = fs.existsSync(dir);
  if (hadOld) fs.renameSync(dir, old);
  fs.renameSync(tmp, dir);
  if (hadOld) fs.rmSync(old, { recursive: true, force: true });
}

/**
 * Writes a checkpoint folder through `fill(tmpDir)` and keeps the previous one beside it as `<dir>.prev`:
 * a kill at any moment leaves at least one complete checkpoint (the current, or the previous one while the
 * new one is being swapped in).
 */
export async function writeCheckpointDir(dir: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  const tmp = await filledTemp(dir, fill);
  const prev = `${dir}.prev`;
  if (fs.existsSync(dir)) {
    fs.rmSync(prev, { recursive: true, force: true });
    fs.renameSync(dir, prev);
  }
  fs.renameSync(tmp, dir);
}

/** Whether a checkpoint folder is complete: its trainer.json and agent.json exist and parse. */
function checkpointIsComplete(dir: string): boolean {
  try {
    for (const f of ['trainer.json', 'agent.json']) JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    return true;
  } catch {
    return false;
  }
}

/**
 * The checkpoint a run resumes from: `checkpoint/` when complete, else `checkpoint.prev/` (fellBack
 * true: the newest was cut short or damaged), else null (the run has none yet).
 */
export function findCheckpoint(runDir: string): { dir: string; fellBack: boolean } | null {
  const current = path.join(runDir, RUN_FILES.checkpoint);
  if (checkpointIsComplete(current)) return { dir: current, fellBack: false };
  const prev = `${current}.prev`;
  if (checkpointIsComplete(prev)) return { dir: prev, fellBack: true };
  return null;
}

/** True when `dir` exists and holds anything. */
export function isNonEmptyDir(dir: string): boolean {
  return fs.existsSync(dir) && (!fs.statSync(dir).isDirectory() || fs.readdirSync(dir).length > 0);
}

export const RUN_FILES = {
  config: 'config.json',
  log: 'log.jsonl',
  metrics: 'metrics.csv',
  tensorboard: 'tb',
  checkpoint: 'checkpoint',
  summary: 'summary.json',
} as const;

/** A finished or stopped run's directory, as the commands that read one (render, export) take it: its config file and checkpoint, or a ConfigError naming what is missing. */
export function runWithCheckpoint(dir: string): { configFile: string; checkpoint: string } {
  const configFile = path.join(dir, RUN_FILES.config);
  if (!fs.existsSync(configFile)) throw ConfigError.single('RUN_DIR', `${dir} has no ${RUN_FILES.config}; expected a run directory written by wnrl train`);
  const found = findCheckpoint(dir);
  if (found === null) throw ConfigError.single('RUN_DIR', `${dir} has no checkpoint yet; train it first (wnrl train)`);
  return { configFile, checkpoint: found.dir };
}
