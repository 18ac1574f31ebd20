import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // sshd hosts and simulated hosts are real processes: two cores, so keep the parallelism modest
    maxWorkers: 2,
  },
});
