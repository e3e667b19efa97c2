// A fused optimizer: Adam or RMSprop over all parameters of a network as one flat vector.
//
// tfjs's own optimizers run about ten ops per variable, and on the native backend every op costs tens of
// microseconds whatever its size: a weight-normalized MLP has three variables per layer (v, g, b), so the
// optimizer alone was about half of an update. Here the gradients are concatenated once, the moments
// live in two flat variables, gradient-norm clipping is three ops on the flat vector, and each parameter
// costs a reshape, a subtract and an assign. Semantics follow PyTorch's torch.optim.Adam / RMSprop (as
// Stable-Baselines3 uses them), so hyperparameters carry over.
import type { LayerVariable, Scalar, Tensor, Variable } from '@tensorflow/tfjs-node';
import { tf } from '../backend.ts';

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
  private readonly vars: Variable[];
  private readonly sizes: number[];
  private readonly m: Variable;
  private readonly v: Variable;
  private readonly stateOrder: Int32Array | null;
  private t = 0;

  constructor(variables: readonly (LayerVariable | Variable)[], options: FlatOptimizerOptions) {
    if (variables.length === 0) throw new Error('FlatOptimizer: no variables to optimize');
    this.vars = variables.map((w) => ('read' in w && typeof w.read === 'function' ? (w.read() as Variable) : (w as Variable)));
    this.sizes = this.vars.map((v) => v.size);
    const total = this.sizes.reduce((a, b) => a + b, 0);
    this.kind = options.kind ?? 'adam';
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.alpha = options.alpha ?? 0.99;
    this.epsilon = options.epsilon ?? 1e-8;
    this.maxGradNorm = options.maxGradNorm ?? null;
    this.stateOrder = options.stateOrder ?? null;
    if (this.stateOrder !== null && this.stateOrder.some((i) => i < 0 || i >= total)) throw new Error(`FlatOptimizer: stateOrder indexes outside the ${total} parameters`);
    this.m = tf.variable(tf.zeros([total]), false);
    this.v = tf.variable(tf.zeros([total]), false);
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
      const squared = tf.square(flat);
      const gradNorm = tf.sqrt(tf.sum(squared));
      // Clipping scales the gradient by c = min(1, max/‖g‖); c is read back (one scalar) and enters the
      // moments through their scalar factors (c·g and c²·g²), so g² serves the norm and the second moment
      // alike and no full-size pass rescales g: on a [256, 256] pair's 140k parameters each pass costs ~50 µs.
      const c = this.maxGradNorm === null ? 1 : Math.min(1, this.maxGradNorm / ((gradNorm.dataSync()[0] ?? 0) + 1e-6));
      this.t++;
      let update: Tensor;
      if (this.kind === 'adam') {
        const m = tf.add(tf.mul(this.m, this.beta1), tf.mul(flat, c * (1 - this.beta1)));
        const v = tf.add(tf.mul(this.v, this.beta2), tf.mul(squared, c * c * (1 - this.beta2)));
        this.m.assign(m);
        this.v.assign(v);
        // PyTorch: p -= lr · m̂ / (√v̂ + ε), m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ); written as
        // lr·√(1−β2ᵗ)/(1−β1ᵗ) · m / (√v + ε·√(1−β2ᵗ)), one full-size op fewer
        const bc1 = 1 - this.beta1 ** this.t;
        const bc2Sqrt = Math.sqrt(1 - this.beta2 ** this.t);
        update = tf.div(tf.mul(m, (this.learningRate * bc2Sqrt) / bc1), tf.add(tf.sqrt(v), this.epsilon * bc2Sqrt));
      } else {
        const v = tf.add(tf.mul(this.v, this.alpha), tf.mul(squared, c * c * (1 - this.alpha)));
        this.v.assign(v);
        update = tf.div(tf.mul(flat, c * this.learningRate), tf.add(tf.sqrt(v), this.epsilon));
      }
      const parts = tf.split(update, this.sizes);
      this.vars.forEach((variable, i) => variable.assign(tf.sub(variable, variable.rank === 1 ? parts[i]! : tf.reshape(parts[i]!, variable.shape))));
      return [value, gradNorm] as [Scalar, Scalar];
    });
    return { loss, gradNorm, extras };
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
    return { t: this.t, m: gather(this.m.dataSync() as Float32Array), v: gather(this.v.dataSync() as Float32Array) };
  }

  /** Restores the step count and moment vectors (a checkpoint's), the inverse of `getState()`. */
  setState(state: { t: number; m: ArrayLike<number>; v: ArrayLike<number> }): void {
    const order = this.stateOrder;
    const expected = order === null ? this.m.size : order.length;
    if (state.m.length !== expected || state.v.length !== expected) {
      throw new Error(`FlatOptimizer.setState: moments have ${state.m.length} values; expected ${expected}`);
    }
    const scatter = (values: ArrayLike<number>) => {
      if (order === null) return Float32Array.from(values);
      const out = new Float32Array(this.m.size);
      order.forEach((j, i) => (out[j] = values[i]!));
      return out;
    };
    this.t = state.t;
    tf.tidy(() => {
      this.m.assign(tf.tensor1d(scatter(state.m)));
      this.v.assign(tf.tensor1d(scatter(state.v)));
    });
  }

  /** Frees the moment vectors. */
  dispose(): void {
    this.m.dispose();
    this.v.dispose();
  }
}
