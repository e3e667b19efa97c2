// A fused optimizer: Adam or RMSprop over all parameters of a network as one flat vector.
//
// tfjs's own optimizers run about ten ops per variable, and on the native backend every op costs tens of
// microseconds whatever its size: a weight-normalized MLP has three variables per layer (v, g, b), so the
// optimizer alone was about half of an update. Here the gradients are concatenated once, the moments
// live in two flat variables, gradient-norm clipping is three ops on the flat vector, and each parameter
// costs a reshape, a subtract and an assign. Semantics follow PyTorch's torch.optim.Adam / RMSprop (as
// Stable-Baselines3 uses them), so hyperparameters carry over.
//
// On the native backend the step itself is TensorFlow's fused Adam kernel (ResourceApplyAdam) on a flat
// copy of the parameters and the moments held as resource variables: one kernel where the tensor path
// runs about ten full-size ops, and the parameters then take their slices of the updated copy (no
// subtraction per variable). RMSprop is the same kernel with β1 = 0 (m = g) and no bias correction.
import type { LayerVariable, Scalar, Tensor, Variable } from '@tensorflow/tfjs-node';
import { NativeVector, halfSquaredNorm, nativeAdamActive, tf } from '../backend.ts';

/** Options of FlatOptimizer: the algorithm and its settings, and global-norm gradient clipping. */
export interface FlatOptimizerOptions {
  kind?: 'adam' | 'rmsprop';
  learningRate: number;
  /** Adam β1 (default 0.9). */
  beta1?: number;
  /** Adam β2 (default 0.999). */
  beta2?: number;
  /** RMSprop smoothing α (default 0.99). */
  alpha?: number;
  /** Added to the denominator (default 1e-8; SB3's PPO uses 1e-5). */
  epsilon?: number;
  /** Clip the global gradient norm to this value; null or undefined: no clipping. */
  maxGradNorm?: number | null;
  /**
   * The order in which getState/setState list the moments: entry i is the index in the flat parameter
   * vector of the i-th value in the models' own order (StackedMlp.stateOrder), so a checkpoint reads the same
   * whether the networks ran stacked or not; entries not listed (padding) have zero moments. Default: the
   * flat vector as is.
   */
  stateOrder?: Int32Array | null;
  /**
   * Run the step through TensorFlow's fused kernel (default: where the native backend has it) or as tfjs
   * tensor ops (the portable path, any backend). Same arithmetic; float32 rounding differs.
   */
  fused?: boolean;
}

/** What one optimizer step returns (tensors the caller disposes). */
export interface StepResult {
  /** The loss, kept for the caller (dispose it, or read it once per step). */
  loss: Scalar;
  /** Global gradient norm before clipping, kept for the caller. */
  gradNorm: Scalar;
  /** Any other tensors the loss function returned through `extras`, kept for the caller. */
  extras: Tensor[];
}

/** Adam or RMSprop over every parameter as one flat vector, with global-norm clipping: a few kernels per step instead of ~10 per variable. */
export class FlatOptimizer {
  readonly kind: 'adam' | 'rmsprop';
  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly alpha: number;
  readonly epsilon: number;
  readonly maxGradNorm: number | null;
  /** Whether steps run through TensorFlow's fused kernel (FlatOptimizerOptions.fused). */
  readonly fused: boolean;
  private readonly vars: Variable[];
  private readonly sizes: number[];
  private readonly total: number;
  private readonly moments: { kind: 'tensor'; m: Variable; v: Variable } | { kind: 'native'; params: NativeVector; m: NativeVector; v: NativeVector };
  /** Native path: the parameters' data ids when `params` last matched them (null: copy them in before the next step). */
  private synced: object[] | null = null;
  private readonly stateOrder: Int32Array | null;
  private t = 0;

  constructor(variables: readonly (LayerVariable | Variable)[], options: FlatOptimizerOptions) {
    if (variables.length === 0) throw new Error('FlatOptimizer: no variables to optimize');
    this.vars = variables.map((w) => ('read' in w && typeof w.read === 'function' ? (w.read() as Variable) : (w as Variable)));
    this.sizes = this.vars.map((v) => v.size);
    const total = this.sizes.reduce((a, b) => a + b, 0);
    this.total = total;
    this.kind = options.kind ?? 'adam';
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.alpha = options.alpha ?? 0.99;
    this.epsilon = options.epsilon ?? 1e-8;
    this.maxGradNorm = options.maxGradNorm ?? null;
    this.stateOrder = options.stateOrder ?? null;
    if (this.stateOrder !== null && this.stateOrder.some((i) => i < 0 || i >= total)) throw new Error(`FlatOptimizer: stateOrder indexes outside the ${total} parameters`);
    if (options.fused === true && !nativeAdamActive) throw new Error('FlatOptimizer: fused needs the native backend with ResourceApplyAdam');
    this.fused = options.fused ?? nativeAdamActive;
    if (this.fused) {
      const [params, m, v] = [new NativeVector(total), new NativeVector(total), new NativeVector(total)];
      tf.tidy(() => [m, v].forEach((x) => x.assign(tf.zeros([total]))));
      this.moments = { kind: 'native', params, m, v };
    } else {
      this.moments = { kind: 'tensor', m: tf.variable(tf.zeros([total]), false), v: tf.variable(tf.zeros([total]), false) };
    }
  }

  /** Number of updates applied so far. */
  get steps(): number {
    return this.t;
  }

  /**
   * One update: gradients of `lossFn` for every variable, optional clipping, the Adam/RMSprop step.
   * `lossFn` may push extra tensors (e.g. parts of the loss) into the array it gets; they are kept.
   */
  step(lossFn: (extras: Tensor[]) => Scalar): StepResult {
    const extras: Tensor[] = [];
    const [loss, gradNorm] = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const loss = lossFn(extras);
        for (const e of extras) tf.keep(e); // survive the gradient's own forward scope
        return loss;
      }, this.vars);
      const flat = tf.concat(this.vars.map((v) => (v.rank === 1 ? grads[v.name]! : tf.reshape(grads[v.name]!, [-1]))));
      this.t++;
      const gradNorm = this.moments.kind === 'native' ? this.nativeStep(flat, this.moments) : this.tensorStep(flat, this.moments);
      return [value, gradNorm] as [Scalar, Scalar];
    });
    return { loss, gradNorm, extras };
  }

  /** Clipping's factor c = min(1, max/‖g‖) from the norm read back (one scalar), 1 without clipping. */
  private clipFactor(norm: () => number): number {
    return this.maxGradNorm === null ? 1 : Math.min(1, this.maxGradNorm / (norm() + 1e-6));
  }

  /** The step as tfjs tensor ops (any backend); returns the gradient norm before clipping. */
  private tensorStep(flat: Tensor, { m: mVar, v: vVar }: { m: Variable; v: Variable }): Scalar {
    const squared = tf.square(flat);
    const gradNorm = tf.sqrt(tf.sum(squared)) as Scalar;
    // Clipping scales the gradient by c, which enters the moments through their scalar factors (c·g and
    // c²·g²), so g² serves the norm and the second moment alike and no full-size pass rescales g.
    const c = this.clipFactor(() => gradNorm.dataSync()[0] ?? 0);
    let update: Tensor;
    if (this.kind === 'adam') {
      const m = tf.add(tf.mul(mVar, this.beta1), tf.mul(flat, c * (1 - this.beta1)));
      const v = tf.add(tf.mul(vVar, this.beta2), tf.mul(squared, c * c * (1 - this.beta2)));
      mVar.assign(m);
      vVar.assign(v);
      // PyTorch: p -= lr · m̂ / (√v̂ + ε), m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ); written as
      // lr·√(1−β2ᵗ)/(1−β1ᵗ) · m / (√v + ε·√(1−β2ᵗ)), one full-size op fewer
      const bc1 = 1 - this.beta1 ** this.t;
      const bc2Sqrt = Math.sqrt(1 - this.beta2 ** this.t);
      update = tf.div(tf.mul(m, (this.learningRate * bc2Sqrt) / bc1), tf.add(tf.sqrt(v), this.epsilon * bc2Sqrt));
    } else {
      const v = tf.add(tf.mul(vVar, this.alpha), tf.mul(squared, c * c * (1 - this.alpha)));
      vVar.assign(v);
      update = tf.div(tf.mul(flat, c * this.learningRate), tf.add(tf.sqrt(v), this.epsilon));
    }
    const parts = tf.split(update, this.sizes);
    this.vars.forEach((variable, i) => variable.assign(tf.sub(variable, variable.rank === 1 ? parts[i]! : tf.reshape(parts[i]!, variable.shape))));
    return gradNorm;
  }

  /**
   * The step through TensorFlow's fused Adam kernel on the flat copy of the parameters, which the
   * variables then take their slices of; returns the gradient norm before clipping.
   */
  private nativeStep(flat: Tensor, { params, m, v }: { params: NativeVector; m: NativeVector; v: NativeVector }): Scalar {
    // The copy follows the variables: anything that assigned one of them since the last step (a load,
    // an initialization, a target sync) gives it new data, and the copy is taken again.
    const ids = this.vars.map((x) => x.dataId);
    if (this.synced === null || ids.some((id, i) => id !== this.synced![i])) params.assign(tf.concat(this.vars.map((x) => tf.reshape(x, [-1]))));
    // ‖g‖ = √(2·L2Loss); with clipping it is read back anyway (one scalar), so it is computed here
    const halfSq = halfSquaredNorm(flat);
    let gradNorm: Scalar;
    let c = 1;
    if (this.maxGradNorm === null) gradNorm = tf.sqrt(tf.mul(halfSq, 2)) as Scalar;
    else {
      const norm = Math.sqrt(2 * (halfSq.dataSync()[0] ?? 0));
      gradNorm = tf.scalar(norm);
      c = this.clipFactor(() => norm);
    }
    const g = c < 1 ? tf.mul(flat, c) : flat;
    if (this.kind === 'adam') {
      // TensorFlow adds ε to √v, PyTorch to √v̂ = √v/√(1−β2ᵗ): ε·√(1−β2ᵗ) here is PyTorch's ε
      const epsilon = this.epsilon * Math.sqrt(1 - this.beta2 ** this.t);
      params.applyAdam(m, v, { beta1Power: this.beta1 ** this.t, beta2Power: this.beta2 ** this.t, learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon }, g);
    } else {
      // RMSprop: β1 = 0 makes m the gradient, β1ᵗ = β2ᵗ = 0 removes the bias corrections
      params.applyAdam(m, v, { beta1Power: 0, beta2Power: 0, learningRate: this.learningRate, beta1: 0, beta2: this.alpha, epsilon: this.epsilon }, g);
    }
    const parts = tf.split(params.read(), this.sizes);
    this.vars.forEach((variable, i) => variable.assign(variable.rank === 1 ? parts[i]! : tf.reshape(parts[i]!, variable.shape)));
    this.synced = this.vars.map((x) => x.dataId);
    return gradNorm;
  }

  /** Moments and step count, for checkpoints (the moments in `stateOrder`). */
  getState(): { t: number; m: Float32Array; v: Float32Array } {
    const order = this.stateOrder;
    const gather = (values: Float32Array) => {
      if (order === null) return values;
      const out = new Float32Array(order.length);
      order.forEach((j, i) => (out[i] = values[j]!));
      return out;
    };
    const { m, v } = this.flatMoments();
    return { t: this.t, m: gather(m), v: gather(v) };
  }

  /** The moment vectors as the step sees them: in the flat parameter vector's order, padding included. */
  flatMoments(): { m: Float32Array; v: Float32Array } {
    const read = (x: Variable | NativeVector) => tf.tidy(() => (x instanceof NativeVector ? x.read() : x).dataSync() as Float32Array);
    return { m: read(this.moments.m), v: read(this.moments.v) };
  }

  /** Restores the step count and moment vectors (a checkpoint's), the inverse of `getState()`. */
  setState(state: { t: number; m: ArrayLike<number>; v: ArrayLike<number> }): void {
    const order = this.stateOrder;
    const expected = order === null ? this.total : order.length;
    if (state.m.length !== expected || state.v.length !== expected) {
      throw new Error(`FlatOptimizer.setState: moments have ${state.m.length} values; expected ${expected}`);
    }
    const scatter = (values: ArrayLike<number>) => {
      if (order === null) return Float32Array.from(values);
      const out = new Float32Array(this.total);
      order.forEach((j, i) => (out[j] = values[i]!));
      return out;
    };
    this.t = state.t;
    tf.tidy(() => {
      this.moments.m.assign(tf.tensor1d(scatter(state.m)));
      this.moments.v.assign(tf.tensor1d(scatter(state.v)));
    });
  }

  /** Frees the moment vectors (and the native path's copy of the parameters). */
  dispose(): void {
    this.moments.m.dispose();
    this.moments.v.dispose();
    if (this.moments.kind === 'native') this.moments.params.dispose();
  }
}
