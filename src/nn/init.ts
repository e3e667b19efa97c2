// Initial weights, one rule for every norm: the kernels a network starts from depend on `init` alone, never
// on its normalization, so a comparison of norms starts every contender from the same weights.
//
//   init          dense kernel [in, out]                                bias                 reference
//   orthogonal    orthogonal (torch.nn.init.orthogonal_), gain √2 on      0                    SB3 / CleanRL
//                 hidden layers, the head's own gain on the output                             (`ortho_init`)
//                 (0.01 policy, 1 value or Q)
//   torch         U(±1/√in) (nn.Linear's kaiming_uniform(a=√5))          U(±1/√in)            torch defaults
//   glorot        Glorot uniform (tfjs's default); a weight-normalized   0                    wnrl ≤ 0.1
//                 layer keeps the paper's v ~ N(0, 0.05²), g = 1
//
// A weight-normalized layer (w = g·v/‖v‖) takes the kernel as v and g = ‖v‖ per column, so it computes
// exactly what the plain layer computes; data-dependent init (data-dependent-init.ts), when it runs, then
// replaces g and b from the direction v/‖v‖, which the init chose for every norm alike. A batch- or
// layer-normalized layer takes the kernel before its normalization.
import type { LayersModel } from '@tensorflow/tfjs-node';
import { Rng } from '../../envs/rng.ts';
import { tf } from '../backend.ts';
import type { Init } from '../config/network.ts';
import { WeightNormDense } from './weight-norm-dense.ts';

/**
 * A seeded `rows × cols` matrix (row-major) with orthonormal columns when rows ≥ cols, orthonormal rows
 * otherwise, times `gain`: the Q of a Gaussian matrix by modified Gram-Schmidt in float64, signs fixed so
 * that R's diagonal is positive (Q is then uniformly distributed), as torch.nn.init.orthogonal_.
 */
export function orthogonalMatrix(rows: number, cols: number, seed: number, gain = 1): Float32Array {
  const rng = new Rng(seed);
  const long = Math.max(rows, cols);
  const short = Math.min(rows, cols);
  // short vectors of length long, made orthonormal in turn
  const q = Array.from({ length: short }, () => Float64Array.from({ length: long }, () => rng.normal()));
  for (let j = 0; j < short; j++) {
    const v = q[j]!;
    for (let k = 0; k < j; k++) {
      const u = q[k]!;
      let dot = 0;
      for (let i = 0; i < long; i++) dot += u[i]! * v[i]!;
      for (let i = 0; i < long; i++) v[i]! -= dot * u[i]!;
    }
    let norm = 0;
    for (let i = 0; i < long; i++) norm += v[i]! * v[i]!;
    norm = Math.sqrt(norm);
    for (let i = 0; i < long; i++) v[i]! /= norm;
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[r * cols + c] = gain * (rows >= cols ? q[c]![r]! : q[r]![c]!);
  }
  return out;
}

/** `n` draws from U(−bound, bound), seeded. */
export function uniformArray(n: number, bound: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: n }, () => rng.uniform(-bound, bound));
}

export interface InitOptions {
  init: Init;
  /** Seed of the draws (the same seed gives the same kernels for every norm). */
  seed: number;
  /** Gain of the output layer under 'orthogonal' (SB3: 0.01 for a policy, 1 for a value or Q). */
  outputGain: number;
  /** Gain of hidden layers under 'orthogonal' (SB3: √2 whatever the activation). */
  hiddenGain?: number;
}

/**
 * Writes the initial kernels and biases of a sequential network's dense layers (tfjs Dense or
 * WeightNormDense, in order; the last is the output layer) under `init`. 'glorot' leaves the network as
 * built. Returns the number of layers written.
 */
export function initializeDense(model: LayersModel, o: InitOptions): number {
  if (o.init === 'glorot') return 0;
  const rng = new Rng(o.seed);
  const dense = model.layers.filter((l) => l instanceof WeightNormDense || l.getClassName() === 'Dense');
  tf.tidy(() => {
    dense.forEach((layer, k) => {
      const weights = layer.weights;
      const shape = (layer instanceof WeightNormDense ? layer.parameters.v : weights[0]!).shape as [number, number];
      const [inSize, units] = shape;
      let kernel: Float32Array;
      let bias: Float32Array;
      if (o.init === 'orthogonal') {
        const gain = k === dense.length - 1 ? o.outputGain : (o.hiddenGain ?? Math.SQRT2);
        kernel = orthogonalMatrix(inSize, units, rng.int(2 ** 31), gain);
        bias = new Float32Array(units);
      } else {
        const bound = 1 / Math.sqrt(inSize);
        kernel = uniformArray(inSize * units, bound, rng);
        bias = uniformArray(units, bound, rng);
      }
      const kernelT = tf.tensor2d(kernel, [inSize, units]);
      if (layer instanceof WeightNormDense) {
        const { v, g, b } = layer.parameters;
        v.write(kernelT);
        g.write(tf.norm(kernelT, 'euclidean', 0));
        b?.write(tf.tensor1d(bias));
      } else {
        const d = layer as unknown as { kernel: { write(t: unknown): void }; bias?: { write(t: unknown): void } | null; useBias?: boolean };
        d.kernel.write(kernelT);
        if (d.useBias && d.bias) d.bias.write(tf.tensor1d(bias));
      }
    });
  });
  return dense.length;
}
