#!/usr/bin/env node
// Makes a Chromium available for the browser tests of `wnrl export` (`npm test` runs this; the tests drive
// it headless through puppeteer-core). Idempotent:
//   1. WNRL_CHROMIUM, or chromium / chromium-browser / google-chrome on PATH -> nothing to do
//   2. root (or password-less sudo) + apt-get -> apt-get install chromium (Debian's; ~1 min)
//   3. otherwise                              -> say how to install it and exit 1
import { spawnSync } from 'node:child_process';

const say = (msg) => process.stderr.write(`[wnrl setup:chromium] ${msg}\n`);
const has = (cmd, args = ['--version']) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const BROWSERS = ['chromium', 'chromium-browser', 'google-chrome'];

function main() {
  if (process.env.WNRL_CHROMIUM && has(process.env.WNRL_CHROMIUM)) return 0;
  if (BROWSERS.some((b) => has(b))) return 0;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = !root && has('sudo', ['-n', 'true']) ? ['sudo', '-n'] : [];
  if (has('apt-get', ['--version']) && (root || sudo.length)) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const apt = (args) => {
      const [cmd, ...rest] = [...sudo, 'apt-get', ...args];
      say(`$ ${[cmd, ...rest].join(' ')}`);
      return spawnSync(cmd, rest, { stdio: ['ignore', 'ignore', 'inherit'], env }).status === 0;
    };
    say('no Chromium found; installing it from the distribution (Debian: chromium)');
    if (!apt(['install', '-y', '-qq', '--no-install-recommends', 'chromium'])) {
      apt(['update', '-qq']);
      apt(['install', '-y', '-qq', '--no-install-recommends', 'chromium']);
    }
    if (BROWSERS.some((b) => has(b))) {
      say('chromium installed');
      return 0;
    }
  }
  say(
    'a Chromium is needed by the browser tests of wnrl export and could not be installed here.\n' +
      '  Debian/Ubuntu: sudo apt-get install chromium   or set WNRL_CHROMIUM to a Chrome or Chromium binary.',
  );
  return 1;
}

process.exitCode = main();
