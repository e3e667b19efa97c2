// What travels through the queue. A job carries only a cell's run config (validated again by zod on the
// worker before anything runs) and names that are safe as directory names; its id is the cell's
// deterministic key, so enqueueing a grid twice, or from a second coordinator, adds nothing. A result
// carries the run's summary.json and metrics.csv, gzip-compressed.
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { Summary } from '../../src/train/summary.ts';

/** The queue `wnrl compare --queue` fills and `wnrl worker` drains (both take --queue-name). */
export const DEFAULT_QUEUE_NAME = 'wnrl-runs';
export const JOB_NAME = 'train';

/** Letters, digits, `_ . -`; not starting with a dot: safe as one path segment and in a BullMQ job id. */
export const SafeName = z.string().regex(/^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,199}$/, { error: 'expected 1-200 letters, digits, _ . or - (not starting with .)' });

export const JobData = z.strictObject({
  v: z.literal(1),
  experiment: SafeName,
  cell: SafeName,
  /** A RunConfig; the worker parses it with RunConfig itself. */
  config: z.record(z.string(), z.unknown()),
});
export type JobData = z.output<typeof JobData>;

export const JobResult = z.strictObject({
  v: z.literal(1),
  /** Wall seconds of the `wnrl train` child. */
  seconds: z.number().nonnegative(),
  /** Where the worker kept tb/ and checkpoint/ (host and directory). */
  host: z.string(),
  runDir: z.string(),
  /** base64 of gzip of summary.json and metrics.csv. */
  summary: z.string(),
  metrics: z.string(),
});
export type JobResult = z.output<typeof JobResult>;

/** A name made safe: an experiment's free-text name becomes a queue-safe prefix. */
export function safeName(text: string): string {
  const s = text.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[.]+/, '').slice(0, 80);
  return s === '' ? 'experiment' : s;
}

/** JSON with object keys sorted at every level (the hash must not depend on key order). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** `<experiment>.<cell>.<12 hex of the config's hash>`: the same cell with the same config, the same job. */
export function jobId(experiment: string, cell: string, config: unknown): string {
  const hash = createHash('sha256').update(canonical(config)).digest('hex').slice(0, 12);
  return `${experiment}.${cell}.${hash}`;
}

const pack = (text: string): string => gzipSync(Buffer.from(text, 'utf8')).toString('base64');
const unpack = (b64: string): string => gunzipSync(Buffer.from(b64, 'base64')).toString('utf8');

export function encodeResult(parts: { seconds: number; host: string; runDir: string; summaryText: string; metricsText: string }): JobResult {
  return { v: 1, seconds: parts.seconds, host: parts.host, runDir: parts.runDir, summary: pack(parts.summaryText), metrics: pack(parts.metricsText) };
}

export interface DecodedResult {
  seconds: number;
  host: string;
  runDir: string;
  summary: Summary;
  summaryText: string;
  metricsText: string;
}

/** Checks a job's return value completely; throws an Error saying what does not parse. */
export function decodeResult(value: unknown): DecodedResult {
  const r = JobResult.safeParse(typeof value === 'string' ? safeJson(value) : value);
  if (!r.success) throw new Error(`result does not parse: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  let summaryText: string;
  let metricsText: string;
  try {
    summaryText = unpack(r.data.summary);
    metricsText = unpack(r.data.metrics);
  } catch (err) {
    throw new Error(`result does not parse: not gzip+base64 (${(err as Error).message})`);
  }
  const summary = Summary.safeParse(safeJson(summaryText));
  if (!summary.success) throw new Error(`result does not parse: summary.json: ${summary.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  if (!/^step[,\n]/.test(metricsText) && metricsText !== '') throw new Error('result does not parse: metrics.csv has no header row');
  return { seconds: r.data.seconds, host: r.data.host, runDir: r.data.runDir, summary: summary.data, summaryText, metricsText };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
