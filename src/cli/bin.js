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

// Started by wnrl's grid runner or a queue worker (which pass WNRL_PARENT_PID and an IPC channel): exit
// when that parent goes away, even if it was SIGKILLed, so no training run is left orphaned. Two
// watchers: the channel's 'disconnect' (on the event loop), and a thread that polls the parent pid,
// because a training loop can go seconds without yielding to the event loop, and a parent killed
// before this line runs leaves no channel to disconnect. Neither keeps the process alive.
if (process.channel) {
  process.channel.unref();
  process.on('disconnect', () => process.exit(129));
}
if (process.env.WNRL_PARENT_PID) {
  const parent = Number(process.env.WNRL_PARENT_PID);
  delete process.env.WNRL_PARENT_PID;
  const { Worker } = await import('node:worker_threads');
  const watcher = new Worker(
    `const check = () => { if (process.ppid !== ${parent}) process.kill(${process.pid}, 'SIGKILL'); }; check(); setInterval(check, 200);`,
    { eval: true },
  );
  watcher.unref();
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
