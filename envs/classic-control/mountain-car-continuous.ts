// MountainCarContinuous-v0, exactly as Gymnasium 1.x's continuous_mountain_car.py.
//
// Action space: Box(-1, 1, (1,)): the force (clipped to [-1, 1] for the dynamics).
// Observation space: Box of 2 float32: position [-1.2, 0.6], velocity [-0.07, 0.07].
// Rewards: -0.1 a^2 per step with the *unclipped* action a, plus 100 on reaching the goal.
// Episode end: terminated when position >= 0.45 and velocity >= 0; truncated at 999 steps (registry).
// Start: position uniform in [-0.6, -0.4], velocity 0.
// Gymnasium keeps this state as a float32 array after the first step; so does this port.
import type { StepResult } from '../core.ts';
import { Box } from '../spaces/space.ts';
import { MAX_POSITION, MAX_SPEED, MIN_POSITION, MountainCarBase } from './mountain-car.ts';

const MIN_ACTION = -1.0;
const MAX_ACTION = 1.0;
const GOAL_POSITION = 0.45;
const GOAL_VELOCITY = 0;
const POWER = 0.0015;

export class MountainCarContinuous extends MountainCarBase<Float32Array> {
  readonly actionSpace = new Box(MIN_ACTION, MAX_ACTION, [1]);

  step(action: Float32Array): StepResult {
    if (!(action instanceof Float32Array) || action.length !== 1 || Number.isNaN(action[0])) this.invalidAction(action);
    const a = action[0]!;
    let position = this.s[0]!;
    let velocity = this.s[1]!;
    const force = Math.min(Math.max(a, MIN_ACTION), MAX_ACTION);
    velocity += force * POWER - 0.0025 * Math.cos(3 * position);
    if (velocity > MAX_SPEED) velocity = MAX_SPEED;
    if (velocity < -MAX_SPEED) velocity = -MAX_SPEED;
    position += velocity;
    if (position > MAX_POSITION) position = MAX_POSITION;
    if (position < MIN_POSITION) position = MIN_POSITION;
    if (position === MIN_POSITION && velocity < 0) velocity = 0;
    const terminated = position >= GOAL_POSITION && velocity >= GOAL_VELOCITY;
    let reward = terminated ? 100.0 : 0;
    reward -= a * a * 0.1;
    this.s[0] = Math.fround(position);
    this.s[1] = Math.fround(velocity);
    return { observation: this.observe(), reward, terminated, truncated: false, info: {} };
  }
}
