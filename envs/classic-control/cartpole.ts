// CartPole-v1 (Barto, Sutton & Anderson 1983), exactly as Gymnasium 1.x's cartpole.py.
//
// Action space: Discrete(2): 0 pushes the cart left, 1 right, with a force of 10 N.
// Observation space: Box of 4 float32: cart position [-4.8, 4.8], cart velocity, pole angle
//   [-0.419, 0.419] rad, pole angular velocity (the velocities unbounded).
// Rewards: +1 for every step, the terminating step included.
// Episode end: terminated when |x| > 2.4 or |theta| > 12 degrees; truncated at 500 steps (registry).
// Start: every state variable uniform in [-0.05, 0.05] (options.low/high override).
// Dynamics: explicit Euler with tau = 0.02 s; the state stays float64, observations are cast to float32.
import type { RgbFrame, StepResult } from '../core.ts';
import { Box, Discrete } from '../spaces/space.ts';
import { ClassicControlEnv, resetBounds } from './classic-control-env.ts';
import { Canvas, place } from './raster.ts';

const GRAVITY = 9.8;
const MASS_CART = 1.0;
const MASS_POLE = 0.1;
const TOTAL_MASS = MASS_POLE + MASS_CART;
const LENGTH = 0.5; // half the pole's length
const POLE_MASS_LENGTH = MASS_POLE * LENGTH;
const FORCE_MAG = 10.0;
const TAU = 0.02;
const THETA_THRESHOLD = (12 * 2 * Math.PI) / 360;
const X_THRESHOLD = 2.4;

/** CartPole-v1, step for step as Gymnasium 1.x (push the cart left or right to keep the pole up; +1 per step). */
export class CartPole extends ClassicControlEnv<number> {
  readonly observationSpace = new Box(
    [-X_THRESHOLD * 2, -Infinity, -THETA_THRESHOLD * 2, -Infinity],
    [X_THRESHOLD * 2, Infinity, THETA_THRESHOLD * 2, Infinity],
  );
  readonly actionSpace = new Discrete(2);
  readonly velocityIndices = [1, 3] as const;
  private stepsBeyondTerminated: number | null = null;

  constructor() {
    super(4);
  }

  protected resetState(options: Record<string, unknown>): void {
    const [low, high] = resetBounds(options, -0.05, 0.05);
    for (let i = 0; i < 4; i++) this.s[i] = this.rng.uniform(low, high);
    this.stepsBeyondTerminated = null;
  }

  protected observe(): Float32Array {
    const o = new Float32Array(4);
    o[0] = this.s[0]!;
    o[1] = this.s[1]!;
    o[2] = this.s[2]!;
    o[3] = this.s[3]!;
    return o;
  }

  /** The cart and pole as Gymnasium's renderer draws them: a 600 × 400 RGB frame (`render_mode="rgb_array"`). */
  render(): RgbFrame {
    const scale = 600 / (X_THRESHOLD * 2);
    const poleLength = scale * 2 * LENGTH;
    const canvas = new Canvas(600, 400);
    const cartX = this.s[0]! * scale + 300;
    const cartY = 100;
    const axle = cartY + 30 / 4;
    canvas.polygon(place([[-25, -15], [-25, 15], [25, 15], [25, -15]], 0, cartX, cartY), [0, 0, 0]);
    canvas.polygon(place([[-5, -5], [-5, poleLength - 5], [5, poleLength - 5], [5, -5]], -this.s[2]!, cartX, axle), [202, 152, 101]);
    canvas.circle([cartX, axle], 5, [129, 132, 203]);
    canvas.line([0, cartY], [600, cartY], [0, 0, 0]);
    return canvas.frame;
  }

  /** One Euler step of 0.02 s with the chosen push; terminated when the cart or the pole leaves its bounds. */
  step(action: number): StepResult {
    if (action !== 0 && action !== 1) this.invalidAction(action);
    const s = this.s;
    const x = s[0]!;
    const xDot = s[1]!;
    const theta = s[2]!;
    const thetaDot = s[3]!;
    const force = action === 1 ? FORCE_MAG : -FORCE_MAG;
    const cosTheta = Math.cos(theta);
    const sinTheta = Math.sin(theta);
    const temp = (force + POLE_MASS_LENGTH * thetaDot ** 2 * sinTheta) / TOTAL_MASS;
    const thetaAcc = (GRAVITY * sinTheta - cosTheta * temp) / (LENGTH * (4.0 / 3.0 - (MASS_POLE * cosTheta ** 2) / TOTAL_MASS));
    const xAcc = temp - (POLE_MASS_LENGTH * thetaAcc * cosTheta) / TOTAL_MASS;
    s[0] = x + TAU * xDot;
    s[1] = xDot + TAU * xAcc;
    s[2] = theta + TAU * thetaDot;
    s[3] = thetaDot + TAU * thetaAcc;

    const terminated = s[0] < -X_THRESHOLD || s[0] > X_THRESHOLD || s[2] < -THETA_THRESHOLD || s[2] > THETA_THRESHOLD;
    let reward = 1.0;
    if (terminated) {
      // Gymnasium: 1.0 on the terminating step, 0.0 (with a warning there) if stepped again afterwards.
      if (this.stepsBeyondTerminated === null) this.stepsBeyondTerminated = 0;
      else {
        this.stepsBeyondTerminated++;
        reward = 0.0;
      }
    }
    return { observation: this.observe(), reward, terminated, truncated: false, info: {} };
  }
}
