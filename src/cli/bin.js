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

const sources = new URL('./main.ts', import.meta.url);
let main;
if (fs.existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(sources.href));
} else {
  ({ main } = await import(new URL('../../dist/src/cli/main.js', import.meta.url).href));
}
process.exitCode = await main(process.argv.slice(2));
