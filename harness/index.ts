/**
 * sockspec as a library: load scenarios, run them against a program, report.
 */
import type { ScenarioInput } from './scenario/schema.js';
import type { ScriptApi } from './scenario/model.js';

export * from './scenario/index.js';
export * from './run/index.js';
export { main } from './cli/main.js';
export { assertSuite, checkSuite, describeRun, loadScenarios, SuiteFailure, type SuiteOptions } from './api.js';
export { registerSuite, type TestRegistrar } from './suite-tests.js';

/** A TS scenario: the same model as YAML, optionally with a script for what data cannot say. */
export type ScenarioModule = ScenarioInput & { script?: (api: ScriptApi) => Promise<void> };

/** Identity, for typing a TS scenario: `export default defineScenario({...})`. */
export function defineScenario(scenario: ScenarioModule): ScenarioModule {
  return scenario;
}
