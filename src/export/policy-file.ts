// What `wnrl export` hands the page (policy.js): the folded policy as TensorFlow.js's own model artifacts
// (weights in base64, so the page works from file:// where fetch cannot read files), the env to build
// (id, wrappers, kwargs) and the run's normalization statistics.
import type { RunningStats } from '../../envs/wrappers/running-mean-std.ts';
import type { WrapperConfigInput } from '../../envs/wrappers/config.ts';
import type { ExportedLstm } from '../nn/lstm.ts';

export interface ExportedPolicy {
  algo: string;
  norm: string;
  /** The seed the page starts with (`wnrl eval`'s default). */
  seed: number;
  /** Frames per second when not ?fast=1. */
  fps: number;
  discrete: boolean;
  /** The network's outputs that choose the action (a shared trunk's value output comes after them). */
  actionSize: number;
  /** Box actions: the bounds the mean is clipped to. */
  actionLow: number[] | null;
  actionHigh: number[] | null;
  env: { id: string; wrappers: WrapperConfigInput[]; kwargs?: Record<string, unknown> };
  normalization: { normalization: RunningStats | null; rewardNormalization: RunningStats | null };
  model: { modelTopology: unknown; weightSpecs: unknown; weightData: string };
  /** A recurrent policy's actor LSTM (its output feeds `model`); the page carries its state. */
  lstm: ExportedLstm | null;
}
