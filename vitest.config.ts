import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { programEnvironment } from './bench/interpreter-path.js';

// The Python fixtures run with the interpreter itself, not through a version manager's shim, and without the
// site-packages' start-up imports (a bare virtual environment, made once); Node programs without reading
// NODE_EXTRA_CA_CERTS at every start (see the module). Set here, before the test workers are started, so that
// the workers themselves and everything they start inherit it.
Object.assign(process.env, programEnvironment(fileURLToPath(new URL('node_modules/.cache/sockspec', import.meta.url))).env);

const INCLUDE = ['harness/**/*.test.ts', 'test/**/*.test.ts'];
// Files that count the worker's live handles (timers, sockets) before and after a test, or check that a module
// was never loaded: a timer another file left running may end during their test, and a module another file
// loaded is loaded. Each of them gets a fresh worker. Every other file shares its worker, and the modules it has
// loaded, with the files run before it, which spares most of a second of imports per file.
const ISOLATED = [
  'harness/net/tls.test.ts',
  'harness/net/udp-peer.test.ts',
  'harness/process/console.test.ts',
  'harness/process/cpu.test.ts',
  'harness/process/free-port.test.ts',
  'harness/process/launch.test.ts',
  'harness/process/process-groups.test.ts',
  'harness/process/readiness.test.ts',
  'harness/process/socket-owner.test.ts',
  'harness/scenario/load.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The suites' tests mostly wait on real servers (a hello reply takes a second): run three files at once
    // even on two cores. Tests inside a file stay sequential, so the load stays far below what their timeouts allow.
    maxWorkers: 3,
    // After each file: no process group it started is left (test/file-end-checks.ts).
    setupFiles: ['test/file-end-checks.ts'],
    projects: [
      { extends: true, test: { name: 'shared', include: INCLUDE, exclude: ['**/node_modules/**', ...ISOLATED], isolate: false } },
      { extends: true, test: { name: 'isolated', include: ISOLATED } },
    ],
    coverage: {
      provider: 'v8',
      include: ['harness/**/*.ts'],
      exclude: ['harness/**/*.test.ts'],
      reporter: ['text-summary', 'html', 'lcov'],
      reportsDirectory: 'reports/coverage',
    },
  },
});
