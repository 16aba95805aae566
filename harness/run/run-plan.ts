/**
 * A whole run: scenarios × targets, `jobs` at a time, with sharding, observers told
 * of progress, and the results summarised per requirement. Prints nothing itself.
 */
import { shellQuote } from '../process/command.js';
import type { StopProblem } from '../process/stop-problems.js';
import type { Catalogue } from '../scenario/catalogue.js';
import type { Scenario } from '../scenario/model.js';
import { ProgramPool, reserveFixedPorts } from './program-pool.js';
import type { Target } from './program.js';
import type { Outcome, RunResult, ScenarioResult } from './result.js';
import { runProperty } from './property.js';
import { runCase } from './differential.js';
import { exitCodeOf, summarise } from './verdict.js';
import { judgeExpectation, summariseExpectations, type ExpectationPlan } from './expectations/apply.js';
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
  /**
   * Once `signal` aborts, no scenario starts any more, and the run waits this long (default
   * 1000 ms) for those in flight to end and their programs to stop; then it is reported
   * with what ended (marked `interrupted`) while the rest is still being stopped.
   */
  stopWithinMs?: number;
  /** Known deviations: each result says what its file expected, and the exit status follows the expectations. */
  expectations?: ExpectationPlan;
}

/** Add what stopping its programs found to a scenario's result: in `problems`, and as notes at the end of its transcript. */
function addProblems(r: ScenarioResult, problems: StopProblem[]): void {
  if (problems.length === 0) return;
  r.problems = [...(r.problems ?? []), ...problems];
  for (const p of problems) r.transcript.push({ t: r.durationMs, kind: 'note', on: 'harness', detail: `${p.code}: ${p.message}` });
}

/** Resolve when `work` ends, or `ms` after `signal` aborted, whichever comes first; rejects as `work` does. */
function endOrGiveUp(work: Promise<void>, signal: AbortSignal, ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => (timer = setTimeout(resolve, ms));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    });
  });
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
  return items.map((i) => ({ id: several ? `${i.scenario.file} [${i.target.name}]` : i.scenario.file, scenario: i.scenario, target: i.target }));
}

/** The k-th of n slices of `items`, by position (deterministic for a given plan). */
export function shardOf<T>(items: T[], [k, n]: [number, number]): T[] {
  return items.filter((_, i) => i % n === k - 1);
}

/** The fixed port a plan item's program uses (a target's `--port`, or the scenario's `default-port`), if any. */
function fixedPortOf(item: PlanItem): number | undefined {
  return item.target.fixedPort ?? item.scenario.defaultPort;
}

/** The implementation a target runs: scenarios of two target objects with the same one may share its programs. */
export function implementationKey(t: Target): string {
  return JSON.stringify([t.name, t.command ?? null, t.fixedPort ?? null, t.cwd, t.env ?? null]);
}

/**
 * Which scenarios take turns (a lane), if any: those on one fixed port, which cannot run
 * side by side (`port N`); and the scenarios of one implementation that a program may
 * serve one after another (`process: reuse`, a port of its own, the same transport and
 * environment: `reuse …`), which could run side by side but are cheaper one after
 * another: each one that waits for the one running is served by the program it leaves.
 */
function laneOf(item: PlanItem, implementation: (t: Target) => string): string | undefined {
  const port = fixedPortOf(item);
  if (port !== undefined) return `port ${port}`;
  const { scenario: s, target: t } = item;
  if (s.role !== 'server' || s.process !== 'reuse' || t.command === undefined) return undefined;
  return `reuse ${implementation(t)} ${s.transport} ${JSON.stringify(s.env ?? {})}`;
}

/** How long a scenario that a running program may serve next waits for it, at most: one running longer is a long one (a property's cases, replies that take seconds). */
export const LANE_PATIENCE_MS = 1000;

export interface PlanOrderOptions {
  /** Whether a program is waiting, idle, that may serve item `i` at once. */
  idle?: (i: number) => boolean;
  /** Milliseconds, for how long scenarios have been running (default: performance.now). */
  now?: () => number;
}

/**
 * The order in which scenarios start: the plan's, with two exceptions, for which the
 * scenarios that take turns are grouped in lanes (laneOf).
 *
 * - A scenario whose fixed port another running scenario holds is passed over while one
 *   that can start at once is left: a worker waiting for the port would run nothing
 *   meanwhile.
 * - A scenario that a running program may serve next (`process: reuse`) waits for it
 *   while another can start, rather than start a program of its own: an interpreter's
 *   start costs more CPU than most scenarios. It is taken before any other as soon as a
 *   program is idle for it; it waits for no scenario that has run LANE_PATIENCE_MS or
 *   more (a long one), nor once nothing else is left to start.
 *
 * Results keep the plan's order whatever this one is.
 */
export class PlanOrder {
  /** Items not started yet, per lane (`undefined`: none), each queue in plan order. */
  readonly #queues = new Map<string | undefined, number[]>();
  /** The running scenarios of each lane, with when they started (empty: none). */
  readonly #running = new Map<string, Map<number, number>>();
  readonly #lanes: (string | undefined)[];
  readonly #idle: (i: number) => boolean;
  readonly #now: () => number;

  constructor(
    readonly items: readonly PlanItem[],
    options: PlanOrderOptions = {},
  ) {
    this.#idle = options.idle ?? (() => false);
    this.#now = options.now ?? (() => performance.now());
    // Made once per target object: a plan of 10,000 scenarios shares a handful of them.
    const keys = new Map<Target, string>();
    const key = (t: Target) => keys.get(t) ?? keys.set(t, implementationKey(t)).get(t)!;
    this.#lanes = items.map((item) => laneOf(item, key));
    this.#lanes.forEach((lane, i) => {
      const queue = this.#queues.get(lane) ?? this.#queues.set(lane, []).get(lane)!;
      queue.push(i);
    });
    // Queues are read from the front: keep them reversed, so that taking is a pop.
    for (const queue of this.#queues.values()) queue.reverse();
  }

  /** Whether the next scenario of `lane` waits for one running: any on a fixed port; on a program's, a scenario that started less than LANE_PATIENCE_MS ago. */
  #waits(lane: string): boolean {
    const running = this.#running.get(lane);
    if (!running || running.size === 0) return false;
    if (lane.startsWith('port ')) return true;
    const recent = this.#now() - LANE_PATIENCE_MS;
    for (const started of running.values()) if (started > recent) return true;
    return false;
  }

  /**
   * The next item to start, or undefined when all have: the first in plan order that an
   * idle program may serve, else the first that can start at once, else the first.
   */
  take(): number | undefined {
    let served: { lane: string | undefined; i: number } | undefined;
    let pick: { lane: string | undefined; i: number } | undefined;
    let first: { lane: string | undefined; i: number } | undefined;
    // One look per lane (few), not per item (a run of 10,000 scenarios in one lane would be quadratic).
    for (const [lane, queue] of this.#queues) {
      const i = queue.at(-1);
      if (i === undefined) continue;
      if (!first || i < first.i) first = { lane, i };
      if (lane?.startsWith('reuse ') && (!served || i < served.i) && this.#idle(i)) served = { lane, i };
      if ((lane === undefined || !this.#waits(lane)) && (!pick || i < pick.i)) pick = { lane, i };
    }
    const chosen = served ?? pick ?? first;
    if (!chosen) return undefined;
    this.#queues.get(chosen.lane)!.pop();
    if (chosen.lane !== undefined) (this.#running.get(chosen.lane) ?? this.#running.set(chosen.lane, new Map()).get(chosen.lane)!).set(chosen.i, this.#now());
    return chosen.i;
  }

  /** Item `i` ended: its lane is free for the next one. */
  done(i: number): void {
    const lane = this.#lanes[i];
    if (lane === undefined) return;
    // The lane's map is kept, empty, for its next scenario (one after another, a map each would be made and dropped).
    this.#running.get(lane)?.delete(i);
  }
}

async function tell(observers: RunObserver[], hook: keyof RunObserver, arg: unknown): Promise<void> {
  for (const o of observers) await (o[hook] as ((a: unknown) => unknown) | undefined)?.call(o, arg);
}

/** The ports the plan's scenarios take as fixed ones: a target's, or else a scenario's `default-port`. */
function fixedPortsOf(items: readonly PlanItem[], reference: Target | undefined): Set<number> {
  const ports = new Set<number>();
  for (const { scenario, target } of items) {
    for (const t of reference ? [target, reference] : [target]) {
      const port = t.fixedPort ?? scenario.defaultPort;
      if (port !== undefined) ports.add(port);
    }
  }
  return ports;
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
  const keys = new Map<Target, string>();
  // Made once per target object: a plan of 10,000 scenarios shares a handful of them.
  const keyOf = (t: Target) => keys.get(t) ?? keys.set(t, implementationKey(t)).get(t)!;
  const reference = opts.reference;
  const poolFor = (t: Target) => pools.get(keyOf(t)) ?? pools.set(keyOf(t), new ProgramPool(t)).get(keyOf(t))!;
  await tell(opts.observers, 'onRunStart', { scenarios: items.length, targets: [...new Set(items.map((i) => i.target.name))], startedAt });
  const results: (ScenarioResult | undefined)[] = new Array(items.length);
  /** Per pool, the last scenario it lent a program to: problems found when the pool closes are told there. */
  const lastOf = new Map<ProgramPool, number>();
  const order = new PlanOrder(items, { idle: (i) => poolFor(items[i]!.target).hasIdle(items[i]!.scenario) });
  /** Per pool, the scenarios it has yet to serve: once none is left, its programs are stopped rather than kept idle to the end. */
  const left = new Map<string, number>();
  for (const item of items) left.set(keyOf(item.target), (left.get(keyOf(item.target)) ?? 0) + 1);
  // The reference serves every scenario.
  if (reference) left.set(keyOf(reference), Infinity);
  const closed = new Set<ProgramPool>();
  /** Stop what `pool` still runs; what that finds is told to `r`, its last scenario. */
  const closePool = async (pool: ProgramPool, r?: ScenarioResult) => {
    if (closed.has(pool)) return;
    closed.add(pool);
    const problems: StopProblem[] = [];
    await pool.close(problems);
    if (!reported && r) addProblems(r, problems);
  };
  /** Set once the run's result is made: nothing is added or told after that. */
  let reported = false;
  const worker = async () => {
    // Once the run is interrupted, no scenario starts any more.
    for (let i = order.take(); i !== undefined && !opts.signal.aborted; i = order.take()) {
      const item = items[i]!;
      if (opts.observers.length) await tell(opts.observers, 'onScenarioStart', item.id);
      if (opts.signal.aborted) break;
      const source = poolFor(item.target);
      // What stopping its programs finds (a daemon left behind, SIGTERM ignored) belongs to the scenario.
      const problems: StopProblem[] = [];
      const base = {
        id: item.id,
        target: item.target.name,
        source,
        signal: opts.signal,
        stopProblems: problems,
        // A shard keeps what the whole plan would, so that merged shards report what one run would have.
        transcriptBytes: transcriptBudget(allItems.length),
        ...(opts.catalogue ? { catalogue: opts.catalogue } : {}),
        ...(reference ? { reference: { source: poolFor(reference), name: reference.name } } : {}),
      };
      const r = await (item.scenario.property
        ? runProperty(item.scenario, {
            ...base,
            seed,
            ...(opts.runs !== undefined ? { runs: opts.runs } : {}),
            ...(opts.path !== undefined ? { path: opts.path } : {}),
            replay: (s, p) => replayCommand(item.scenario.file, item.scenario.role, item.target, s, p, reference),
          })
        : runCase(item.scenario, base));
      addProblems(r, problems);
      const key = keyOf(item.target);
      left.set(key, left.get(key)! - 1);
      if (left.get(key) === 0) await closePool(source, r);
      const expectation = opts.expectations && judgeExpectation(r, opts.expectations);
      if (expectation) r.expectation = expectation;
      // A scenario that ends after an interrupted run was reported without it is left out.
      if (reported) break;
      results[i] = r;
      lastOf.set(source, i);
      order.done(i);
      if (opts.observers.length) await tell(opts.observers, 'onScenarioEnd', r);
    }
  };
  const closePools = () =>
    Promise.all(
      [...pools.values()].map((pool) => {
        const last = lastOf.get(pool);
        return closePool(pool, last === undefined ? undefined : results[last]);
      }),
    );
  // The plan's fixed ports, kept from being handed out as free ones while the run lasts.
  const unreserve = reserveFixedPorts(fixedPortsOf(items, reference));
  const work = (async () => {
    try {
      await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.jobs, items.length)) }, worker));
    } finally {
      try {
        await closePools();
      } finally {
        await unreserve();
      }
    }
  })();
  // Interrupted: the report waits a bounded time for the scenarios in flight, not for every program to die.
  work.catch(() => {});
  await endOrGiveUp(work, opts.signal, opts.stopWithinMs ?? 1000);
  reported = true;
  const ran = results.filter((r): r is ScenarioResult => r !== undefined);
  const counts: Record<Outcome, number> = { pass: 0, fail: 0, 'non-strict': 0, info: 0, 'not-run': 0, skip: 0, error: 0 };
  for (const r of ran) counts[r.outcome]++;
  const expected = opts.expectations && summariseExpectations(ran, opts.expectations, opts.strict, opts.catalogue);
  const run: RunResult = {
    startedAt,
    durationMs: Math.round(performance.now() - started),
    strict: opts.strict,
    ...(hasProperty ? { seed } : {}),
    ...(opts.signal.aborted ? { interrupted: true } : {}),
    ...(opts.shard ? { shard: { index: opts.shard[0], count: opts.shard[1], planned: allItems.length } } : {}),
    scenarios: ran,
    requirements: summarise(ran, opts.catalogue),
    ...(expected ? { expectations: expected.summary } : {}),
    exitCode: expected ? expected.exitCode : exitCodeOf(ran, opts.strict, opts.catalogue),
    counts,
  };
  await tell(opts.observers, 'onRunEnd', run);
  return run;
}
