import type { Tensor } from '@tensorflow/tfjs-node';
import { expect } from 'vitest';
import { tf } from '../../src/backend.ts';

/** Deterministic float64 pseudo-random numbers in [-1, 1) (a tiny LCG; tests need reproducible inputs). */
export function randomArray(n: number, seed: number): number[] {
  let s = seed >>> 0 || 1;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

export function randomTensor2d(rows: number, cols: number, seed: number, scale = 1) {
  return tf.tensor2d(randomArray(rows * cols, seed).map((x) => x * scale), [rows, cols]);
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, label = ''): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!));
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  expect(worst, `${label} worst relative error at ${at}: ${actual[at]} vs ${expected[at]}`).toBeLessThanOrEqual(tol);
}

/** Runs `body` and asserts it leaves the number of live tensors unchanged. */
export function expectNoLeak(body: () => void, label = ''): void {
  const before = tf.memory().numTensors;
  body();
  expect(tf.memory().numTensors, `${label} live tensors`).toBe(before);
}

export const values = (t: Tensor): number[] => Array.from(t.dataSync());

/**
 * How far one pass moves a running statistic: `read` before and after `pass` (run inside tf.tidy).
 */
export function movedBy(read: () => ArrayLike<number>, pass: () => void): number[] {
  const before = Array.from(read());
  tf.tidy(pass);
  return Array.from(read(), (v, i) => v - before[i]!);
}

/** A running statistic's momentum m moves it (1 − m) of the way per training pass: 0.5 moves it 5× as far as 0.9. */
export function expectMomentumStep(moved: (momentum: number) => number[]): void {
  const half = moved(0.5);
  const tenth = moved(0.9);
  expect(Math.max(...half.map(Math.abs))).toBeGreaterThan(1e-3);
  half.forEach((d, i) => expect(d).toBeCloseTo(5 * tenth[i]!, 4)); // (1 − 0.5) / (1 − 0.9)
}
