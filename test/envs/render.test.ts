import { expect, test } from 'vitest';
import { checkEnv, makeEnv, type Env, type RgbFrame } from '../../envs/index.ts';
import { encodeGif } from '../../src/render/gif.ts';

const pixel = (f: RgbFrame, col: number, rowFromBottom: number) => {
  const i = ((f.height - 1 - rowFromBottom) * f.width + col) * 3;
  return [f.data[i], f.data[i + 1], f.data[i + 2]];
};

test.each([
  ['CartPole-v1', 600, 400],
  ['CartPoleNoVel-v1', 600, 400],
  ['Acrobot-v1', 500, 500],
  ['MountainCar-v0', 600, 400],
  ['MountainCarContinuous-v0', 600, 400],
  ['Pendulum-v1', 500, 500],
] as const)("%s renders Gymnasium's rgb_array frames (%i × %i × 3 uint8), through its wrappers, and they follow the state", (id, width, height) => {
  const env = makeEnv(id) as Env;
  env.reset({ seed: 1 });
  const a = env.render!();
  expect([a.width, a.height]).toEqual([width, height]);
  expect(a.data).toBeInstanceOf(Uint8Array);
  expect(a.data.length).toBe(width * height * 3);
  const colors = new Set<number>();
  for (let i = 0; i < a.data.length; i += 3) colors.add((a.data[i]! << 16) | (a.data[i + 1]! << 8) | a.data[i + 2]!);
  expect(colors.size).toBeGreaterThan(1); // not blank
  const state = (env.unwrapped as unknown as { state: number[] }).state;
  (env.unwrapped as unknown as { state: number[] }).state = state.map((v, i) => (i === 0 ? v + 0.3 : v));
  expect(Buffer.from(env.render!().data).equals(Buffer.from(a.data))).toBe(false);
});

test("CartPole is drawn where Gymnasium draws it: the cart black at x·125 + 300, the track at row 100, the pole's colour above the axle", () => {
  const env = makeEnv('CartPole-v1');
  env.reset({ seed: 1 });
  (env.unwrapped as unknown as { state: number[] }).state = [0.8, 0, 0, 0];
  const f = env.render!();
  expect(pixel(f, 0.8 * 125 + 300, 95)).toEqual([0, 0, 0]); // inside the cart
  expect(pixel(f, 10, 100)).toEqual([0, 0, 0]); // the track line
  expect(pixel(f, 0.8 * 125 + 300, 160)).toEqual([202, 152, 101]); // the upright pole
  expect(pixel(f, 50, 300)).toEqual([255, 255, 255]);
});

test('checkEnv checks the frames of a custom env that renders', () => {
  const make = (frame: () => unknown): Env => {
    const env = makeEnv('CartPole-v1');
    (env.unwrapped as unknown as { render: () => unknown }).render = frame;
    return env;
  };
  expect(checkEnv(make(() => ({ width: 4, height: 2, data: new Uint8Array(24) })))).toEqual([]);
  expect(checkEnv(make(() => ({ width: 4, height: 2, data: new Uint8Array(20) })))).toEqual([expect.stringContaining('frame.data has 20 values; expected height × width × 3 = 24')]);
  expect(checkEnv(make(() => ({ width: 0, height: 2, data: new Uint8Array(0) })))).toEqual([expect.stringContaining('frame has width 0')]);
  expect(checkEnv(make(() => ({ width: 1, height: 1, data: [0, 0, 0] })))).toEqual([expect.stringContaining('expected a Uint8Array')]);
});

test('encodeGif writes a looping GIF89a of every frame with an exact palette', () => {
  const env = makeEnv('CartPole-v1');
  env.reset({ seed: 2 });
  const frames = [env.render!()];
  for (let t = 0; t < 4; t++) {
    env.step(1);
    frames.push(env.render!());
  }
  const gif = Buffer.from(encodeGif(frames, 20));
  expect(gif.subarray(0, 6).toString('latin1')).toBe('GIF89a');
  expect(gif.readUInt16LE(6)).toBe(600);
  expect(gif.readUInt16LE(8)).toBe(400);
  // one image descriptor (0x2c after a graphic control extension 0x21 0xf9) per frame
  let images = 0;
  for (let i = 0; i + 9 < gif.length; i++) if (gif[i] === 0x21 && gif[i + 1] === 0xf9 && gif[i + 2] === 4 && gif[i + 8] === 0x2c) images++;
  expect(images).toBe(5);
  expect(gif[gif.length - 1]).toBe(0x3b); // trailer
});
