export { loadCatalogue, type Catalogue, type Requirement } from './catalogue.js';
export { formatDiagnostic, type Diagnostic } from './diagnostic.js';
export { scenarioJsonSchema } from './json-schema.js';
export { findScenarioFiles, loadScenarioFile, type Loaded } from './load.js';
export type { Expectation, Scenario, ScriptApi, Step, StepAction, Transport } from './model.js';
export { scenarioSchema, stepVerbs, type ScenarioInput } from './schema.js';
export { validateScenario } from './validate.js';
export { parseYamlSource } from './yaml-source.js';
