import { defineConfig } from 'vitest/config';

/**
 * The three test tiers, one vitest project each (`npm run test:unit`, `test:integration`, `test:e2e`):
 * unit needs no service; integration runs against Azurite, PostgreSQL with the Citus stand-in and the HTTPS
 * emulator; e2e drives the function handlers end to end. `vitest run` runs them all with one summary line.
 */
export const TEST_TIERS = ['unit', 'integration', 'e2e'] as const;

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    allowOnly: false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: TEST_TIERS.map((tier) => ({
      extends: true,
      test: { name: tier, include: [`test/${tier}/**/*.test.ts`] },
    })),
  },
});
