// Statistics for comparing norms across seeds, after Agarwal et al. (2021), "Deep RL at the Edge of the
// Statistical Precipice": point estimates as the mean and the interquartile mean (IQM), 95% percentile
// confidence intervals from a stratified bootstrap (resampling runs within each task), and the
// probability that one method beats another. Every bootstrap draws from a seeded Rng, so a report
// regenerates bit for bit.
import { Rng } from '../envs/rng.ts';

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Interquartile mean: the mean of the middle 50% (scipy.stats.trim_mean(x, 0.25), as rliable). */
export function iqm(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const cut = Math.floor(sorted.length * 0.25);
  return mean(sorted.slice(cut, sorted.length - cut));
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Median of times-to-event where some runs never got there (null: censored at the budget, counted as +∞):
 * defined once more than half the runs got there, else null. (Dropping the censored runs would report a
 * cell where 1 run of 10 got there as fast as a cell where all did.)
 */
export function medianReached(xs: readonly (number | null)[]): number | null {
  const m = median(xs.map((x) => x ?? Number.POSITIVE_INFINITY));
  return Number.isFinite(m) ? m : null;
}

function percentile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export interface Interval {
  point: number;
  low: number;
  high: number;
}

/**
 * Stratified bootstrap: each replicate resamples, with replacement, the runs of every stratum (task)
 * separately, then applies `statistic` to all resampled runs together. 95% percentile interval.
 */
export function stratifiedBootstrap(strata: readonly (readonly number[])[], statistic: (xs: number[]) => number, seed: number, reps = 2000, alpha = 0.05): Interval {
  const all = strata.flat();
  const point = statistic(all);
  if (all.length === 0) return { point, low: Number.NaN, high: Number.NaN };
  const rng = new Rng(seed);
  const stats: number[] = [];
  const sample: number[] = [];
  for (let r = 0; r < reps; r++) {
    sample.length = 0;
    for (const s of strata) for (let i = 0; i < s.length; i++) sample.push(s[rng.int(s.length)]!);
    stats.push(statistic(sample));
  }
  stats.sort((a, b) => a - b);
  return { point, low: percentile(stats, alpha / 2), high: percentile(stats, 1 - alpha / 2) };
}

/**
 * P(X > Y) with runs paired by seed: the fraction of seeds where x beats y (ties count one half), with a
 * bootstrap interval over seeds (pairs resampled together).
 */
export function probabilityOfImprovement(x: readonly number[], y: readonly number[], seed: number, reps = 2000, alpha = 0.05): Interval {
  if (x.length !== y.length) throw new Error(`probabilityOfImprovement: ${x.length} vs ${y.length} paired runs`);
  const wins = x.map((xi, i) => (xi > y[i]! ? 1 : xi === y[i]! ? 0.5 : 0));
  return stratifiedBootstrap([wins], mean, seed, reps, alpha);
}

/** Mean return over the whole budget: the normalized area under a step-wise learning curve. */
export function areaUnderCurve(steps: readonly number[], returns: readonly number[], totalSteps: number): number {
  if (steps.length === 0) return Number.NaN;
  let area = 0;
  let prevStep = 0;
  for (let i = 0; i < steps.length; i++) {
    area += returns[i]! * (Math.min(steps[i]!, totalSteps) - prevStep);
    prevStep = Math.min(steps[i]!, totalSteps);
  }
  area += returns[returns.length - 1]! * Math.max(0, totalSteps - prevStep);
  return area / totalSteps;
}

/** Intervals that do not overlap: the only comparisons the generated report states as differences. */
export function separated(a: Interval, b: Interval): 'higher' | 'lower' | null {
  if (a.low > b.high) return 'higher';
  if (a.high < b.low) return 'lower';
  return null;
}
