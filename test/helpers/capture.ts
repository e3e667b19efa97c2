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
