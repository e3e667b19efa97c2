// Target-network updates. A target copies *every* weight of the online network: v, g, b of weight-normalized
// layers, kernels and biases, and the non-trainable running statistics of batch norm — never a derived
// kernel. Polyak averaging applies to the trainable weights; statistics are copied.
import type { LayersModel } from '@tensorflow/tfjs-node';
import { tf } from '../../src/backend.ts';

export function hardUpdate(target: LayersModel, online: LayersModel): void {
  const src = online.weights;
  const dst = target.weights;
  if (src.length !== dst.length) throw new Error(`hardUpdate: online has ${src.length} weights, target ${dst.length}`);
  tf.tidy(() => dst.forEach((w, i) => w.write(src[i]!.read())));
}

export function polyakUpdate(target: LayersModel, online: LayersModel, tau: number): void {
  if (tau >= 1) return hardUpdate(target, online);
  const src = online.weights;
  const dst = target.weights;
  tf.tidy(() =>
    dst.forEach((w, i) => {
      const s = src[i]!;
      w.write(s.trainable ? tf.add(tf.mul(s.read(), tau), tf.mul(w.read(), 1 - tau)) : s.read());
    }),
  );
}
