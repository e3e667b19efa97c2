// MP4 through ffmpeg when it is installed: raw RGB frames piped in, H.264 (yuv420p, so every player
// plays it) out. wnrl bundles no video encoder; GIF and the HTML replay need nothing.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RgbFrame } from '../../envs/core.ts';

export function hasFfmpeg(): boolean {
  return spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
}

/** The frames as an MP4 file's bytes (H.264 at `fps`; odd sizes padded to even, as yuv420p needs). */
export function encodeMp4(frames: readonly RgbFrame[], fps: number): Uint8Array {
  if (frames.length === 0) throw new RangeError('encodeMp4: no frames');
  const { width, height } = frames[0]!;
  const raw = Buffer.concat(frames.map((f) => Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength)));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-mp4-'));
  const file = path.join(dir, 'out.mp4');
  try {
    const r = spawnSync(
      'ffmpeg',
      ['-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', String(fps), '-i', '-', '-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-y', file],
      { input: raw, stdio: ['pipe', 'ignore', 'pipe'], maxBuffer: 1 << 30 },
    );
    if (r.status !== 0) throw new Error(`ffmpeg failed (exit ${r.status}): ${r.stderr?.toString().trim().split('\n').slice(-2).join(' | ')}`);
    return fs.readFileSync(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
