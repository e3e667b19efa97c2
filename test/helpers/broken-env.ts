// An env with two defects, for `wnrl check-env` tests.
import { ScriptedEnv } from './scripted-env.ts';

export default () =>
  new ScriptedEnv({ step: () => ({ observation: new Float32Array(3), reward: Number.NaN, terminated: false, truncated: false, info: {} }) });
