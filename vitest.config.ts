import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { pathWithPythonFirst } from './bench/interpreter-path.js';

export default defineConfig({
  test: {
    include: ['harness/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The Python fixtures run with the interpreter itself, not through a version manager's shim, and without
    // the site-packages' start-up imports: a bare virtual environment, made once (see the module).
    env: { PATH: pathWithPythonFirst(undefined, fileURLToPath(new URL('node_modules/.cache/sockspec', import.meta.url))).path },
    pool: 'forks',
    // The suites' tests mostly wait on real servers (a hello reply takes a second): run three files at once
    // even on two cores. Tests inside a file stay sequential, so the load stays far below what their timeouts allow.
    maxWorkers: 3,
    coverage: {
      provider: 'v8',
      include: ['harness/**/*.ts'],
      exclude: ['harness/**/*.test.ts'],
      reporter: ['text-summary', 'html', 'lcov'],
      reportsDirectory: 'reports/coverage',
    },
  },
});
