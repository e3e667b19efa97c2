// An LSTM written as a function of (x_t, h, c), one per normalization, behind the same `norm` switch as
// buildMlp. Not tf.layers.lstm: that layer keeps its state on masked steps instead of resetting it,
// ignores `unroll` and defaults to a hard sigmoid. Gate layout [i | f | g | o] (see block-lstm.ts).
//
//   norm              input term (all steps in one matMul)          recurrent term        cell output
//   none              x·W_x                                         h·W_h                 tanh(c)
//   weight            x·W_x, W_x = g_x·V_x/‖V_x‖ per column         W_h = g_h·V_h/‖V_h‖   tanh(c)
//   weight-meanonly   x·W_x − μ_B (weight norm as above)            as weight             tanh(c)
//   batch             γ·(x·W_x − μ_B)/σ_B                           h·W_h                 tanh(c)
//   layer (summed)    LN(x·W_x + h·W_h + b; γ_h, β_h), one norm of the whole pre-activation  tanh(LN(c; γ_c, β_c))
//   layer (separate)  LN(x·W_x; γ_x, β_x)                           LN(h·W_h; γ_h, β_h)   tanh(LN(c; γ_c, β_c))
//
// plus a bias b (forget-gate entries start at 1). 'batch' and 'weight-meanonly' normalize the
// input-to-hidden term only (Laurent et al. 2016), with statistics over every step and sequence of the
// batch in an update and running averages when acting or evaluating. 'layer' is a layer-normalized LSTM
// over all 4·units pre-activations. Ba, Kiros & Hinton's (2016) form ('separate') normalizes the input
// term alone, so it cannot see its input's scale: x·W_x for 2·x normalizes to what x does (on
// CartPoleNoVel-v1, two nonzero inputs, a pole at 0.25σ and one at 2.5σ looked alike). The default
// ('summed') normalizes the sum x·W_x + h·W_h + b, where the bias and the state carry the scale: the
// form of the MLP's Dense → LayerNorm, whose bias sits before the normalization. Weight-normalized
// kernels are computed once per forward pass, not per step.
//
// Init: W_h (or V_h) is orthogonal per gate block, so with g_h = 1 the weight-normalized recurrent kernel
// starts equal to the plain one. Data-dependent init (Salimans & Kingma §2.2) touches the input path
// only: g_x and b from the statistics of x·V_x/‖V_x‖ on a warm-up batch. The paper's init makes a
// feed-forward pre-activation start at zero mean and unit variance; a recurrent term's statistics depend
// on the state distribution, which does not exist before the network runs, and rescaling W_h by a
// data-derived factor would change the recurrence's gain (an orthogonal W_h keeps it at 1).
//
// Speed: on the native backend every norm but 'layer' folds into one fused kernel per sequence (the
// batch-norm statistics become a column scale of W_x and a bias, computed once per pass); 'layer'
// normalizes inside the step: its input term runs in tfjs ops (all steps in one matMul), its recurrence
// in JavaScript as one op forward and one backward (ln-lstm.ts). `impl: 'reference'` runs every norm
// as tfjs ops, step by step (the equations written once more, for tests and the cpu backend).
import type { Tensor, Tensor1D, Tensor2D, Tensor3D, Variable } from '@tensorflow/tfjs-node';
import { Rng } from '../../envs/rng.ts';
import { tf } from '../backend.ts';
import type { LayerNormLstm, LstmInit, Norm } from '../config/network.ts';
import { hasFusedLstm, keepMask, lstmRun, lstmSequence } from './block-lstm.ts';
import { renormCorrection, stopGradient, type RenormClip } from './batch-norm.ts';
import { orthogonalMatrix, uniformArray } from './init.ts';
import { lnLstmSequence } from './ln-lstm.ts';
import { weightNormKernel } from './weight-norm-dense.ts';

/** Options of Lstm. */
export interface LstmOptions {
  inputSize: number;
  units: number;
  norm: Norm;
  /** Layer name prefix in diagnostics and checkpoints (e.g. 'pi_lstm'). */
  name?: string;
  seed?: number;
  /**
   * 'orthogonal' (default): W_h orthogonal per gate block, W_x Glorot uniform, b zero but the forget gate's
   * (forgetBias). 'torch': nn.LSTM's defaults, every weight and both of its biases U(±1/√units) (so b is
   * their sum), no forget-gate offset. A weight-normalized kernel takes the same draw as v with g = ‖v‖.
   * 'glorot': as 'orthogonal', but a weight-normalized W_x starts from v ~ N(0, 0.05²), g = 1 (wnrl ≤ 0.1).
   */
  init?: LstmInit;
  /** Initial forget-gate bias under init 'orthogonal' (default 1). */
  forgetBias?: number;
  /** 'auto' (fused kernel where available), or force the tfjs-ops path ('reference'), e.g. in tests. */
  impl?: 'auto' | 'reference';
  /** Running-average momentum of the batch-norm statistics (default 0.99, as tfjs and Keras). */
  momentum?: number;
  /** Batch renormalization of the input term ('batch', 'weight-meanonly'; batch-norm.ts): default unclipped; false: plain. */
  renorm?: RenormClip | false;
  /** 'layer': normalize the summed pre-activation ('summed', default) or each term ('separate': Ba et al.). */
  layerNorm?: LayerNormLstm;
}

/** An LSTM's state for B sequences: h and c, [B, units] each. */
export interface LstmState {
  h: Tensor2D;
  c: Tensor2D;
}

const EPS = 1e-5;

/** A random orthogonal n × n matrix, seeded (init.ts's orthogonalMatrix, square). */
export function orthogonal(n: number, seed: number): Float32Array {
  return orthogonalMatrix(n, n, seed);
}

/** [units, blocks·units]: an orthogonal matrix per gate block. */
function orthogonalBlocks(units: number, blocks: number, seed: number): Tensor2D {
  const out = new Float32Array(units * blocks * units);
  for (let k = 0; k < blocks; k++) {
    const q = orthogonal(units, seed + k);
    for (let r = 0; r < units; r++) out.set(q.subarray(r * units, (r + 1) * units), r * blocks * units + k * units);
  }
  return tf.tensor2d(out, [units, blocks * units]);
}

/** Normalizes the last axis: (x − mean)/√(var + ε)·γ + β. */
function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor): Tensor {
  const centered = tf.sub(x, tf.mean(x, -1, true));
  const variance = tf.mean(tf.square(centered), -1, true);
  return tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, EPS))), gamma), beta);
}

/** Lstm.exportWeights(): the inference-mode LSTM as arrays. */
export interface ExportedLstm {
  inputSize: number;
  units: number;
  /** null: z = x·W_x + h·W_h + b; 'summed': z = LN(x·W_x + h·W_h + b); 'separate': LN(x·W_x) + b + LN(h·W_h); with layer norm, h = o·tanh(LN(c)). */
  layerNorm: 'summed' | 'separate' | null;
  /** [inputSize × 4·units] */
  wx: number[];
  /** [units × 4·units] */
  wh: number[];
  b: number[];
  /** lnhGamma, lnhBeta, lncGamma, lncBeta (and lnxGamma, lnxBeta for 'separate'). */
  ln: Record<string, number[]> | null;
}

/** An LSTM cell behind the `norm` switch (none, weight, weight + mean-only BN, batch, layer), run over time-major sequences with episode resets; see the table at the top of lstm.ts. */
export class Lstm {
  readonly inputSize: number;
  readonly units: number;
  readonly norm: Norm;
  readonly name: string;
  readonly momentum: number;
  readonly renorm: RenormClip | false;
  /** 'layer' only: whether the layer norm takes the summed pre-activation. */
  readonly summed: boolean;
  private readonly fused: boolean;
  /** 'layer' with impl 'auto': the recurrence in JavaScript (ln-lstm.ts) instead of tfjs ops per step. */
  private readonly layerJs: boolean;
  private readonly params: Record<string, Variable>;
  /** Batch-norm running statistics ('batch', 'weight-meanonly'): not trained, saved with the weights. */
  private readonly running: Record<string, Variable>;
  private cache: { ids: object[]; w: Tensor2D; b: Tensor1D } | null = null;

  constructor(options: LstmOptions) {
    const { inputSize: I, units: U, norm } = options;
    if (!Number.isInteger(U) || U < 1) throw new RangeError(`Lstm: units must be a positive integer; got ${U}`);
    this.inputSize = I;
    this.units = U;
    this.norm = norm;
    this.name = options.name ?? 'lstm';
    this.momentum = options.momentum ?? 0.99;
    this.renorm = options.renorm ?? { rMax: null, dMax: null };
    this.summed = norm === 'layer' && (options.layerNorm ?? 'summed') === 'summed';
    const auto = (options.impl ?? 'auto') === 'auto';
    this.fused = auto && norm !== 'layer' && hasFusedLstm();
    this.layerJs = auto && norm === 'layer';
    const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
    const forget = options.forgetBias ?? 1;
    const v = (name: string, t: Tensor, trainable = true) => tf.variable(t, trainable, `${this.name}_${name}_${seed}_${Math.random().toString(36).slice(2, 8)}`);
    const { wx, wh, bias } = tf.tidy(() => {
      if ((options.init ?? 'orthogonal') === 'torch') {
        const rng = new Rng(seed);
        const bound = 1 / Math.sqrt(U);
        const u = (rows: number) => tf.tensor2d(uniformArray(rows * 4 * U, bound, rng), [rows, 4 * U]);
        return { wx: u(I), wh: u(U), bias: tf.add(tf.tensor1d(uniformArray(4 * U, bound, rng)), tf.tensor1d(uniformArray(4 * U, bound, rng))) };
      }
      return {
        wx: tf.initializers.glorotUniform({ seed }).apply([I, 4 * U]) as Tensor2D,
        wh: orthogonalBlocks(U, 4, seed + 1),
        bias: tf.concat([tf.zeros([U]), tf.fill([U], forget), tf.zeros([2 * U])]),
      };
    });
    const weightNorm = norm === 'weight' || norm === 'weight-meanonly';
    this.params = {};
    this.running = {};
    if (weightNorm && options.init === 'glorot') {
      // wnrl ≤ 0.1: the paper's v ~ N(0, 0.05²) and g = 1 for the input kernel, whatever the other norms drew
      this.params['vx'] = v('vx', tf.randomNormal([I, 4 * U], 0, 0.05, 'float32', seed));
      this.params['gx'] = v('gx', tf.ones([4 * U]));
      this.params['vh'] = v('vh', wh);
      this.params['gh'] = v('gh', tf.ones([4 * U]));
    } else if (weightNorm) {
      // W = g·V/‖V‖ with V the init's draw and g = ‖V‖: the same weights as the plain LSTM's until
      // data-dependent init sets g_x and b from the input path's statistics.
      this.params['vx'] = v('vx', wx);
      this.params['gx'] = v('gx', tf.tidy(() => tf.norm(wx, 'euclidean', 0)));
      this.params['vh'] = v('vh', wh);
      this.params['gh'] = v('gh', tf.tidy(() => tf.norm(wh, 'euclidean', 0)));
    } else {
      this.params['wx'] = v('wx', wx);
      this.params['wh'] = v('wh', wh);
    }
    this.params['b'] = v('b', bias);
    tf.dispose([wx, wh, bias]); // the variables hold their own references
    if (norm === 'batch') {
      // Laurent et al. (2016) start γ at 0.1: a normalized input term of unit variance saturates the gates.
      this.params['gamma'] = v('gamma', tf.fill([4 * U], 0.1));
      this.running['mean'] = v('movingMean', tf.zeros([4 * U]), false);
      this.running['variance'] = v('movingVariance', tf.ones([4 * U]), false);
    } else if (norm === 'weight-meanonly') {
      this.running['mean'] = v('movingMean', tf.zeros([4 * U]), false);
    } else if (norm === 'layer') {
      for (const [k, n] of this.summed ? ([['h', 4 * U], ['c', U]] as const) : ([['x', 4 * U], ['h', 4 * U], ['c', U]] as const)) {
        this.params[`ln${k}Gamma`] = v(`ln${k}Gamma`, tf.ones([n]));
        this.params[`ln${k}Beta`] = v(`ln${k}Beta`, tf.zeros([n]));
      }
    }
  }

  /** Trainable variables by role (wx or vx/gx, wh or vh/gh, b, gamma, ln*Gamma/Beta). */
  get parameters(): Readonly<Record<string, Variable>> {
    return this.params;
  }

  /** Trainable variables, in a fixed order. */
  get trainableWeights(): Variable[] {
    return Object.values(this.params);
  }

  /** Every variable (trainable first, then running statistics), in the order save and load use. */
  get weights(): Variable[] {
    return [...Object.values(this.params), ...Object.values(this.running)];
  }

  /** Zero state for `n` sequences. */
  zeroState(n: number): LstmState {
    return { h: tf.zeros([n, this.units]) as Tensor2D, c: tf.zeros([n, this.units]) as Tensor2D };
  }

  private inputKernel(): Tensor2D {
    const p = this.params;
    return p['vx'] ? weightNormKernel(p['vx'] as Tensor2D, p['gx']! as Tensor1D) : (p['wx']! as Tensor2D);
  }

  private recurrentKernel(): Tensor2D {
    const p = this.params;
    return p['vh'] ? weightNormKernel(p['vh'] as Tensor2D, p['gh']! as Tensor1D) : (p['wh']! as Tensor2D);
  }

  /**
   * The input term's batch-norm statistics as an affine map of x·W_x: zx·scale + shift. In training they
   * come from x (every row: all steps of all sequences) and move the running averages; otherwise the
   * running averages. null for norms without batch statistics.
   */
  private batchAffine(x2d: Tensor2D | null, wx: Tensor2D, training: boolean): { scale: Tensor1D | null; shift: Tensor1D } | null {
    if (this.norm !== 'batch' && this.norm !== 'weight-meanonly') return null;
    if (training) {
      const zx = tf.matMul(x2d!, wx);
      const rm = this.running['mean']!;
      const rv = this.running['variance'] ?? null;
      const runMean = tf.clone(rm);
      const runVariance = rv === null ? null : tf.clone(rv);
      const m = tf.moments(zx, 0);
      const mean = m.mean as Tensor1D;
      const mom = this.momentum;
      rm.assign(tf.add(tf.mul(runMean, mom), tf.mul(stopGradient(mean), 1 - mom)) as Tensor1D);
      if (this.norm === 'weight-meanonly') {
        // zx − μ_B (+ d: the running mean's correction under renormalization)
        const d = this.renorm === false ? null : renormCorrection(mean, null, runMean, null, this.renorm).d;
        return { scale: null, shift: (d === null ? tf.neg(mean) : tf.sub(d, mean)) as Tensor1D };
      }
      const variance = m.variance as Tensor1D;
      rv!.assign(tf.add(tf.mul(runVariance!, mom), tf.mul(stopGradient(variance), 1 - mom)) as Tensor1D);
      const batchStd = tf.sqrt(tf.add(variance, EPS));
      // γ·((zx − μ_B)/σ_B·r + d) = zx·(γr/σ_B) + γ(d − μ_B·r/σ_B)
      let scale = tf.div(this.params['gamma']!, batchStd) as Tensor1D;
      let shift = tf.neg(tf.mul(mean, scale)) as Tensor1D;
      if (this.renorm !== false) {
        const { r, d } = renormCorrection(mean, batchStd, runMean, tf.sqrt(tf.add(runVariance!, EPS)), this.renorm);
        scale = tf.mul(scale, r!) as Tensor1D;
        shift = tf.add(tf.mul(shift, r!), tf.mul(this.params['gamma']!, d)) as Tensor1D;
      }
      return { scale, shift };
    }
    const mean = this.running['mean']! as Tensor1D;
    if (this.norm === 'weight-meanonly') return { scale: null, shift: tf.neg(mean) as Tensor1D };
    const scale = tf.mul(this.params['gamma']!, tf.rsqrt(tf.add(this.running['variance']!, EPS))) as Tensor1D;
    return { scale, shift: tf.neg(tf.mul(mean, scale)) as Tensor1D };
  }

  /**
   * Runs x [T, B, in] (time-major) from `state`, resetting sequence k's state before step t where
   * starts[t*B + k] is 1. `training`: batch statistics from this batch (and running averages updated);
   * only inside an update. Returns every step's h [T, B, U] and the final state. Not tidied.
   */
  forward(x: Tensor3D, state: LstmState, starts: Uint8Array | null, training: boolean, needState = false): { output: Tensor3D; state: LstmState | null } {
    const [T, B, I] = x.shape;
    if (this.fused && !training && !tf.engine().isTapeOn()) {
      // Acting and evaluation: the fused kernel and bias, cached until a parameter or statistic changes.
      const { w, b } = this.inferenceWeights();
      const r = lstmRun(x, state.h, state.c, w, b, starts);
      return { output: r.output, state: { h: r.h, c: r.c } };
    }
    // Every step as rows: for batch statistics and the tfjs-ops path (the fused kernel takes x as it is).
    const x2d = !this.fused || training ? (tf.reshape(x, [T * B, I]) as Tensor2D) : null;
    const { wx, b } = this.inputTerm(x2d, training);
    const wh = this.recurrentKernel();
    if (this.fused) {
      const w = tf.concat([wx, wh], 0) as Tensor2D;
      if (needState || !tf.engine().isTapeOn()) {
        const r = lstmRun(x, state.h, state.c, w, b, starts);
        return { output: r.output, state: { h: r.h, c: r.c } };
      }
      return { output: lstmSequence(x, state.h, state.c, w, b, starts), state: null };
    }
    if (this.layerJs) {
      const p = this.params;
      const zx = tf.reshape(this.inputPreactivations(x2d!, wx, b), [T, B, 4 * this.units]) as Tensor3D;
      const r = lnLstmSequence(zx, wh, p['lnhGamma']! as Tensor1D, p['lnhBeta']! as Tensor1D, p['lncGamma']! as Tensor1D, p['lncBeta']! as Tensor1D, state.h, state.c, starts, this.summed);
      return { output: r.output, state: { h: r.h, c: r.c } };
    }
    return this.reference(x2d!, T, B, wx, wh, b, state, starts);
  }

  /**
   * The input kernel and bias with the input term's normalization folded in: (x·W_x)·s + t =
   * x·(W_x·diag(s)) + t, so batch norm (and mean-only batch norm) become a column scale and a shift.
   */
  private inputTerm(x2d: Tensor2D | null, training: boolean): { wx: Tensor2D; b: Tensor1D } {
    const wx = this.inputKernel();
    const b = this.params['b']! as Tensor1D;
    const affine = this.batchAffine(x2d, wx, training);
    if (affine === null) return { wx, b };
    return { wx: affine.scale === null ? wx : (tf.mul(wx, affine.scale) as Tensor2D), b: tf.add(b, affine.shift) as Tensor1D };
  }

  /**
   * [W_x; W_h] and b as the fused kernel receives them in inference mode. tfjs gives a variable new storage
   * on every assign, so the cache is keyed on the storage of every parameter and running statistic.
   */
  private inferenceWeights(): { w: Tensor2D; b: Tensor1D } {
    const ids = this.weights.map((v) => (v as unknown as { dataId: object }).dataId);
    if (this.cache === null || this.cache.ids.some((id, k) => id !== ids[k])) {
      if (this.cache !== null) tf.dispose([this.cache.w, this.cache.b]);
      const [w, b] = tf.tidy(() => {
        const { wx, b } = this.inputTerm(null, false);
        return [tf.concat([wx, this.recurrentKernel()], 0) as Tensor2D, tf.clone(b)];
      });
      this.cache = { ids, w: tf.keep(w!), b: tf.keep(b!) as Tensor1D };
    }
    return this.cache;
  }

  /**
   * The LSTM as it computes in inference mode, as plain arrays (what `wnrl export` hands a page): the
   * weight-normalized kernels computed, batch norm's running statistics folded into W_x and b, and for
   * 'layer' the layer norms' γ and β (ε = 1e-5). Row-major, gate layout [i | f | g | o].
   */
  exportWeights(): ExportedLstm {
    const arr = (t: Tensor) => Array.from(t.dataSync());
    const [wx, wh, b] = tf.tidy(() => {
      const term = this.inputTerm(null, false);
      return [tf.clone(term.wx), tf.clone(this.recurrentKernel()), tf.clone(term.b)]; // copies: some are the variables themselves
    });
    const p = this.params;
    const ln = this.norm !== 'layer' ? null : Object.fromEntries(Object.keys(p).filter((k) => k.startsWith('ln')).map((k) => [k, arr(p[k]!)]));
    const out: ExportedLstm = { inputSize: this.inputSize, units: this.units, layerNorm: this.norm !== 'layer' ? null : this.summed ? 'summed' : 'separate', wx: arr(wx!), wh: arr(wh!), b: arr(b!), ln };
    tf.dispose([wx!, wh!, b!]);
    return out;
  }

  /** Every step's input term, all rows in one matMul: x·W_x (layer-normalized for 'layer', 'separate') + b, [T·B, 4U]. */
  private inputPreactivations(x2d: Tensor2D, wx: Tensor2D, b: Tensor1D): Tensor {
    const zx = tf.matMul(x2d, wx);
    const p = this.params;
    return tf.add(this.norm === 'layer' && !this.summed ? layerNorm(zx, p['lnxGamma']!, p['lnxBeta']!) : zx, b);
  }

  /** The same equations in tfjs ops, step by step (impl 'reference': tests; every norm but 'layer' on the cpu backend). */
  private reference(x2d: Tensor2D, T: number, B: number, wx: Tensor2D, wh: Tensor2D, b: Tensor1D, state: LstmState, starts: Uint8Array | null): { output: Tensor3D; state: LstmState } {
    const U = this.units;
    const p = this.params;
    const ln = this.norm === 'layer';
    const zx = this.inputPreactivations(x2d, wx, b);
    const steps = T === 1 ? [tf.reshape(zx, [B, 4 * U])] : tf.unstack(tf.reshape(zx, [T, B, 4 * U]));
    let { h, c } = state as { h: Tensor; c: Tensor };
    const hs: Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const m = keepMask(starts, t, B);
      if (m !== null) {
        h = tf.mul(h, m);
        c = tf.mul(c, m);
      }
      let zh: Tensor = tf.matMul(h, wh);
      let z: Tensor;
      if (ln && this.summed) z = layerNorm(tf.add(steps[t]!, zh), p['lnhGamma']!, p['lnhBeta']!);
      else {
        if (ln) zh = layerNorm(zh, p['lnhGamma']!, p['lnhBeta']!);
        z = tf.add(steps[t]!, zh);
      }
      const [zi, zf, zg, zo] = tf.split(z, 4, 1);
      c = tf.add(tf.mul(tf.sigmoid(zf!), c), tf.mul(tf.sigmoid(zi!), tf.tanh(zg!)));
      h = tf.mul(tf.sigmoid(zo!), tf.tanh(ln ? layerNorm(c, p['lncGamma']!, p['lncBeta']!) : c));
      hs.push(h);
    }
    return { output: (T === 1 ? tf.reshape(hs[0]!, [1, B, U]) : tf.stack(hs)) as Tensor3D, state: { h: h as Tensor2D, c: c as Tensor2D } };
  }

  /**
   * Data-dependent init of the input path (weight-normalized variants; a no-op otherwise): with t =
   * x·V_x/‖V_x‖ on the batch x [n, in], g_x = 1/σ(t) and b = −μ(t)/σ(t) + the forget-gate offset; with
   * mean-only batch norm the running mean takes the batch mean instead of b. 'batch': the running mean and
   * variance of x·W_x from the batch. Returns whether it ran.
   */
  dataDependentInit(x2d: Tensor2D): boolean {
    const p = this.params;
    if (this.norm === 'batch') {
      // the running statistics of x·W_x from the batch: the input term starts normalized on it
      tf.tidy(() => {
        const { mean, variance } = tf.moments(tf.matMul(x2d, p['wx']!), 0);
        this.running['mean']!.assign(mean as Tensor1D);
        this.running['variance']!.assign(variance as Tensor1D);
      });
      return true;
    }
    if (!p['vx']) return false;
    tf.tidy(() => {
      const vx = p['vx']! as Tensor2D;
      const t = tf.matMul(x2d, tf.div(vx, tf.norm(vx, 'euclidean', 0)));
      const { mean, variance } = tf.moments(t, 0);
      const invStd = tf.div(1, tf.sqrt(tf.add(variance, 1e-10)));
      p['gx']!.assign(invStd as Tensor1D);
      const U = this.units;
      const forget = tf.slice(p['b']!, [U], [U]); // keep the forget offset the constructor set
      const offset = tf.concat([tf.zeros([U]), forget, tf.zeros([2 * U])]);
      if (this.norm === 'weight-meanonly') this.running['mean']!.assign(tf.mul(mean, invStd) as Tensor1D);
      else p['b']!.assign(tf.add(offset, tf.neg(tf.mul(mean, invStd))) as Tensor1D);
    });
    return true;
  }

  /** ‖v‖, g and |g|/‖v‖ (means over units) per weight-normalized kernel: `nn/<name>_x/vNorm`, ... */
  diagnostics(): Record<string, number> {
    const p = this.params;
    if (!p['vx']) return {};
    const kernels = [['x', p['vx'], p['gx']!], ['h', p['vh']!, p['gh']!]] as const;
    const values = tf.tidy(() =>
      tf.stack(
        kernels.flatMap(([, v, g]) => {
          const vNorm = tf.norm(v, 'euclidean', 0);
          return [tf.mean(vNorm), tf.mean(g), tf.mean(tf.div(tf.abs(g), vNorm))];
        }),
      ),
    );
    const d = values.dataSync();
    values.dispose();
    const out: Record<string, number> = {};
    kernels.forEach(([k], i) => {
      out[`nn/${this.name}_${k}/vNorm`] = d[3 * i]!;
      out[`nn/${this.name}_${k}/gMean`] = d[3 * i + 1]!;
      out[`nn/${this.name}_${k}/stepScale`] = d[3 * i + 2]!;
    });
    return out;
  }

  /** Frees the variables and the cached inference kernel. */
  dispose(): void {
    if (this.cache !== null) tf.dispose([this.cache.w, this.cache.b]);
    this.cache = null;
    for (const w of this.weights) w.dispose();
  }
}
