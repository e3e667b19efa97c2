// Spaces (Gymnasium's Box and Discrete): shape, sampling from their own seeded stream, membership, JSON.
import { Rng } from '../rng.ts';

export type BoxJson = { type: 'Box'; shape: number[]; dtype: 'float32'; low: (number | string)[]; high: (number | string)[] };
export type DiscreteJson = { type: 'Discrete'; n: number; start: number };
export type MultiDiscreteJson = { type: 'MultiDiscrete'; nvec: number[]; start: number[] };
/** A space as JSON (`toJSON`, `spaceFromJSON`): what agent.json stores. */
export type SpaceJson = BoxJson | DiscreteJson | MultiDiscreteJson;

// `instanceof Box` and `instanceof Discrete` hold across copies of wnrl's modules in one process (an env
// written in a CommonJS project gets its own transpiled copy): spaces carry a process-wide brand.
const KIND = Symbol.for('wnrl.space');
const branded = (x: unknown, kind: string): boolean => typeof x === 'object' && x !== null && (x as { [KIND]?: unknown })[KIND] === kind;

const encode = (x: number): number | string => (Number.isFinite(x) ? x : x > 0 ? 'Infinity' : '-Infinity');
const decode = (x: number | string): number => (typeof x === 'number' ? x : Number(x));

/** A float32 box: every element of an observation or action lies in [low[i], high[i]]. */
export class Box {
  readonly type = 'Box' as const;
  readonly [KIND] = 'Box';
  /** `instanceof` that also recognizes a Box from another copy of wnrl (a user's env module may import its own). */
  static [Symbol.hasInstance](x: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(this, x) || (this === Box && branded(x, 'Box'));
  }
  readonly shape: readonly number[];
  readonly size: number;
  readonly low: Float32Array;
  readonly high: Float32Array;
  private readonly rng = new Rng();

  constructor(low: number | ArrayLike<number>, high: number | ArrayLike<number>, shape?: readonly number[]) {
    const inferred = shape ?? (typeof low === 'number' ? (typeof high === 'number' ? [1] : [high.length]) : [low.length]);
    this.shape = [...inferred];
    this.size = this.shape.reduce((a, b) => a * b, 1);
    const fill = (v: number | ArrayLike<number>, name: string): Float32Array => {
      if (typeof v === 'number') return new Float32Array(this.size).fill(v);
      if (v.length !== this.size) throw new RangeError(`Box: ${name} has ${v.length} values; expected ${this.size} for shape [${this.shape.join(', ')}]`);
      return Float32Array.from(v);
    };
    this.low = fill(low, 'low');
    this.high = fill(high, 'high');
    for (let i = 0; i < this.size; i++) {
      if (Number.isNaN(this.low[i]) || Number.isNaN(this.high[i]) || this.low[i]! > this.high[i]!) {
        throw new RangeError(`Box: low[${i}]=${this.low[i]} and high[${i}]=${this.high[i]} do not form an interval`);
      }
    }
  }

  /** Seeds `sample()`. */
  seed(seed: number): void {
    this.rng.seed(seed);
  }

  /** Whether every entry has finite bounds on both sides. */
  isBounded(): boolean {
    for (let i = 0; i < this.size; i++) if (!Number.isFinite(this.low[i]!) || !Number.isFinite(this.high[i]!)) return false;
    return true;
  }

  /** Uniform where bounded, exponential from a single bound, normal where unbounded (as Gymnasium). */
  sample(): Float32Array {
    const out = new Float32Array(this.size);
    for (let i = 0; i < this.size; i++) {
      const lo = this.low[i]!;
      const hi = this.high[i]!;
      const loFinite = Number.isFinite(lo);
      const hiFinite = Number.isFinite(hi);
      if (loFinite && hiFinite) out[i] = this.rng.uniform(lo, hi);
      else if (loFinite) out[i] = lo + this.rng.exponential();
      else if (hiFinite) out[i] = hi - this.rng.exponential();
      else out[i] = this.rng.normal();
    }
    return out;
  }

  /** Whether `x` is an array of the right length inside the bounds. */
  contains(x: unknown): boolean {
    return this.firstViolation(x) === null;
  }

  /** Why `x` is not in this box (`null` when it is): used by the env checks to name the element. */
  firstViolation(x: unknown): string | null {
    if (!(x instanceof Float32Array) && !Array.isArray(x)) return `is ${describeType(x)}; expected a Float32Array`;
    const arr = x as ArrayLike<unknown>;
    if (arr.length !== this.size) return `has length ${arr.length}; expected ${this.size}`;
    for (let i = 0; i < this.size; i++) {
      const v = arr[i];
      if (typeof v !== 'number' || Number.isNaN(v)) return `[${i}] is ${typeof v === 'number' ? 'NaN' : describeType(v)}; expected a finite number`;
      const f = Math.fround(v);
      if (f < this.low[i]! || f > this.high[i]!) return `[${i}] is ${v}; expected a value in [${this.low[i]}, ${this.high[i]}]`;
    }
    return null;
  }

  /** The space as JSON (infinite bounds as strings). */
  toJSON(): BoxJson {
    return { type: 'Box', shape: [...this.shape], dtype: 'float32', low: Array.from(this.low, encode), high: Array.from(this.high, encode) };
  }

  /** Gymnasium's spelling, e.g. `Box(-inf, inf, (4,), float32)`. */
  toString(): string {
    const lo = this.low.every((v) => v === this.low[0]) ? String(this.low[0]) : `[${Array.from(this.low).join(', ')}]`;
    const hi = this.high.every((v) => v === this.high[0]) ? String(this.high[0]) : `[${Array.from(this.high).join(', ')}]`;
    return `Box(${lo}, ${hi}, (${this.shape.join(', ')}${this.shape.length === 1 ? ',' : ''}), float32)`;
  }
}

/** The integers start, start + 1, ..., start + n - 1. */
export class Discrete {
  readonly type = 'Discrete' as const;
  readonly [KIND] = 'Discrete';
  /** `instanceof` that also recognizes a Discrete from another copy of wnrl. */
  static [Symbol.hasInstance](x: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(this, x) || (this === Discrete && branded(x, 'Discrete'));
  }
  readonly shape: readonly number[] = [];
  readonly size = 1;
  private readonly rng = new Rng();

  constructor(
    readonly n: number,
    readonly start = 0,
  ) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`Discrete: n must be a positive integer; got ${n}`);
    if (!Number.isInteger(start)) throw new RangeError(`Discrete: start must be an integer; got ${start}`);
  }

  /** Seeds `sample()`. */
  seed(seed: number): void {
    this.rng.seed(seed);
  }

  /** A uniform draw. */
  sample(): number {
    return this.start + this.rng.int(this.n);
  }

  /** Whether `x` is one of the space's integers. */
  contains(x: unknown): boolean {
    return typeof x === 'number' && Number.isInteger(x) && x >= this.start && x < this.start + this.n;
  }

  /** The space as JSON. */
  toJSON(): DiscreteJson {
    return { type: 'Discrete', n: this.n, start: this.start };
  }

  /** Gymnasium's spelling, e.g. `Discrete(2)`. */
  toString(): string {
    return this.start === 0 ? `Discrete(${this.n})` : `Discrete(${this.n}, start=${this.start})`;
  }
}

/** Several independent integers: element i in start[i], ..., start[i] + nvec[i] - 1 (Gymnasium's MultiDiscrete, 1-D). */
export class MultiDiscrete {
  readonly type = 'MultiDiscrete' as const;
  readonly [KIND] = 'MultiDiscrete';
  /** `instanceof` that also recognizes a MultiDiscrete from another copy of wnrl. */
  static [Symbol.hasInstance](x: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(this, x) || (this === MultiDiscrete && branded(x, 'MultiDiscrete'));
  }
  readonly nvec: readonly number[];
  readonly start: readonly number[];
  readonly shape: readonly number[];
  readonly size: number;
  private readonly rng = new Rng();

  constructor(nvec: readonly number[], start?: readonly number[]) {
    if (nvec.length === 0 || nvec.some((n) => !Number.isInteger(n) || n < 1)) throw new RangeError(`MultiDiscrete: nvec must be positive integers; got [${nvec.join(', ')}]`);
    const st = start ?? nvec.map(() => 0);
    if (st.length !== nvec.length || st.some((v) => !Number.isInteger(v))) throw new RangeError(`MultiDiscrete: start must be ${nvec.length} integers; got [${st.join(', ')}]`);
    this.nvec = [...nvec];
    this.start = [...st];
    this.shape = [nvec.length];
    this.size = nvec.length;
  }

  /** Seeds `sample()`. */
  seed(seed: number): void {
    this.rng.seed(seed);
  }

  /** A uniform draw inside the bounds (normal for unbounded sides, as Gymnasium). */
  sample(): Float32Array {
    return Float32Array.from(this.nvec, (n, i) => this.start[i]! + this.rng.int(n));
  }

  /** Whether `x` is an integer vector of the right length inside the ranges. */
  contains(x: unknown): boolean {
    if (!ArrayBuffer.isView(x) && !Array.isArray(x)) return false;
    const a = x as ArrayLike<number>;
    if (a.length !== this.size) return false;
    for (let i = 0; i < this.size; i++) if (!Number.isInteger(a[i]) || a[i]! < this.start[i]! || a[i]! >= this.start[i]! + this.nvec[i]!) return false;
    return true;
  }

  /** The space as JSON. */
  toJSON(): MultiDiscreteJson {
    return { type: 'MultiDiscrete', nvec: [...this.nvec], start: [...this.start] };
  }

  /** Gymnasium's spelling, e.g. `MultiDiscrete([3 4])`. */
  toString(): string {
    return this.start.every((v) => v === 0) ? `MultiDiscrete([${this.nvec.join(', ')}])` : `MultiDiscrete([${this.nvec.join(', ')}], start=[${this.start.join(', ')}])`;
  }
}

/** Every space wnrl's envs and agents know. */
export type Space = Box | Discrete | MultiDiscrete;

/** The space a `toJSON()` result describes. */
export function spaceFromJSON(json: SpaceJson): Space {
  if (json.type === 'Discrete') return new Discrete(json.n, json.start);
  if (json.type === 'MultiDiscrete') return new MultiDiscrete(json.nvec, json.start);
  return new Box(json.low.map(decode), json.high.map(decode), json.shape);
}

export function isSpace(x: unknown): x is Space {
  return x instanceof Box || x instanceof Discrete || x instanceof MultiDiscrete;
}

/**
 * How observations of a space reach the networks: a Box as it is; a Discrete observation (a one-element
 * Float32Array holding the integer) one-hot encoded; a MultiDiscrete one (its k integers) as k one-hots
 * concatenated, as Gymnasium's FlattenObservation does. One encoder for wnrl's own envs (the
 * OneHotObservation wrapper) and bridged ones (the Gymnasium bridge).
 */
export interface ObservationEncoder {
  /** The encoded space: the space itself for a Box, Box(0, 1, [sum of the sizes]) otherwise. */
  readonly space: Box;
  /** Numbers per raw observation (1 for Discrete, k for MultiDiscrete, the size for a Box). */
  readonly rawSize: number;
  readonly identity: boolean;
  /** Encodes n raw observations laid out row after row; throws RangeError naming a value out of range. */
  encodeBatch(raw: Float32Array, n: number): Float32Array;
}

/** How observations of `space` become network inputs (Discrete and MultiDiscrete: one-hot). */
export function observationEncoder(space: Space): ObservationEncoder {
  if (space instanceof Box) return { space, rawSize: space.size, identity: true, encodeBatch: (raw) => raw };
  const nvec = space instanceof Discrete ? [space.n] : [...space.nvec];
  const start = space instanceof Discrete ? [space.start] : [...space.start];
  const width = nvec.reduce((a, b) => a + b, 0);
  const offsets = nvec.map((_, i) => nvec.slice(0, i).reduce((a, b) => a + b, 0));
  return {
    space: new Box(0, 1, [width]),
    rawSize: nvec.length,
    identity: false,
    encodeBatch(raw: Float32Array, n: number): Float32Array {
      const out = new Float32Array(n * width);
      for (let r = 0; r < n; r++) {
        for (let k = 0; k < nvec.length; k++) {
          const v = raw[r * nvec.length + k]! - start[k]!;
          if (!Number.isInteger(v) || v < 0 || v >= nvec[k]!) {
            throw new RangeError(`observation${nvec.length > 1 ? `[${k}]` : ''} is ${raw[r * nvec.length + k]}; expected an integer in ${space.toString()}`);
          }
          out[r * width + offsets[k]! + v] = 1;
        }
      }
      return out;
    },
  };
}

export function describeType(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name}`;
  if (typeof x === 'object') return `an object`;
  return `${typeof x === 'undefined' ? 'undefined' : `a ${typeof x}`}`;
}
