/**
 * A whole run: scenarios × targets, `jobs` at a time, with sharding, observers told
 * of progress, and the results summarised per requirement. Prints nothing itself.
 */
import type { Catalogue } from '../scenario/catalogue.js';
import type { Scenario } from '../scenario/model.js';
import { ProgramPool } from './program-pool.js';
import type { Target } from './program.js';
import type { Outcome, RunResult, ScenarioResult } from './result.js';
import { runProperty } from './property.js';
import { runCase } from './differential.js';
import { exitCodeOf, summarise } from './verdict.js';
import { transcriptBudget } from './transcript.js';

export interface PlanItem {
  id: string;
  scenario: Scenario;
  target: Target;
}

/** Lifecycle hooks of reporters (all optional, awaited in turn). */
export interface RunObserver {
  onRunStart?(info: { scenarios: number; targets: string[]; startedAt: string }): unknown;
  onScenarioStart?(id: string): unknown;
  onScenarioEnd?(result: ScenarioResult): unknown;
  onRunEnd?(run: RunResult): unknown;
}

export interface RunOptions {
  jobs: number;
  strict: boolean;
  catalogue?: Catalogue;
  observers: RunObserver[];
  signal: AbortSignal;
  /** `[k, n]`: run only the k-th of n slices of the plan (1-based). */
  shard?: [number, number];
  /** Property scenarios: the seed (default: drawn at random and reported), runs, and a path to replay. */
  seed?: number;
  runs?: number;
  path?: string;
  /** Differential: every case also runs against this implementation, and must behave the same. */
  reference?: Target;
}

/** A command line quoted for a POSIX shell, for printing. */
function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The `sockspec run` command that replays one case of a property scenario against `target`. */
export function replayCommand(file: string, role: 'server' | 'client', target: Target, seed: number, path: string, reference?: Target): string {
  const words = ['sockspec', 'run', file];
  if (target.command !== undefined) words.push(`--${role}`, target.command);
  if (target.fixedPort !== undefined) words.push('--port', String(target.fixedPort));
  if (target.tty) words.push('--tty');
  if (reference?.command !== undefined) words.push('--reference', reference.command);
  words.push('--seed', String(seed), '--path', path);
  return words.map(shellQuote).join(' ');
}

/** The ids of a plan: the file, plus the target's name when there are several targets. */
export function planIds(items: Omit<PlanItem, 'id'>[]): PlanItem[] {
  const several = new Set(items.map((i) => i.target.name)).size > 1;
  return items.map((i) => ({ ...i, id: several ? `${i.scenario.file} [${i.target.name}]` : i.scenario.file }));
}

/** The k-th of n slices of `items`, by position (deterministic for a given plan). */
export function shardOf<T>(items: T[], [k, n]: [number, number]): T[] {
  return items.filter((_, i) => i % n === k - 1);
}

async function tell(observers: RunObserver[], hook: keyof RunObserver, arg: unknown): Promise<void> {
  for (const o of observers) await (o[hook] as ((a: unknown) => unknown) | undefined)?.call(o, arg);
}

/** Run the plan and return the run's result. */
export async function runPlan(allItems: PlanItem[], opts: RunOptions): Promise<RunResult> {
  const items = opts.shard ? shardOf(allItems, opts.shard) : allItems;
  const seed = opts.seed ?? Math.floor(Math.random() * 0x7fffffff);
  const hasProperty = items.some((i) => i.scenario.property);
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const pools = new Map<string, ProgramPool>();
  // One pool per distinct implementation: two suites may each have a target named `python`.
  const keyOf = (t: Target) => JSON.stringify([t.name, t.command ?? null, t.fixedPort ?? null, t.cwd, t.env ?? null]);
  const reference = opts.reference;
  const poolFor = (t: Target) => pools.get(keyOf(t)) ?? pools.set(keyOf(t), new ProgramPool(t)).get(keyOf(t))!;
  await tell(opts.observers, 'onRunStart', { scenarios: items.length, targets: [...new Set(items.map((i) => i.target.name))], startedAt });
  const results: ScenarioResult[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      const item = items[i]!;
      await tell(opts.observers, 'onScenarioStart', item.id);
      const base = {
        id: item.id,
        target: item.target.name,
        source: poolFor(item.target),
        signal: opts.signal,
        transcriptBytes: transcriptBudget(items.length),
        ...(opts.catalogue ? { catalogue: opts.catalogue } : {}),
        ...(reference ? { reference: { source: poolFor(reference), name: reference.name } } : {}),
      };
      const r = item.scenario.property
        ? await runProperty(item.scenario, {
            ...base,
            seed,
            ...(opts.runs !== undefined ? { runs: opts.runs } : {}),
            ...(opts.path !== undefined ? { path: opts.path } : {}),
            replay: (s, p) => replayCommand(item.scenario.file, item.scenario.role, item.target, s, p, reference),
          })
        : await runCase(item.scenario, base);
      results[i] = r;
      await tell(opts.observers, 'onScenarioEnd', r);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.jobs, items.length)) }, worker));
  } finally {
    await Promise.all([...pools.values()].map((p) => p.close()));
  }
  const counts = { pass: 0, fail: 0, 'non-strict': 0, info: 0, skip: 0, error: 0 } as Record<Outcome, number>;
  for (const r of results) counts[r.outcome]++;
  const run: RunResult = {
    startedAt,
    durationMs: Math.round(performance.now() - started),
    strict: opts.strict,
    ...(hasProperty ? { seed } : {}),
    scenarios: results,
    requirements: summarise(results, opts.catalogue),
    exitCode: exitCodeOf(results, opts.strict),
    counts,
  };
  await tell(opts.observers, 'onRunEnd', run);
  return run;
}
