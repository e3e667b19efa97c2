// Signals kept off TensorFlow's threads (src/signal-mask.ts): oneDNN's JIT GEMM kernels in this
// libtensorflow aim the stack pointer into the heap, so a signal handled inside one corrupts the heap.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { backendInfo } from '../src/backend.ts';
import { EXIT_INTERRUPTED } from '../src/cli/train.ts';
import { BLOCKED_SIGNALS } from '../src/signal-mask.ts';

const root = path.resolve(import.meta.dirname, '..');
const SIGNALS = { SIGINT: 2, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGTERM: 15, SIGCHLD: 17, SIGPROF: 27, SIGWINCH: 28 } as const;

/** The signals a /proc status file says its thread blocks. */
function blocked(status: string): Set<number> {
  const mask = BigInt(`0x${/^SigBlk:\s*([0-9a-f]+)$/m.exec(status)![1]}`);
  return new Set(Array.from({ length: 64 }, (_, i) => i + 1).filter((s) => (mask >> BigInt(s - 1)) & 1n));
}

test.runIf(process.platform === 'linux')('the main thread blocks the asynchronous signals once the backend loads, not the faults, SIGPROF or SIGUSR1; children start unblocked', () => {
  expect(backendInfo().backend).toBe('tensorflow');
  const main = blocked(fs.readFileSync('/proc/self/status', 'utf8'));
  for (const s of [SIGNALS.SIGINT, SIGNALS.SIGTERM, SIGNALS.SIGCHLD, SIGNALS.SIGWINCH, SIGNALS.SIGUSR2]) expect(main.has(s), `signal ${s}`).toBe(true);
  for (const s of [SIGNALS.SIGSEGV, SIGNALS.SIGPROF, SIGNALS.SIGUSR1]) expect(main.has(s), `signal ${s}`).toBe(false);
  expect(BLOCKED_SIGNALS.filter((s) => !main.has(s))).toEqual([]);
  // a child (the bridge's Python, ffmpeg, a runner's trainer) starts with nothing blocked
  const child = spawnSync('sh', ['-c', 'cat /proc/self/status'], { encoding: 'utf8' });
  expect(blocked(child.stdout).size).toBe(0);
  // and some thread of this process still takes them: Node's own (a handler runs)
  const threads = fs.readdirSync('/proc/self/task').map((t) => blocked(fs.readFileSync(`/proc/self/task/${t}/status`, 'utf8')));
  expect(threads.some((b) => !b.has(SIGNALS.SIGINT) && !b.has(SIGNALS.SIGCHLD))).toBe(true);
});

test.runIf(process.platform === 'linux')('a DQN [256, 256] run through the bridge survives 1000 SIGCHLDs while it learns, then stops cleanly on SIGTERM', async () => {
  // Without the mask this run aborted after 242 and 944 SIGCHLDs sent 4 ms apart ("corrupted size vs.
  // prev_size"): Node handles SIGCHLD once it has spawned a child, here the bridge's Python.
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-signals-')), 'run');
  const child = spawn(process.execPath, [path.join(root, 'src/cli/bin.js'), 'train', '--env', 'gymnasium:CartPole-v1', '--agent', 'dqn', '--steps', '200000', '--seed', '1', '--out', out, '--no-progress', '--log-level', 'info'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  // wait until it learns (the preset's learningStarts is 1000 steps)
  await new Promise<void>((resolve, reject) => {
    const t = setInterval(() => {
      const log = fs.existsSync(path.join(out, 'log.jsonl')) ? fs.readFileSync(path.join(out, 'log.jsonl'), 'utf8') : '';
      const steps = [...log.matchAll(/"step":(\d+)/g)].map((m) => Number(m[1]));
      if (Math.max(0, ...steps) > 2_000) {
        clearInterval(t);
        resolve();
      }
    }, 100);
    setTimeout(() => reject(new Error(`training never got past step 2000: ${err}`)), 60_000);
  });
  for (let i = 0; i < 1_000 && child.exitCode === null; i++) {
    child.kill('SIGCHLD');
    await new Promise((r) => setTimeout(r, 3));
  }
  expect(child.exitCode, err).toBeNull();
  child.kill('SIGTERM');
  expect(await exited, err).toBe(EXIT_INTERRUPTED);
  expect(err).toContain('checkpoint written');
}, 120_000);
