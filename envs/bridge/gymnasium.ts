// Python's Gymnasium environments behind wnrl's VectorEnv: `gymnasium:FrozenLake-v1` runs
// `gymnasium.make(id, **kwargs)` × numEnvs in one Python child process (gymnasium_server.py), a
// Gymnasium SyncVectorEnv with same-step autoreset, so observations, finalObservation and the episode
// statistics mean what they mean for wnrl's own vector env. One message per vector step, in binary
// length-prefixed frames on their own pipes (fd 3 requests, fd 4 answers; what the env prints goes to
// stderr, whose tail errors quote). Spaces: Box, Discrete (with start), MultiDiscrete and MultiBinary are
// translated; Tuple and Dict observations arrive flattened (gymnasium.spaces.flatten); Discrete and
// MultiDiscrete observations are one-hot encoded by the same encoder wnrl's own envs use.
// Faults are EnvErrors or ConfigErrors, never hangs: Python or gymnasium missing, an unknown id
// (Gymnasium's own message), the child dying mid-step, a step slower than the timeout, a malformed
// frame (rejected before anything is allocated for it). The child ends with close(), and on its own when
// this process goes away (its request pipe reaches EOF).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { EnvSpec, Info, RgbFrame } from '../core.ts';
import { EnvError } from '../errors.ts';
import { Box, Discrete, MultiDiscrete, observationEncoder, spaceFromJSON, type ObservationEncoder, type Space, type SpaceJson } from '../spaces/space.ts';
import { ConfigError, parseConfig } from '../validate.ts';
import type { SpawnOptions, VectorEnv, VectorResetResult, VectorStepResult } from '../vector/vector-env.ts';
import { WrappedVectorEnv } from '../vector/wrapped.ts';
import { WrapperConfig } from '../wrappers/config.ts';

/** The id prefix that sends an env to Python's Gymnasium (`gymnasium:CartPole-v1`). */
export const GYMNASIUM_PREFIX = 'gymnasium:';

const Kind = {
  Init: 1,
  Reset: 2,
  Step: 3,
  GetAttr: 4,
  Close: 5,
  List: 6,
  Render: 7,
  Ok: 0x81,
  Batch: 0x82,
  Frame: 0x83,
  Error: 0xff,
} as const;

/** Options of the Gymnasium bridge: copies, seed, gymnasium.make keyword arguments, the Python to use and timeouts. */
export interface GymnasiumVectorEnvOptions {
  numEnvs?: number;
  /** Env i is seeded with seed + i at the first reset (as wnrl's own vector env). */
  seed?: number;
  /** Keyword arguments of gymnasium.make (`env.kwargs` in a config). */
  kwargs?: Record<string, unknown>;
  /** The Python to run (default: WNRL_PYTHON, else the venv `wnrl setup --gymnasium` made). */
  python?: string;
  /** Directories put first on Python's sys.path (the current directory always is), for `gymnasium:my_module:Id`. */
  pythonPath?: string[];
  /** A step (or reset) that takes longer fails with an EnvError (default 60 s). */
  stepTimeoutMs?: number;
  /** Starting Python and making the envs (default 60 s). */
  startTimeoutMs?: number;
  /** For tests: another server script. */
  serverScript?: string;
  /** Make the envs with render_mode="rgb_array", so render() returns frames (off: envs that never draw pay nothing). */
  render?: boolean;
}

/** Where `wnrl setup --gymnasium` puts its virtual environment. */
export function gymnasiumVenvDir(): string {
  const cache = process.env['WNRL_CACHE_DIR'] ?? path.join(process.env['XDG_CACHE_HOME'] ?? path.join(os.homedir(), '.cache'), 'wnrl');
  return path.join(cache, 'gymnasium-venv');
}

const SETUP_HINT = 'run `npx wnrl setup --gymnasium` (a virtual environment with gymnasium under the wnrl cache) or set WNRL_PYTHON to a Python that has gymnasium';

/** The Python the bridge runs: the option, WNRL_PYTHON, or the venv of `wnrl setup --gymnasium`. */
export function findPython(explicit?: string): string {
  const chosen = explicit ?? process.env['WNRL_PYTHON'];
  if (chosen !== undefined && chosen !== '') return chosen;
  const venvPython = path.join(gymnasiumVenvDir(), 'bin', 'python');
  if (fs.existsSync(venvPython)) return venvPython;
  throw ConfigError.single('env.id', `gymnasium: environments need Python with gymnasium, and none is set up: ${SETUP_HINT}`);
}

/** Splits incoming bytes into frames; refuses a frame longer than the current limit before buffering it. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  constructor(public maxFrame: number) {}

  /** Adds bytes; returns the complete frames. Throws on a frame that is too long or empty. */
  push(data: Buffer): { kind: number; payload: Buffer }[] {
    this.chunks.push(data);
    this.buffered += data.length;
    const frames: { kind: number; payload: Buffer }[] = [];
    for (;;) {
      if (this.buffered < 5) break;
      const head = this.peek(5);
      const length = head.readUInt32LE(0);
      if (length < 1 || length > this.maxFrame) throw new Error(`malformed frame: length ${length} (expected 1..${this.maxFrame})`);
      if (this.buffered < 4 + length) break;
      const all = Buffer.concat(this.chunks, this.buffered);
      frames.push({ kind: all[4]!, payload: all.subarray(5, 4 + length) });
      const rest = all.subarray(4 + length);
      this.chunks = rest.length ? [rest] : [];
      this.buffered = rest.length;
    }
    return frames;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length >= n) return this.chunks[0]!;
    const all = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [all];
    return all;
  }
}

function frame(kind: number, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const head = Buffer.alloc(5);
  head.writeUInt32LE(body.length + 1, 0);
  head.writeUInt8(kind, 4);
  return Buffer.concat([head, body]);
}

interface BridgeInfo {
  observation_space: RawSpaceJson;
  action_space: RawSpaceJson;
  max_episode_steps: number | null;
  reward_threshold: number | null;
  id: string;
  gymnasium_version: string;
}
type RawSpaceJson =
  | { type: 'Box'; shape: number[]; dtype: string; low: (number | string)[]; high: (number | string)[] }
  | { type: 'Discrete'; n: number; start: number }
  | { type: 'MultiDiscrete'; nvec: number[]; start: number[] }
  | { type: 'MultiBinary'; n: number }
  | { type: 'Flattened'; of: string; size: number; low: (number | string)[]; high: (number | string)[] };

/** A Gymnasium space description as the wnrl space the agents see before encoding. */
function translateSpace(raw: RawSpaceJson, what: string): Space {
  switch (raw.type) {
    case 'Box':
      return spaceFromJSON({ type: 'Box', shape: raw.shape.length ? raw.shape : [1], dtype: 'float32', low: raw.low, high: raw.high } as SpaceJson);
    case 'Discrete':
      return new Discrete(raw.n, raw.start);
    case 'MultiDiscrete':
      return new MultiDiscrete(raw.nvec, raw.start);
    case 'MultiBinary':
      return new Box(0, 1, [raw.n]);
    case 'Flattened':
      return spaceFromJSON({ type: 'Box', shape: [raw.size], dtype: 'float32', low: raw.low, high: raw.high });
    default:
      throw new EnvError('gymnasium', null, what, `has an unsupported space ${JSON.stringify(raw)}`);
  }
}

/** A failed first request: a Python without gymnasium or numpy is a setup problem, not the env's. */
function firstAnswerError(err: unknown, python: string, what: string): unknown {
  if (err instanceof BridgeAnswerError && err.type === 'ModuleNotFoundError' && /gymnasium|numpy/.test(err.message)) {
    return ConfigError.single('env.id', `${python} has no ${/numpy/.test(err.message) ? 'numpy' : 'gymnasium'} (${err.message}): ${SETUP_HINT}`);
  }
  if (err instanceof BridgeAnswerError && err.type === 'DependencyNotInstalled' && /mujoco/i.test(err.message)) {
    return ConfigError.single('env.id', `${what} failed: ${err.type}: ${err.message}; wnrl's Python gets it with \`npx wnrl setup --gymnasium --mujoco\``);
  }
  if (err instanceof BridgeAnswerError) return ConfigError.single('env.id', `${what} failed: ${err.type}: ${err.message}`);
  return err;
}

/** One id of Gymnasium's registry as `wnrl envs --gymnasium` shows it. */
export interface GymnasiumEnvListing {
  /** With the `gymnasium:` prefix a config's env.id takes. */
  id: string;
  maxEpisodeSteps: number | null;
  rewardThreshold: number | null;
  /** The spaces as the bridge translates them (before one-hot encoding); absent when the id cannot be made. */
  observationSpace?: Space;
  actionSpace?: Space;
  /** Why gymnasium.make(id) failed with this Python (a missing dependency, an unsupported space). */
  error?: string;
}

/**
 * Every id registered in the Python's Gymnasium, each made once with its default arguments: the spaces
 * the bridge would hand the agents, or why the id cannot run here (MuJoCo, Box2D or jax missing, an
 * action space the bridge does not support).
 */
export async function listGymnasiumEnvs(options: Pick<GymnasiumVectorEnvOptions, 'python' | 'serverScript' | 'startTimeoutMs'> = {}): Promise<{ gymnasiumVersion: string; python: string; envs: GymnasiumEnvListing[] }> {
  const python = findPython(options.python);
  const io = BridgeProcess.start(python, options.serverScript, 'gymnasium (list)', options.startTimeoutMs ?? 60_000);
  let answer: { kind: number; payload: Buffer };
  try {
    answer = await io.request(Kind.List, '', options.startTimeoutMs ?? 60_000);
  } catch (err) {
    io.kill();
    throw firstAnswerError(err, python, 'listing the registry');
  }
  await io.close();
  type Row = { id: string; max_episode_steps: number | null; reward_threshold: number | null; observation_space?: RawSpaceJson; action_space?: RawSpaceJson; error?: string };
  const list = JSON.parse(answer.payload.toString('utf8')) as { gymnasium_version: string; envs: Row[] };
  const envs = list.envs.map((row): GymnasiumEnvListing => {
    const listing: GymnasiumEnvListing = { id: `${GYMNASIUM_PREFIX}${row.id}`, maxEpisodeSteps: row.max_episode_steps, rewardThreshold: row.reward_threshold };
    if (row.error !== undefined || row.observation_space === undefined || row.action_space === undefined) return { ...listing, error: row.error ?? 'no spaces' };
    try {
      return { ...listing, observationSpace: translateSpace(row.observation_space, 'observation space'), actionSpace: translateSpace(row.action_space, 'action space') };
    } catch (err) {
      return { ...listing, error: (err as Error).message };
    }
  });
  return { gymnasiumVersion: list.gymnasium_version, python, envs };
}

/** Live bridge children, ended when this process exits normally. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export class GymnasiumVectorEnv implements VectorEnv {
  readonly numEnvs: number;
  /** What the agents see: a Box (Discrete and MultiDiscrete observations one-hot encoded). */
  readonly singleObservationSpace: Space;
  readonly singleActionSpace: Space;
  /** The Gymnasium observation space as translated, before encoding. */
  readonly rawObservationSpace: Space;
  readonly spec: EnvSpec;
  readonly gymnasiumVersion: string;
  private readonly encoder: ObservationEncoder;
  private readonly rawWidth: number;
  private readonly actWidth: number;
  private readonly intActions: boolean;
  private readonly episodeReturns: Float64Array;
  private readonly episodeLengths: Int32Array;
  private nextSeed: number | null;
  private closed = false;
  private needsReset = true;

  private constructor(
    private readonly io: BridgeProcess,
    readonly id: string,
    info: BridgeInfo,
    private readonly options: GymnasiumVectorEnvOptions & { numEnvs: number },
  ) {
    this.numEnvs = options.numEnvs;
    this.rawObservationSpace = translateSpace(info.observation_space, 'observation space');
    this.singleActionSpace = translateSpace(info.action_space, 'action space');
    this.encoder = observationEncoder(this.rawObservationSpace);
    this.singleObservationSpace = this.encoder.space;
    this.rawWidth = this.encoder.rawSize;
    this.intActions = !(this.singleActionSpace instanceof Box) || info.action_space.type === 'MultiBinary';
    this.actWidth = this.singleActionSpace instanceof Discrete ? 1 : this.singleActionSpace.size;
    this.spec = { id: `${GYMNASIUM_PREFIX}${info.id}`, maxEpisodeSteps: info.max_episode_steps, rewardThreshold: info.reward_threshold };
    this.gymnasiumVersion = info.gymnasium_version;
    this.episodeReturns = new Float64Array(this.numEnvs);
    this.episodeLengths = new Int32Array(this.numEnvs);
    this.nextSeed = options.seed ?? null;
    // Answers can be as large as a batch with every env's final observation, plus infos.
    io.reader.maxFrame = 64 + this.numEnvs * (8 * this.rawWidth + 11) + (16 << 20);
  }

  /** Starts Python, makes the envs and reads their spaces. */
  static async open(id: string, options: GymnasiumVectorEnvOptions = {}): Promise<GymnasiumVectorEnv> {
    const numEnvs = options.numEnvs ?? 1;
    if (!Number.isInteger(numEnvs) || numEnvs < 1) throw ConfigError.single('env.numEnvs', `expected a positive integer; got ${numEnvs}`);
    const gymId = id.startsWith(GYMNASIUM_PREFIX) ? id.slice(GYMNASIUM_PREFIX.length) : id;
    const python = findPython(options.python);
    const io = BridgeProcess.start(python, options.serverScript, `${GYMNASIUM_PREFIX}${gymId}`, options.stepTimeoutMs ?? 60_000);
    try {
      const answer = await io.request(Kind.Init, JSON.stringify({ id: gymId, num_envs: numEnvs, kwargs: options.kwargs ?? {}, sys_path: [...(options.pythonPath ?? []), process.cwd()], render: options.render === true }), options.startTimeoutMs ?? 60_000);
      const info = JSON.parse(answer.payload.toString('utf8')) as BridgeInfo;
      return new GymnasiumVectorEnv(io, `${GYMNASIUM_PREFIX}${gymId}`, info, { ...options, numEnvs });
    } catch (err) {
      io.kill();
      throw firstAnswerError(err, python, `gymnasium.make('${gymId}')`);
    }
  }

  async reset(opts: { seed?: number; options?: Record<string, unknown> } = {}): Promise<VectorResetResult> {
    this.assertOpen();
    const seed = opts.seed ?? this.nextSeed ?? undefined;
    this.nextSeed = null;
    const answer = await this.call('reset', Kind.Reset, JSON.stringify({ seed: seed ?? null, options: opts.options ?? null }));
    this.episodeReturns.fill(0);
    this.episodeLengths.fill(0);
    this.needsReset = false;
    const batch = this.decode(answer.payload, null);
    return { observations: batch.observations, infos: batch.infos };
  }

  async step(actions: Int32Array | Float32Array): Promise<VectorStepResult> {
    this.assertOpen();
    if (this.needsReset) throw new EnvError(this.id, null, 'step', 'called before reset()');
    const expected = this.numEnvs * this.actWidth;
    if (actions.length !== expected) throw new EnvError(this.id, null, 'actions', `has length ${actions.length}; expected ${expected} (${this.numEnvs} envs x ${this.actWidth})`);
    // Discrete actions are indices (the VectorEnv contract); Gymnasium wants start + index.
    const start = this.singleActionSpace instanceof Discrete ? this.singleActionSpace.start : 0;
    const payload = this.intActions ? Buffer.from(Int32Array.from(actions, (a) => a + start).buffer) : Buffer.from(Float32Array.from(actions).buffer);
    const answer = await this.call('step', Kind.Step, payload);
    return this.decode(answer.payload, true);
  }

  /** Whether render() draws (opened with `render: true`). */
  get rendering(): boolean {
    return this.options.render === true;
  }

  /** The first env's frame (Gymnasium's rgb_array); null unless opened with `render: true`. */
  async render(): Promise<RgbFrame | null> {
    this.assertOpen();
    if (this.options.render !== true) return null;
    const answer = await this.call('render', Kind.Render, '');
    const p = answer.payload;
    const height = p.readUInt32LE(0);
    const width = p.readUInt32LE(4);
    if (p.length !== 8 + height * width * 3) throw new EnvError(this.id, null, 'render', `sent ${p.length - 8} bytes for a ${width}x${height} RGB frame`);
    return { width, height, data: new Uint8Array(p.subarray(8)) };
  }

  /** `get_attr(name)` of every sub-env (JSON-converted), as Gymnasium's vector envs offer. */
  async getAttr(name: string): Promise<unknown[]> {
    this.assertOpen();
    const answer = await this.call(`get_attr('${name}')`, Kind.GetAttr, JSON.stringify({ name }));
    return JSON.parse(answer.payload.toString('utf8')) as unknown[];
  }

  /**
   * Another vector env of the same id and kwargs (the Trainer's evaluation env); with `perturb`, that
   * wnrl wrapper around each copy (a robustness evaluation).
   */
  async spawn(opts: SpawnOptions): Promise<VectorEnv> {
    const { perturb, ...rest } = opts;
    const env = await GymnasiumVectorEnv.open(this.id, { ...this.options, ...rest });
    if (perturb === undefined) return env;
    try {
      return new WrappedVectorEnv(env, [parseConfig(WrapperConfig, perturb, 'trainer.robustness')], rest.seed);
    } catch (err) {
      await env.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.io.close();
  }

  /** The child's pid (tests check it is gone after close). */
  get pid(): number | undefined {
    return this.io.child.pid;
  }

  toString(): string {
    return `GymnasiumVectorEnv(${this.id}, numEnvs=${this.numEnvs})`;
  }

  private assertOpen(): void {
    if (this.closed) throw new EnvError(this.id, null, 'VectorEnv', 'used after close()');
  }

  /** One request; an exception raised in Python becomes an EnvError naming the call and the exception. */
  private async call(what: string, kind: number, payload: Buffer | string): Promise<{ kind: number; payload: Buffer }> {
    try {
      return await this.io.request(kind, payload);
    } catch (err) {
      if (err instanceof BridgeAnswerError) throw new EnvError(this.id, null, what, `raised ${err.type}: ${err.message}`);
      throw err;
    }
  }

  private decode(buf: Buffer, stepping: boolean | null): VectorStepResult {
    const n = this.numEnvs;
    const w = this.rawWidth;
    const fail = (what: string): never => {
      this.io.kill();
      throw new EnvError(this.id, null, 'bridge', `malformed batch: ${what}`);
    };
    let off = 0;
    const take = (bytes: number): Buffer => {
      if (off + bytes > buf.length) fail(`${buf.length} bytes, expected more than ${off + bytes}`);
      const b = buf.subarray(off, off + bytes);
      off += bytes;
      return b;
    };
    const f32 = (count: number) => {
      const b = take(count * 4);
      return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
    };
    const rawObs = f32(n * w);
    const rewardBytes = take(n * 8);
    const rewards64 = new Float64Array(rewardBytes.buffer.slice(rewardBytes.byteOffset, rewardBytes.byteOffset + rewardBytes.length));
    const terminated = new Uint8Array(take(n));
    const truncated = new Uint8Array(take(n));
    const hasFinal = new Uint8Array(take(n));
    const finals = f32(hasFinal.reduce((a, b) => a + b, 0) * w);
    const infoLength = take(4).readUInt32LE(0);
    const infoText = take(infoLength).toString('utf8');
    if (off !== buf.length) fail(`${buf.length - off} trailing bytes`);
    let extra: Info[] | null = null;
    if (infoLength > 0) {
      try {
        extra = JSON.parse(infoText) as Info[];
      } catch {
        fail('info is not JSON');
      }
    }
    const observations = this.encoder.encodeBatch(rawObs, n);
    const rewards = new Float32Array(n);
    const infos: Info[] = new Array<Info>(n);
    let k = 0;
    for (let i = 0; i < n; i++) {
      const r = rewards64[i]!;
      if (!Number.isFinite(r)) throw new EnvError(this.id, null, `reward[${i}]`, `is ${r}; expected a finite number`);
      rewards[i] = r;
      const own = { ...(extra?.[i] ?? {}) };
      delete own['final_info'];
      infos[i] = own;
      if (stepping) {
        this.episodeReturns[i] = this.episodeReturns[i]! + r;
        this.episodeLengths[i] = this.episodeLengths[i]! + 1;
      }
      if (hasFinal[i]) {
        const finalObservation = this.encoder.encodeBatch(finals.subarray(k * w, (k + 1) * w), 1);
        k++;
        const episode = { return: this.episodeReturns[i]!, length: this.episodeLengths[i]! };
        this.episodeReturns[i] = 0;
        this.episodeLengths[i] = 0;
        const finalInfo = { ...((extra?.[i]?.['final_info'] as Info | undefined) ?? {}), episode };
        infos[i] = { ...own, finalObservation, finalInfo };
      }
    }
    return { observations, rewards, terminated, truncated, infos };
  }
}

export class BridgeAnswerError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly pythonTraceback: string,
  ) {
    super(message);
  }
}

/**
 * The child process and its two protocol pipes, one request at a time, each with a deadline. The pipes
 * are used synchronously: a request is written with writeSync, and the answer is first polled with
 * non-blocking readSync for a moment (most steps answer within it, and no event-loop wake-up sits in
 * the round trip: 60 µs → 25 µs here), then every millisecond until the deadline.
 */
class BridgeProcess {
  // Before INIT the spaces are unknown: a bounded 64 MiB (an image Box described in JSON is a few MB).
  readonly reader = new FrameReader(64 << 20);
  private stderrTail = '';
  private dead: Error | null = null;
  private busy = false;
  private exited: Promise<void>;
  private readonly scratch = Buffer.alloc(1 << 16);
  private readonly requestFd: number;
  private readonly answerFd: number;
  /** How long a request polls synchronously before yielding to the event loop (when a core is free). */
  static spinMs = 2;
  private static spinCheckedAt = 0;
  private static spinNow = 2;

  /**
   * The spin for this request: `spinMs` while the machine has a core for each side of the bridge, else
   * none. Polling pays when the Python side runs on a core of its own (a round trip without event-loop
   * wake-ups); on an oversubscribed machine it takes the core the Python side needs, and the pair runs
   * slower than with blocking waits (Hopper-v5, one env, beside two training processes on 2 cores: 540
   * vector steps/s spinning against 600-635 without). The 1-minute load average, read once a second,
   * includes the pair itself (up to 2): spin while it is at most the number of cores.
   */
  private static spin(): number {
    const now = performance.now();
    if (now - BridgeProcess.spinCheckedAt > 1000) {
      BridgeProcess.spinCheckedAt = now;
      BridgeProcess.spinNow = os.loadavg()[0]! <= os.availableParallelism() ? BridgeProcess.spinMs : 0;
    }
    return BridgeProcess.spinNow;
  }

  private constructor(
    readonly child: ChildProcess,
    private readonly label: string,
    private readonly timeoutMs: number,
  ) {
    const fdOf = (s: unknown): number => {
      const fd = (s as { _handle?: { fd?: number } })._handle?.fd;
      if (typeof fd !== 'number' || fd < 0) throw new EnvError(label, null, 'bridge', 'cannot reach the pipe file descriptors of the Python process');
      return fd;
    };
    this.requestFd = fdOf(child.stdio[3]);
    this.answerFd = fdOf(child.stdio[4]);
    // Node starts reading a child's pipes into the stream's buffer on its own; this one is read here only.
    const handle = (child.stdio[4] as unknown as { _handle?: { readStop?: () => number } })._handle;
    if (typeof handle?.readStop !== 'function') throw new EnvError(label, null, 'bridge', 'cannot take over the answer pipe of the Python process');
    handle.readStop();
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static start(python: string, script: string | undefined, label: string, timeoutMs: number): BridgeProcess {
    const server = script ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'gymnasium_server.py');
    const child = spawn(python, ['-u', server], { stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
    live.add(child);
    let io: BridgeProcess | null = null;
    let startError: Error | null = null;
    child.on('error', (err) => {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      startError = missing ? ConfigError.single('env.id', `cannot run Python '${python}' (not found): ${SETUP_HINT}`) : new EnvError(label, null, 'bridge', `cannot start ${python}: ${err.message}`);
      io?.fail(startError);
    });
    child.on('exit', () => live.delete(child));
    try {
      io = new BridgeProcess(child, label, timeoutMs);
    } catch (err) {
      child.kill('SIGKILL');
      throw startError ?? err;
    }
    const keepTail = (d: Buffer) => {
      io.stderrTail = (io.stderrTail + d.toString('utf8')).slice(-4000);
    };
    child.stdout!.on('data', keepTail);
    child.stderr!.on('data', keepTail);
    (child.stdio[3] as Writable).on('error', () => undefined);
    (child.stdio[4] as Readable).on('error', () => undefined);
    return io;
  }

  tail(): string {
    const lines = this.stderrTail.trim().split('\n').filter(Boolean).slice(-5);
    return lines.length ? `; its last output: ${lines.join(' | ')}` : '';
  }

  async request(kind: number, payload: Buffer | string, timeoutMs = this.timeoutMs): Promise<{ kind: number; payload: Buffer }> {
    if (this.dead) throw this.dead;
    if (this.busy) throw new EnvError(this.label, null, 'bridge', 'a request is already in flight (await each reset/step)');
    this.busy = true;
    try {
      const deadline = performance.now() + timeoutMs;
      this.writeAll(frame(kind, payload), deadline);
      let answer = this.poll(performance.now() + BridgeProcess.spin());
      for (let waited = 0; answer === null; waited++) {
        if (performance.now() > deadline) {
          this.kill();
          throw this.fail(new EnvError(this.label, null, 'bridge', `no answer within ${timeoutMs} ms; the Python process is stopped${this.tail()}`));
        }
        await new Promise((resolve) => (waited < 20 ? setImmediate(resolve) : setTimeout(resolve, 1)));
        answer = this.poll(0);
      }
      if (answer.kind === Kind.Error) {
        const e = JSON.parse(answer.payload.toString('utf8')) as { type: string; message: string; traceback: string };
        throw new BridgeAnswerError(e.type, e.message, e.traceback);
      }
      if (answer.kind !== Kind.Ok && answer.kind !== Kind.Batch && answer.kind !== Kind.Frame) {
        this.kill();
        throw this.fail(new EnvError(this.label, null, 'bridge', `malformed frame: unknown kind ${answer.kind}; the Python process is stopped`));
      }
      return answer;
    } catch (err) {
      if (err instanceof ChildGone) throw await this.gone();
      throw err;
    } finally {
      this.busy = false;
    }
  }

  /** Writes a whole frame (the pipe is non-blocking: a full pipe is retried until the deadline). */
  private writeAll(data: Buffer, deadline: number): void {
    let off = 0;
    while (off < data.length) {
      try {
        off += fs.writeSync(this.requestFd, data, off);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EPIPE' || code === 'EBADF') throw new ChildGone();
        if (code !== 'EAGAIN') throw err;
        if (performance.now() > deadline) throw this.fail(new EnvError(this.label, null, 'bridge', 'the Python process does not read its requests'));
      }
    }
  }

  /** Reads what is there until a frame is complete (null when none is by `until`). */
  private poll(until: number): { kind: number; payload: Buffer } | null {
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(this.answerFd, this.scratch, 0, this.scratch.length, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EAGAIN') throw code === 'EBADF' ? new ChildGone() : err;
        if (performance.now() > until) return null;
        continue;
      }
      if (n === 0) throw new ChildGone();
      let frames: { kind: number; payload: Buffer }[];
      try {
        frames = this.reader.push(Buffer.from(this.scratch.subarray(0, n)));
      } catch (err) {
        this.kill();
        throw this.fail(new EnvError(this.label, null, 'bridge', `${(err as Error).message}; the Python process is stopped`));
      }
      if (frames.length > 1) {
        this.kill();
        throw this.fail(new EnvError(this.label, null, 'bridge', `malformed frame: ${frames.length} answers to one request; the Python process is stopped`));
      }
      if (frames.length === 1) return frames[0]!;
    }
  }

  /** The error for a child that went away: its exit status and the tail of what it printed. */
  private async gone(): Promise<Error> {
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 2000))]);
    await new Promise((r) => setTimeout(r, 20)); // let the stderr pipe deliver its last lines
    const c = this.child;
    return this.fail(new EnvError(this.label, null, 'bridge', `the Python process exited (${c.signalCode ?? `code ${c.exitCode}`})${this.tail()}`));
  }

  fail(err: Error): Error {
    this.dead ??= err;
    return this.dead;
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (!this.dead && !this.busy) {
      try {
        await this.request(Kind.Close, '', 5000);
      } catch {
        // fall through to the kill below
      }
    }
    (this.child.stdio[3] as Writable).destroy();
    (this.child.stdio[4] as Readable).destroy();
    const timer = setTimeout(() => this.kill(), 2000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Internal: the pipe says the child is gone (EOF, EPIPE). */
class ChildGone extends Error {}
