import { Writable } from 'node:stream';

/** Io streams that collect what a command writes. */
export function capture() {
  const chunks = { out: '', err: '' };
  const sink = (key: 'out' | 'err') =>
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks[key] += chunk.toString();
        cb();
      },
    });
  return { io: { out: sink('out'), err: sink('err') }, chunks };
}

/** Runs the wnrl CLI in-process; its exit code and what it wrote. */
export async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { main } = await import('../../src/cli/main.ts');
  const { io, chunks } = capture();
  const code = await main(args, io);
  return { code, ...chunks };
}
