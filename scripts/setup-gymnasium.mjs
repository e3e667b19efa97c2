#!/usr/bin/env node
// Makes the Python side of the Gymnasium bridge: a virtual environment under the wnrl cache
// (WNRL_CACHE_DIR, else $XDG_CACHE_HOME/wnrl or ~/.cache/wnrl) with gymnasium and numpy from pip's
// configured index, plus any packages given as arguments (`wnrl setup --gymnasium --pip ale-py`);
// `--mujoco` adds gymnasium[mujoco] (mujoco, imageio, packaging: what the MuJoCo ids such as Hopper-v5
// need; `--pip mujoco` alone leaves imageio out) and checks that Hopper-v5 is made and steps.
// Idempotent: a venv that already imports them is left alone (a fraction of a second).
//   node scripts/setup-gymnasium.mjs [--mujoco] [PACKAGE ...]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const say = (msg) => process.stderr.write(`[wnrl setup:gymnasium] ${msg}\n`);
const cache = process.env.WNRL_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'wnrl');
const venv = path.join(cache, 'gymnasium-venv');
const python = path.join(venv, 'bin', 'python');
const args = process.argv.slice(2);
const mujoco = args.includes('--mujoco');
const extras = args.filter((a) => a !== '--mujoco');
const wanted = [mujoco ? 'gymnasium[mujoco]>=1.0' : 'gymnasium>=1.0', 'numpy', ...extras];
// What a ready venv runs: gymnasium and numpy import; with --mujoco, a MuJoCo id is made and steps.
const check = mujoco
  ? "import gymnasium as g, numpy; e = g.make('Hopper-v5'); e.reset(seed=0); e.step(e.action_space.sample()); e.close()"
  : 'import gymnasium, numpy';
// Import names of the extra packages are not always their pip names: check the above, and reinstall
// whenever extras are asked for (pip skips what is already there).
const ready = () => fs.existsSync(python) && spawnSync(python, ['-c', check], { stdio: 'ignore' }).status === 0;

function main() {
  if (ready() && extras.length === 0) return 0;
  const base = ['python3', 'python'].find((p) => spawnSync(p, ['--version'], { stdio: 'ignore' }).status === 0);
  if (!base) {
    say('no python3 on PATH: install Python 3.9+ (Debian: apt-get install python3 python3-venv), or set WNRL_PYTHON to a Python with gymnasium');
    return 1;
  }
  if (!fs.existsSync(python)) {
    say(`creating a virtual environment in ${venv}`);
    fs.mkdirSync(cache, { recursive: true });
    const r = spawnSync(base, ['-m', 'venv', venv], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) {
      say(`\`${base} -m venv\` failed (Debian: apt-get install python3-venv)`);
      return 1;
    }
  }
  say(`pip install ${wanted.join(' ')} (from pip's configured index)`);
  // --retries 0 --timeout 5: an unreachable first index fails fast instead of retrying for a minute.
  const pip = spawnSync(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--retries', '0', '--timeout', '5', '-q', ...wanted], {
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
  });
  const problems = (pip.stderr ?? '').split('\n').filter((l) => l.trim() && !/is ignored: it is neither a file nor a directory/.test(l));
  if (problems.length) process.stderr.write(`${problems.join('\n')}\n`);
  if (pip.status !== 0 || !ready()) {
    say(`could not install ${wanted.join(' ')} into ${venv}; check pip's index (pip config list), or set WNRL_PYTHON to a Python with gymnasium`);
    return 1;
  }
  const version = spawnSync(python, ['-c', 'import gymnasium; print(gymnasium.__version__)'], { encoding: 'utf8' }).stdout.trim();
  say(`gymnasium ${version}${mujoco ? ' with MuJoCo (Hopper-v5 steps)' : ''} ready in ${venv}`);
  return 0;
}

process.exitCode = main();
