// Metric sinks: metrics.csv (fixed columns, appended synchronously) and TensorBoard event files through
// tfjs-node's summary writer.
import fs from 'node:fs';
import path from 'node:path';
import { tf } from '../backend.ts';

export type MetricRow = Record<string, number | null | undefined>;

export class CsvSink {
  private readonly fd: number;

  constructor(
    readonly file: string,
    readonly columns: readonly string[],
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const exists = fs.existsSync(file) && fs.statSync(file).size > 0;
    this.fd = fs.openSync(file, 'a');
    if (!exists) fs.writeSync(this.fd, `${columns.join(',')}\n`);
  }

  write(row: MetricRow): void {
    const cells = this.columns.map((c) => {
      const v = row[c];
      return v === null || v === undefined || !Number.isFinite(v) ? '' : String(Number(v.toPrecision(7)));
    });
    fs.writeSync(this.fd, `${cells.join(',')}\n`);
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/** TensorBoard scalars (tags like `train/loss`); a no-op when the native backend is not active. */
export class TensorBoardSink {
  private readonly writer: { scalar(name: string, value: number, step: number): void; flush(): void } | null;

  constructor(dir: string) {
    const node = (tf as unknown as { node?: { summaryFileWriter(dir: string): TensorBoardSink['writer'] } }).node;
    if (node === undefined) {
      this.writer = null;
      return;
    }
    fs.mkdirSync(dir, { recursive: true });
    this.writer = node.summaryFileWriter(dir);
  }

  get active(): boolean {
    return this.writer !== null;
  }

  write(step: number, row: MetricRow): void {
    if (this.writer === null) return;
    for (const [tag, value] of Object.entries(row)) {
      if (typeof value === 'number' && Number.isFinite(value)) this.writer.scalar(tag, value, step);
    }
  }

  flush(): void {
    this.writer?.flush();
  }
}
