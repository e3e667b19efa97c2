// The normalizations' training-mode passes are ops with closed-form gradients (batch-norm.ts,
// mean-only-batch-norm.ts, layer-norm.ts). Here each is checked against the same formula written in tfjs ops
// and differentiated by tfjs's autodiff (the implementation they replaced): values, gradients to x, γ and β,
// and the running statistics, for plain and renormalized (clipped and unclipped) batch norm, on one layer
// ([B, H] with parameters [H]) and on stacked layers ([K, B, H] with [K, 1, H]).
import type { Scalar, Tensor, Variable } from '@tensorflow/tfjs-node';
import { describe, expect, test } from 'vitest';
import { tf } from '../../src/backend.ts';
import { batchNormalize, stopGradient, type RenormClip } from '../../src/nn/batch-norm.ts';
import { layerNormalize } from '../../src/nn/layer-norm.ts';
import { meanOnlyBatchNormalize } from '../../src/nn/mean-only-batch-norm.ts';
import { expectClose, values } from '../helpers/tensors.ts';

const SHAPES: [string, number[], number[]][] = [
  ['one layer [B, H]', [9, 5], [5]],
  ['stacked [K, B, H]', [2, 9, 5], [2, 1, 5]],
];

const stat = (v: Variable) => ({ read: () => v as Tensor, write: (t: Tensor) => void v.assign(t) });

/** The autodiff reference: the formulas as tfjs ops (r and d without gradient). */
function referenceBatchNorm(x: Tensor, gamma: Tensor, beta: Tensor, runMean: Tensor, runVariance: Tensor, renorm: RenormClip | false, eps: number): { y: Tensor; mean: Tensor; variance: Tensor } {
  const axis = x.rank - 2;
  const { mean, variance } = tf.moments(x, axis, x.rank === 3);
  const batchStd = tf.sqrt(tf.add(variance, eps));
  let xhat = tf.div(tf.sub(x, mean), batchStd);
  if (renorm !== false) {
    const runStd = tf.sqrt(tf.add(runVariance, eps));
    let r = tf.div(batchStd, runStd);
    if (renorm.rMax !== null) r = tf.clipByValue(r, 1 / renorm.rMax, renorm.rMax);
    let d = tf.div(tf.sub(mean, runMean), runStd);
    if (renorm.dMax !== null) d = tf.clipByValue(d, -renorm.dMax, renorm.dMax);
    xhat = tf.add(tf.mul(xhat, stopGradient(r)), stopGradient(d));
  }
  return { y: tf.add(tf.mul(xhat, gamma), beta), mean, variance };
}

/** Values and gradients (x, then the parameters) of Σ w·f for a fixed random weighting w. */
function gradsOf(f: (x: Tensor, ...params: Tensor[]) => Tensor, inputs: Tensor[]): { value: number[]; grads: number[][] } {
  const w = tf.randomNormal(f(...(inputs as [Tensor, ...Tensor[]])).shape, 0, 1, 'float32', 3);
  const { value, grads } = tf.valueAndGrads((...xs: Tensor[]) => tf.sum(tf.mul(f(...(xs as [Tensor, ...Tensor[]])), w)) as Scalar)(inputs);
  return { value: values(f(...(inputs as [Tensor, ...Tensor[]]))).concat(values(value)), grads: grads.map(values) };
}

describe('closed-form normalization ops equal autodiff through their formulas', () => {
  const RENORMS: [string, RenormClip | false][] = [
    ['plain', false],
    ['renormalized, unclipped', { rMax: null, dMax: null }],
    ['renormalized, clipped (CrossQ)', { rMax: 1.1, dMax: 0.2 }],
  ];
  for (const [shapeName, xShape, pShape] of SHAPES) {
    test.each(RENORMS)(`batch norm, %s, ${shapeName}: output, gradients to x, γ, β; running statistics`, (_, renorm) => {
      tf.tidy(() => {
        const x = tf.add(tf.mul(tf.randomNormal(xShape, 0, 1, 'float32', 1), 2), 0.5);
        const gamma = tf.add(tf.randomNormal(pShape, 0, 0.3, 'float32', 2), 1);
        const beta = tf.randomNormal(pShape, 0, 0.3, 'float32', 4);
        // running statistics away from the batch's, so that r and d (and their clips) matter
        const runMean = tf.randomNormal(pShape, 0, 0.5, 'float32', 5);
        const runVariance = tf.add(tf.abs(tf.randomNormal(pShape, 1, 1, 'float32', 6)), 0.2);
        const o = { training: true, momentum: 0.9, epsilon: 1e-3, renorm };
        const ours = gradsOf((xx, g, b) => {
          const moving = { mean: stat(tf.variable(runMean)), variance: stat(tf.variable(runVariance)) };
          return batchNormalize(xx, g!, b!, moving, o);
        }, [x, gamma, beta]);
        const ref = gradsOf((xx, g, b) => referenceBatchNorm(xx, g!, b!, runMean, runVariance, renorm, 1e-3).y, [x, gamma, beta]);
        expectClose(ours.value, ref.value, 1e-5, 'output and loss');
        ours.grads.forEach((g, i) => expectClose(g, ref.grads[i]!, 1e-4, `gradient ${['x', 'γ', 'β'][i]}`));
        // the running statistics move as before: m·running + (1 − m)·batch (population variance)
        const mean = tf.variable(runMean);
        const variance = tf.variable(runVariance);
        batchNormalize(x, gamma, beta, { mean: stat(mean), variance: stat(variance) }, o);
        const r = referenceBatchNorm(x, gamma, beta, runMean, runVariance, renorm, 1e-3);
        expectClose(values(mean), values(tf.add(tf.mul(runMean, 0.9), tf.mul(r.mean, 0.1))), 1e-6, 'running mean');
        expectClose(values(variance), values(tf.add(tf.mul(runVariance, 0.9), tf.mul(r.variance, 0.1))), 1e-6, 'running variance');
        tf.dispose([mean, variance]);
      });
    });

    test.each([
      ['plain, with β', false, true],
      ['renormalized, with β', { rMax: null, dMax: null }, true],
      ['renormalized, clipped, without β', { rMax: null, dMax: 0.1 }, false],
    ] as const)(`mean-only batch norm, %s, ${shapeName}`, (_, renorm, withBeta) => {
      tf.tidy(() => {
        const x = tf.add(tf.randomNormal(xShape, 0, 1, 'float32', 7), 0.3);
        const beta = tf.randomNormal(pShape, 0, 0.3, 'float32', 8);
        const runMean = tf.randomNormal(pShape, 0, 0.5, 'float32', 9);
        const o = { training: true, momentum: 0.9, renorm: renorm as RenormClip | false };
        const reference = (xx: Tensor, b?: Tensor) => {
          const mean = tf.mean(xx, xx.rank - 2, xx.rank === 3);
          let c = tf.sub(xx, mean);
          if (o.renorm !== false) {
            let d = tf.sub(mean, runMean);
            if (o.renorm.dMax !== null) d = tf.clipByValue(d, -o.renorm.dMax, o.renorm.dMax);
            c = tf.add(c, stopGradient(d));
          }
          return b === undefined ? c : tf.add(c, b);
        };
        const inputs = withBeta ? [x, beta] : [x];
        const ours = gradsOf((xx, b) => meanOnlyBatchNormalize(xx, b ?? null, stat(tf.variable(runMean)), o), inputs);
        const ref = gradsOf(reference, inputs);
        expectClose(ours.value, ref.value, 1e-5, 'output and loss');
        ours.grads.forEach((g, i) => expectClose(g, ref.grads[i]!, 1e-4, `gradient ${['x', 'β'][i]}`));
        const mean = tf.variable(runMean);
        meanOnlyBatchNormalize(x, withBeta ? beta : null, stat(mean), o);
        expectClose(values(mean), values(tf.add(tf.mul(runMean, 0.9), tf.mul(tf.mean(x, x.rank - 2, x.rank === 3), 0.1))), 1e-6, 'running mean');
        mean.dispose();
      });
    });

    test(`layer norm, ${shapeName}: output and gradients to x, γ, β`, () => {
      tf.tidy(() => {
        const x = tf.add(tf.mul(tf.randomNormal(xShape, 0, 1, 'float32', 10), 3), 1);
        const gamma = tf.add(tf.randomNormal(pShape, 0, 0.3, 'float32', 11), 1);
        const beta = tf.randomNormal(pShape, 0, 0.3, 'float32', 12);
        const reference = (xx: Tensor, g?: Tensor, b?: Tensor) => {
          const centered = tf.sub(xx, tf.mean(xx, -1, true));
          const normalized = tf.mul(centered, tf.rsqrt(tf.add(tf.mean(tf.square(centered), -1, true), 1e-5)));
          return tf.add(tf.mul(normalized, g!), b!);
        };
        const ours = gradsOf((xx, g, b) => layerNormalize(xx, g!, b!, 1e-5), [x, gamma, beta]);
        const ref = gradsOf(reference, [x, gamma, beta]);
        expectClose(ours.value, ref.value, 1e-5, 'output and loss');
        ours.grads.forEach((g, i) => expectClose(g, ref.grads[i]!, 1e-4, `gradient ${['x', 'γ', 'β'][i]}`));
      });
    });
  }

  test('layer norm on [B, T, H] with parameters [H] (a broadcast the stacked layout does not use): γ and β get [H] gradients', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([3, 4, 5], 0, 1, 'float32', 13);
      const [, dg, db] = tf.grads((xx: Tensor, g: Tensor, b: Tensor) => tf.sum(tf.square(layerNormalize(xx, g, b, 1e-5))) as Scalar)([x, tf.ones([5]), tf.zeros([5])]);
      expect(dg!.shape).toEqual([5]);
      expect(db!.shape).toEqual([5]);
    });
  });
});
