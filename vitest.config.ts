import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { programEnvironment } from './bench/interpreter-path.js';

// The Python fixtures run with the interpreter itself, not through a version manager's shim, and without the
// site-packages' start-up imports (a bare virtual environment, made once); Node programs without reading
// NODE_EXTRA_CA_CERTS at every start (see the module). Set here, before the test workers are started, so that
// the workers themselves and everything they start inherit it.
Object.assign(process.env, programEnvironment(fileURLToPath(new URL('node_modules/.cache/sockspec', import.meta.url))).env);

export default defineConfig({
  test: {
    include: ['harness/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
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
