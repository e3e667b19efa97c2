/** A value that may change with training progress: `progressRemaining` goes from 1 (start) to 0 (end). */
export type Schedule = number | ((progressRemaining: number) => number);

export function scheduleValue(s: Schedule, progressRemaining: number): number {
  return typeof s === 'number' ? s : s(progressRemaining);
}

/** Linear from `start` to `end` over the first `fraction` of training, then constant (SB3's get_linear_fn). */
export function linearSchedule(start: number, end: number, fraction = 1): (progressRemaining: number) => number {
  return (progressRemaining) => {
    const progress = 1 - progressRemaining;
    if (fraction <= 0 || progress >= fraction) return end;
    return start + (progress / fraction) * (end - start);
  };
}
