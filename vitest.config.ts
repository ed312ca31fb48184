import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    allowOnly: false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
