/**
 * sockspec inside vitest: each scenario of a suite becomes a vitest test, so a
 * team's existing vitest run, reporters, watch mode and `--shard` apply.
 *
 *   import { describeSuite } from 'sockspec/vitest';
 *   describeSuite('scenarios/echo-ack/server', { server: 'python3 my_server.py {port}' });
 */
import { describe, test } from 'vitest';
import { checkSuite, describeRun, loadScenarios, type SuiteOptions } from './api.js';
import type { Scenario } from './scenario/model.js';
import { PROPERTY_TIME_LIMIT_MS } from './run/property.js';

/** A vitest `describe` named after `paths`, with a test per scenario (of the role the options give). */
export function describeSuite(paths: string | string[], options: SuiteOptions): void {
  const role = options.client !== undefined ? 'client' : 'server';
  describe(Array.isArray(paths) ? paths.join(', ') : paths, async () => {
    const scenarios = (await loadScenarios(paths, options)).filter((s) => s.role === role);
    for (const scenario of scenarios) {
      test(`${scenario.file}: ${scenario.name}`, async () => {
        const run = await checkSuite([scenario], options);
        if (run.exitCode !== 0) throw new Error(describeRun(run));
      }, timeoutOf(scenario));
    }
  });
}

/** Room for the scenario's own limit (a property's runs and shrinking) and for starting the program. */
function timeoutOf(s: Scenario): number {
  return (s.property ? PROPERTY_TIME_LIMIT_MS : s.timeoutMs) + 15_000;
}
