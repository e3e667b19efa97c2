import { TransformWrapper, type Action, type StepResult } from '../core.ts';

/** An ended episode's true return and length (`info.episode`). */
export interface EpisodeStatistics {
  /** Sum of the rewards of the episode (undiscounted), as the wrapped env returned them. */
  return: number;
  length: number;
}

/**
 * Adds `info.episode = { return, length }` on the step that ends an episode. `makeEnv` places it inside
 * the noise wrappers, so the return is the task's true return even when training on noisy rewards.
 */
export class RecordEpisodeStatistics<A extends Action = Action> extends TransformWrapper<A> {
  private episodeReturn = 0;
  private episodeLength = 0;

  override beforeReset(): void {
    this.episodeReturn = 0;
    this.episodeLength = 0;
  }

  override afterStep(r: StepResult): StepResult {
    this.episodeReturn += r.reward;
    this.episodeLength++;
    if (r.terminated || r.truncated) {
      const episode: EpisodeStatistics = { return: this.episodeReturn, length: this.episodeLength };
      r.info = { ...r.info, episode };
      this.episodeReturn = 0;
      this.episodeLength = 0;
    }
    return r;
  }
}
