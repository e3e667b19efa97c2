import { TransformWrapper, type Action, type Env, type ResetResult, type StepResult } from '../core.ts';

/**
 * Zeroes the velocity components of the observation (CartPole: cart and pole velocity; Acrobot: both
 * angular velocities; Pendulum: angular velocity; MountainCar: velocity): the usual partially observable
 * benchmark. The task must declare `velocityIndices`, or the indices are given explicitly.
 */
export class MaskVelocity<A extends Action = Action> extends TransformWrapper<A> {
  readonly indices: readonly number[];

  constructor(env: Env<A>, indices?: readonly number[]) {
    super(env);
    const declared = (env.unwrapped as { velocityIndices?: readonly number[] }).velocityIndices;
    const chosen = indices ?? declared;
    if (chosen === undefined) {
      throw new TypeError(`MaskVelocity: ${env.spec?.id ?? 'this env'} declares no velocityIndices; pass the indices to mask`);
    }
    const size = env.observationSpace.size;
    for (const i of chosen) {
      if (!Number.isInteger(i) || i < 0 || i >= size) throw new RangeError(`MaskVelocity: index ${i} is outside an observation of ${size}`);
    }
    this.indices = [...chosen];
  }

  private mask(o: Float32Array): Float32Array {
    for (const i of this.indices) o[i] = 0;
    return o;
  }

  override afterReset(r: ResetResult): ResetResult {
    r.observation = this.mask(r.observation);
    return r;
  }

  override afterStep(r: StepResult): StepResult {
    r.observation = this.mask(r.observation);
    return r;
  }
}
