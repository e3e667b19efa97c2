// y = φ(x · W + b) as one op with its closed-form gradients:
//   dz = dy ⊙ φ'(y)   (φ' written in terms of the output y)
//   dx = dz · Wᵀ,   dW = xᵀ · dz,   db = Σ_rows dz
// and optionally a scale per output column, y = φ((x · V) ⊙ s + b) (weight norm computed the paper's
// way, s = g/‖v‖: the scale applies to the B×out product instead of the in×out kernel):
//   dt = dz ⊙ s,   dx = dt · Vᵀ,   dV = xᵀ · dt,   ds = Σ_rows dz ⊙ (x · V)
// tfjs's `tf.fused.matMul` reshapes its operands to 3-D and back around the kernel, and its gradient and
// that of a separate bias add and activation add more reshapes, casts and clones; on the native backend
// every op costs its dispatch whatever its size, so this op runs about half the kernels per layer
// (bench/README.md). Every dense layer wnrl's networks run goes through it (WeightNormDense, tfjs's Dense
// via forward(), and the stacked networks of stacked-mlp.ts), so the normalizations share one matmul path.
//
// Rank 2: x [B, in], W [in, out], b [out]. Rank 3 (K networks stacked, stacked-mlp.ts): x [K, B, in] or
// [1, B, in] (one input for every network), W [K, in, out], b [K, 1, out]; one batched matMul.
//
// Gradients are computed on demand, per input: an input no gradient flows to (the observations of a first
// layer) costs no dx product. tf.customGrad computes every input's gradient eagerly, so this op is recorded
// through the engine's runKernelFunc, the call customGrad itself makes, with one thunk per input (the tape
// calls only the thunks of inputs on a path to the variables). runKernelFunc is not in tfjs's public
// typings; package.json pins tfjs 4.22.0, and the tests check that the skipped product is skipped.
import type { Tensor, Tensor2D, Tensor3D } from '@tensorflow/tfjs-node';
import { activationGradKernel, tf } from '../backend.ts';
import { applyActivation, type Activation } from './activations.ts';

/** φ'(z) ⊙ dy from the output y = φ(z). */
function activationGrad(y: Tensor, dy: Tensor, activation: Activation): Tensor {
  if (activation === 'linear') return dy;
  // one native kernel where there is one (the native backend); the tfjs ops below otherwise
  const native = activationGradKernel(activation, y, dy);
  if (native !== null) return native;
  switch (activation) {
    case 'tanh':
      return tf.mul(dy, tf.sub(1, tf.square(y)));
    case 'relu':
      // Not tf.step: tfjs-node runs it as five kernels (isNaN, greater, ones, fill, select).
      return tf.mul(dy, tf.cast(tf.greater(y, 0), 'float32'));
    case 'sigmoid':
      return tf.mul(dy, tf.mul(y, tf.sub(1, y)));
    case 'elu':
      // elu'(z) = 1 for z > 0, e^z = y + 1 otherwise
      return tf.mul(dy, tf.where(tf.greater(y, 0), tf.onesLike(y), tf.add(y, 1)));
  }
}

interface KernelFuncParams {
  forwardFunc: (backend: unknown, save: (tensors: Tensor[]) => void) => Tensor;
  backwardsFunc: (dy: Tensor, saved: Tensor[]) => Record<string, () => Tensor>;
  inputs: Record<string, Tensor>;
}

/**
 * An op with a gradient thunk per input, recorded on the tape like a tf.customGrad op; `backward` may
 * compute what all gradients share up front, and each thunk its own part only when the tape asks for it.
 */
export function opWithLazyGradients(inputs: Tensor[], forward: (save: (tensors: Tensor[]) => void) => Tensor, backward: (dy: Tensor, saved: Tensor[]) => (() => Tensor)[]): Tensor {
  const engine = tf.engine() as unknown as { runKernelFunc(params: KernelFuncParams): Tensor };
  return engine.runKernelFunc({
    forwardFunc: (_backend, save) => forward(save),
    backwardsFunc: (dy, saved) => Object.fromEntries(backward(dy, saved).map((thunk, i) => [String(i), thunk])),
    inputs: Object.fromEntries(inputs.map((t, i) => [String(i), t])),
  });
}

/**
 * t summed over the axes a parameter of `shape` was broadcast along (numpy's rules): the parameter's gradient.
 */
export function sumToShape(t: Tensor, shape: readonly number[]): Tensor {
  const offset = t.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < t.rank; i++) if (i < offset || (shape[i - offset] === 1 && t.shape[i] !== 1)) axes.push(i);
  if (axes.length === 0) return t;
  const out = tf.sum(t, axes, offset === 0);
  return out.rank === shape.length ? out : tf.reshape(out, [...shape]);
}

/**
 * φ(x · W + b), rank 2 (x [B, in], W [in, out], b [out] or null) or rank 3 (x [K or 1, B, in], W [K, in,
 * out], b [K, 1, out] or null), with closed-form gradients to x, W and b, each computed only if needed.
 * With `scale` (s [out], or [K, 1, out] at rank 3): φ((x · W) ⊙ s + b), and a gradient to s too.
 */
export function denseOp<T extends Tensor2D | Tensor3D>(x: T, kernel: T, bias: Tensor | null, activation: Activation, scale: Tensor | null = null): T {
  const inputs = [x, kernel, ...(bias === null ? [] : [bias]), ...(scale === null ? [] : [scale])];
  return opWithLazyGradients(
    inputs,
    (save) => {
      const t = tf.matMul(x, kernel);
      const z = scale === null ? t : tf.mul(t, scale);
      const y = applyActivation(bias === null ? z : tf.add(z, bias), activation);
      save(scale === null ? [x, kernel, y] : [x, kernel, y, t, scale]);
      return y;
    },
    (dy, saved) => {
      const [xs, ws, ys, ts, ss] = saved as [T, T, T, T | undefined, Tensor | undefined];
      const dz = activationGrad(ys, dy, activation) as T;
      const dt = ss === undefined ? dz : (tf.mul(dz, ss) as T);
      const rank = xs.rank;
      const sumRows = (a: Tensor) => (rank === 3 ? tf.sum(a, 1, true) : tf.sum(a, 0));
      const thunks = [
        () => {
          const dx = tf.matMul(dt, ws, false, true);
          // one input shared by K networks: its gradient is the sum of theirs
          return rank === 3 && xs.shape[0] === 1 && dt.shape[0] !== 1 ? tf.sum(dx, 0, true) : dx;
        },
        () => tf.matMul(xs, dt, true, false),
      ];
      if (bias !== null) thunks.push(() => sumRows(dz));
      if (ts !== undefined) thunks.push(() => sumRows(tf.mul(dz, ts)));
      return thunks;
    },
  ) as T;
}
