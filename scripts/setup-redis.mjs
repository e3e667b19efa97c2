#!/usr/bin/env node
// Makes `redis-server` available for the queue tests (`npm test` runs this; the tests start their own
// server on a private port, never a system one). Idempotent: a redis-server on PATH is all it needs.
//   1. redis-server on PATH                  -> nothing to do
//   2. root (or password-less sudo) + apt-get -> apt-get install redis-server (Debian's 7.0; ~10 s)
//   3. otherwise                              -> say how to install it and exit 1
import { spawnSync } from 'node:child_process';

const say = (msg) => process.stderr.write(`[wnrl setup:redis] ${msg}\n`);
const has = (cmd, args = ['--version']) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

function main() {
  if (has('redis-server')) return 0;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = !root && has('sudo', ['-n', 'true']) ? ['sudo', '-n'] : [];
  if (has('apt-get', ['--version']) && (root || sudo.length)) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const apt = (args) => {
      const [cmd, ...rest] = [...sudo, 'apt-get', ...args];
      say(`$ ${[cmd, ...rest].join(' ')}`);
      return spawnSync(cmd, rest, { stdio: ['ignore', 'ignore', 'inherit'], env }).status === 0;
    };
    say('redis-server is not installed; installing it from the distribution (Debian/Ubuntu: redis-server)');
    if (!apt(['install', '-y', '-qq', 'redis-server'])) {
      apt(['update', '-qq']);
      apt(['install', '-y', '-qq', 'redis-server']);
    }
    if (has('redis-server')) {
      say('redis-server installed');
      return 0;
    }
  }
  say(
    'redis-server is needed by the queue tests and could not be installed here.\n' +
      '  Debian/Ubuntu: sudo apt-get install redis-server   macOS: brew install redis   or any Redis >= 6.2 on PATH.',
  );
  return 1;
}

process.exitCode = main();
