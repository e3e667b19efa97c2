// StackedMlp: K networks of one shape (buildMlp's, same norm and hidden sizes; the last layer's width may
// differ) run as one network whose every parameter has a leading axis of K. A layer of the K networks is
// one batched matMul, one weight-norm reparametrization, one normalization, one activation: the same
// arithmetic as running the networks one by one, at one network's count of kernels. On tfjs-node every
// kernel costs its dispatch (~10-20 µs) whatever its size, so this is what an actor-critic's policy and
// value networks cost per gradient step (bench/README.md). Every norm runs stacked, so the norms are
// compared on the same path.
//
// The K networks stay the models of record, their weights "mirrors": initialization (orthogonal, Glorot,
// data-dependent), saving, loading, export and diagnostics use them as before, and checkpoints keep their
// format. `pack()` copies the mirrors into the stacked parameters (after construction, data-dependent init
// or loading); `unpack()` copies the stacked parameters back (before saving or reading the mirrors). The
// optimizer trains the stacked parameters; `stateOrder()` maps its flat vector to the mirrors' order, so
// an optimizer checkpoint reads the same whichever way the networks ran.
//
// A last layer narrower than the widest is padded: its extra columns get no gradient (no output reads
// them), so they never move. Inputs are [K, B, in], or [1, B, in] when every network sees the same input.
//
// Weight norm's v and g go one step further where it pays: those of every layer share two variables
// [L, K, R, C] (WeightNormGroup), so the reparametrization of the whole network is one op, and the
// optimizer steps two variables instead of two per layer (bench/README.md: 127 → 92 kernels per PPO
// gradient step of a [64, 64] pair); wide layers behind a narrow input or output keep their own.
import type { LayerVariable, LayersModel, Tensor, Tensor3D, Variable } from '@tensorflow/tfjs-node';
import type { Layer } from '@tensorflow/tfjs-layers/dist/engine/topology.js';
import { tf } from '../backend.ts';
import { ACTIVATIONS, applyActivation, type Activation } from './activations.ts';
import { BatchNorm, batchNormalize, type RenormClip, type RunningStat } from './batch-norm.ts';
import { denseOp } from './dense-op.ts';
import { LayerNorm, layerNormalize } from './layer-norm.ts';
import { MeanOnlyBatchNorm, meanOnlyBatchNormalize } from './mean-only-batch-norm.ts';
import { WeightNormDense, scalesProduct, weightNormKernel, weightNormScale } from './weight-norm-dense.ts';

/**
 * One stacked parameter: K mirrors of [rows, cols_k] (or [cols_k] as rows = 1), held as [K, rows, width] in
 * a variable of its own, or as slot `slot` of a group variable [L, K, R, C] that L such parameters share
 * (weight norm's v and g across layers: see WeightNormGroup).
 */
class StackedParam {
  variable: Variable;
  readonly rows: number;
  readonly width: number;
  readonly cols: number[];
  /** Where the values sit in `variable`: slot, and the rows and width of a slot. */
  private layout: { slot: number; rows: number; width: number };

  constructor(
    readonly sources: LayerVariable[],
    readonly trainable: boolean,
    /** The value of padded columns (a weight-norm direction needs a nonzero norm); padded rows are 0. */
    private readonly padValue: number,
  ) {
    const shapes = sources.map((s) => s.shape);
    this.rows = shapes[0]!.length === 2 ? shapes[0]![0]! : 1;
    this.cols = shapes.map((s) => s[s.length - 1]!);
    this.width = Math.max(...this.cols);
    if (shapes.some((s) => s.length !== shapes[0]!.length || (s.length === 2 && s[0] !== this.rows))) {
      throw new Error(`StackedMlp: parameters ${sources.map((s) => s.originalName).join(', ')} differ in more than their last dimension (${shapes.map((s) => `[${s.join(', ')}]`).join(' vs ')})`);
    }
    this.layout = { slot: 0, rows: this.rows, width: this.width };
    this.variable = tf.variable(tf.zeros([sources.length, this.rows, this.width]), trainable);
  }

  /** Moves this parameter into slot `slot` of a group variable whose slots are [K, rows, width]. */
  place(group: Variable, slot: number, rows: number, width: number): void {
    this.variable.dispose();
    this.variable = group;
    this.layout = { slot, rows, width };
  }

  /** K × rows × width: the values and padded columns (not a group's padding). */
  get size(): number {
    return this.sources.length * this.rows * this.width;
  }

  /** Index into the variable's flat values of mirror k's element (r, c). */
  index(k: number, r: number, c: number): number {
    const { slot, rows, width } = this.layout;
    return ((slot * this.sources.length + k) * rows + r) * width + c;
  }

  /** Writes the mirrors' values into `out`, the variable's flat values: padded columns (the slot's too) padValue, a slot's padded rows 0. */
  fill(out: Float32Array): void {
    this.sources.forEach((s, k) => {
      const values = s.read().dataSync() as Float32Array;
      const cols = this.cols[k]!;
      for (let r = 0; r < this.rows; r++) {
        out.set(values.subarray(r * cols, (r + 1) * cols), this.index(k, r, 0));
        out.fill(this.padValue, this.index(k, r, cols), this.index(k, r, this.layout.width));
      }
    });
  }

  /** Copies this parameter's values out of `all` (the variable's flat values) into the mirrors. */
  drain(all: Float32Array): void {
    this.sources.forEach((s, k) => {
      const cols = this.cols[k]!;
      const values = new Float32Array(this.rows * cols);
      for (let r = 0; r < this.rows; r++) values.set(all.subarray(this.index(k, r, 0), this.index(k, r, cols)), r * cols);
      tf.tidy(() => {
        s.write(tf.tensor(values, s.shape as number[]));
      });
    });
  }

  /** Mirror k's values as [rows × width] (padded columns included), from the variable's flat values. */
  perK(all: Float32Array): Float32Array[] {
    const n = this.rows * this.width;
    return Array.from({ length: this.sources.length }, (_, k) => {
      const start = this.index(k, 0, 0);
      if (this.layout.width === this.width) return all.subarray(start, start + n);
      const out = new Float32Array(n);
      for (let r = 0; r < this.rows; r++) out.set(all.subarray(this.index(k, r, 0), this.index(k, r, this.width)), r * this.width);
      return out;
    });
  }

  /** A running statistic's view of this (non-trained, never grouped) parameter. */
  get stat(): RunningStat {
    return { read: () => this.variable, write: (value: Tensor) => this.variable.assign(value) };
  }
}

/**
 * Weight norm's v and g of L weight-normalized layers as two variables, V [L, K, R, C] and G [L, K, 1, C]
 * (R, C: the widest layer's rows and columns; a narrower layer's extra rows are 0, its extra columns
 * padding that no output reads), so that the reparametrization W = g·v/‖v‖ of all L layers is one op (5
 * kernels forward, 7 backward) instead of one per layer, and the optimizer has two variables to update
 * instead of 2L. Each layer's kernel is then an unstack and, for a narrower layer, a slice. The
 * reparametrization is elementwise per column, so this is the same arithmetic; padding gets no gradient.
 * A group of one layer uses the layer's own v [K, rows, width] and g [K, 1, width].
 */
class WeightNormGroup {
  readonly v: Variable;
  readonly g: Variable;
  private cache: { kernels: Tensor3D[]; v: object; g: object } | null = null;

  constructor(readonly layers: Extract<StackedLayer, { kind: 'weight' }>[]) {
    if (layers.length === 1) {
      this.v = layers[0]!.v.variable;
      this.g = layers[0]!.g.variable;
      return;
    }
    const { k, rows, width } = WeightNormGroup.slot(layers);
    this.v = tf.variable(tf.zeros([layers.length, k, rows, width]), true);
    this.g = tf.variable(tf.zeros([layers.length, k, 1, width]), true);
    layers.forEach((l, i) => {
      l.v.place(this.v, i, rows, width);
      l.g.place(this.g, i, 1, width);
    });
  }

  /** A slot's shape: the K networks, the widest layer's rows and columns. */
  private static slot(layers: Extract<StackedLayer, { kind: 'weight' }>[]): { k: number; rows: number; width: number } {
    return { k: layers[0]!.v.sources.length, rows: Math.max(...layers.map((l) => l.v.rows)), width: Math.max(...layers.map((l) => l.v.width)) };
  }

  /**
   * Whether one group over these layers is cheaper than a group per layer: the padding adds elementwise
   * work (the reparametrization's and Adam's, ~20 passes at a few tenths of a ns per element) where the
   * group saves ~12 kernels per extra layer (~10 µs each). Measured on both sides of the line: a [64, 64]
   * CartPole pair (15.6k padded entries) ~10% faster grouped; a [256, 256] MuJoCo pair (255k) ~1.5x
   * slower (bench/README.md).
   */
  static pays(layers: Extract<StackedLayer, { kind: 'weight' }>[]): boolean {
    if (layers.length < 2) return false;
    const { k, rows, width } = WeightNormGroup.slot(layers);
    const padded = layers.length * k * rows * width;
    const used = layers.reduce((a, l) => a + l.v.size, 0);
    return padded - used <= GROUP_MAX_PADDING_PER_LAYER * (layers.length - 1);
  }

  /**
   * What a gradient step on `batch` rows multiplies by, per layer: the kernel W (formed by the group's
   * one reparametrization), or, for a group of one layer whose kernel is large against the batch
   * (scalesProduct), v and the scale g/‖v‖ for denseOp's `scale`: no kernel formed.
   */
  forTraining(batch: number): { v: Tensor3D; scale: Tensor3D | null }[] {
    const only = this.layers[0]!;
    if (this.layers.length === 1 && scalesProduct(only.v.rows, only.v.width, batch)) return [{ v: this.v as Tensor as Tensor3D, scale: weightNormScale(this.v, this.g) as Tensor3D }];
    return this.compute().map((v) => ({ v, scale: null }));
  }

  /** Every layer's W [K, rows, width] for inference, cached until V or G change. */
  kernels(): Tensor3D[] {
    if (tf.engine().isTapeOn()) return this.compute();
    const vId = (this.v as unknown as { dataId: object }).dataId;
    const gId = (this.g as unknown as { dataId: object }).dataId;
    if (this.cache === null || this.cache.v !== vId || this.cache.g !== gId) {
      if (this.cache !== null) tf.dispose(this.cache.kernels);
      this.cache = { kernels: tf.tidy(() => this.compute()).map((t) => tf.keep(t)), v: vId, g: gId };
    }
    return this.cache.kernels;
  }

  private compute(): Tensor3D[] {
    if (this.layers.length === 1) return [weightNormKernel(this.v as Tensor as Tensor3D, this.g)];
    const all = weightNormKernel(this.v as Tensor as Tensor3D, this.g) as Tensor;
    const [, k, rows, width] = all.shape as [number, number, number, number];
    return tf.unstack(all).map((w, i) => {
      const { v } = this.layers[i]!;
      return (v.rows === rows && v.width === width ? w : tf.slice(w, [0, 0, 0], [k, v.rows, v.width])) as Tensor3D;
    });
  }

  dispose(): void {
    if (this.cache !== null) tf.dispose(this.cache.kernels);
    this.cache = null;
  }
}

/** The padding a weight-norm group may add per layer it merges (WeightNormGroup.pays). */
const GROUP_MAX_PADDING_PER_LAYER = 16_384;

type StackedLayer =
  | { kind: 'dense'; kernel: StackedParam; bias: StackedParam | null; activation: Activation }
  | { kind: 'weight'; v: StackedParam; g: StackedParam; bias: StackedParam | null; activation: Activation }
  | { kind: 'batch'; gamma: StackedParam; beta: StackedParam; mean: StackedParam; variance: StackedParam; momentum: number; epsilon: number; renorm: RenormClip | false }
  | { kind: 'meanonly'; beta: StackedParam | null; mean: StackedParam; momentum: number; renorm: RenormClip | false }
  | { kind: 'layer'; gamma: StackedParam; beta: StackedParam; epsilon: number }
  | { kind: 'activation'; activation: Activation };

/** A row-major [rows × cols] matrix transposed ([cols × rows]): forwardHost's kernels, one output's weights contiguous. */
function transposed(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c]!;
  return out;
}

/** forwardHost's layers: dense (weight norm folded), an affine map per unit (batch norms folded), layer norm, activation. */
type HostLayer =
  | { kind: 'dense'; kernelT: Float32Array[]; bias: Float32Array[] | null; cols: number; activation: Activation }
  | { kind: 'affine'; scale: Float32Array[] | null; shift: Float32Array[] }
  | { kind: 'layer'; gamma: Float32Array[]; beta: Float32Array[]; epsilon: number }
  | { kind: 'activation'; activation: Activation };

function activateInPlace(x: Float64Array, activation: Activation): void {
  switch (activation) {
    case 'linear':
      return;
    case 'tanh':
      for (let i = 0; i < x.length; i++) x[i] = Math.tanh(x[i]!);
      return;
    case 'relu':
      for (let i = 0; i < x.length; i++) x[i] = Math.max(0, x[i]!);
      return;
    case 'elu':
      for (let i = 0; i < x.length; i++) x[i] = x[i]! > 0 ? x[i]! : Math.expm1(x[i]!);
      return;
    case 'sigmoid':
      for (let i = 0; i < x.length; i++) x[i] = 1 / (1 + Math.exp(-x[i]!));
      return;
  }
}

function activationName(fn: { getClassName(): string } | undefined, where: string): Activation {
  const name = fn?.getClassName();
  if (name === undefined || !(ACTIVATIONS as readonly string[]).includes(name)) throw new Error(`StackedMlp: ${where} has activation ${String(name)}; expected one of ${ACTIVATIONS.join(', ')}`);
  return name as Activation;
}

/** K networks of one shape as one network with stacked parameters (see the top of stacked-mlp.ts). */
export class StackedMlp {
  readonly k: number;
  private readonly layers: StackedLayer[];
  private readonly params: StackedParam[];
  private readonly weightNorm: WeightNormGroup[];
  private host: { ids: object[]; layers: HostLayer[] } | null = null;

  constructor(readonly models: readonly LayersModel[]) {
    this.k = models.length;
    const depth = models[0]!.layers.length;
    if (this.k < 2 || models.some((m) => m.layers.length !== depth)) throw new Error(`StackedMlp: needs two or more networks with the same layers; got ${models.map((m) => m.layers.length).join(', ')} layers`);
    this.params = [];
    const param = (sources: LayerVariable[], trainable: boolean, padValue = 0) => {
      const p = new StackedParam(sources, trainable, padValue);
      this.params.push(p);
      return p;
    };
    this.layers = [];
    for (let i = 0; i < depth; i++) {
      const layers = models.map((m) => m.layers[i]!);
      const cls = layers[0]!.getClassName();
      if (layers.some((l) => l.getClassName() !== cls)) throw new Error(`StackedMlp: layer ${i} is ${layers.map((l) => l.getClassName()).join(' vs ')}`);
      this.layers.push(this.stackLayer(cls, layers, param));
    }
    const weightLayers = this.layers.filter((l): l is Extract<StackedLayer, { kind: 'weight' }> => l.kind === 'weight');
    // one group for all weight-normalized layers where its padding is small, else one per layer
    this.weightNorm = WeightNormGroup.pays(weightLayers) ? [new WeightNormGroup(weightLayers)] : weightLayers.map((l) => new WeightNormGroup([l]));
    this.pack();
  }

  private stackLayer(cls: string, layers: Layer[], param: (sources: LayerVariable[], trainable: boolean, padValue?: number) => StackedParam): StackedLayer {
    const where = layers[0]!.name;
    if (layers[0] instanceof WeightNormDense) {
      const wn = layers as WeightNormDense[];
      const ps = wn.map((l) => l.parameters);
      return { kind: 'weight', v: param(ps.map((p) => p.v), true, 1), g: param(ps.map((p) => p.g), true, 1), bias: ps[0]!.b === null ? null : param(ps.map((p) => p.b!), true), activation: wn[0]!.activation };
    }
    if (layers[0] instanceof BatchNorm) {
      const bn = layers as BatchNorm[];
      const first = bn[0]!;
      return { kind: 'batch', gamma: param(bn.map((l) => l.affine.gamma), true, 1), beta: param(bn.map((l) => l.affine.beta), true), mean: param(bn.map((l) => l.moving.mean), false), variance: param(bn.map((l) => l.moving.variance), false, 1), momentum: first.momentum, epsilon: first.epsilon, renorm: first.renorm };
    }
    if (layers[0] instanceof MeanOnlyBatchNorm) {
      const mo = layers as MeanOnlyBatchNorm[];
      const first = mo[0]!;
      return { kind: 'meanonly', beta: first.bias === null ? null : param(mo.map((l) => l.bias!), true), mean: param(mo.map((l) => l.movingMean), false), momentum: first.momentum, renorm: first.renorm };
    }
    if (layers[0] instanceof LayerNorm) {
      const ln = layers as LayerNorm[];
      return { kind: 'layer', gamma: param(ln.map((l) => l.affine.gamma), true, 1), beta: param(ln.map((l) => l.affine.beta), true), epsilon: ln[0]!.epsilon };
    }
    const parts = layers as unknown as { kernel?: LayerVariable; bias?: LayerVariable | null; useBias?: boolean; activation?: { getClassName(): string } }[];
    if (cls === 'Dense') {
      const first = parts[0]!;
      return { kind: 'dense', kernel: param(parts.map((l) => l.kernel!), true), bias: first.useBias && first.bias ? param(parts.map((l) => l.bias!), true) : null, activation: activationName(first.activation, where) };
    }
    if (cls === 'Activation') return { kind: 'activation', activation: activationName(parts[0]!.activation, where) };
    throw new Error(`StackedMlp: layer ${where} (${cls}) cannot be stacked`);
  }

  /** The variables and the parameters each holds (one, or a weight-norm group's L), in order of first use. */
  private variables(): { variable: Variable; members: StackedParam[] }[] {
    const byVariable = new Map<Variable, StackedParam[]>();
    for (const p of this.params) byVariable.set(p.variable, [...(byVariable.get(p.variable) ?? []), p]);
    return [...byVariable].map(([variable, members]) => ({ variable, members }));
  }

  /** The trained variables: [K, rows, width] each, or a weight-norm group's [L, K, R, C]. */
  get trainableWeights(): Variable[] {
    return this.variables()
      .filter((v) => v.members[0]!.trainable)
      .map((v) => v.variable);
  }

  /** Copies the mirrors' weights into the stacked parameters (after init or loading). */
  pack(): void {
    for (const { variable, members } of this.variables()) {
      const out = new Float32Array(variable.size);
      for (const p of members) p.fill(out);
      tf.tidy(() => variable.assign(tf.tensor(out, variable.shape)));
    }
  }

  /** Copies the stacked parameters into the mirrors (before saving or reading them). */
  unpack(): void {
    for (const { variable, members } of this.variables()) {
      const all = variable.dataSync() as Float32Array;
      for (const p of members) p.drain(all);
    }
  }

  /**
   * For each entry of the mirrors' trained weights in their order (models in order, each model's
   * trainableWeights in order, row-major), its index in the flat vector of `trainableWeights`.
   */
  stateOrder(): Int32Array {
    const offsets = new Map<Variable, number>();
    let offset = 0;
    for (const v of this.trainableWeights) {
      offsets.set(v, offset);
      offset += v.size;
    }
    const where = new Map<LayerVariable, { p: StackedParam; k: number }>();
    for (const p of this.params) if (p.trainable) p.sources.forEach((s, k) => where.set(s, { p, k }));
    const order: number[] = [];
    for (const model of this.models) {
      for (const w of model.trainableWeights) {
        const at = where.get(w);
        if (at === undefined) throw new Error(`StackedMlp: ${w.originalName} is not stacked`);
        const cols = at.p.cols[at.k]!;
        const base = offsets.get(at.p.variable)!;
        for (let r = 0; r < at.p.rows; r++) for (let c = 0; c < cols; c++) order.push(base + at.p.index(at.k, r, c));
      }
    }
    return Int32Array.from(order);
  }

  /**
   * The K networks on x [K, B, in] (or [1, B, in]: one input for all): [K, B, width of the last layer].
   * `training` selects batch statistics (inside an update only: the batch-norm rule of build-mlp.ts). Not
   * tidied: call it inside the caller's tf.tidy.
   */
  forward(x: Tensor3D, training: boolean): Tensor3D {
    let h: Tensor = x;
    // weight norm: under a gradient tape as forTraining says; else the cached kernels
    const tape = tf.engine().isTapeOn();
    const weights = this.weightNorm.flatMap((group): { v: Tensor3D; scale: Tensor3D | null }[] => (tape ? group.forTraining(x.shape[1]) : group.kernels().map((v) => ({ v, scale: null }))));
    let weightLayer = 0;
    for (const l of this.layers) {
      switch (l.kind) {
        case 'dense':
          h = denseOp(h as Tensor3D, l.kernel.variable as Tensor as Tensor3D, l.bias?.variable ?? null, l.activation);
          break;
        case 'weight': {
          const { v, scale } = weights[weightLayer++]!;
          h = denseOp(h as Tensor3D, v, l.bias?.variable ?? null, l.activation, scale);
          break;
        }
        case 'batch':
          h = batchNormalize(h, l.gamma.variable, l.beta.variable, { mean: l.mean.stat, variance: l.variance.stat }, { training, momentum: l.momentum, epsilon: l.epsilon, renorm: l.renorm });
          break;
        case 'meanonly':
          h = meanOnlyBatchNormalize(h, l.beta?.variable ?? null, l.mean.stat, { training, momentum: l.momentum, renorm: l.renorm });
          break;
        case 'layer':
          h = layerNormalize(h, l.gamma.variable, l.beta.variable, l.epsilon);
          break;
        case 'activation':
          h = applyActivation(h, l.activation);
          break;
      }
    }
    return h as Tensor3D;
  }

  /**
   * The networks on `rows` inputs shared by all ([rows × in], row-major), in JavaScript: [K, rows, width]
   * flat, inference mode. For acting on a few rows, where the arithmetic takes microseconds and a kernel's
   * dispatch tens of them (HOST_MAX_MACS). Float64 arithmetic on the float32 parameters, which it reads
   * back once after each change of any of them (an update), with weight norm's kernels and batch norm's
   * affine maps folded then.
   */
  forwardHost(x: Float32Array, rows: number): Float32Array {
    const layers = this.hostLayers();
    let h: Float64Array[] = Array.from({ length: this.k }, () => Float64Array.from(x));
    let width = x.length / rows;
    for (const l of layers) {
      if (l.kind === 'dense') {
        const out = l.cols;
        const n = width;
        const n4 = n - (n % 4);
        h = h.map((hk, k) => {
          // one dot product per output over its contiguous weights, four partial sums (independent
          // additions pipeline; ~2x the multiply-adds per second of an axpy over the output row)
          const wT = l.kernelT[k]!;
          const bias = l.bias?.[k] ?? null;
          const y = new Float64Array(rows * out);
          for (let r = 0; r < rows; r++) {
            const x0 = r * n;
            for (let o = 0; o < out; o++) {
              const w0 = o * n;
              let a0 = 0;
              let a1 = 0;
              let a2 = 0;
              let a3 = 0;
              let i = 0;
              for (; i < n4; i += 4) {
                a0 += hk[x0 + i]! * wT[w0 + i]!;
                a1 += hk[x0 + i + 1]! * wT[w0 + i + 1]!;
                a2 += hk[x0 + i + 2]! * wT[w0 + i + 2]!;
                a3 += hk[x0 + i + 3]! * wT[w0 + i + 3]!;
              }
              for (; i < n; i++) a0 += hk[x0 + i]! * wT[w0 + i]!;
              y[r * out + o] = (bias === null ? 0 : bias[o]!) + a0 + a1 + a2 + a3;
            }
          }
          activateInPlace(y, l.activation);
          return y;
        });
        width = out;
      } else if (l.kind === 'affine') {
        // batch norm's and mean-only batch norm's inference maps: y = x·scale + shift per unit
        h.forEach((hk, k) => {
          const scale = l.scale?.[k];
          const shift = l.shift[k]!;
          for (let j = 0; j < hk.length; j++) hk[j] = hk[j]! * (scale === undefined ? 1 : scale[j % width]!) + shift[j % width]!;
        });
      } else if (l.kind === 'layer') {
        h.forEach((hk, k) => {
          for (let r = 0; r < rows; r++) {
            const row = hk.subarray(r * width, (r + 1) * width);
            let mean = 0;
            for (const v of row) mean += v;
            mean /= width;
            let variance = 0;
            for (const v of row) variance += (v - mean) ** 2;
            const inv = 1 / Math.sqrt(variance / width + l.epsilon);
            for (let j = 0; j < width; j++) row[j] = (row[j]! - mean) * inv * l.gamma[k]![j]! + l.beta[k]![j]!;
          }
        });
      } else {
        for (const hk of h) activateInPlace(hk, l.activation);
      }
    }
    const out = new Float32Array(this.k * rows * width);
    h.forEach((hk, k) => out.set(hk, k * rows * width));
    return out;
  }

  /** Multiply-adds of forwardHost on `rows` inputs (all K networks). */
  hostMacs(rows: number): number {
    return rows * this.layers.reduce((a, l) => a + (l.kind === 'dense' ? l.kernel.size : l.kind === 'weight' ? l.v.size : 0), 0);
  }

  /** The parameters as JavaScript arrays for forwardHost, read back when any parameter changed (tfjs gives a variable new storage on every assign). */
  private hostLayers(): HostLayer[] {
    const ids = this.params.map((p) => (p.variable as unknown as { dataId: object }).dataId);
    if (this.host !== null && this.host.ids.every((id, i) => id === ids[i])) return this.host.layers;
    const read = new Map<Variable, Float32Array>();
    const perK = (p: StackedParam): Float32Array[] => {
      if (!read.has(p.variable)) read.set(p.variable, p.variable.dataSync() as Float32Array);
      return p.perK(read.get(p.variable)!);
    };
    const layers = this.layers.map((l): HostLayer => {
      switch (l.kind) {
        case 'dense':
          return { kind: 'dense', kernelT: perK(l.kernel).map((w) => transposed(w, l.kernel.rows, l.kernel.width)), bias: l.bias === null ? null : perK(l.bias), cols: l.kernel.width, activation: l.activation };
        case 'weight': {
          // W = v·g/‖v‖ per column, in float64 from the float32 parameters, written transposed
          const v = perK(l.v);
          const g = perK(l.g);
          const { rows, width } = l.v;
          const kernelT = v.map((vk, k) => {
            const wT = new Float32Array(vk.length);
            for (let c = 0; c < width; c++) {
              let sq = 0;
              for (let r = 0; r < rows; r++) sq += vk[r * width + c]! ** 2;
              const scale = g[k]![c]! / Math.sqrt(sq);
              for (let r = 0; r < rows; r++) wT[c * rows + r] = vk[r * width + c]! * scale;
            }
            return wT;
          });
          return { kind: 'dense', kernelT, bias: l.bias === null ? null : perK(l.bias), cols: width, activation: l.activation };
        }
        case 'batch': {
          const [gamma, beta, mean, variance] = [perK(l.gamma), perK(l.beta), perK(l.mean), perK(l.variance)];
          const scale = gamma.map((gk, k) => gk.map((gj, j) => gj / Math.sqrt(variance[k]![j]! + l.epsilon)));
          return { kind: 'affine', scale, shift: beta.map((bk, k) => bk.map((bj, j) => bj - mean[k]![j]! * scale[k]![j]!)) };
        }
        case 'meanonly': {
          const mean = perK(l.mean);
          const beta = l.beta === null ? null : perK(l.beta);
          return { kind: 'affine', scale: null, shift: mean.map((mk, k) => mk.map((mj, j) => (beta === null ? 0 : beta[k]![j]!) - mj)) };
        }
        case 'layer':
          return { kind: 'layer', gamma: perK(l.gamma), beta: perK(l.beta), epsilon: l.epsilon };
        case 'activation':
          return { kind: 'activation', activation: l.activation };
      }
    });
    this.host = { ids, layers };
    return layers;
  }

  /** Frees the stacked parameters (not the mirrors). */
  dispose(): void {
    for (const group of this.weightNorm) group.dispose();
    for (const { variable } of this.variables()) variable.dispose();
  }
}
