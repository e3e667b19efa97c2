// Pendulum-v1, exactly as Gymnasium 1.x's pendulum.py (g = 10).
//
// Action space: Box(-2, 2, (1,)): the torque (clipped to [-2, 2]).
// Observation space: Box of 3 float32: cos(theta), sin(theta) in [-1, 1], angular velocity in [-8, 8].
// Rewards: -(theta^2 + 0.1 thetadot^2 + 0.001 u^2), theta normalized to [-pi, pi) *before* the update.
// Episode end: never terminates; truncated at 200 steps (registry).
// Start: theta uniform in [-pi, pi], thetadot uniform in [-1, 1] (options.x_init / y_init override).
// Float32 where Gymnasium is: 0.001 u^2 and 3u are float32 products (README of the Gymnasium fixtures).
// Dynamics: thetadot' = clip(thetadot + (3g/2l sin theta + 3/(ml^2) u) dt, -8, 8); theta' = theta + thetadot' dt
//   (theta is not wrapped in the state).
import type { RgbFrame, StepResult } from '../core.ts';
import { Box } from '../spaces/space.ts';
import { describeValue } from '../validate.ts';
import { ClassicControlEnv } from './classic-control-env.ts';
import { Canvas, place } from './raster.ts';

const MAX_SPEED = 8;
const MAX_TORQUE = 2.0;
const DT = 0.05;
const G = 10.0;
const M = 1.0;
const L = 1.0;
const TORQUE_COST = Math.fround(0.001);

/** ((x + pi) mod 2 pi) - pi with Python's non-negative modulo. */
export function angleNormalize(x: number): number {
  const period = 2 * Math.PI;
  const r = (x + Math.PI) % period;
  return (r < 0 ? r + period : r) - Math.PI;
}

/** Pendulum-v1, step for step as Gymnasium 1.x (swing up and hold an inverted pendulum; reward −(θ² + 0.1θ̇² + 0.001u²)). */
export class Pendulum extends ClassicControlEnv<Float32Array> {
  readonly observationSpace = new Box([-1, -1, -MAX_SPEED], [1, 1, MAX_SPEED]);
  readonly actionSpace = new Box(-MAX_TORQUE, MAX_TORQUE, [1]);
  readonly velocityIndices = [2] as const;

  constructor() {
    super(2);
  }

  protected resetState(options: Record<string, unknown>): void {
    const x = options['x_init'] ?? Math.PI;
    const y = options['y_init'] ?? 1.0;
    if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) {
      throw new RangeError(`Pendulum-v1 reset options: x_init and y_init must be finite numbers; got ${describeValue(x)}, ${describeValue(y)}`);
    }
    this.s[0] = this.rng.uniform(-x, x);
    this.s[1] = this.rng.uniform(-y, y);
  }

  protected observe(): Float32Array {
    const o = new Float32Array(3);
    o[0] = Math.cos(this.s[0]!);
    o[1] = Math.sin(this.s[0]!);
    o[2] = this.s[1]!;
    return o;
  }

  /** The pendulum as Gymnasium's renderer draws it (without the torque arrow): a 500 × 500 RGB frame. */
  render(): RgbFrame {
    const scale = 500 / (2 * 2.2);
    const offset = 250;
    const rod = L * scale;
    const width = 0.2 * scale;
    const angle = this.s[0]! + Math.PI / 2;
    const canvas = new Canvas(500, 500);
    const red = [204, 77, 77] as const;
    canvas.polygon(place([[0, -width / 2], [0, width / 2], [rod, width / 2], [rod, -width / 2]], angle, offset, offset), red);
    canvas.circle([offset, offset], width / 2, red);
    const [end] = place([[rod, 0]], angle, offset, offset);
    canvas.circle(end!, width / 2, red);
    canvas.circle([offset, offset], 0.05 * scale, [0, 0, 0]);
    return canvas.frame;
  }

  /** One step with torque `action[0]` (clipped to [−2, 2]); never terminates (the time limit truncates). */
  step(action: Float32Array): StepResult {
    if (!(action instanceof Float32Array) || action.length !== 1 || Number.isNaN(action[0])) this.invalidAction(action);
    const th = this.s[0]!;
    const thdot = this.s[1]!;
    // u is a float32 scalar in Gymnasium (the action array is float32), and NumPy 2 keeps every term it
    // meets with a Python float in float32: the torque cost and 3u are rounded to float32 exactly there.
    const u = Math.min(Math.max(action[0]!, -MAX_TORQUE), MAX_TORQUE);
    const norm = angleNormalize(th);
    const costs = norm * norm + 0.1 * (thdot * thdot) + Math.fround(TORQUE_COST * Math.fround(u * u));
    let newthdot = thdot + ((3 * G) / (2 * L) * Math.sin(th) + Math.fround((3.0 / (M * L ** 2)) * u)) * DT;
    newthdot = Math.min(Math.max(newthdot, -MAX_SPEED), MAX_SPEED);
    this.s[0] = th + newthdot * DT;
    this.s[1] = newthdot;
    return { observation: this.observe(), reward: -costs, terminated: false, truncated: false, info: {} };
  }
}
