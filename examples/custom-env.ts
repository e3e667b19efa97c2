// Bring your own environment: a 10-state chain. Moving right from the last state pays 10 and ends the
// episode; moving left pays 0.1 (a tempting local optimum). Run: npx tsx examples/custom-env.ts
import { Box, Discrete, checkEnv, envLabel, makeEnv, registerEnv, Rng, type Env, type ResetOptions, type StepResult } from '../envs/index.ts';

export class Chain implements Env<number> {
  readonly observationSpace: Box;
  readonly actionSpace = new Discrete(2); // 0 = left, 1 = right
  private readonly rng = new Rng();
  private position = 0;

  constructor(readonly length = 10) {
    this.observationSpace = new Box(0, 1, [length]);
  }

  get unwrapped(): Env<number> {
    return this;
  }

  private observe(): Float32Array {
    const o = new Float32Array(this.length);
    o[this.position] = 1; // one-hot position
    return o;
  }

  reset({ seed }: ResetOptions = {}) {
    if (seed !== undefined) this.rng.seed(seed);
    this.position = this.rng.int(2); // start in state 0 or 1
    return { observation: this.observe(), info: {} };
  }

  step(action: number): StepResult {
    if (action === 1 && this.position === this.length - 1) {
      return { observation: this.observe(), reward: 10, terminated: true, truncated: false, info: {} };
    }
    this.position = Math.max(0, Math.min(this.length - 1, this.position + (action === 1 ? 1 : -1)));
    const reward = action === 0 ? 0.1 : 0;
    return { observation: this.observe(), reward, terminated: false, truncated: false, info: {} };
  }
}

registerEnv({ id: 'my-pkg/Chain-v0', create: (options) => new Chain(Number(options['length'] ?? 10)), maxEpisodeSteps: 200, rewardThreshold: 9 });

// Default export: what `wnrl check-env examples/custom-env.ts` checks.
export default () => makeEnv('my-pkg/Chain-v0');

if (import.meta.url === `file://${process.argv[1]}`) {
  const env = makeEnv('my-pkg/Chain-v0');
  const problems = checkEnv(env);
  process.stdout.write(`${envLabel(env)}: ${problems.length === 0 ? 'passes checkEnv' : problems.join('\n')}\n`);
}
