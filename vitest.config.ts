import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // tfjs-node is a native addon: forked workers, not threads.
    pool: 'forks',
    // Two test files at a time (vitest's default leaves one core of two idle): most of the time is child
    // processes and native kernels, and the suite must fit CI's 10 minutes.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { TF_CPP_MIN_LOG_LEVEL: '2' },
    allowOnly: false,
  },
});
