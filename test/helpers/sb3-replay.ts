// Stable-Baselines3's PPO replayed in wnrl: SB3's recorded weights loaded into wnrl's PPO (through its
// checkpoint files), SB3's minibatch order and action noise drawn instead of wnrl's own, and the weights
// read back in SB3's layout to compare. The recording is bench/peers/sb3_ppo_update_trace.py's; the
// bench (bench/ppo-update-trace.ts) and the test (test/agents/ppo-sb3-replay.test.ts) replay it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Tensor } from '@tensorflow/tfjs-node';
import type { AgentContext } from '../../agents/agent.ts';
import type { Rollout } from '../../agents/common/actor-critic.ts';
import { gaussianLogProbEntropy } from '../../agents/common/distributions.ts';
import type { MlpPolicy } from '../../agents/common/policy.ts';
import { PPO, type PpoOptions } from '../../agents/ppo.ts';
import { Rng } from '../../envs/rng.ts';
import { tf } from '../../src/backend.ts';

/** policy.state_dict() as nested lists: a Linear's weight is [out, in]. */
export type Sb3Params = Record<string, number[] | number[][]>;

/** What sb3_ppo_update_trace.py records (the bench's fields; a test fixture keeps the first update's). */
export interface Sb3Trace {
  paramsBefore: Sb3Params;
  paramsAfterFirstStep: Sb3Params;
  paramsAfter: Sb3Params;
  rollout: { observations: number[]; actions: number[]; logProbs: number[]; values: number[]; rewards: number[]; episodeStarts: number[]; advantages: number[]; returns: number[] };
  lastValues: number[];
  lastDones: number[];
  /** The first update's minibatch order, one permutation per epoch. */
  permutations: number[][];
  losses: { gradNorm: number }[];
  updates?: { permutations: number[][]; paramsAfter: Sb3Params }[];
  steps?: { observation: number[]; action: number[]; noise: number[]; reward: number; terminated: boolean; truncated: boolean; finalObservation: number[] | null }[];
  /** With "pretrain": SB3's state before the recorded rollouts. */
  pretrained?: Sb3Pretrained;
}

/** SB3's optimizer and VecNormalize state after its unrecorded pretraining. */
export interface Sb3Pretrained {
  /** Adam's first and second moments per parameter name (shaped as the parameter). */
  adam: Record<string, { m: number[] | number[][]; v: number[] | number[][] }>;
  adamStep: number;
  obsRms: { mean: number[]; var: number[]; count: number } | null;
  retRms: { mean: number[]; var: number[]; count: number } | null;
  steps: number;
}

export const f32 = (xs: readonly number[]) => Float32Array.from(xs);

/** Largest |a − b|, and that relative to the largest |b|. */
export function diff(a: ArrayLike<number>, b: ArrayLike<number>): { abs: number; rel: number } {
  if (a.length !== b.length) throw new Error(`diff: lengths ${a.length} and ${b.length}`);
  let abs = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    abs = Math.max(abs, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return { abs, rel: scale === 0 ? abs : abs / scale };
}

/** log π(a|s) per row of a diagonal Gaussian policy: means [n × d], actions [n × d], log-std [d] (wnrl's loss op). */
export function gaussianLogProbs(means: ArrayLike<number>, actions: ArrayLike<number>, logStd: readonly number[]): Float32Array {
  const d = logStd.length;
  return tf.tidy(() => gaussianLogProbEntropy(tf.tensor2d(Float32Array.from(means), [means.length / d, d]), tf.tensor1d(Float32Array.from(logStd)), tf.tensor2d(Float32Array.from(actions), [actions.length / d, d])).logProb.dataSync() as Float32Array);
}

/** SB3's layer names of an MlpPolicy with `depth` hidden layers per network: policy's, then value's. */
export function sb3Layers(depth: number): { policy: string[]; value: string[] } {
  const hidden = (net: string) => Array.from({ length: depth }, (_, k) => `mlp_extractor.${net}.${2 * k}`);
  return { policy: [...hidden('policy_net'), 'action_net'], value: [...hidden('value_net'), 'value_net'] };
}

/** Every parameter's name in the order sb3Params lists them. */
export function sb3ParamNames(depth: number): string[] {
  const { policy, value } = sb3Layers(depth);
  return [...policy, ...value].flatMap((l) => [`${l}.weight`, `${l}.bias`]).concat('log_std');
}

/** One network's parameters in wnrl's order: kernel [in, out] then bias, per layer. */
function networkWeights(params: Sb3Params, layers: readonly string[]): Float32Array[] {
  return layers.flatMap((layer) => {
    const w = params[`${layer}.weight`] as number[][] | undefined;
    const b = params[`${layer}.bias`] as number[] | undefined;
    if (w === undefined || b === undefined) throw new Error(`SB3's parameters have no ${layer}`);
    const kernel = new Float32Array(w.length * w[0]!.length);
    for (let o = 0; o < w.length; o++) for (let i = 0; i < w[0]!.length; i++) kernel[i * w.length + o] = w[o]![i]!;
    return [kernel, f32(b)];
  });
}

/** SB3's parameters as wnrl's list: policy network, value network, log-std. */
export function sb3Params(params: Sb3Params, depth: number): Float32Array[] {
  const { policy, value } = sb3Layers(depth);
  return [...networkWeights(params, policy), ...networkWeights(params, value), f32(params['log_std'] as number[])];
}

/** Per parameter, wnrl's against SB3's; and the worst (relative) of them. */
export function paramDiff(mine: Float32Array[], theirs: Float32Array[], names: readonly string[]) {
  const rows = names.map((name, k) => ({ name, ...diff(mine[k]!, theirs[k]!) }));
  return { rows, worst: rows.reduce((a, b) => (b.rel > a.rel ? b : a)) };
}

/** The standard normals SB3 drew for its actions, in its order (env, then action dimension), as wnrl's generator. */
class ScriptedNormals extends Rng {
  private k = 0;
  constructor(private readonly draws: readonly number[]) {
    super(0);
  }
  override normal(): number {
    const z = this.draws[this.k++];
    if (z === undefined) throw new Error(`SB3's trace has ${this.draws.length} action draws; wnrl asked for more`);
    return z;
  }
}

/**
 * PPO that takes SB3's minibatch orders (one list of per-epoch permutations per update) and, given `noise`,
 * SB3's action noise; records its gradient norms, its weights after its first gradient step and after every
 * update; and can run its update on a given rollout.
 */
export class ReplayPpo extends PPO {
  afterFirstStep: Float32Array[] | null = null;
  afterUpdates: Float32Array[][] = [];
  gradNorms: number[] = [];

  constructor(
    options: PpoOptions,
    private readonly orders: readonly (readonly number[][])[],
    noise: readonly number[] | null = null,
  ) {
    super(options);
    if (noise !== null) (this as unknown as { rng: Rng }).rng = new ScriptedNormals(noise);
    const opt = this.optimizer;
    const step = opt.step.bind(opt);
    opt.step = (lossFn) => {
      const out = step(lossFn);
      this.gradNorms.push(out.gradNorm.dataSync()[0]!);
      this.afterFirstStep ??= this.params();
      return out;
    };
  }

  protected override shuffle(order: Int32Array, epoch: number): void {
    const u = this.afterUpdates.length;
    const p = this.orders[u]?.[epoch];
    if (p === undefined || p.length !== order.length) throw new Error(`SB3's trace has no permutation of ${order.length} for update ${u + 1}, epoch ${epoch + 1}`);
    order.set(p);
  }

  protected override update(r: Rollout, ctx: AgentContext) {
    const metrics = super.update(r, ctx);
    this.afterUpdates.push(this.params());
    return metrics;
  }

  /** The update on `r` (as after a rollout of the agent's own). */
  replay(r: Rollout, ctx: AgentContext) {
    return this.update(r, ctx);
  }

  /** The networks' weights (kernels [in, out], biases; policy then value) and the log-std, as sb3Params lists SB3's. */
  params(): Float32Array[] {
    const heads = (this.policy as MlpPolicy).heads;
    heads.sync();
    const read = (ts: Tensor[]) => ts.map((t) => (t.dataSync() as Float32Array).slice());
    return [...read(heads.policyNetwork.getWeights()), ...read(heads.valueNetwork!.getWeights()), (this.logStd!.dataSync() as Float32Array).slice()];
  }

  /** SB3's Adam state: moments laid out as the parameters (sb3Params' order, the checkpoint's), and the step count. */
  loadSb3Adam(pretrained: Sb3Pretrained): void {
    const depth = this.config.network.hidden.length;
    const moment = (key: 'm' | 'v') => {
      const byName = Object.fromEntries(Object.entries(pretrained.adam).map(([name, a]) => [name, a[key]]));
      const parts = sb3Params(byName, depth);
      const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      return out;
    };
    this.optimizer.setState({ t: pretrained.adamStep, m: moment('m'), v: moment('v') });
  }

  /** SB3's parameters into these networks through the checkpoint files (save, replace the weights, load). */
  async loadSb3(params: Sb3Params): Promise<void> {
    const depth = this.config.network.hidden.length;
    const { policy, value } = sb3Layers(depth);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-sb3-replay-'));
    try {
      await this.policy.save(dir);
      writeWeights(path.join(dir, 'policy'), networkWeights(params, policy));
      writeWeights(path.join(dir, 'value'), networkWeights(params, value));
      await this.policy.load(dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    tf.tidy(() => this.logStd!.assign(tf.tensor1d(params['log_std'] as number[])));
  }
}

interface Manifest {
  weightsManifest: { weights: { name: string; shape: number[] }[] }[];
}

/** Replaces a saved model folder's weights (model.json's order and sizes) with `weights`. */
function writeWeights(dir: string, weights: Float32Array[]): void {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as Manifest;
  const specs = manifest.weightsManifest[0]!.weights;
  if (specs.length !== weights.length) throw new Error(`${dir}: wnrl has ${specs.length} weights, SB3 ${weights.length}`);
  specs.forEach((w, k) => {
    const n = w.shape.reduce((a, b) => a * b, 1);
    if (n !== weights[k]!.length) throw new Error(`${dir}: ${w.name} has ${n} values, SB3's ${weights[k]!.length}`);
  });
  const joined = new Float32Array(weights.reduce((a, w) => a + w.length, 0));
  let at = 0;
  for (const w of weights) {
    joined.set(w, at);
    at += w.length;
  }
  fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(joined.buffer));
}
