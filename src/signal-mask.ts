// Keeps asynchronous signals off the threads that run TensorFlow's kernels.
//
// The oneDNN inside this libtensorflow (the tensorflow-cpu 2.21 wheel) runs JIT-generated float32 GEMM
// kernels (avx_gemm_f32 / avx512_common_gemm_f32, behind both Eigen's contractions and `_MklMatMul`) with
// the stack pointer aimed into a heap buffer. A signal handled on a thread while it is inside one makes the
// kernel write the signal frame there: the heap is corrupted and the process aborts later ("corrupted size
// vs. prev_size"). oneDNN issue #4845, fixed in oneDNN 3.11.2 (pull request #4855); no libtensorflow this
// machine can install has the fix. Measured here: `wnrl train --agent dqn --env gymnasium:CartPole-v1`
// ([256, 256] networks) aborted after 242 SIGCHLDs sent 4 ms apart (Node installs a SIGCHLD handler once
// it has spawned a child, here the bridge); Ctrl-C, SIGTERM from a runner, a terminal resize (SIGWINCH)
// are the same hazard, rarer.
//
// Node takes a signal on whichever thread the kernel hands it to and runs the JavaScript handler later on
// the event loop, so the thread does not matter to Node. The main thread (where eager ops run) blocks the
// asynchronous signals before libtensorflow starts, and TensorFlow's thread pools, created from it,
// inherit the mask; Node's platform threads, started before any JavaScript runs, keep theirs and take the
// signals instead. Children start with an empty mask (libuv resets it), so `wnrl`'s children (the bridge's
// Python, ffmpeg, a runner's trainers) see Ctrl-C as usual. Left unblocked: the synchronous fault signals,
// SIGPROF (V8's sampling profiler signals the main thread itself: a profile of a large network can still
// hit the bug) and SIGUSR1 (Node's inspector activation, which only the main thread takes).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Linux signal numbers wnrl blocks on the main thread: every asynchronous one a handler may catch. */
export const BLOCKED_SIGNALS: readonly number[] = [
  1, // SIGHUP
  2, // SIGINT
  3, // SIGQUIT
  12, // SIGUSR2
  13, // SIGPIPE
  14, // SIGALRM
  15, // SIGTERM
  17, // SIGCHLD
  18, // SIGCONT
  20, // SIGTSTP
  21, // SIGTTIN
  22, // SIGTTOU
  23, // SIGURG
  24, // SIGXCPU
  25, // SIGXFSZ
  26, // SIGVTALRM
  28, // SIGWINCH
  29, // SIGIO
  30, // SIGPWR
  ...Array.from({ length: 64 - 34 + 1 }, (_, i) => 34 + i), // the real-time signals (glibc keeps 32 and 33)
];

/** The outcome: blocked, or why not (reported by the caller, never silently). */
export type SignalMaskResult = { blocked: true } | { blocked: false; reason: string };

/**
 * Blocks BLOCKED_SIGNALS in the calling thread (pthread_sigmask through koffi's FFI; glibc's 1024-bit
 * sigset_t, bit n − 1 for signal n). Linux only: elsewhere it reports why it did nothing.
 */
export function blockAsyncSignals(): SignalMaskResult {
  if (process.platform !== 'linux') return { blocked: false, reason: `not on Linux (${process.platform})` };
  try {
    const koffi = require('koffi') as typeof import('koffi');
    const libc = koffi.load('libc.so.6');
    const pthreadSigmask = libc.func('int pthread_sigmask(int how, const uint8_t *set, uint8_t *oldset)') as (how: number, set: Buffer, old: null) => number;
    const set = Buffer.alloc(128);
    for (const s of BLOCKED_SIGNALS) set[(s - 1) >> 3] = (set[(s - 1) >> 3] ?? 0) | (1 << ((s - 1) & 7));
    const SIG_BLOCK = 0;
    const rc = pthreadSigmask(SIG_BLOCK, set, null);
    return rc === 0 ? { blocked: true } : { blocked: false, reason: `pthread_sigmask returned ${rc}` };
  } catch (cause) {
    return { blocked: false, reason: String((cause as Error).message ?? cause).split('\n')[0]! };
  }
}
