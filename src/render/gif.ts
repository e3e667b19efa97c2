// Animated GIFs of rendered frames through gifenc (a small, well-kept encoder from npm). Classic-control
// frames use a handful of colours, so the palette is exact (every colour of every frame, up to 256);
// beyond that, gifenc's quantizer picks 256 from the first frame.
import { createRequire } from 'node:module';
import type * as Gifenc from 'gifenc';
import type { RgbFrame } from '../../envs/core.ts';

// gifenc is CommonJS; required as such, its exports are the same under Node's ESM loader and vitest's.
const gifenc = createRequire(import.meta.url)('gifenc') as typeof Gifenc;

/** The frames as one looping GIF, `delayMs` per frame. */
export function encodeGif(frames: readonly RgbFrame[], delayMs: number): Uint8Array {
  if (frames.length === 0) throw new RangeError('encodeGif: no frames');
  const { width, height } = frames[0]!;
  const rgba = (f: RgbFrame) => {
    const out = new Uint8Array(f.width * f.height * 4);
    for (let i = 0, j = 0; i < f.data.length; i += 3, j += 4) {
      out[j] = f.data[i]!;
      out[j + 1] = f.data[i + 1]!;
      out[j + 2] = f.data[i + 2]!;
      out[j + 3] = 255;
    }
    return out;
  };
  const colors = new Map<number, number>();
  for (const f of frames) {
    if (f.width !== width || f.height !== height) throw new RangeError(`encodeGif: frames of ${f.width}×${f.height} and ${width}×${height}`);
    for (let i = 0; i < f.data.length && colors.size <= 256; i += 3) {
      const key = (f.data[i]! << 16) | (f.data[i + 1]! << 8) | f.data[i + 2]!;
      if (!colors.has(key)) colors.set(key, colors.size);
    }
  }
  const exact = colors.size <= 256;
  const palette = exact ? [...colors.keys()].map((k) => [(k >> 16) & 255, (k >> 8) & 255, k & 255]) : gifenc.quantize(rgba(frames[0]!), 256);
  const encoder = gifenc.GIFEncoder();
  for (const f of frames) {
    let index: Uint8Array;
    if (exact) {
      index = new Uint8Array(width * height);
      for (let p = 0; p < index.length; p++) index[p] = colors.get((f.data[3 * p]! << 16) | (f.data[3 * p + 1]! << 8) | f.data[3 * p + 2]!)!;
    } else index = gifenc.applyPalette(rgba(f), palette);
    encoder.writeFrame(index, width, height, { palette, delay: delayMs });
  }
  encoder.finish();
  return encoder.bytes();
}
