import { Wrapper, type Action, type Env, type ResetOptions, type ResetResult, type StepResult } from '../core.ts';
import { EnvError } from '../errors.ts';
import { observationEncoder, type ObservationEncoder } from '../spaces/space.ts';

/**
 * Discrete and MultiDiscrete observations (one-element / k-element Float32Arrays of integers) become
 * one-hot vectors, k one-hots concatenated for MultiDiscrete, with a Box(0, 1) observation space: what
 * every agent's network takes. `makeEnv` adds it directly around any env whose observation space is not
 * a Box; the Gymnasium bridge uses the same encoder.
 */
export class OneHotObservation<A extends Action = Action> extends Wrapper<A> {
  private readonly encoder: ObservationEncoder;

  constructor(env: Env<A>) {
    super(env);
    this.encoder = observationEncoder(env.observationSpace);
    this.observationSpace = this.encoder.space;
  }

  private encode(observation: Float32Array, where: 'reset' | 'step'): Float32Array {
    try {
      return this.encoder.encodeBatch(observation, 1);
    } catch (err) {
      throw new EnvError(this.spec?.id ?? 'env', null, 'observation', `${(err as Error).message.replace(/^observation\S* /, '')} (${where})`);
    }
  }

  override reset(opts?: ResetOptions): ResetResult {
    const r = this.env.reset(opts);
    return { ...r, observation: this.encode(r.observation, 'reset') };
  }

  override step(action: A): StepResult {
    const r = this.env.step(action);
    return { ...r, observation: this.encode(r.observation, 'step') };
  }
}
