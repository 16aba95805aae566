/**
 * Shared helpers of the end-to-end tests: run a suite against a command through the
 * library, as the CLI does, and find the project's files.
 */
import { resolve } from 'node:path';
import type { Catalogue } from '../harness/scenario/catalogue.js';
import { formatDiagnostic } from '../harness/scenario/diagnostic.js';
import type { Scenario } from '../harness/scenario/model.js';
import { loadSuites, programTarget, suiteCatalogue } from '../harness/suite/workspace.js';
import type { RunResult } from '../harness/run/result.js';
import { planIds, runPlan } from '../harness/run/run-plan.js';
import { exitCodeOf, summarise } from '../harness/run/verdict.js';

export const ROOT = resolve(import.meta.dirname, '..');

let catalogue: Promise<Catalogue> | undefined;

/** The bundled requirement catalogue (the one the bundled suites find). */
export function bundledCatalogue(): Promise<Catalogue> {
  catalogue ??= suiteCatalogue(['scenarios'], ROOT).then((r) => r.catalogue!);
  return catalogue;
}

/** Load every scenario under `dir` (relative to the project, or a temporary folder), checked against the bundled catalogue; fails on any diagnostic. */
export async function loadSuite(dir: string): Promise<Scenario[]> {
  const ws = await loadSuites({ cwd: ROOT, paths: [dir], requirements: 'scenarios/requirements.yaml' });
  if (ws.diagnostics.length) throw new Error(ws.diagnostics.map(formatDiagnostic).join('\n'));
  return ws.loaded.map((l) => l.scenario!);
}

/** Run `scenarios` against `command` (run from the project root). */
export async function runAgainst(scenarios: Scenario[], command: string, options: { jobs?: number; name?: string; fixedPort?: number; readyTimeoutMs?: number } = {}): Promise<RunResult> {
  const { target } = programTarget({ name: options.name ?? 'target', role: 'server', command, cwd: ROOT, readyTimeoutMs: options.readyTimeoutMs ?? 10_000, ...(options.fixedPort ? { port: options.fixedPort } : {}) });
  return runPlan(planIds(scenarios.map((scenario) => ({ scenario, target }))), {
    jobs: options.jobs ?? 2,
    strict: false,
    catalogue: await bundledCatalogue(),
    observers: [],
    signal: new AbortController().signal,
  });
}

/** `id: outcome` for every requirement that did not pass, for readable assertions. */
export function brokenIds(run: RunResult): Record<string, string> {
  return Object.fromEntries(run.requirements.filter((r) => r.outcome !== 'pass' && r.outcome !== 'uncovered' && r.outcome !== 'skip').map((r) => [r.id, r.outcome]));
}

/** A one-line account of each scenario that did not pass, for failure messages. */
export function explain(run: RunResult): string {
  return run.scenarios
    .filter((s) => s.outcome !== 'pass')
    .map((s) => `${s.id}: ${s.outcome} ${s.failure?.code ?? ''} ${s.failure?.stepLabel ?? ''} ${s.failure?.message ?? ''}`)
    .join('\n');
}

/**
 * What `sockspec run --shard K/N` would have reported of `run`'s plan: its k-th slice
 * (item i goes to shard i % n + 1), summarised against `catalogue`, with the run's
 * own start and duration.
 */
export function cutShard(run: RunResult, k: number, n: number, catalogue?: Catalogue): RunResult {
  const scenarios = run.scenarios.filter((_, i) => i % n === k - 1);
  const counts: RunResult['counts'] = { pass: 0, fail: 0, 'non-strict': 0, info: 0, 'not-run': 0, skip: 0, error: 0 };
  for (const r of scenarios) counts[r.outcome]++;
  return {
    startedAt: run.startedAt,
    durationMs: run.durationMs,
    strict: run.strict,
    ...(run.seed !== undefined && scenarios.some((r) => r.property) ? { seed: run.seed } : {}),
    shard: { index: k, count: n, planned: run.scenarios.length },
    scenarios,
    requirements: summarise(scenarios, catalogue),
    exitCode: exitCodeOf(scenarios, run.strict, catalogue),
    counts,
  };
}
