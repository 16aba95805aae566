export type { Target } from './program.js';
export type { Failure, Level, Outcome, RequirementSummary, RunResult, ScenarioResult, TranscriptEntry } from './result.js';
export { planIds, runPlan, type PlanItem, type RunObserver, type RunOptions } from './run-plan.js';
export { runScenario } from './run-scenario.js';
export { exitCodeOf, judge, summarise } from './verdict.js';
