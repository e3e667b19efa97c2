// Where wnrl's own files are: the repository in a clone (sources run through tsx), or the installed
// package, whose compiled modules live one level deeper (dist/src/...). Both find the same package.json.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

/** The directory holding wnrl's package.json. */
export function packageRoot(): string {
  if (root !== null) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file) && (JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: unknown }).name === 'wnrl') return (root = dir);
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`wnrl: no package.json named "wnrl" above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** The `wnrl` command's entry point (what child processes run: the grid runner's cells, queue workers). */
export function cliEntry(): string {
  return path.join(packageRoot(), 'src', 'cli', 'bin.js');
}

/**
 * `wnrl <args>` as a child process that exits when this one dies, however it dies: an IPC channel and
 * WNRL_PARENT_PID, which src/cli/bin.js watches. stdin and stdout are ignored; stderr goes to `stderr`.
 * In a process group of its own, so a terminal's Ctrl-C reaches only this process, which passes one
 * SIGTERM on (a second signal would make a training run exit without its checkpoint).
 */
export function spawnCli(args: readonly string[], stderr: 'inherit' | number): ChildProcess {
  return spawn(process.execPath, [cliEntry(), ...args], { stdio: ['ignore', 'ignore', stderr, 'ipc'], env: { ...process.env, WNRL_PARENT_PID: String(process.pid) }, detached: true });
}

/** True when wnrl runs from its TypeScript sources (a clone), false from the compiled package. */
export const fromSources = import.meta.url.endsWith('.ts');

/** The command that provisions the native backend where the user is. */
export function setupCommand(): string {
  return fromSources ? 'npm run setup' : 'npx wnrl setup';
}
