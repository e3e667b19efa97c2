#!/usr/bin/env node
// Makes `redis-server` available for the queue tests (`npm test` runs this; the tests start their own
// server on a private port, never a system one). Idempotent: a redis-server on PATH is all it needs.
//   1. redis-server on PATH                  -> nothing to do
//   2. root (or password-less sudo) + apt-get -> apt-get install redis-server (Debian's 7.0; ~10 s)
//   3. otherwise                              -> say how to install it and exit 1
import { aptInstall, has } from './apt-install.mjs';

const say = (msg) => process.stderr.write(`[wnrl setup:redis] ${msg}\n`);

function main() {
  if (has('redis-server')) return 0;
  say('redis-server is not installed; installing it from the distribution (Debian/Ubuntu: redis-server)');
  if (aptInstall('redis-server', [], () => has('redis-server'), say)) {
    say('redis-server installed');
    return 0;
  }
  say(
    'redis-server is needed by the queue tests and could not be installed here.\n' +
      '  Debian/Ubuntu: sudo apt-get install redis-server   macOS: brew install redis   or any Redis >= 6.2 on PATH.',
  );
  return 1;
}

process.exitCode = main();
