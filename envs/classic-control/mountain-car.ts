// MountainCar-v0 (Moore 1990), exactly as Gymnasium 1.x's mountain_car.py.
//
// Action space: Discrete(3): accelerate left, don't accelerate, accelerate right.
// Observation space: Box of 2 float32: position [-1.2, 0.6], velocity [-0.07, 0.07].
// Rewards: -1 per step.
// Episode end: terminated when position >= 0.5 (and velocity >= 0); truncated at 200 steps (registry).
// Start: position uniform in [-0.6, -0.4], velocity 0.
// Dynamics: velocity += (action - 1) * 0.001 - 0.0025 cos(3 position), clipped to +-0.07; position +=
//   velocity, clipped to [-1.2, 0.6]; the left wall stops the car (velocity 0).
import type { RgbFrame, StepResult } from '../core.ts';
import { Box, Discrete } from '../spaces/space.ts';
import { ClassicControlEnv, resetBounds } from './classic-control-env.ts';
import { Canvas, place } from './raster.ts';

export const MIN_POSITION = -1.2;
export const MAX_POSITION = 0.6;
export const MAX_SPEED = 0.07;
const GOAL_POSITION = 0.5;
const GOAL_VELOCITY = 0;
const FORCE = 0.001;
const GRAVITY = 0.0025;

/** What both mountain-car tasks share: the valley, its observation space and the start distribution. */
export abstract class MountainCarBase<A extends number | Float32Array> extends ClassicControlEnv<A> {
  readonly observationSpace = new Box([MIN_POSITION, -MAX_SPEED], [MAX_POSITION, MAX_SPEED]);
  readonly velocityIndices = [1] as const;

  constructor() {
    super(2);
  }

  /** The hill, the car and the flag at `goal` as Gymnasium's renderer draws them: a 600 × 400 RGB frame. */
  protected drawFrame(goal: number): RgbFrame {
    const scale = 600 / (MAX_POSITION - MIN_POSITION);
    const height = (x: number) => Math.sin(3 * x) * 0.45 + 0.55;
    const canvas = new Canvas(600, 400);
    let prev: readonly [number, number] | null = null;
    for (let i = 0; i < 100; i++) {
      const x = MIN_POSITION + ((MAX_POSITION - MIN_POSITION) * i) / 99;
      const point = [(x - MIN_POSITION) * scale, height(x) * scale] as const;
      if (prev !== null) canvas.line(prev, point, [0, 0, 0]);
      prev = point;
    }
    const pos = this.s[0]!;
    const angle = Math.cos(3 * pos);
    const [cx, cy] = [(pos - MIN_POSITION) * scale, 10 + height(pos) * scale];
    canvas.polygon(place([[-20, 0], [-20, 20], [20, 20], [20, 0]], angle, cx, cy), [0, 0, 0]);
    for (const wheel of place([[10, 0], [-10, 0]], angle, cx, cy)) canvas.circle(wheel, 20 / 2.5, [128, 128, 128]);
    const fx = (goal - MIN_POSITION) * scale;
    const fy = height(goal) * scale;
    canvas.line([fx, fy], [fx, fy + 50], [0, 0, 0]);
    canvas.polygon([[fx, fy + 50], [fx, fy + 40], [fx + 25, fy + 45]], [204, 204, 0]);
    return canvas.frame;
  }

  protected resetState(options: Record<string, unknown>): void {
    const [low, high] = resetBounds(options, -0.6, -0.4);
    this.s[0] = this.rng.uniform(low, high);
    this.s[1] = 0;
  }

  protected observe(): Float32Array {
    const o = new Float32Array(2);
    o[0] = this.s[0]!;
    o[1] = this.s[1]!;
    return o;
  }
}

/** MountainCar-v0, step for step as Gymnasium 1.x (rock the car up the right hill; −1 per step). */
export class MountainCar extends MountainCarBase<number> {
  readonly actionSpace = new Discrete(3);

  /** The hill, the car and the flag, as Gymnasium draws them: a 600 × 400 RGB frame. */
  render(): RgbFrame {
    return this.drawFrame(GOAL_POSITION);
  }

  /** One step with acceleration left, none or right; terminated at the flag. */
  step(action: number): StepResult {
    if (action !== 0 && action !== 1 && action !== 2) this.invalidAction(action);
    let position = this.s[0]!;
    let velocity = this.s[1]!;
    velocity += (action - 1) * FORCE + Math.cos(3 * position) * -GRAVITY;
    velocity = Math.min(Math.max(velocity, -MAX_SPEED), MAX_SPEED);
    position += velocity;
    position = Math.min(Math.max(position, MIN_POSITION), MAX_POSITION);
    if (position === MIN_POSITION && velocity < 0) velocity = 0;
    this.s[0] = position;
    this.s[1] = velocity;
    const terminated = position >= GOAL_POSITION && velocity >= GOAL_VELOCITY;
    return { observation: this.observe(), reward: -1.0, terminated, truncated: false, info: {} };
  }
}
