// Losses as single custom-gradient ops: tfjs's tf.losses.* add weighting and reduction machinery
// (casts, fills, selects) that costs kernels on every update, each a fixed dispatch cost on the native
// backend. Values and gradients equal tfjs's (tested).
import type { Scalar, Tensor } from '@tensorflow/tfjs-node';
import { tf } from '../../src/backend.ts';

type HuberFn = (labels: Tensor, predictions: Tensor) => Scalar;
const huberOps = new Map<number, HuberFn>();

/**
 * mean over elements of Huber(predictions − labels; δ): ½e² where |e| ≤ δ, δ(|e| − ½δ) beyond.
 * Written as m(|e| − ½m) with m = min(|e|, δ); the gradient to the predictions is clip(e, −δ, δ)/n (and
 * its negative to the labels).
 */
export function huberLoss(labels: Tensor, predictions: Tensor, delta = 1): Scalar {
  let op = huberOps.get(delta);
  if (op === undefined) {
    op = tf.customGrad(((y: Tensor, q: Tensor, save: (t: Tensor[]) => void) => {
      const e = tf.sub(q, y);
      const a = tf.abs(e);
      const m = tf.minimum(a, delta);
      save([e]);
      return {
        value: tf.mean(tf.mul(m, tf.sub(a, tf.mul(m, 0.5)))) as Scalar,
        gradFunc: (dy: Tensor, saved: Tensor[]) => {
          const [es] = saved as [Tensor];
          const dq = tf.mul(tf.clipByValue(es, -delta, delta), tf.div(dy, es.size));
          return [tf.neg(dq), dq];
        },
      };
    }) as never) as unknown as HuberFn;
    huberOps.set(delta, op);
  }
  return op(labels, predictions);
}
