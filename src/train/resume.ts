// What a checkpoint holds besides the networks and the optimizer, so that a resumed run continues exactly
// as the uninterrupted one would have: the Trainer's counters and windows, the training and evaluation
// envs' states (every wrapper, the task's state, each random stream; wnrl's own in-process envs), the
// observations the next action is chosen from, the agent's random streams and buffers, and how long each
// run file was at that moment (a resumed run cuts off what was logged after its checkpoint).
import fs from 'node:fs';
import path from 'node:path';
import type { Metrics } from '../../agents/agent.ts';
import type { EvalResult } from './evaluate.ts';
import { RUN_FILES } from './run-dir.ts';
import { deserializeSnapshot, serializeSnapshot, type CapturedObject } from '../../envs/snapshot.ts';

export const RESUME_FILE = 'resume.bin';
const VERSION = 1;

/** The Trainer's own state between two vector steps. */
export interface TrainerState {
  step: number;
  episodes: number;
  window: number[];
  recentLengths: number[];
  stepsToThreshold: number | null;
  secondsToThreshold: number | null;
  lastEval: EvalResult | null;
  lastEvalStep: number;
  lastMetrics: Metrics | null;
  wallSeconds: number;
  updateMs: number;
  updateCalls: number;
}

export interface ResumeState {
  version: number;
  trainer: TrainerState;
  /** The observations the next act() sees. */
  observations: Float32Array;
  /** The training and evaluation vector envs; null where they cannot be captured (bridged envs). */
  env: CapturedObject | null;
  evalEnv: CapturedObject | null;
  /** agent.captureState(), or null for an agent without one. */
  agent: unknown;
  /** Run files (relative to the run directory) and their lengths in bytes at the checkpoint. */
  files: Record<string, number>;
}

/** The run files a resume cuts back to their length at the checkpoint (appended to line by line, synchronously). */
const CUT_FILES = [RUN_FILES.log, RUN_FILES.metrics] as const;

export function runFileLengths(runDir: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of CUT_FILES) {
    const p = path.join(runDir, f);
    if (fs.existsSync(p)) out[f] = fs.statSync(p).size;
  }
  return out;
}

export function writeResumeState(dir: string, state: Omit<ResumeState, 'version'>): number {
  const bytes = serializeSnapshot({ version: VERSION, ...state });
  fs.writeFileSync(path.join(dir, RESUME_FILE), bytes);
  return bytes.length;
}

/** The resume state of a checkpoint folder, or null when it has none (written before exact resume existed). */
export function readResumeState(checkpointDir: string): ResumeState | null {
  const file = path.join(checkpointDir, RESUME_FILE);
  if (!fs.existsSync(file)) return null;
  const state = deserializeSnapshot(fs.readFileSync(file)) as ResumeState;
  if (state.version !== VERSION) throw new Error(`${file}: resume state version ${state.version}; this wnrl reads ${VERSION}`);
  return state;
}

/**
 * Cuts the run's log and metrics back to what they held at the checkpoint: what a killed run logged after
 * it is logged again, identically, by the resumed one.
 */
export function truncateRunFiles(runDir: string, files: Record<string, number>): void {
  for (const [f, length] of Object.entries(files)) {
    const p = path.join(runDir, f);
    if (fs.existsSync(p) && fs.statSync(p).size > length) fs.truncateSync(p, length);
  }
}
