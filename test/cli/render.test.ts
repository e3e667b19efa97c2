import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { crc32c, maskedCrc } from '../../src/log/tb-images.ts';
import { runCli } from '../helpers/capture.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-render-'));
const cli = runCli;

test("wnrl render draws the run's policy into a GIF; its episode returns are wnrl eval's on one env with the same seed", async () => {
  const out = path.join(tmp(), 'run');
  expect((await cli(['train', '--env', 'CartPole-v1', '--agent', 'ppo', '--norm', 'weight', '--steps', '1024', '--seed', '4', '--out', out, '--no-progress', '--log-level', 'warn'])).code).toBe(0);
  const gif = path.join(path.dirname(out), 'cartpole.gif');
  const r = await cli(['render', out, '--episodes', '2', '--seed', '9', '--out', gif]);
  expect(r.code, r.err).toBe(0);
  const returns = [...r.out.matchAll(/episode \d: return (\d+(?:\.\d+)?) \((\d+) steps\)/g)].map((m) => Number(m[1]));
  expect(returns).toHaveLength(2);
  expect(fs.readFileSync(gif).subarray(0, 6).toString('latin1')).toBe('GIF89a');
  // one frame per step: the reset frame, then every step but the last
  const steps = [...r.out.matchAll(/\((\d+) steps\)/g)].reduce((a, m) => a + Number(m[1]), 0);
  expect(r.out).toContain(`${steps} frames`);
  const e = await cli(['eval', out, '--episodes', '2', '--seed', '9', '--num-envs', '1', '--json']);
  const report = JSON.parse(e.out) as { returnMean: number; returnMin: number; returnMax: number };
  expect(report.returnMin).toBe(Math.min(...returns));
  expect(report.returnMax).toBe(Math.max(...returns));
}, 120_000);

test('wnrl render refuses bad input with exit 2 and writes nothing: a format it does not write, a missing folder, a run without a checkpoint, an env without render()', async () => {
  const dir = tmp();
  const out = path.join(dir, 'run');
  expect((await cli(['train', '--env', 'CartPole-v1', '--agent', 'ppo', '--norm', 'none', '--steps', '256', '--seed', '1', '--out', out, '--no-progress', '--log-level', 'warn'])).code).toBe(0);
  const webm = await cli(['render', out, '--out', path.join(dir, 'x.webm')]);
  expect(webm.code).toBe(2);
  expect(webm.err).toContain('expected a .gif, .mp4 or .html file');
  expect(fs.existsSync(path.join(dir, 'x.webm'))).toBe(false);
  // MP4 without ffmpeg on PATH: says so, writes nothing
  const pathBefore = process.env['PATH'];
  process.env['PATH'] = dir;
  try {
    const mp4 = await cli(['render', out, '--out', path.join(dir, 'x.mp4')]);
    expect(mp4.code).toBe(2);
    expect(mp4.err).toContain('MP4 needs ffmpeg, which is not installed');
  } finally {
    process.env['PATH'] = pathBefore;
  }
  expect(fs.existsSync(path.join(dir, 'x.mp4'))).toBe(false);
  const missing = await cli(['render', out, '--out', path.join(dir, 'no', 'such', 'x.gif')]);
  expect(missing.code).toBe(2);
  expect(missing.err).toContain('does not exist');

  const bare = path.join(dir, 'bare');
  fs.mkdirSync(bare);
  fs.copyFileSync(path.join(out, 'config.json'), path.join(bare, 'config.json'));
  const noCheckpoint = await cli(['render', bare]);
  expect(noCheckpoint.code).toBe(2);
  expect(noCheckpoint.err).toContain('has no checkpoint yet');

  const chain = path.join(dir, 'chain');
  const example = path.resolve(import.meta.dirname, '../../examples/custom-env.ts');
  expect((await cli(['train', '--env', `${example}:my-pkg/Chain-v0`, '--agent', 'ppo', '--norm', 'none', '--steps', '256', '--seed', '1', '--out', chain, '--no-progress', '--log-level', 'warn'])).code).toBe(0);
  const noRender = await cli(['render', chain]);
  expect(noRender.code).toBe(2);
  expect(noRender.err).toContain('has no render()');
  expect(fs.existsSync(path.join(chain, 'render.gif'))).toBe(false);
}, 120_000);

test('--video-every N writes videos/step-<N>.gif while training (one deterministic episode on its own env copy); off by default', async () => {
  const dir = tmp();
  const out = path.join(dir, 'run');
  const r = await cli(['train', '--env', 'CartPole-v1', '--agent', 'ppo', '--norm', 'weight', '--steps', '1024', '--seed', '2', '--out', out, '--video-every', '512', '--no-progress', '--log-level', 'warn']);
  expect(r.code, r.err).toBe(0);
  expect(fs.readdirSync(path.join(out, 'videos')).sort()).toEqual(['step-1024.gif', 'step-512.gif']);
  expect(fs.readFileSync(path.join(out, 'videos', 'step-512.gif')).subarray(0, 6).toString('latin1')).toBe('GIF89a');
  // and in TensorBoard: an events file of image summaries whose images are those GIFs
  const eventsFile = fs.readdirSync(path.join(out, 'tb')).find((f) => f.endsWith('.wnrl-images'))!;
  const images = readImageEvents(fs.readFileSync(path.join(out, 'tb', eventsFile)));
  expect(images.map((i) => [i.tag, i.step])).toEqual([
    ['video/episode', 512],
    ['video/episode', 1024],
  ]);
  expect(images[0]!.width).toBe(600);
  expect(Buffer.from(images[1]!.encoded).equals(fs.readFileSync(path.join(out, 'videos', 'step-1024.gif')))).toBe(true);
  const plain = path.join(dir, 'plain');
  expect((await cli(['train', '--env', 'CartPole-v1', '--agent', 'ppo', '--norm', 'weight', '--steps', '512', '--seed', '2', '--out', plain, '--no-progress', '--log-level', 'warn'])).code).toBe(0);
  expect(fs.existsSync(path.join(plain, 'videos'))).toBe(false);
  expect((await cli(['train', '--env', 'CartPole-v1', '--agent', 'ppo', '--out', out, '--video-every', '0'])).err).toContain('--video-every: expected a positive number of environment steps');
}, 120_000);

test.runIf(spawnSync('ffmpeg', ['-version']).status === 0)('wnrl render --out FILE.mp4 with ffmpeg installed: an H.264 MP4 of every frame', async () => {
  const dir = tmp();
  const out = path.join(dir, 'run');
  expect((await cli(['train', '--env', 'CartPole-v1', '--agent', 'ppo', '--norm', 'none', '--steps', '256', '--seed', '1', '--out', out, '--no-progress', '--log-level', 'warn'])).code).toBe(0);
  const file = path.join(dir, 'x.mp4');
  const r = await cli(['render', out, '--out', file, '--fps', '25']);
  expect(r.code, r.err).toBe(0);
  const frames = Number(/(\d+) frames/.exec(r.out)![1]);
  const bytes = fs.readFileSync(file);
  expect(bytes.subarray(4, 8).toString()).toBe('ftyp');
  const probe = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,nb_read_frames', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  expect(probe.stdout.trim()).toBe(`h264,${frames}`);
}, 60_000);

test('CRC-32C and its TFRecord mask match the reference values', () => {
  expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283); // the standard check value
  expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa); // RFC 3720's 32 zero bytes
});

/** Reads TFRecords (checking both CRCs) and the image summaries of their Event protobufs. */
function readImageEvents(bytes: Buffer): { tag: string; step: number; width: number; encoded: Uint8Array }[] {
  const out: { tag: string; step: number; width: number; encoded: Uint8Array }[] = [];
  let p = 0;
  while (p < bytes.length) {
    const len = Number(bytes.readBigUInt64LE(p));
    expect(bytes.readUInt32LE(p + 8)).toBe(maskedCrc(bytes.subarray(p, p + 8)));
    const data = bytes.subarray(p + 12, p + 12 + len);
    expect(bytes.readUInt32LE(p + 12 + len)).toBe(maskedCrc(data));
    p += 16 + len;
    const event = fields(data);
    const summary = event.get(5);
    if (summary === undefined) continue;
    const value = fields(summary as Uint8Array).get(1) as Uint8Array;
    const v = fields(value);
    const image = fields(v.get(4) as Uint8Array);
    out.push({ tag: Buffer.from(v.get(1) as Uint8Array).toString(), step: event.get(2) as number, width: image.get(2) as number, encoded: image.get(4) as Uint8Array });
  }
  return out;
}

/** A protobuf message's fields (varint, 64-bit and length-delimited; the last of a repeated one). */
function fields(b: Uint8Array): Map<number, number | Uint8Array> {
  const m = new Map<number, number | Uint8Array>();
  let p = 0;
  const varint = () => {
    let x = 0;
    let shift = 0;
    for (;;) {
      const byte = b[p++]!;
      x += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(byte & 0x80)) return x;
    }
  };
  while (p < b.length) {
    const k = varint();
    const wire = k & 7;
    if (wire === 0) m.set(k >>> 3, varint());
    else if (wire === 1) p += 8;
    else if (wire === 2) {
      const n = varint();
      m.set(k >>> 3, b.subarray(p, p + n));
      p += n;
    } else throw new Error(`wire type ${wire}`);
  }
  return m;
}
