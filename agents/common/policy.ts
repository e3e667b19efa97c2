// The actor-critic networks behind one interface, so A2C and PPO have one update each: the policy runs
// time-major batches of sequences (rows t*B + k: step t of sequence k) from an optional recurrent state.
//
//   MlpPolicy        the stateless case: every row on its own (sequences of length 1); state is null
//   RecurrentPolicy  an LSTM (src/nn/lstm.ts) per head, or one shared, then the MLP heads of buildMlp:
//                    obs -> LSTM(actor) -> MLP -> logits / means      obs -> LSTM(critic) -> MLP -> value
//
// A recurrent state is one (h, c) pair per LSTM, [B, units] each. Before step t of sequence k the state
// is multiplied by (1 − starts[t*B + k]): an episode that begins there starts from zeros.
import fs from 'node:fs';
import path from 'node:path';
import type { LayersModel, Tensor, Tensor1D, Tensor2D, Tensor3D, Variable } from '@tensorflow/tfjs-node';
import { deriveSeed } from '../../envs/rng.ts';
import { tf } from '../../src/backend.ts';
import type { NetworkConfig } from '../../src/config/network.ts';
import { ConfigError } from '../../src/config/parse.ts';
import { buildMlp } from '../../src/nn/build-mlp.ts';
import { dataDependentInit } from '../../src/nn/data-dependent-init.ts';
import { weightNormTags } from '../../src/nn/diagnostics.ts';
import { forward } from '../../src/nn/forward.ts';
import { Lstm, type LstmState } from '../../src/nn/lstm.ts';
import { StackedMlp } from '../../src/nn/stacked-mlp.ts';
import { loadWeightsInto, saveModel } from './persist.ts';

/** One (h, c) per LSTM of the policy; the tensors belong to whoever holds the state. */
export type RecurrentState = LstmState[];

export interface PolicyOutput {
  /** [T·B, actSize]: logits (Discrete) or Gaussian means (Box). */
  readonly policy: Tensor2D;
  /** [T·B] */
  readonly value: Tensor1D;
  /**
   * Separate heads (run stacked): both outputs as one tensor [2, T·B, actSize], the policy's in [0] and
   * the value in column 0 of [1]; `policy` and `value` are sliced from it on first use, so a reader of
   * `joint` (the loss head, acting) runs no slicing ops. Null with a shared trunk.
   */
  readonly joint: Tensor3D | null;
  /** The state after the last step (only when asked for; null for an MLP). */
  state: RecurrentState | null;
}

export interface PolicyRunOptions {
  /** Steps per sequence (rows are t*B + k). */
  T: number;
  /** [T·B] episode-start flags, or null: none. */
  starts: Uint8Array | null;
  /** The state before step 0 (B sequences), or null for an MLP. */
  state: RecurrentState | null;
  /** Batch statistics from this batch (inside an update only: the batch-norm rule of build-mlp.ts). */
  training: boolean;
  /** Return the final state (acting). */
  needState?: boolean;
}

/** The networks of an actor-critic agent behind one interface (an MLP, or LSTMs then MLP heads): time-major batches of sequences from an optional recurrent state. */
export interface ActorCriticPolicy {
  readonly recurrent: boolean;
  readonly trainableWeights: (Variable | LayersModel['trainableWeights'][number])[];
  /**
   * Where each value of the networks' weights, in the order the checkpoints list them, sits in the flat
   * vector of `trainableWeights` (null: the same order); the optimizer's state is saved in that order.
   */
  stateOrder(): Int32Array | null;
  /** Zero state for n sequences (null for an MLP). */
  zeroState(n: number): RecurrentState | null;
  /** Policy outputs and values for rows t·B + k (step t of sequence k), from `opts.state`. */
  run(obs: Tensor2D, opts: PolicyRunOptions): PolicyOutput;
  /**
   * Inference-mode policy outputs [n × actSize] and values [n] of n observations computed in JavaScript,
   * or null where the native backend is the faster path (or the policy has no JavaScript path).
   */
  runHost(observations: Float32Array, n: number): { policy: Float32Array; values: Float32Array } | null;
  /** Data-dependent init (weight-norm variants) from warm-up observations of numEnvs envs, step-major. */
  initialize(observations: Float32Array, numEnvs: number, outputScale: number): void;
  /** Weight-norm statistics per layer, as TensorBoard tags. */
  diagnostics(): Record<string, number>;
  /** Writes every network's weights into `dir`. */
  save(dir: string): Promise<void>;
  /** Reads weights written by `save` into these networks. */
  load(dir: string): Promise<void>;
  /** Frees the networks. */
  dispose(): void;
}

export interface PolicyShape {
  obsSize: number;
  actSize: number;
  network: NetworkConfig;
  sharedTrunk: boolean;
  seed: number;
}

/**
 * Acting on a few observations runs the stacked heads in JavaScript up to this many multiply-adds (all
 * layers, both networks, all rows): below it the arithmetic costs less than the native path's kernel
 * dispatches, upload and read-back (bench/README.md, "Acting").
 */
export const HOST_MAX_MACS = 30_000;

/** Logits/means and values from a shared trunk's outputs (its last unit is the value). */
function split(out: Tensor, actSize: number): Omit<PolicyOutput, 'state'> {
  const [policy, value] = tf.split(out, [actSize, 1], 1);
  return { policy: policy as Tensor2D, value: tf.reshape(value!, [-1]) as Tensor1D, joint: null };
}

/** The stacked heads' output [2, N, actSize], with `policy` and `value` sliced from it on first use (in the scope of that use). */
function fromJoint(joint: Tensor3D): Omit<PolicyOutput, 'state'> {
  let parts: { policy: Tensor2D; value: Tensor1D } | null = null;
  const sliced = () => {
    if (parts === null) {
      const [policy, value] = tf.unstack(joint) as [Tensor2D, Tensor2D];
      // the value network's output is padded to the policy's width: its first column is the value
      parts = { policy, value: tf.reshape(value.shape[1] === 1 ? value : tf.slice(value, [0, 0], [-1, 1]), [-1]) as Tensor1D };
    }
    return parts;
  };
  return {
    joint,
    get policy() {
      return sliced().policy;
    },
    get value() {
      return sliced().value;
    },
  };
}

/**
 * The MLP heads both policies end in: a policy network and a value network from buildMlp, or one shared
 * trunk whose last output unit is the value. Their input is the observation (MlpPolicy) or an LSTM's
 * output (RecurrentPolicy). Separate networks run stacked (src/nn/stacked-mlp.ts: one batched op per layer
 * for both), for every norm; the buildMlp models stay the record that init, saving, loading and export use.
 */
class Heads {
  /** Outputs logits or Gaussian means; with a shared trunk, also the value as its last unit. Current after sync(). */
  readonly policyNetwork: LayersModel;
  /** null with a shared trunk. Current after sync(). */
  readonly valueNetwork: LayersModel | null;
  /** Both networks as one, the parameters trained (null with a shared trunk). */
  private readonly stacked: StackedMlp | null;

  constructor(
    private readonly s: PolicyShape,
    inputSize: number,
  ) {
    const net = s.network;
    // Under init 'orthogonal' the policy output starts at gain 0.01 (near-uniform / near-zero-mean actions)
    // and the value output at 1, as SB3's ortho_init; data-dependent init uses the same scales.
    const policyGain = net.outputInitScale ?? 0.01;
    const mlp = (name: string, outputSize: number, outputGain: number, salt: string) =>
      buildMlp({ inputSize, hidden: net.hidden, outputSize, activation: net.activation, norm: net.norm, outputNorm: net.outputNorm, init: net.init, outputGain, batchRenorm: net.batchRenorm, batchMomentum: net.batchMomentum, seed: deriveSeed(s.seed, salt), name });
    if (s.sharedTrunk) {
      this.policyNetwork = mlp('actor_critic', s.actSize + 1, policyGain, 'ac-shared');
      this.valueNetwork = null;
      this.stacked = null;
    } else {
      this.policyNetwork = mlp('pi', s.actSize, policyGain, 'ac-policy');
      this.valueNetwork = mlp('vf', 1, 1, 'ac-value');
      this.stacked = new StackedMlp([this.policyNetwork, this.valueNetwork]);
    }
  }

  get networks(): LayersModel[] {
    return this.valueNetwork === null ? [this.policyNetwork] : [this.policyNetwork, this.valueNetwork];
  }

  /** The trained parameters. */
  get trainableWeights(): (Variable | LayersModel['trainableWeights'][number])[] {
    return this.stacked?.trainableWeights ?? this.policyNetwork.trainableWeights;
  }

  /** Where each value of the networks' own weights sits in trainableWeights' flat vector (null: in order). */
  stateOrder(): Int32Array | null {
    return this.stacked?.stateOrder() ?? null;
  }

  /** Brings policyNetwork and valueNetwork up to date with the trained parameters. */
  sync(): void {
    this.stacked?.unpack();
  }

  /** Policy outputs from the actor's features, values from the critic's (the same tensor without an LSTM). */
  run(actorIn: Tensor2D, criticIn: Tensor2D, training: boolean): Omit<PolicyOutput, 'state'> {
    if (this.stacked === null) return split(forward(this.policyNetwork, actorIn, training), this.s.actSize);
    const input = (actorIn === criticIn ? tf.expandDims(actorIn, 0) : tf.stack([actorIn, criticIn])) as Tensor3D;
    return fromJoint(this.stacked.forward(input, training));
  }

  /** `run` on observations in JavaScript (inference mode) when it is the faster path (StackedMlp.forwardHost), else null. */
  runHost(observations: Float32Array, n: number): { policy: Float32Array; values: Float32Array } | null {
    if (this.stacked === null || this.stacked.hostMacs(n) > HOST_MAX_MACS) return null;
    const joint = this.stacked.forwardHost(observations, n);
    const A = this.s.actSize;
    const values = new Float32Array(n);
    for (let r = 0; r < n; r++) values[r] = joint[(n + r) * A]!;
    return { policy: joint.slice(0, n * A), values };
  }

  /** Data-dependent init; with a shared trunk the value unit shares the policy's small output scale. */
  initialize(actorIn: Tensor2D, criticIn: Tensor2D, outputScale: number): void {
    dataDependentInit(this.policyNetwork, actorIn, { outputScale });
    if (this.valueNetwork !== null) dataDependentInit(this.valueNetwork, criticIn);
    this.stacked?.pack();
  }

  /** Writes the heads' weights. */
  async save(dir: string): Promise<void> {
    this.sync();
    await saveModel(this.policyNetwork, path.join(dir, 'policy'));
    if (this.valueNetwork !== null) await saveModel(this.valueNetwork, path.join(dir, 'value'));
  }

  /** Reads the heads' weights (an error names a missing or mis-sized file). */
  async load(dir: string): Promise<void> {
    await loadWeightsInto(this.policyNetwork, path.join(dir, 'policy'));
    if (this.valueNetwork !== null) await loadWeightsInto(this.valueNetwork, path.join(dir, 'value'));
    this.stacked?.pack();
  }

  /** Frees the heads. */
  dispose(): void {
    this.stacked?.dispose();
    for (const n of this.networks) n.dispose();
  }
}

/** The stateless policy: MLP heads on the observation (every row its own sequence of one step). */
export class MlpPolicy implements ActorCriticPolicy {
  readonly recurrent = false;
  readonly heads: Heads;

  constructor(private readonly s: PolicyShape) {
    this.heads = new Heads(s, s.obsSize);
  }

  get trainableWeights() {
    return this.heads.trainableWeights;
  }

  stateOrder(): Int32Array | null {
    return this.heads.stateOrder();
  }

  zeroState(): null {
    return null;
  }

  /** Policy outputs and values of every row (no state). */
  run(obs: Tensor2D, { training }: PolicyRunOptions): PolicyOutput {
    return Object.assign(this.heads.run(obs, obs, training), { state: null });
  }

  runHost(observations: Float32Array, n: number): { policy: Float32Array; values: Float32Array } | null {
    return this.heads.runHost(observations, n);
  }

  initialize(observations: Float32Array, _numEnvs: number, outputScale: number): void {
    tf.tidy(() => {
      const batch = tf.tensor2d(observations, [observations.length / this.s.obsSize, this.s.obsSize]);
      this.heads.initialize(batch, batch, outputScale);
    });
  }

  /** Weight-norm statistics of the heads. */
  diagnostics(): Record<string, number> {
    this.heads.sync();
    return weightNormTags(this.heads.networks);
  }

  /** Writes the heads' weights. */
  save(dir: string): Promise<void> {
    return this.heads.save(dir);
  }

  /** Reads the heads' weights. */
  load(dir: string): Promise<void> {
    return this.heads.load(dir);
  }

  /** Frees the LSTMs and the heads. */
  dispose(): void {
    this.heads.dispose();
  }
}

/** An LSTM per head (or one shared) between the observation and the MLP heads; its state is one (h, c) per LSTM. */
export class RecurrentPolicy implements ActorCriticPolicy {
  readonly recurrent = true;
  /** [actor, critic], or [shared]. */
  readonly lstms: Lstm[];
  readonly heads: Heads;
  readonly units: number;

  constructor(private readonly s: PolicyShape) {
    const rec = s.network.recurrent!;
    this.units = rec.units;
    const lstm = (name: string, salt: string) => new Lstm({ inputSize: s.obsSize, units: rec.units, norm: s.network.norm, init: rec.init, renorm: s.network.batchRenorm, momentum: s.network.batchMomentum, layerNorm: rec.layerNorm, name, seed: deriveSeed(s.seed, salt) });
    this.lstms = rec.sharedLstm ? [lstm('lstm', 'ac-lstm')] : [lstm('pi_lstm', 'ac-pi-lstm'), lstm('vf_lstm', 'ac-vf-lstm')];
    this.heads = new Heads(s, rec.units);
  }

  get trainableWeights() {
    return [...this.lstms.flatMap((l) => l.trainableWeights), ...this.heads.trainableWeights];
  }

  stateOrder(): Int32Array | null {
    const heads = this.heads.stateOrder();
    if (heads === null) return null;
    const lstmSize = this.lstms.reduce((a, l) => a + l.trainableWeights.reduce((b, w) => b + w.size, 0), 0);
    return Int32Array.from([...Array.from({ length: lstmSize }, (_, i) => i), ...Array.from(heads, (i) => i + lstmSize)]);
  }

  zeroState(n: number): RecurrentState {
    return this.lstms.map((l) => l.zeroState(n));
  }

  /** The LSTMs' outputs [T·B, units] each (actor first), and their final states when asked for. */
  private features(obs: Tensor2D, o: PolicyRunOptions): { actor: Tensor2D; critic: Tensor2D; state: RecurrentState | null } {
    const B = obs.shape[0] / o.T;
    const x = tf.reshape(obs, [o.T, B, this.s.obsSize]) as Tensor3D;
    const state = o.state ?? this.zeroState(B);
    const runs = this.lstms.map((l, k) => l.forward(x, state[k]!, o.starts, o.training, o.needState ?? false));
    const features = runs.map((r) => tf.reshape(r.output, [o.T * B, this.units]) as Tensor2D);
    return { actor: features[0]!, critic: features[features.length - 1]!, state: o.needState ? runs.map((r) => r.state!) : null };
  }

  /** None: the LSTMs run on the native backend. */
  runHost(): null {
    return null;
  }

  /** Runs the LSTMs over the sequences from `o.state` (reset at episode starts), then the heads. */
  run(obs: Tensor2D, o: PolicyRunOptions): PolicyOutput {
    const { actor, critic, state } = this.features(obs, o);
    return Object.assign(this.heads.run(actor, critic, o.training), { state });
  }

  initialize(observations: Float32Array, numEnvs: number, outputScale: number): void {
    const n = observations.length / this.s.obsSize;
    tf.tidy(() => {
      const batch = tf.tensor2d(observations, [n, this.s.obsSize]);
      for (const l of this.lstms) l.dataDependentInit(batch);
      // The heads see LSTM outputs: run the warm-up as numEnvs sequences (step-major rows), then init them.
      const T = Math.floor(n / numEnvs);
      const rows = tf.slice(batch, [0, 0], [T * numEnvs, this.s.obsSize]) as Tensor2D;
      const { actor, critic } = this.features(rows, { T, starts: null, state: null, training: false });
      this.heads.initialize(actor, critic, outputScale);
    });
  }

  /** Weight-norm statistics of the LSTMs and the heads. */
  diagnostics(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const l of this.lstms) Object.assign(out, l.diagnostics());
    this.heads.sync();
    return { ...out, ...weightNormTags(this.heads.networks) };
  }

  async save(dir: string): Promise<void> {
    await this.heads.save(dir);
    for (const l of this.lstms) {
      const parts = l.weights.map((w) => w.dataSync() as Float32Array);
      const bytes = Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
      fs.writeFileSync(path.join(dir, `${l.name}.bin`), bytes);
      fs.writeFileSync(path.join(dir, `${l.name}.json`), `${JSON.stringify({ shapes: l.weights.map((w) => w.shape) })}\n`);
    }
  }

  async load(dir: string): Promise<void> {
    await this.heads.load(dir);
    for (const l of this.lstms) {
      const file = path.join(dir, `${l.name}.bin`);
      if (!fs.existsSync(file)) throw ConfigError.single(dir, `has no ${l.name}.bin; expected the LSTM weights of a recurrent policy`);
      const b = fs.readFileSync(file);
      const all = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
      const total = l.weights.reduce((a, w) => a + w.size, 0);
      if (all.length !== total) throw ConfigError.single(file, `holds ${all.length} values; expected ${total} for this LSTM`);
      let offset = 0;
      tf.tidy(() => {
        for (const w of l.weights) {
          w.assign(tf.tensor(all.subarray(offset, offset + w.size), w.shape));
          offset += w.size;
        }
      });
    }
  }

  dispose(): void {
    for (const l of this.lstms) l.dispose();
    this.heads.dispose();
  }
}

/** The policy a network config asks for: recurrent when `network.recurrent` is set, else an MLP. */
export function createPolicy(s: PolicyShape): ActorCriticPolicy {
  return s.network.recurrent ? new RecurrentPolicy(s) : new MlpPolicy(s);
}

/** Disposes every tensor of a state (null: nothing). */
export function disposeState(state: RecurrentState | null): void {
  if (state !== null) for (const s of state) tf.dispose([s.h, s.c]);
}

/** A recurrent state as arrays (for a checkpoint): per LSTM, h and c with their shape. */
export type SavedRecurrentState = { h: Float32Array; c: Float32Array; shape: [number, number] }[] | null;

export function stateToArrays(state: RecurrentState | null): SavedRecurrentState {
  return state === null ? null : state.map((s) => ({ h: (s.h.dataSync() as Float32Array).slice(), c: (s.c.dataSync() as Float32Array).slice(), shape: [s.h.shape[0], s.h.shape[1]] }));
}

/** Tensors (kept: the caller owns them) of a state stateToArrays() wrote. */
export function stateFromArrays(saved: SavedRecurrentState): RecurrentState | null {
  return saved === null ? null : saved.map((s) => ({ h: tf.keep(tf.tensor2d(s.h, s.shape)), c: tf.keep(tf.tensor2d(s.c, s.shape)) }));
}

/** Rows `index` of every state tensor (the sequences of a minibatch). */
export function gatherState(state: RecurrentState | null, index: Int32Array): RecurrentState | null {
  if (state === null) return null;
  const idx = tf.tensor1d(index, 'int32');
  return state.map((s) => ({ h: tf.gather(s.h, idx) as Tensor2D, c: tf.gather(s.c, idx) as Tensor2D }));
}
