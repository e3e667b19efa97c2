// Envs whose process dies mid-run (SIGKILL to itself, as the OOM killer would do): what a queue worker
// retries. 'test/CrashAlways-v0' dies on every attempt; 'test/CrashOnce-v0' dies only when the file named by
// WNRL_TEST_CRASH_MARKER does not exist yet (it creates it first), so its retry succeeds.
import fs from 'node:fs';
import { Box, Discrete, registerEnv, type Env, type StepResult } from '../../envs/index.ts';

class Crash implements Env<number> {
  readonly observationSpace = new Box(-1, 1, [2]);
  readonly actionSpace = new Discrete(2);
  private steps = 0;
  constructor(private readonly always: boolean) {}
  get unwrapped(): Env<number> {
    return this;
  }
  reset() {
    return { observation: new Float32Array(2), info: {} };
  }
  step(action: number): StepResult {
    if (++this.steps === 50) {
      const marker = process.env['WNRL_TEST_CRASH_MARKER'];
      const first = marker !== undefined && !fs.existsSync(marker);
      if (first) fs.writeFileSync(marker!, 'crashed once\n');
      if (this.always || first) process.kill(process.pid, 'SIGKILL');
    }
    return { observation: Float32Array.of(action, 0), reward: action, terminated: false, truncated: false, info: {} };
  }
}

registerEnv({ id: 'test/CrashAlways-v0', create: () => new Crash(true), maxEpisodeSteps: 20 });
registerEnv({ id: 'test/CrashOnce-v0', create: () => new Crash(false), maxEpisodeSteps: 20 });
