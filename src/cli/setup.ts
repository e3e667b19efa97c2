// `wnrl setup`: provisions the native TensorFlow backend for the @tensorflow/tfjs-node installed next to
// wnrl (in a clone, `npm run setup` runs the same script). It never loads TensorFlow itself, so it works
// exactly when everything else cannot: right after `npm install --ignore-scripts wnrl`.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../package-root.ts';
import { ConfigError } from '../config/parse.ts';
import { parseFlags } from './args.ts';
import type { Io } from './main.ts';

const USAGE = `Usage: wnrl setup [--gymnasium [--mujoco] [--pip PACKAGE]...]

Provisions the native TensorFlow backend of @tensorflow/tfjs-node (idempotent; seconds once cached):
the addon already loads -> nothing to do; libraries cached under WNRL_CACHE_DIR (~/.cache/wnrl) -> link
them; tfjs-node's own install (needs internet); else the tensorflow-cpu wheel from pip's index, and the
addon built from source (needs python3 with pip, g++ and make).

tfjs-node's own install script downloads libtensorflow when npm installs it, and fails on a machine
without internet access. Install wnrl with \`npm install --ignore-scripts wnrl\` (or put
ignore-scripts=true in the project's .npmrc), then run \`npx wnrl setup\`.

--gymnasium: the Python side of \`--env gymnasium:ID\` instead: a virtual environment under the wnrl cache
(~/.cache/wnrl/gymnasium-venv) with gymnasium and numpy from pip's configured index, plus each --pip
PACKAGE (e.g. --pip ale-py). The bridge finds it; WNRL_PYTHON points it at another Python instead.
--mujoco adds gymnasium[mujoco] (MuJoCo, imageio) for Hopper-v5, HalfCheetah-v5, Walker2d-v5, Ant-v5 and
the other MuJoCo ids, and checks that Hopper-v5 steps.`;

export async function setup(args: string[], io: Io): Promise<number> {
  const { values } = parseFlags(args, { gymnasium: { type: 'boolean' }, mujoco: { type: 'boolean' }, pip: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    io.out.write(`${USAGE}\n`);
    return 0;
  }
  if (values.pip !== undefined && !values.gymnasium) throw ConfigError.single('--pip', 'needs --gymnasium');
  if (values.mujoco && !values.gymnasium) throw ConfigError.single('--mujoco', 'needs --gymnasium');
  const bad = (values.pip ?? []).find((p) => p.startsWith('-') || /\s/.test(p));
  if (bad !== undefined) throw ConfigError.single('--pip', `expected a package requirement such as ale-py or 'shimmy>=1'; got '${bad}'`);
  const script = path.join(packageRoot(), 'scripts', values.gymnasium ? 'setup-gymnasium.mjs' : 'setup-native.mjs');
  const child = spawn(process.execPath, [script, ...(values.mujoco ? ['--mujoco'] : []), ...(values.pip ?? [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(io.out, { end: false });
  child.stderr.pipe(io.err, { end: false });
  const code = await new Promise<number>((resolve) => {
    child.on('error', (err) => {
      io.err.write(`wnrl setup: could not run ${script}: ${err.message}\n`);
      resolve(1);
    });
    child.on('close', (status) => resolve(status ?? 1));
  });
  if (code === 0) io.out.write(values.gymnasium ? `wnrl setup: Python with gymnasium${values.mujoco ? ' and MuJoCo' : ''} is ready for gymnasium:ID environments\n` : 'wnrl setup: the native TensorFlow backend loads\n');
  return code;
}
