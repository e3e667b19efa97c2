// Acrobot-v1 (Sutton 1996; dynamics from Sutton & Barto's book), exactly as Gymnasium 1.x's acrobot.py.
//
// Action space: Discrete(3): torque -1, 0 or +1 on the joint between the links.
// Observation space: Box of 6 float32: cos and sin of both joint angles, and the two angular velocities
//   (bounded by 4 pi and 9 pi).
// Rewards: -1 per step; 0 on the step that reaches the goal.
// Episode end: terminated when the free end rises above the bar (-cos t1 - cos(t1 + t2) > 1); truncated
//   at 500 steps (registry).
// Start: all four state variables uniform in [-0.1, 0.1].
// Dynamics: one RK4 step over dt = 0.2 s; angles wrapped to [-pi, pi), velocities clipped.
import type { RgbFrame, StepResult } from '../core.ts';
import { Box, Discrete } from '../spaces/space.ts';
import { ClassicControlEnv, resetBounds } from './classic-control-env.ts';
import { Canvas, place } from './raster.ts';

const DT = 0.2;
const LINK_LENGTH_1 = 1.0;
const LINK_MASS_1 = 1.0;
const LINK_MASS_2 = 1.0;
const LINK_COM_POS_1 = 0.5;
const LINK_COM_POS_2 = 0.5;
const LINK_MOI = 1.0;
const MAX_VEL_1 = 4 * Math.PI;
const MAX_VEL_2 = 9 * Math.PI;
const AVAIL_TORQUE = [-1.0, 0.0, 1.0] as const;
const G = 9.8;

function wrap(x: number, m: number, M: number): number {
  const diff = M - m;
  while (x > M) x -= diff;
  while (x < m) x += diff;
  return x;
}

const bound = (x: number, m: number, M: number): number => Math.min(Math.max(x, m), M);

/** Time derivative of (theta1, theta2, dtheta1, dtheta2) under torque `a` ("book" dynamics). */
function dsdt(s: Float64Array, a: number, out: Float64Array): void {
  const m1 = LINK_MASS_1;
  const m2 = LINK_MASS_2;
  const l1 = LINK_LENGTH_1;
  const lc1 = LINK_COM_POS_1;
  const lc2 = LINK_COM_POS_2;
  const I1 = LINK_MOI;
  const I2 = LINK_MOI;
  const theta1 = s[0]!;
  const theta2 = s[1]!;
  const dtheta1 = s[2]!;
  const dtheta2 = s[3]!;
  const d1 = m1 * lc1 ** 2 + m2 * (l1 ** 2 + lc2 ** 2 + 2 * l1 * lc2 * Math.cos(theta2)) + I1 + I2;
  const d2 = m2 * (lc2 ** 2 + l1 * lc2 * Math.cos(theta2)) + I2;
  const phi2 = m2 * lc2 * G * Math.cos(theta1 + theta2 - Math.PI / 2.0);
  const phi1 =
    -m2 * l1 * lc2 * dtheta2 ** 2 * Math.sin(theta2) -
    2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * Math.sin(theta2) +
    (m1 * lc1 + m2 * l1) * G * Math.cos(theta1 - Math.PI / 2) +
    phi2;
  const ddtheta2 =
    (a + (d2 / d1) * phi1 - m2 * l1 * lc2 * dtheta1 ** 2 * Math.sin(theta2) - phi2) / (m2 * lc2 ** 2 + I2 - d2 ** 2 / d1);
  const ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
  out[0] = dtheta1;
  out[1] = dtheta2;
  out[2] = ddtheta1;
  out[3] = ddtheta2;
}

/** Acrobot-v1, step for step as Gymnasium 1.x (swing the two-link chain's tip above a line; −1 per step). */
export class Acrobot extends ClassicControlEnv<number> {
  readonly observationSpace = new Box([-1, -1, -1, -1, -MAX_VEL_1, -MAX_VEL_2], [1, 1, 1, 1, MAX_VEL_1, MAX_VEL_2]);
  readonly actionSpace = new Discrete(3);
  readonly velocityIndices = [4, 5] as const;
  // Scratch buffers for RK4, allocated once.
  private readonly k1 = new Float64Array(4);
  private readonly k2 = new Float64Array(4);
  private readonly k3 = new Float64Array(4);
  private readonly k4 = new Float64Array(4);
  private readonly y = new Float64Array(4);

  constructor() {
    super(4);
  }

  protected resetState(options: Record<string, unknown>): void {
    const [low, high] = resetBounds(options, -0.1, 0.1);
    for (let i = 0; i < 4; i++) this.s[i] = this.rng.uniform(low, high);
  }

  protected observe(): Float32Array {
    const s = this.s;
    const o = new Float32Array(6);
    o[0] = Math.cos(s[0]!);
    o[1] = Math.sin(s[0]!);
    o[2] = Math.cos(s[1]!);
    o[3] = Math.sin(s[1]!);
    o[4] = s[2]!;
    o[5] = s[3]!;
    return o;
  }

  private terminal(): boolean {
    return -Math.cos(this.s[0]!) - Math.cos(this.s[1]! + this.s[0]!) > 1.0;
  }

  /** The two links as Gymnasium's renderer draws them, with the goal line: a 500 × 500 RGB frame. */
  render(): RgbFrame {
    const l1 = LINK_LENGTH_1;
    const l2 = 1.0;
    const scale = 500 / (2 * (l1 + l2 + 0.2));
    const offset = 250;
    const [t1, t2] = [this.s[0]!, this.s[1]!];
    const p1 = [-l1 * Math.cos(t1) * scale, l1 * Math.sin(t1) * scale] as const;
    const p2 = [p1[0] - l2 * Math.cos(t1 + t2) * scale, p1[1] + l2 * Math.sin(t1 + t2) * scale] as const;
    const canvas = new Canvas(500, 500);
    canvas.line([-2.2 * scale + offset, scale + offset], [2.2 * scale + offset, scale + offset], [0, 0, 0]);
    // Gymnasium swaps x and y of the joints: the chain hangs down from the pivot at theta = 0
    const joints = [[0, 0], [p1[1], p1[0]], [p2[1], p2[0]]] as const;
    const angles = [t1 - Math.PI / 2, t1 + t2 - Math.PI / 2];
    const lengths = [l1 * scale, l2 * scale];
    const w = 0.1 * scale;
    for (let k = 0; k < 2; k++) {
      const [x, y] = [joints[k]![0] + offset, joints[k]![1] + offset];
      canvas.polygon(place([[0, -w], [0, w], [lengths[k]!, w], [lengths[k]!, -w]], angles[k]!, x, y), [0, 204, 204]);
      canvas.circle([x, y], w, [204, 204, 0]);
    }
    return canvas.frame;
  }

  /** One step of the dynamics (RK4 over 0.2 s) with torque −1, 0 or +1; terminated when the tip is high enough. */
  step(action: number): StepResult {
    if (action !== 0 && action !== 1 && action !== 2) this.invalidAction(action);
    const torque = AVAIL_TORQUE[action];
    const { s, k1, k2, k3, k4, y } = this;
    // Classic RK4 over [0, dt], as Gymnasium's rk4(_dsdt, s_augmented, [0, dt]).
    const dt2 = DT / 2;
    dsdt(s, torque, k1);
    for (let i = 0; i < 4; i++) y[i] = s[i]! + dt2 * k1[i]!;
    dsdt(y, torque, k2);
    for (let i = 0; i < 4; i++) y[i] = s[i]! + dt2 * k2[i]!;
    dsdt(y, torque, k3);
    for (let i = 0; i < 4; i++) y[i] = s[i]! + DT * k3[i]!;
    dsdt(y, torque, k4);
    for (let i = 0; i < 4; i++) s[i] = s[i]! + (DT / 6.0) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!);
    s[0] = wrap(s[0]!, -Math.PI, Math.PI);
    s[1] = wrap(s[1]!, -Math.PI, Math.PI);
    s[2] = bound(s[2]!, -MAX_VEL_1, MAX_VEL_1);
    s[3] = bound(s[3]!, -MAX_VEL_2, MAX_VEL_2);
    const terminated = this.terminal();
    return { observation: this.observe(), reward: terminated ? 0.0 : -1.0, terminated, truncated: false, info: {} };
  }
}
