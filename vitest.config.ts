import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // tfjs-node is a native addon: forked workers, not threads.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { TF_CPP_MIN_LOG_LEVEL: '2' },
    allowOnly: false,
  },
});
