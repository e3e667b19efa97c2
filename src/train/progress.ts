// A one-line progress bar on a terminal: steps, steps/s, the recent mean return and the last eval.
// Disabled (a no-op) when output is not a TTY; the Trainer logs plain `progress` records instead.
export class Progress {
  private lastDraw = 0;
  private readonly t0 = performance.now();
  private drawn = false;

  constructor(
    private readonly total: number,
    readonly enabled: boolean,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(step: number, recentReturns: readonly number[], evalMean: number | null): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.lastDraw < 250 && step < this.total) return;
    this.lastDraw = now;
    const frac = Math.min(1, step / this.total);
    const width = 24;
    const filled = Math.round(frac * width);
    const sps = step / Math.max((now - this.t0) / 1000, 1e-9);
    const mean = recentReturns.length ? (recentReturns.reduce((a, b) => a + b, 0) / recentReturns.length).toFixed(1) : '-';
    const line =
      `[${'='.repeat(filled)}${' '.repeat(width - filled)}] ${step.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')} steps` +
      `  ${Math.round(sps).toLocaleString('en-US')} steps/s  return(${recentReturns.length}) ${mean}` +
      (evalMean === null ? '' : `  eval ${evalMean.toFixed(1)}`);
    this.stream.write(`\r${line}\x1b[K`);
    this.drawn = true;
  }

  done(): void {
    if (this.enabled && this.drawn) this.stream.write('\n');
  }
}
