/**
 * A suite as tests of any test runner: one test per scenario, each failing with the
 * report's text. The vitest adapter uses it, and so can `bun:test` or `Deno.test`:
 *
 *   import { test } from 'bun:test';
 *   await registerSuite('scenarios/udp-time/server', { server: './time-server {port}' }, { test });
 */
import { checkSuite, describeRun, loadScenarios, type SuiteOptions } from './api.js';
import { PROPERTY_TIME_LIMIT_MS } from './run/property.js';
import type { Scenario } from './scenario/model.js';

/** What a test runner must offer: a named async test, with a time limit in ms. */
export interface TestRegistrar {
  test(name: string, fn: () => Promise<void>, timeoutMs: number): unknown;
}

/** Room for a scenario's own limit (a property's runs and shrinking) and for starting the program. */
export function testTimeoutOf(s: Scenario): number {
  return (s.property ? (s.property.timeLimitMs ?? PROPERTY_TIME_LIMIT_MS) : s.timeoutMs) + 15_000;
}

/** Load the scenarios under `paths` (of the role the options give) and register a test for each. */
export async function registerSuite(paths: string | string[], options: SuiteOptions, runner: TestRegistrar): Promise<number> {
  const role = options.client !== undefined ? 'client' : 'server';
  const scenarios = (await loadScenarios(paths, options)).filter((s) => s.role === role);
  for (const scenario of scenarios) {
    runner.test(`${scenario.file}: ${scenario.name}`, async () => {
      const run = await checkSuite([scenario], options);
      if (run.exitCode !== 0) throw new Error(describeRun(run));
    }, testTimeoutOf(scenario));
  }
  return scenarios.length;
}
