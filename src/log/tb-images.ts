// TensorBoard image summaries, written by wnrl itself: tfjs-node's summary writer has scalars and
// histograms only. An events file is a sequence of TFRecords (length, masked CRC-32C of the length, an
// Event protobuf, its masked CRC-32C); an image is Summary.Value{tag, image{height, width, colorspace,
// encoded_image_string}}. TensorBoard shows the encoded bytes with the browser's decoder, so an animated
// GIF plays in its Images tab. Written to its own file in the run's tb/ folder, beside tfjs's scalars.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli), as TFRecord uses. */
export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked CRC. */
export function maskedCrc(bytes: Uint8Array): number {
  const c = crc32c(bytes);
  return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
}

// --- protobuf, the few wire types an Event needs ---
function varint(n: number | bigint): number[] {
  let v = BigInt(n);
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}
const key = (field: number, wire: number) => varint((field << 3) | wire);
const lengthDelimited = (field: number, bytes: Uint8Array) => [...key(field, 2), ...varint(bytes.length), ...bytes];
const varintField = (field: number, n: number) => [...key(field, 0), ...varint(n)];
function doubleField(field: number, x: number): number[] {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(x);
  return [...key(field, 1), ...b];
}

/** The bytes of Event{wall_time, step, summary{value{tag, image}}} (or of Event{wall_time, file_version}). */
export function imageEvent(tag: string, step: number, image: { width: number; height: number; encoded: Uint8Array }, wallTime = Date.now() / 1000): Uint8Array {
  const img = Uint8Array.from([...varintField(1, image.height), ...varintField(2, image.width), ...varintField(3, 3), ...lengthDelimited(4, image.encoded)]);
  const value = Uint8Array.from([...lengthDelimited(1, Buffer.from(tag, 'utf8')), ...lengthDelimited(4, img)]);
  const summary = Uint8Array.from(lengthDelimited(1, value));
  return Uint8Array.from([...doubleField(1, wallTime), ...varintField(2, step), ...lengthDelimited(5, summary)]);
}

function versionEvent(wallTime: number): Uint8Array {
  return Uint8Array.from([...doubleField(1, wallTime), ...lengthDelimited(3, Buffer.from('brain.Event:2'))]);
}

function record(data: Uint8Array): Buffer {
  const head = Buffer.alloc(12);
  head.writeBigUInt64LE(BigInt(data.length), 0);
  head.writeUInt32LE(maskedCrc(head.subarray(0, 8)), 8);
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(maskedCrc(data), 0);
  return Buffer.concat([head, data, tail]);
}

/** Appends image summaries to one events file of `dir` (created on the first image). */
export class TensorBoardImages {
  private file: string | null = null;

  constructor(readonly dir: string) {}

  write(tag: string, step: number, image: { width: number; height: number; encoded: Uint8Array }): void {
    const now = Date.now() / 1000;
    if (this.file === null) {
      fs.mkdirSync(this.dir, { recursive: true });
      this.file = path.join(this.dir, `events.out.tfevents.${Math.floor(now)}.${os.hostname()}.wnrl-images`);
      fs.writeFileSync(this.file, record(versionEvent(now)));
    }
    fs.appendFileSync(this.file, record(imageEvent(tag, step, image, now)));
  }
}
