// Snapshots of in-memory state for exact resume: what an env (every wrapper, the task's physics, each
// random stream) or an agent's non-network state holds, captured as structured-cloneable data and written
// back into an object of the same make. One mechanism for every env: the data fields of the object graph
// (numbers, strings, booleans, typed arrays, arrays, nested plain or class objects such as Rng and the
// wrapped env) are copied; functions, tensors, streams, processes and other host objects are left out. An
// object that knows better defines `getState()` / `setState(state)` and is captured through them.
import v8 from 'node:v8';
import { EventEmitter } from 'node:events';

/** A captured value: structured-cloneable (v8.serialize writes it with typed arrays and NaN intact). */
export type Captured = null | undefined | boolean | number | string | bigint | ArrayBufferView | Captured[] | CapturedObject;

/** A captured object: its data fields, or what its own getState() returned. */
export interface CapturedObject {
  /** Own data fields, by name. */
  fields: Record<string, Captured>;
  /** The object's own getState(), when it has one (then `fields` is empty). */
  custom?: unknown;
}

/** Marks a field that was not captured (a function, a host object, a second reference to an object): a string no env holds. */
export const LEFT_OUT = '\u0000left-out';

/** Capture or restore went wrong; `path` names the field (e.g. `envs.0.env.rng`). */
export class SnapshotError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path || '(root)'}: ${message}`);
    this.name = 'SnapshotError';
  }
}

interface Stateful {
  getState(): unknown;
  setState(state: unknown): void;
}

const isStateful = (v: object): v is Stateful => typeof (v as Partial<Stateful>).getState === 'function' && typeof (v as Partial<Stateful>).setState === 'function';

/** Objects that hold handles or behaviour rather than data: never walked into. */
function isHostObject(v: object): boolean {
  return (
    v instanceof EventEmitter || // streams, child processes, sockets, loggers' destinations
    v instanceof Promise ||
    v instanceof Map ||
    v instanceof Set ||
    v instanceof WeakMap ||
    v instanceof WeakSet ||
    v instanceof Date ||
    v instanceof RegExp ||
    v instanceof Error ||
    v instanceof ArrayBuffer ||
    v instanceof DataView ||
    // tfjs tensors and variables: an agent's networks are saved apart, as weights
    ('dataId' in v && 'shape' in v && 'dtype' in v)
  );
}

function isTypedArray(v: unknown): v is ArrayBufferView & { slice(): ArrayBufferView; length: number; set(a: ArrayLike<number | bigint>): void } {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

function capture(v: unknown, at: string, seen: Set<object>): Captured {
  if (v === null || v === undefined || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string' || typeof v === 'bigint') return v;
  if (typeof v !== 'object') return LEFT_OUT; // functions, symbols
  if (isTypedArray(v)) return v.slice();
  if (seen.has(v)) return LEFT_OUT; // a second reference (or a cycle): captured where first met
  if (isHostObject(v)) return LEFT_OUT;
  seen.add(v);
  if (Array.isArray(v)) return v.map((x, i) => capture(x, `${at}.${i}`, seen));
  if (isStateful(v)) return { fields: {}, custom: v.getState() };
  const fields: Record<string, Captured> = {};
  for (const key of Object.keys(v)) fields[key] = capture((v as Record<string, unknown>)[key], at === '' ? key : `${at}.${key}`, seen);
  return { fields };
}

/** Captures the data of `obj`'s object graph (see the file's comment for what is left out). */
export function captureState(obj: object): CapturedObject {
  const out = capture(obj, '', new Set());
  if (out === LEFT_OUT || out === null || typeof out !== 'object' || Array.isArray(out) || ArrayBuffer.isView(out)) {
    throw new SnapshotError('', 'not an object whose state can be captured');
  }
  return out as CapturedObject;
}

/** Captures the named fields of `obj` only (an agent's random streams, buffers and counters). */
export function captureFields(obj: object, keys: readonly string[]): CapturedObject {
  const seen = new Set<object>([obj]);
  const fields: Record<string, Captured> = {};
  for (const key of keys) {
    if (!(key in obj)) throw new SnapshotError(key, 'no such field');
    fields[key] = capture((obj as Record<string, unknown>)[key], key, seen);
  }
  return { fields };
}

const isCapturedObject = (v: Captured): v is CapturedObject => v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v) && 'fields' in v;

/** The value a captured one becomes where the target has nothing to write into. */
function materialize(v: Captured, at: string): unknown {
  if (isTypedArray(v)) return v.slice();
  if (Array.isArray(v)) return v.map((x, i) => materialize(x, `${at}.${i}`));
  if (isCapturedObject(v)) {
    if (v.custom !== undefined) throw new SnapshotError(at, 'holds an object with its own getState() where the target has none');
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v.fields)) if (x !== LEFT_OUT) out[k] = materialize(x, `${at}.${k}`);
    return out;
  }
  return v;
}

/** The new value of a slot that held `current` (written in place where it can be). */
function restoreValue(current: unknown, v: Captured, at: string): unknown {
  if (isTypedArray(v)) {
    if (isTypedArray(current) && current.constructor === v.constructor && current.length === (v as unknown as { length: number }).length) {
      current.set(v as unknown as ArrayLike<number>);
      return current;
    }
    return v.slice();
  }
  if (Array.isArray(v)) {
    if (Array.isArray(current) && current.length === v.length) {
      for (let i = 0; i < v.length; i++) if (v[i] !== LEFT_OUT) current[i] = restoreValue(current[i], v[i]!, `${at}.${i}`);
      return current;
    }
    return materialize(v, at);
  }
  if (isCapturedObject(v)) {
    if (current !== null && typeof current === 'object') {
      restoreState(current, v, at);
      return current;
    }
    return materialize(v, at);
  }
  return v;
}

/** Writes a state captured by captureState / captureFields back into `obj` (an object of the same make). */
export function restoreState(obj: object, state: CapturedObject, at = ''): void {
  if (state.custom !== undefined) {
    if (!isStateful(obj)) throw new SnapshotError(at, 'was captured through getState(); the target has no setState()');
    obj.setState(state.custom);
    return;
  }
  const target = obj as Record<string, unknown>;
  for (const [key, v] of Object.entries(state.fields)) {
    if (v === LEFT_OUT) continue;
    target[key] = restoreValue(target[key], v, at === '' ? key : `${at}.${key}`);
  }
}

/** Bytes of a snapshot file (v8's structured serialization: typed arrays and NaN exact). */
export function serializeSnapshot(value: unknown): Buffer {
  return v8.serialize(value);
}

export function deserializeSnapshot(bytes: Buffer): unknown {
  return v8.deserialize(bytes);
}
