// MountainCarContinuous-v0, exactly as Gymnasium 1.x's continuous_mountain_car.py under NumPy 2.
//
// Action space: Box(-1, 1, (1,)): the force (clipped to [-1, 1] for the dynamics).
// Observation space: Box of 2 float32: position [-1.2, 0.6], velocity [-0.07, 0.07].
// Rewards: -0.1 a^2 per step with the *unclipped* action a, plus 100 on reaching the goal.
// Episode end: terminated when position >= 0.45 and velocity >= 0; truncated at 999 steps (registry).
// Start: position uniform in [-0.6, -0.4], velocity 0.
//
// Float32 where Gymnasium is. Gymnasium stores the state as a float32 array after a step (float64 after
// reset or an assignment to `state`), and NumPy 2's promotion rules (NEP 50) keep a float32 scalar float32
// when it meets a Python float, in arithmetic and in comparisons (against the constant rounded to
// float32). A clip replaces the value by the Python float constant (float64). The action is a float32
// scalar, so an in-bounds force times POWER is a float32 product. Each `fround` below is one of those
// points; the Gymnasium fixtures' README lists them ("Exact semantics").
import type { ResetResult, ResetOptions, RgbFrame, StepResult } from '../core.ts';
import { Box } from '../spaces/space.ts';
import { MAX_POSITION, MAX_SPEED, MIN_POSITION, MountainCarBase } from './mountain-car.ts';

const MIN_ACTION = -1.0;
const MAX_ACTION = 1.0;
const GOAL_POSITION = 0.45;
const GOAL_VELOCITY = 0;
const POWER = 0.0015;
const f32 = Math.fround;

/** MountainCarContinuous-v0, step for step as Gymnasium 1.x (a continuous force; +100 at the flag, minus the squared force). */
export class MountainCarContinuous extends MountainCarBase<Float32Array> {
  readonly actionSpace = new Box(MIN_ACTION, MAX_ACTION, [1]);
  /** Whether the state holds float32 values (written by step()) or float64 ones (reset, assignment). */
  private float32State = false;

  override get state(): number[] {
    return super.state;
  }
  override set state(value: readonly number[]) {
    super.state = value;
    this.float32State = false;
  }

  /** Starts an episode at a random position in the valley, at rest. */
  override reset(opts: ResetOptions = {}): ResetResult {
    this.float32State = false;
    return super.reset(opts);
  }

  /** The hill, the car and the flag, as Gymnasium draws them: a 600 × 400 RGB frame. */
  render(): RgbFrame {
    return this.drawFrame(GOAL_POSITION);
  }

  /** One step with force `action[0]` (clipped to [−1, 1]); terminated at the flag. */
  step(action: Float32Array): StepResult {
    if (!(action instanceof Float32Array) || action.length !== 1 || Number.isNaN(action[0])) this.invalidAction(action);
    const a = action[0]!;
    const single = this.float32State;
    let position = this.s[0]!;
    let velocity = this.s[1]!;
    // Python's min/max return the float32 action itself when it is in bounds, the float constant otherwise.
    const inBounds = a >= MIN_ACTION && a <= MAX_ACTION;
    const push = inBounds ? f32(a * f32(POWER)) : Math.min(Math.max(a, MIN_ACTION), MAX_ACTION) * POWER;
    const gravity = 0.0025 * Math.cos(single ? f32(3 * position) : 3 * position);
    const accel = inBounds ? f32(push - f32(gravity)) : push - gravity;
    velocity = single ? f32(velocity + f32(accel)) : velocity + accel;
    let velocitySingle = single;
    const cap = velocitySingle ? f32(MAX_SPEED) : MAX_SPEED;
    if (velocity > cap) [velocity, velocitySingle] = [MAX_SPEED, false];
    if (velocity < (velocitySingle ? -cap : -MAX_SPEED)) [velocity, velocitySingle] = [-MAX_SPEED, false];
    position = single ? f32(position + f32(velocity)) : position + velocity;
    let positionSingle = single;
    if (position > (positionSingle ? f32(MAX_POSITION) : MAX_POSITION)) [position, positionSingle] = [MAX_POSITION, false];
    if (position < (positionSingle ? f32(MIN_POSITION) : MIN_POSITION)) [position, positionSingle] = [MIN_POSITION, false];
    if (position === (positionSingle ? f32(MIN_POSITION) : MIN_POSITION) && velocity < 0) velocity = 0;
    const goal = positionSingle ? f32(GOAL_POSITION) : GOAL_POSITION;
    const terminated = position >= goal && velocity >= GOAL_VELOCITY;
    let reward = terminated ? 100.0 : 0;
    reward -= a * a * 0.1;
    this.s[0] = f32(position);
    this.s[1] = f32(velocity);
    this.float32State = true;
    return { observation: this.observe(), reward, terminated, truncated: false, info: {} };
  }
}
