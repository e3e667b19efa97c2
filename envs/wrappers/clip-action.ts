import { TransformWrapper, type Env } from '../core.ts';
import { Box } from '../spaces/space.ts';

/** Clips continuous actions to the action space's bounds before the env sees them. */
export class ClipAction extends TransformWrapper<Float32Array> {
  private readonly box: Box;

  constructor(env: Env<Float32Array>) {
    super(env);
    if (!(env.actionSpace instanceof Box)) {
      throw new TypeError(`ClipAction: needs a Box action space; got ${env.actionSpace.toString()}`);
    }
    this.box = env.actionSpace;
  }

  override action(action: Float32Array): Float32Array {
    const { low, high } = this.box;
    const clipped = new Float32Array(action.length);
    for (let i = 0; i < action.length; i++) clipped[i] = Math.min(Math.max(action[i]!, low[i]!), high[i]!);
    return clipped;
  }
}
