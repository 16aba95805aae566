/**
 * sockspec inside vitest: each scenario of a suite becomes a vitest test, so a
 * team's existing vitest run, reporters, watch mode and `--shard` apply.
 *
 *   import { describeSuite } from 'sockspec/vitest';
 *   describeSuite('scenarios/echo-ack/server', { server: 'python3 my_server.py {port}' });
 */
import { describe, test } from 'vitest';
import type { SuiteOptions } from './api.js';
import { registerSuite } from './suite-tests.js';

/** A vitest `describe` named after `paths`, with a test per scenario (of the role the options give). */
export function describeSuite(paths: string | string[], options: SuiteOptions): void {
  describe(Array.isArray(paths) ? paths.join(', ') : paths, async () => {
    await registerSuite(paths, options, { test: (name, fn, timeout) => test(name, fn, timeout) });
  });
}
