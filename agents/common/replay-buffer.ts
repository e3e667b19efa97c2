// Uniform experience replay in preallocated typed arrays, filled from a VectorEnv of any size.
// `terminated` and `truncated` are stored apart: only termination stops bootstrapping, so a time-limit
// truncation bootstraps from the stored next observation (the env's finalObservation, never the reset one).
import { Rng } from '../../envs/rng.ts';
import { captureState, restoreState, type CapturedObject } from '../../envs/snapshot.ts';

/** What a checkpoint keeps of a replay buffer: its filled rows, exactly. */
export interface ReplayBufferState {
  capacity: number;
  obsSize: number;
  pos: number;
  full: boolean;
  rng: CapturedObject;
  observations: Float32Array;
  nextObservations: Float32Array;
  actions: Int32Array;
  rewards: Float32Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
}

export interface ReplayBatch {
  observations: Float32Array; // batch × obsSize
  actions: Int32Array;
  rewards: Float32Array;
  nextObservations: Float32Array;
  terminated: Float32Array; // 1 where the episode terminated (no bootstrap)
}

export class ReplayBuffer {
  readonly observations: Float32Array;
  readonly nextObservations: Float32Array;
  readonly actions: Int32Array;
  readonly rewards: Float32Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  private pos = 0;
  private full = false;
  private readonly rng: Rng;

  constructor(
    readonly capacity: number,
    readonly obsSize: number,
    seed: number,
  ) {
    this.observations = new Float32Array(capacity * obsSize);
    this.nextObservations = new Float32Array(capacity * obsSize);
    this.actions = new Int32Array(capacity);
    this.rewards = new Float32Array(capacity);
    this.terminated = new Uint8Array(capacity);
    this.truncated = new Uint8Array(capacity);
    this.rng = new Rng(seed);
  }

  get size(): number {
    return this.full ? this.capacity : this.pos;
  }

  /** Adds one transition per env from a vector step (rows of numEnvs × obsSize arrays). */
  addBatch(
    observations: Float32Array,
    actions: Int32Array,
    rewards: Float32Array,
    nextObservations: Float32Array,
    terminated: Uint8Array,
    truncated: Uint8Array,
  ): void {
    const n = actions.length;
    const d = this.obsSize;
    for (let i = 0; i < n; i++) {
      const p = this.pos;
      this.observations.set(observations.subarray(i * d, (i + 1) * d), p * d);
      this.nextObservations.set(nextObservations.subarray(i * d, (i + 1) * d), p * d);
      this.actions[p] = actions[i]!;
      this.rewards[p] = rewards[i]!;
      this.terminated[p] = terminated[i]!;
      this.truncated[p] = truncated[i]!;
      this.pos = (p + 1) % this.capacity;
      if (this.pos === 0) this.full = true;
    }
  }

  /** `batchSize` transitions drawn uniformly with replacement (seeded). */
  sample(batchSize: number, out?: ReplayBatch): ReplayBatch {
    const size = this.size;
    if (size === 0) throw new Error('ReplayBuffer.sample: the buffer is empty');
    const d = this.obsSize;
    const b = out ?? {
      observations: new Float32Array(batchSize * d),
      actions: new Int32Array(batchSize),
      rewards: new Float32Array(batchSize),
      nextObservations: new Float32Array(batchSize * d),
      terminated: new Float32Array(batchSize),
    };
    for (let k = 0; k < batchSize; k++) {
      const i = this.rng.int(size);
      b.observations.set(this.observations.subarray(i * d, (i + 1) * d), k * d);
      b.nextObservations.set(this.nextObservations.subarray(i * d, (i + 1) * d), k * d);
      b.actions[k] = this.actions[i]!;
      b.rewards[k] = this.rewards[i]!;
      b.terminated[k] = this.terminated[i]!;
    }
    return b;
  }

  /** The stored transitions (only the filled rows), the write position and the sampling stream. */
  getState(): ReplayBufferState {
    const n = this.size;
    const d = this.obsSize;
    return {
      capacity: this.capacity,
      obsSize: d,
      pos: this.pos,
      full: this.full,
      rng: captureState(this.rng),
      observations: this.observations.slice(0, n * d),
      nextObservations: this.nextObservations.slice(0, n * d),
      actions: this.actions.slice(0, n),
      rewards: this.rewards.slice(0, n),
      terminated: this.terminated.slice(0, n),
      truncated: this.truncated.slice(0, n),
    };
  }

  setState(state: unknown): void {
    const s = state as ReplayBufferState;
    if (s.capacity !== this.capacity || s.obsSize !== this.obsSize) {
      throw new Error(`ReplayBuffer.setState: a buffer of ${s.capacity} × ${s.obsSize}; this one is ${this.capacity} × ${this.obsSize}`);
    }
    this.pos = s.pos;
    this.full = s.full;
    restoreState(this.rng, s.rng);
    this.observations.set(s.observations);
    this.nextObservations.set(s.nextObservations);
    this.actions.set(s.actions);
    this.rewards.set(s.rewards);
    this.terminated.set(s.terminated);
    this.truncated.set(s.truncated);
  }

  /** The most recent `n` stored observations (for data-dependent init). */
  recentObservations(n: number): Float32Array {
    const count = Math.min(n, this.size);
    const out = new Float32Array(count * this.obsSize);
    for (let k = 0; k < count; k++) {
      const i = (this.pos - 1 - k + this.capacity) % this.capacity;
      out.set(this.observations.subarray(i * this.obsSize, (i + 1) * this.obsSize), k * this.obsSize);
    }
    return out;
  }
}
