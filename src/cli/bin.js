#!/usr/bin/env node
// The `wnrl` command. In a clone it runs the TypeScript sources through tsx's loader, so `npm ci` is all a
// clone needs (no build step, and stack traces point at the .ts files users read). The published package
// ships no sources next to this file and runs its compiled modules (dist/, built by `prepack`).
import fs from 'node:fs';

// `wnrl envs | head`: a reader that goes away ends the command quietly, as for any Unix tool.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

// Started by a parent with an IPC channel (the grid runner, a queue worker): exit when the parent goes
// away, even if it was SIGKILLed, so no training run is left orphaned. The channel keeps nothing alive.
if (process.channel) {
  process.channel.unref();
  process.on('disconnect', () => process.exit(129));
}

const sources = new URL('./main.ts', import.meta.url);
let main;
if (fs.existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(sources.href));
} else {
  const compiled = new URL('../../dist/src/cli/main.js', import.meta.url);
  if (!fs.existsSync(compiled)) {
    process.stderr.write('wnrl: this package has neither its sources nor dist/ (packed without the build: use `npm run package`)\n');
    process.exit(1);
  }
  ({ main } = await import(compiled.href));
}
process.exitCode = await main(process.argv.slice(2));
