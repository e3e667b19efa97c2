// y = φ(x · W + b) as one custom-gradient op with its closed-form gradients:
//   dz = dy ⊙ φ'(y)   (φ' written in terms of the output y)
//   dx = dz · Wᵀ,   dW = xᵀ · dz,   db = Σ_rows dz
// tfjs's `tf.fused.matMul` reshapes its operands to 3-D and back around the kernel, and its gradient and
// that of a separate bias add and activation add more reshapes, casts and clones; on the native backend
// every op costs its dispatch whatever its size, so this op runs about half the kernels per layer
// (bench/README.md). Every dense layer wnrl's networks run goes through it (WeightNormDense and, via
// forward(), tfjs's Dense), so the normalizations are compared on the same matmul path.
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-node';
import { tf } from '../backend.ts';
import { applyActivation, type Activation } from './activations.ts';

/** φ'(z) ⊙ dy from the output y = φ(z). */
function activationGrad(y: Tensor, dy: Tensor, activation: Activation): Tensor {
  switch (activation) {
    case 'linear':
      return dy;
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

type DenseFn = (x: Tensor2D, kernel: Tensor2D, bias?: Tensor1D) => Tensor2D;
const ops = new Map<string, DenseFn>();

function makeOp(activation: Activation, withBias: boolean): DenseFn {
  return tf.customGrad(((...args: unknown[]) => {
    const save = args[args.length - 1] as (tensors: Tensor[]) => void;
    const [x, w, b] = args as [Tensor2D, Tensor2D, Tensor1D | undefined];
    const z = tf.matMul(x, w);
    const y = applyActivation(withBias ? tf.add(z, b!) : z, activation);
    save([x, w, y]);
    return {
      value: y,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [xs, ws, ys] = saved as [Tensor2D, Tensor2D, Tensor2D];
        const dz = activationGrad(ys, dy, activation) as Tensor2D;
        const dx = tf.matMul(dz, ws, false, true);
        const dw = tf.matMul(xs, dz, true, false);
        return withBias ? [dx, dw, tf.sum(dz, 0)] : [dx, dw];
      },
    };
  }) as never) as unknown as DenseFn;
}

/** φ(x · W + b) for x [B, in], W [in, out], b [out] (or null), with closed-form gradients to x, W and b. */
export function denseOp(x: Tensor2D, kernel: Tensor2D, bias: Tensor1D | null, activation: Activation): Tensor2D {
  const key = `${activation}:${bias !== null}`;
  let op = ops.get(key);
  if (op === undefined) {
    op = makeOp(activation, bias !== null);
    ops.set(key, op);
  }
  return bias === null ? op(x, kernel) : op(x, kernel, bias);
}
