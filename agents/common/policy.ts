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
import { loadWeightsInto, saveModel } from './persist.ts';

/** One (h, c) per LSTM of the policy; the tensors belong to whoever holds the state. */
export type RecurrentState = LstmState[];

export interface PolicyOutput {
  /** [T·B, actSize]: logits (Discrete) or Gaussian means (Box). */
  policy: Tensor2D;
  /** [T·B] */
  value: Tensor1D;
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

export interface ActorCriticPolicy {
  readonly recurrent: boolean;
  readonly trainableWeights: (Variable | LayersModel['trainableWeights'][number])[];
  /** Zero state for n sequences (null for an MLP). */
  zeroState(n: number): RecurrentState | null;
  run(obs: Tensor2D, opts: PolicyRunOptions): PolicyOutput;
  /** Data-dependent init (weight-norm variants) from warm-up observations of numEnvs envs, step-major. */
  initialize(observations: Float32Array, numEnvs: number, outputScale: number): void;
  diagnostics(): Record<string, number>;
  save(dir: string): Promise<void>;
  load(dir: string): Promise<void>;
  dispose(): void;
}

export interface PolicyShape {
  obsSize: number;
  actSize: number;
  network: NetworkConfig;
  sharedTrunk: boolean;
  seed: number;
}

function headMlp(s: PolicyShape, name: string, inputSize: number, outputSize: number, salt: string): LayersModel {
  const net = s.network;
  return buildMlp({ inputSize, hidden: net.hidden, outputSize, activation: net.activation, norm: net.norm, outputNorm: net.outputNorm, seed: deriveSeed(s.seed, salt), name });
}

/** Logits/means and values from the heads' outputs (a shared trunk's last unit is the value). */
function split(out: Tensor, actSize: number): { policy: Tensor2D; value: Tensor1D } {
  const [policy, value] = tf.split(out, [actSize, 1], 1);
  return { policy: policy as Tensor2D, value: tf.reshape(value!, [-1]) as Tensor1D };
}

export class MlpPolicy implements ActorCriticPolicy {
  readonly recurrent = false;
  readonly policyNetwork: LayersModel;
  readonly valueNetwork: LayersModel | null;

  constructor(private readonly s: PolicyShape) {
    if (s.sharedTrunk) {
      this.policyNetwork = headMlp(s, 'actor_critic', s.obsSize, s.actSize + 1, 'ac-shared');
      this.valueNetwork = null;
    } else {
      this.policyNetwork = headMlp(s, 'pi', s.obsSize, s.actSize, 'ac-policy');
      this.valueNetwork = headMlp(s, 'vf', s.obsSize, 1, 'ac-value');
    }
  }

  get trainableWeights() {
    return [...this.policyNetwork.trainableWeights, ...(this.valueNetwork?.trainableWeights ?? [])];
  }

  zeroState(): null {
    return null;
  }

  run(obs: Tensor2D, { training }: PolicyRunOptions): PolicyOutput {
    if (this.valueNetwork === null) return { ...split(forward(this.policyNetwork, obs, training), this.s.actSize), state: null };
    return {
      policy: forward(this.policyNetwork, obs, training) as Tensor2D,
      value: tf.reshape(forward(this.valueNetwork, obs, training), [-1]) as Tensor1D,
      state: null,
    };
  }

  initialize(observations: Float32Array, _numEnvs: number, outputScale: number): void {
    tf.tidy(() => {
      const batch = tf.tensor2d(observations, [observations.length / this.s.obsSize, this.s.obsSize]);
      // With a shared trunk the value unit shares the policy's small output scale (it learns its scale fast).
      dataDependentInit(this.policyNetwork, batch, { outputScale });
      if (this.valueNetwork !== null) dataDependentInit(this.valueNetwork, batch);
    });
  }

  diagnostics(): Record<string, number> {
    return weightNormTags(this.valueNetwork === null ? [this.policyNetwork] : [this.policyNetwork, this.valueNetwork]);
  }

  async save(dir: string): Promise<void> {
    await saveModel(this.policyNetwork, path.join(dir, 'policy'));
    if (this.valueNetwork !== null) await saveModel(this.valueNetwork, path.join(dir, 'value'));
  }

  async load(dir: string): Promise<void> {
    await loadWeightsInto(this.policyNetwork, path.join(dir, 'policy'));
    if (this.valueNetwork !== null) await loadWeightsInto(this.valueNetwork, path.join(dir, 'value'));
  }

  dispose(): void {
    this.policyNetwork.dispose();
    this.valueNetwork?.dispose();
  }
}

export class RecurrentPolicy implements ActorCriticPolicy {
  readonly recurrent = true;
  /** [actor, critic], or [shared]. */
  readonly lstms: Lstm[];
  readonly policyNetwork: LayersModel;
  readonly valueNetwork: LayersModel | null;
  readonly units: number;

  constructor(private readonly s: PolicyShape) {
    const rec = s.network.recurrent!;
    this.units = rec.units;
    const lstm = (name: string, salt: string) => new Lstm({ inputSize: s.obsSize, units: rec.units, norm: s.network.norm, name, seed: deriveSeed(s.seed, salt) });
    this.lstms = rec.sharedLstm ? [lstm('lstm', 'ac-lstm')] : [lstm('pi_lstm', 'ac-pi-lstm'), lstm('vf_lstm', 'ac-vf-lstm')];
    if (s.sharedTrunk) {
      this.policyNetwork = headMlp(s, 'actor_critic', rec.units, s.actSize + 1, 'ac-shared');
      this.valueNetwork = null;
    } else {
      this.policyNetwork = headMlp(s, 'pi', rec.units, s.actSize, 'ac-policy');
      this.valueNetwork = headMlp(s, 'vf', rec.units, 1, 'ac-value');
    }
  }

  get trainableWeights() {
    return [...this.lstms.flatMap((l) => l.trainableWeights), ...this.policyNetwork.trainableWeights, ...(this.valueNetwork?.trainableWeights ?? [])];
  }

  zeroState(n: number): RecurrentState {
    return this.lstms.map((l) => l.zeroState(n));
  }

  /** The LSTMs' outputs [T·B, units] each, and their final states when asked for. */
  private features(obs: Tensor2D, o: PolicyRunOptions): { features: Tensor2D[]; state: RecurrentState | null } {
    const B = obs.shape[0] / o.T;
    const x = tf.reshape(obs, [o.T, B, this.s.obsSize]) as Tensor3D;
    const state = o.state ?? this.zeroState(B);
    const runs = this.lstms.map((l, k) => l.forward(x, state[k]!, o.starts, o.training, o.needState ?? false));
    return {
      features: runs.map((r) => tf.reshape(r.output, [o.T * B, this.units]) as Tensor2D),
      state: o.needState ? runs.map((r) => r.state!) : null,
    };
  }

  run(obs: Tensor2D, o: PolicyRunOptions): PolicyOutput {
    const { features, state } = this.features(obs, o);
    const actorIn = features[0]!;
    const criticIn = features[features.length - 1]!;
    if (this.valueNetwork === null) return { ...split(forward(this.policyNetwork, actorIn, o.training), this.s.actSize), state };
    return {
      policy: forward(this.policyNetwork, actorIn, o.training) as Tensor2D,
      value: tf.reshape(forward(this.valueNetwork, criticIn, o.training), [-1]) as Tensor1D,
      state,
    };
  }

  initialize(observations: Float32Array, numEnvs: number, outputScale: number): void {
    const n = observations.length / this.s.obsSize;
    tf.tidy(() => {
      const batch = tf.tensor2d(observations, [n, this.s.obsSize]);
      for (const l of this.lstms) l.dataDependentInit(batch);
      // The heads see LSTM outputs: run the warm-up as numEnvs sequences (step-major rows), then init them.
      const T = Math.floor(n / numEnvs);
      const rows = tf.slice(batch, [0, 0], [T * numEnvs, this.s.obsSize]) as Tensor2D;
      const { features } = this.features(rows, { T, starts: null, state: null, training: false });
      dataDependentInit(this.policyNetwork, features[0]!, { outputScale });
      if (this.valueNetwork !== null) dataDependentInit(this.valueNetwork, features[features.length - 1]!);
    });
  }

  diagnostics(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const l of this.lstms) Object.assign(out, l.diagnostics());
    return { ...out, ...weightNormTags(this.valueNetwork === null ? [this.policyNetwork] : [this.policyNetwork, this.valueNetwork]) };
  }

  async save(dir: string): Promise<void> {
    await saveModel(this.policyNetwork, path.join(dir, 'policy'));
    if (this.valueNetwork !== null) await saveModel(this.valueNetwork, path.join(dir, 'value'));
    for (const l of this.lstms) {
      const parts = l.weights.map((w) => w.dataSync() as Float32Array);
      const bytes = Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
      fs.writeFileSync(path.join(dir, `${l.name}.bin`), bytes);
      fs.writeFileSync(path.join(dir, `${l.name}.json`), `${JSON.stringify({ shapes: l.weights.map((w) => w.shape) })}\n`);
    }
  }

  async load(dir: string): Promise<void> {
    await loadWeightsInto(this.policyNetwork, path.join(dir, 'policy'));
    if (this.valueNetwork !== null) await loadWeightsInto(this.valueNetwork, path.join(dir, 'value'));
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
    this.policyNetwork.dispose();
    this.valueNetwork?.dispose();
  }
}

export function createPolicy(s: PolicyShape): ActorCriticPolicy {
  return s.network.recurrent ? new RecurrentPolicy(s) : new MlpPolicy(s);
}

/** Disposes every tensor of a state (null: nothing). */
export function disposeState(state: RecurrentState | null): void {
  if (state !== null) for (const s of state) tf.dispose([s.h, s.c]);
}

/** Rows `index` of every state tensor (the sequences of a minibatch). */
export function gatherState(state: RecurrentState | null, index: Int32Array): RecurrentState | null {
  if (state === null) return null;
  const idx = tf.tensor1d(index, 'int32');
  return state.map((s) => ({ h: tf.gather(s.h, idx) as Tensor2D, c: tf.gather(s.c, idx) as Tensor2D }));
}
