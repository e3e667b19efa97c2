// `wnrl render RUN_DIR [--episodes N] [--seed S] [--out FILE.gif|FILE.html] [--fps F]`: the run's checkpoint plays
// deterministic episodes on one copy of its env (its wrappers, normalization statistics frozen) and every
// step is drawn by the env's render() into an animated GIF. The episodes and returns are those of
// `wnrl eval RUN_DIR --num-envs 1 --episodes N --seed S`: the same evaluation, observed.
import fs from 'node:fs';
import path from 'node:path';
import { loadAgent } from '../../agents/index.ts';
import { isGymnasiumId, openVectorEnv } from '../../envs/vector/open.ts';
import { positiveInt, positiveNumber, seed } from '../config/common.ts';
import { loadEnvConfigModule } from '../config/env-module.ts';
import { ConfigError, parseConfig } from '../config/parse.ts';
import { readJsonFile } from '../config/read-json.ts';
import { RunConfig } from '../config/run.ts';
import { encodeGif } from '../render/gif.ts';
import { canRender, recordEpisodes, recordReplay } from '../render/record.ts';
import { replayHtml } from '../render/replay-html.ts';
import { encodeMp4, hasFfmpeg } from '../render/mp4.ts';
import { restoreNormalization, type NormalizationState } from '../train/evaluate.ts';
import { runWithCheckpoint } from '../train/run-dir.ts';
import { numericFlags, parseFlags } from './args.ts';
import type { Io } from './main.ts';
import { envOptions } from './train.ts';

const HELP = `Usage: wnrl render RUN_DIR [--episodes N] [--seed S] [--out FILE.gif|FILE.html] [--fps F]

Plays N deterministic episodes (default 1) of the run's checkpoint on one copy of its env, seeded S
(default 12345, as wnrl eval), and writes every step's frame into an animated GIF (default
RUN_DIR/render.gif; F frames per second, default 30), an H.264 FILE.mp4 (needs ffmpeg) or, for FILE.html, one self-contained page that
replays the episodes (play, pause, step, scrub) with the return so far, the action, the action
probabilities (or Gaussian mean, or Q-values) and the value estimate under every frame. Prints each
episode's return: the same as \`wnrl eval RUN_DIR --num-envs 1 --episodes N --seed S\`.
`;

export async function renderCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(args, { episodes: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, fps: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, true);
  if (values.help) {
    io.out.write(HELP);
    return 0;
  }
  const nums = numericFlags(values, { episodes: positiveInt(), seed: seed(), fps: positiveNumber() });
  if (positionals.length !== 1) throw ConfigError.single('RUN_DIR', `expected one run directory; got ${positionals.length}`);
  const dir = path.resolve(positionals[0]!);
  const out = path.resolve(values.out ?? path.join(dir, 'render.gif'));
  const format = path.extname(out).toLowerCase();
  if (format !== '.gif' && format !== '.html' && format !== '.mp4') throw ConfigError.single('--out', `${out}: expected a .gif, .mp4 or .html file (the formats wnrl render writes)`);
  if (format === '.mp4' && !hasFfmpeg()) throw ConfigError.single('--out', `${out}: MP4 needs ffmpeg, which is not installed (Debian/Ubuntu: apt-get install ffmpeg); .gif and .html need nothing`);
  if (!fs.existsSync(path.dirname(out))) throw ConfigError.single('--out', `${path.dirname(out)} does not exist; create it first`);
  const { configFile, checkpoint } = runWithCheckpoint(dir);
  const config = parseConfig(RunConfig, readJsonFile(configFile), configFile);
  await loadEnvConfigModule(config.env, `${configFile}: env.module`);

  const episodes = nums.episodes ?? 1;
  const evalSeed = nums.seed ?? 12345;
  // a Gymnasium env is made with render_mode="rgb_array": its frames come through the bridge
  let env;
  try {
    env = await openVectorEnv(config.env.id, { ...envOptions(config, evalSeed, 1), bridge: { render: true } });
  } catch (err) {
    if (!isGymnasiumId(config.env.id)) throw err;
    throw ConfigError.single('env.id', `${config.env.id} cannot be made with render_mode="rgb_array": ${(err as Error).message.split('\n')[0]}`);
  }
  if (!canRender(env)) {
    await env.close();
    throw ConfigError.single('env.id', `${config.env.id} has no render(); it cannot be drawn (a custom env may implement render() returning { width, height, data })`);
  }
  const trainerState = readJsonFile(path.join(checkpoint, 'trainer.json')) as Partial<NormalizationState>;
  restoreNormalization(env, trainerState, true);
  const agent = await loadAgent(checkpoint);
  let bytes: Uint8Array | string;
  let result;
  let frames: number;
  try {
    if (format === '.html') {
      const replay = await recordReplay(agent, env, episodes, evalSeed);
      result = replay.result;
      frames = replay.steps.length;
      bytes = replayHtml(replay.steps, `${agent.algo.toUpperCase()} (${agent.norm}) on ${config.env.id}, seed ${evalSeed}`, nums.fps ?? 30);
    } else if (format === '.mp4') {
      const recorded = await recordEpisodes(agent, env, episodes, evalSeed);
      result = recorded.result;
      frames = recorded.frames.length;
      bytes = encodeMp4(recorded.frames, nums.fps ?? 30);
    } else {
      const recorded = await recordEpisodes(agent, env, episodes, evalSeed);
      result = recorded.result;
      frames = recorded.frames.length;
      bytes = encodeGif(recorded.frames, Math.round(1000 / (nums.fps ?? 30)));
    }
  } finally {
    agent.dispose();
    await env.close();
  }
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, out);
  } catch (cause) {
    fs.rmSync(tmp, { force: true });
    throw ConfigError.single('--out', `${out} cannot be written: ${(cause as Error).message}`);
  }
  result.returns.forEach((r, i) => io.out.write(`episode ${i + 1}: return ${r} (${result.lengths[i]} steps)\n`));
  io.out.write(`${frames} frames (${(Buffer.byteLength(bytes) / 1024).toFixed(0)} KB) written to ${out}\n`);
  return 0;
}
