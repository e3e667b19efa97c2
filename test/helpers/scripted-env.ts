// A scripted env with injectable reset/step, for error paths and wrapper tests.
import { Box, Discrete, type Env, type ResetResult, type StepResult } from '../../envs/index.ts';

export interface ScriptOptions {
  obsSize?: number;
  reset?: (env: ScriptedEnv) => ResetResult;
  step?: (env: ScriptedEnv, action: number) => StepResult;
}

/** Observation = [t, action], reward = t + 1, never ends unless the script says so. */
export class ScriptedEnv implements Env<number> {
  readonly observationSpace: Box;
  readonly actionSpace = new Discrete(3);
  t = 0;
  readonly actions: number[] = [];

  constructor(private readonly opts: ScriptOptions = {}) {
    this.observationSpace = new Box(-1e6, 1e6, [opts.obsSize ?? 2]);
  }

  get unwrapped(): Env<number> {
    return this;
  }

  reset(): ResetResult {
    this.t = 0;
    if (this.opts.reset) return this.opts.reset(this);
    return { observation: new Float32Array(this.observationSpace.size), info: {} };
  }

  step(action: number): StepResult {
    this.t++;
    this.actions.push(action);
    if (this.opts.step) return this.opts.step(this, action);
    const o = new Float32Array(this.observationSpace.size);
    o[0] = this.t;
    o[1] = action;
    return { observation: o, reward: this.t, terminated: false, truncated: false, info: {} };
  }
}
