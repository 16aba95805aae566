/**
 * The library in a few calls: load the scenarios under some paths, run them against
 * a command, get the results back as data (`checkSuite`), or have a failure thrown
 * with the report's text (`assertSuite`). What the CLI does, minus printing.
 */
import { dirname, resolve } from 'node:path';
import { formatDiagnostic } from './scenario/diagnostic.js';
import type { Scenario } from './scenario/model.js';
import { loadSuites, programTarget, suiteCatalogue } from './suite/workspace.js';
import type { RunResult, ScenarioResult } from './run/result.js';
import { planIds, runPlan } from './run/run-plan.js';
import { formatScenarioDetail } from './report/console-text.js';
import { createStyle } from './report/ansi-style.js';

export interface SuiteOptions {
  /** A server under test (its scenarios with `role: server` run). */
  server?: string;
  /** A client under test (its scenarios with `role: client` run). */
  client?: string;
  /** A fixed port, for a program that cannot be told one; without `server` or `client`: the server running there. */
  port?: number;
  /** With `port` alone: the running server serves many clients at once and keeps nothing between them; scenarios run side by side. */
  concurrent?: boolean;
  tty?: boolean;
  env?: Record<string, string>;
  /** Where commands run and relative paths start (default: the current folder). */
  cwd?: string;
  /** Files written to a fresh folder `{dir}` at each start of the program (name → text; `{port}` and `{dir}` replaced). */
  files?: Record<string, string>;
  /** The requirement catalogue (default: the nearest `requirements.yaml` in the scenarios' folder or above). */
  requirements?: string;
  jobs?: number;
  strict?: boolean;
  seed?: number;
  runs?: number;
  readyTimeoutMs?: number;
  signal?: AbortSignal;
}

/** A suite that did not hold: the message is what the console report would print. */
export class SuiteFailure extends Error {
  constructor(readonly run: RunResult) {
    super(describeRun(run));
    this.name = 'SuiteFailure';
  }
}

/** The scenarios under `paths` (files or folders); throws with every problem, located, if any is invalid. */
export async function loadScenarios(paths: string | string[], options: Pick<SuiteOptions, 'cwd' | 'requirements'> = {}): Promise<Scenario[]> {
  const cwd = options.cwd ?? process.cwd();
  const ws = await loadSuites({ cwd, paths: Array.isArray(paths) ? paths : [paths], ...(options.requirements ? { requirements: options.requirements } : {}) });
  const problems = ws.diagnostics.filter((d) => d.severity === 'error');
  if (problems.length) throw new Error(problems.map(formatDiagnostic).join('\n'));
  return ws.loaded.map((l) => l.scenario!);
}

/** Run `scenarios` (or those under paths) against the program of `options`; resolves to the results, failures included. */
export async function checkSuite(scenarios: Scenario[] | string | string[], options: SuiteOptions): Promise<RunResult> {
  const cwd = options.cwd ?? process.cwd();
  const list = typeof scenarios === 'string' || (Array.isArray(scenarios) && typeof scenarios[0] === 'string') ? await loadScenarios(scenarios as string | string[], options) : (scenarios as Scenario[]);
  if ((options.server === undefined) === (options.client === undefined) && options.port === undefined) throw new Error('give `server` or `client` (a command line), or `port` of a running server');
  const command = options.client ?? options.server;
  const { role, target } = programTarget({
    name: command ?? `port ${options.port}`,
    role: options.client !== undefined ? 'client' : 'server',
    cwd,
    readyTimeoutMs: options.readyTimeoutMs ?? 10_000,
    ...(command !== undefined ? { command } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.concurrent ? { concurrent: true } : {}),
    ...(options.tty ? { tty: true } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.files ? { files: options.files } : {}),
  });
  const { catalogue } = await suiteCatalogue([...new Set(list.map((s) => dirname(resolve(cwd, s.file))))], cwd, options.requirements);
  const items = planIds(list.filter((s) => s.role === role).map((scenario) => ({ scenario, target })));
  return runPlan(items, {
    jobs: options.jobs ?? 2,
    strict: options.strict ?? false,
    observers: [],
    signal: options.signal ?? new AbortController().signal,
    ...(catalogue ? { catalogue } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.runs !== undefined ? { runs: options.runs } : {}),
  });
}

/** `checkSuite`, throwing a `SuiteFailure` (with the report's text) unless the run exits 0. */
export async function assertSuite(scenarios: Scenario[] | string | string[], options: SuiteOptions): Promise<RunResult> {
  const run = await checkSuite(scenarios, options);
  if (run.exitCode !== 0) throw new SuiteFailure(run);
  return run;
}

/** The console report's account of every scenario that did not pass. */
export function describeRun(run: RunResult): string {
  const style = createStyle(false);
  const bad = run.scenarios.filter((s: ScenarioResult) => s.outcome !== 'pass' && s.outcome !== 'skip' && s.outcome !== 'info');
  return bad.length ? bad.map((s) => formatScenarioDetail(s, style).join('\n')).join('\n\n') : 'every scenario passed';
}
