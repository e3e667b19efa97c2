// `wnrl setup`: provisions the native TensorFlow backend for the @tensorflow/tfjs-node installed next to
// wnrl (in a clone, `npm run setup` runs the same script). It never loads TensorFlow itself, so it works
// exactly when everything else cannot: right after `npm install --ignore-scripts wnrl`.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { packageRoot } from '../package-root.ts';
import { parseFlags } from './args.ts';
import type { Io } from './main.ts';

const USAGE = `Usage: wnrl setup

Provisions the native TensorFlow backend of @tensorflow/tfjs-node (idempotent; seconds once cached):
the addon already loads -> nothing to do; libraries cached under WNRL_CACHE_DIR (~/.cache/wnrl) -> link
them; tfjs-node's own install (needs internet); else the tensorflow-cpu wheel from pip's index, and the
addon built from source (needs python3 with pip, g++ and make).

tfjs-node's own install script downloads libtensorflow when npm installs it, and fails on a machine
without internet access. Install wnrl with \`npm install --ignore-scripts wnrl\` (or put
ignore-scripts=true in the project's .npmrc), then run \`npx wnrl setup\`.`;

export async function setup(args: string[], io: Io): Promise<number> {
  const { values } = parseFlags(args, { help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    io.out.write(`${USAGE}\n`);
    return 0;
  }
  const script = path.join(packageRoot(), 'scripts', 'setup-native.mjs');
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(io.out, { end: false });
  child.stderr.pipe(io.err, { end: false });
  const code = await new Promise<number>((resolve) => {
    child.on('error', (err) => {
      io.err.write(`wnrl setup: could not run ${script}: ${err.message}\n`);
      resolve(1);
    });
    child.on('close', (status) => resolve(status ?? 1));
  });
  if (code === 0) io.out.write('wnrl setup: the native TensorFlow backend loads\n');
  return code;
}
