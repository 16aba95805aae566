import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['harness/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    coverage: {
      provider: 'v8',
      include: ['harness/**/*.ts'],
      exclude: ['harness/**/*.test.ts'],
      reporter: ['text-summary', 'html', 'lcov'],
      reportsDirectory: 'reports/coverage',
    },
  },
});
