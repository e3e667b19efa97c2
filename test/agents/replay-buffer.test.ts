import { expect, test } from 'vitest';
import { ReplayBuffer } from '../../agents/common/replay-buffer.ts';

const batchOf = (start: number, n: number, d: number) => Float32Array.from({ length: n * d }, (_, k) => start + Math.floor(k / d));

test('stores vector-env steps row by row and wraps around at capacity', () => {
  const buf = new ReplayBuffer(5, 2, 1);
  buf.addBatch(batchOf(0, 3, 2), Int32Array.from([0, 1, 0]), Float32Array.from([1, 2, 3]), batchOf(10, 3, 2), Uint8Array.from([0, 0, 1]), Uint8Array.from([0, 1, 0]));
  expect(buf.size).toBe(3);
  expect(Array.from(buf.observations.subarray(0, 6))).toEqual([0, 0, 1, 1, 2, 2]);
  expect(Array.from(buf.terminated.subarray(0, 3))).toEqual([0, 0, 1]);
  expect(Array.from(buf.truncated.subarray(0, 3))).toEqual([0, 1, 0]);
  buf.addBatch(batchOf(3, 3, 2), Int32Array.from([1, 1, 1]), Float32Array.from([4, 5, 6]), batchOf(13, 3, 2), new Uint8Array(3), new Uint8Array(3));
  expect(buf.size).toBe(5);
  // Slot 0 now holds the 6th transition (observation 5).
  expect(Array.from(buf.observations.subarray(0, 2))).toEqual([5, 5]);
  expect(Array.from(buf.recentObservations(2))).toEqual([5, 5, 4, 4]);
});

test('sampling is uniform, seeded, and keeps each transition together', () => {
  const buf = new ReplayBuffer(100, 1, 7);
  for (let i = 0; i < 100; i++) buf.addBatch(Float32Array.of(i), Int32Array.of(i % 2), Float32Array.of(i * 10), Float32Array.of(i + 0.5), Uint8Array.of(i % 3 === 0 ? 1 : 0), Uint8Array.of(0));
  const counts = new Array<number>(100).fill(0);
  for (let k = 0; k < 200; k++) {
    const b = buf.sample(50);
    for (let j = 0; j < 50; j++) {
      const i = b.observations[j]!;
      counts[i]!++;
      expect(b.nextObservations[j]).toBe(i + 0.5);
      expect(b.rewards[j]).toBe(i * 10);
      expect(b.actions[j]).toBe(i % 2);
      expect(b.terminated[j]).toBe(i % 3 === 0 ? 1 : 0);
    }
  }
  // 10,000 draws over 100 slots: every slot near 100.
  expect(Math.min(...counts)).toBeGreaterThan(60);
  expect(Math.max(...counts)).toBeLessThan(145);
  const again = new ReplayBuffer(100, 1, 7);
  for (let i = 0; i < 100; i++) again.addBatch(Float32Array.of(i), Int32Array.of(0), Float32Array.of(0), Float32Array.of(0), Uint8Array.of(0), Uint8Array.of(0));
  const fresh = new ReplayBuffer(100, 1, 7);
  for (let i = 0; i < 100; i++) fresh.addBatch(Float32Array.of(i), Int32Array.of(0), Float32Array.of(0), Float32Array.of(0), Uint8Array.of(0), Uint8Array.of(0));
  expect(Array.from(again.sample(20).observations)).toEqual(Array.from(fresh.sample(20).observations));
});

test('a truncated transition is stored as not terminated, so it bootstraps from its final observation', () => {
  const buf = new ReplayBuffer(4, 2, 3);
  buf.addBatch(Float32Array.of(1, 1), Int32Array.of(0), Float32Array.of(1), Float32Array.of(9, 9), Uint8Array.of(0), Uint8Array.of(1));
  const b = buf.sample(1);
  expect(b.terminated[0]).toBe(0);
  expect(Array.from(b.nextObservations)).toEqual([9, 9]);
});
