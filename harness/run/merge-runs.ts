/**
 * Merging the shards of one run (`--shard K/N`, run apart, e.g. on several CI
 * machines) back into the run a single `sockspec run` would have given: scenarios in
 * the plan's order, requirement summaries, counts and exit status recomputed.
 */
import type { Catalogue, Requirement } from '../scenario/catalogue.js';
import type { ExpectationSummary, Outcome, RequirementSummary, RunResult, ScenarioResult } from './result.js';
import { exitCodeOf, summarise } from './verdict.js';
import { exitCodeAsExpected } from './expectations/apply.js';

/** A run with the file it was read from, for messages. */
export interface RunFile {
  file: string;
  run: RunResult;
}

/** Why shards do not merge; `file` is the report at fault, when one is. */
export interface MergeProblem {
  file?: string;
  code: string;
  message: string;
}

export type Merged = { run: RunResult; warnings: string[] } | { problems: MergeProblem[] };

const sameEntry = (a: RequirementSummary, b: RequirementSummary) => a.id === b.id && a.level === b.level && a.text === b.text;

/** An id no catalogue entry has, listed only because a scenario names it (as `summarise` adds them). */
const isNamedOnly = (q: RequirementSummary) => q.level === 'MUST' && q.text === '' && q.outcome !== 'uncovered';

/** How many entries `a` and `b` begin with alike. */
function commonPrefix(a: RequirementSummary[], b: RequirementSummary[]): number {
  let i = 0;
  while (i < a.length && i < b.length && sameEntry(a[i]!, b[i]!)) i++;
  return i;
}

/**
 * The catalogue the shards were run with: the entries every shard lists first, alike.
 * What follows in each must be ids its own scenarios named outside the catalogue;
 * anything else means the shards were run with different catalogues.
 */
function sharedCatalogue(shards: RunFile[]): { catalogue: Catalogue } | { problem: MergeProblem } {
  const first = shards[0]!;
  let n = first.run.requirements.length;
  for (const { file, run } of shards) {
    const common = commonPrefix(first.run.requirements, run.requirements);
    const odd = run.requirements.slice(common).find((q) => !isNamedOnly(q)) ?? first.run.requirements.slice(common).find((q) => !isNamedOnly(q));
    if (odd) return { problem: { file, code: 'catalogue-mismatch', message: `its requirement catalogue differs from ${first.file}'s (at \`${odd.id}\`): the shards of one run share one catalogue` } };
    n = Math.min(n, common);
  }
  const requirements: Requirement[] = first.run.requirements.slice(0, n).map((q) => ({ id: q.id, level: q.level, text: q.text }));
  const byId = new Map(requirements.map((q) => [q.id, q]));
  for (const { file, run } of shards) {
    const twice = run.requirements.slice(n).find((q) => byId.has(q.id));
    if (twice) return { problem: { file, code: 'catalogue-mismatch', message: `its requirement catalogue differs from ${first.file}'s (at \`${twice.id}\`): the shards of one run share one catalogue` } };
  }
  return { catalogue: { file: '', requirements, byId } };
}

/** How many items of a plan of `planned` fall to shard `index` of `count` (item i goes to shard i % count + 1). */
function shareOf(index: number, count: number, planned: number): number {
  return planned >= index ? Math.ceil((planned - index + 1) / count) : 0;
}

/** What the shards' runs, as shards of one plan, are wrong about; empty when they fit together. */
function checkShards(shards: RunFile[]): MergeProblem[] {
  const first = shards[0]!;
  const problems: MergeProblem[] = [];
  const bySlot = new Map<number, string>();
  for (const { file, run } of shards) {
    const s = run.shard;
    if (!s) {
      problems.push({ file, code: 'not-a-shard', message: 'a run without --shard; only the shards of one run (--shard K/N) merge, or one report alone' });
      continue;
    }
    const f = first.run.shard;
    if (f && s.count !== f.count) problems.push({ file, code: 'shard-mismatch', message: `shard ${s.index}/${s.count}, but ${first.file} is ${f.index}/${f.count}: shards of one run are cut in the same number of slices` });
    else if (f && s.planned !== f.planned) problems.push({ file, code: 'plan-mismatch', message: `a shard of a plan of ${s.planned} scenarios, but ${first.file} is of a plan of ${f.planned}` });
    else if (bySlot.has(s.index)) problems.push({ file, code: 'duplicate-shard', message: `shard ${s.index}/${s.count} is given twice (also ${bySlot.get(s.index)})` });
    else if (run.strict !== first.run.strict) problems.push({ file, code: 'option-mismatch', message: `run ${run.strict ? 'with' : 'without'} --strict, but ${first.file} ${first.run.strict ? 'with' : 'without'}` });
    else {
      bySlot.set(s.index, file);
      const share = shareOf(s.index, s.count, s.planned);
      const n = run.scenarios.length;
      if (run.interrupted ? n > share : n !== share) problems.push({ file, code: 'plan-mismatch', message: `shard ${s.index}/${s.count} has ${n} scenarios, but a plan of ${s.planned} gives it ${share}` });
    }
  }
  const count = first.run.shard?.count;
  if (problems.length === 0 && count !== undefined) {
    const missing = Array.from({ length: count }, (_, i) => i + 1).filter((k) => !bySlot.has(k));
    if (missing.length) {
      const given = [...bySlot].sort(([a], [b]) => a - b).map(([k, file]) => `${k}/${count} ${file}`);
      problems.push({ code: 'missing-shard', message: `${missing.length === 1 ? 'shard' : 'shards'} ${missing.map((k) => `${k}/${count}`).join(', ')} missing (given: ${given.join(', ')})` });
    }
  }
  return problems;
}

/**
 * The shards' scenarios in the plan's order: the j-th result of shard K was item K-1 + j·N
 * of the plan (an interrupted shard left out what had not ended, so from its first gap on
 * its results are placed as near their items as it allows).
 */
function planOrder(shards: RunFile[]): { scenarios: ScenarioResult[] } | { problem: MergeProblem } {
  const placed: { at: number; result: ScenarioResult }[] = [];
  const seen = new Map<string, string>();
  for (const { file, run } of shards) {
    const { index, count } = run.shard!;
    for (const [j, result] of run.scenarios.entries()) {
      const other = seen.get(result.id);
      if (other !== undefined) return { problem: { file, code: 'plan-mismatch', message: `scenario \`${result.id}\` is also in ${other}: the shards are not of one plan` } };
      seen.set(result.id, file);
      placed.push({ at: index - 1 + j * count, result });
    }
  }
  return { scenarios: placed.sort((a, b) => a.at - b.at).map((p) => p.result) };
}

/**
 * The expectation summaries of the shards as one: the files, the met counts added, the
 * unexpected outcomes in scenario order, and the entries none of the shards used.
 */
function mergeExpectations(runs: RunResult[], scenarios: ScenarioResult[]): ExpectationSummary | undefined {
  const all = runs.flatMap((r) => (r.expectations ? [r.expectations] : []));
  if (all.length === 0) return undefined;
  const order = new Map(scenarios.map((s, i) => [s.id, i]));
  const unexpected = all.flatMap((e) => e.unexpected).map((u, i) => ({ u, i }));
  unexpected.sort((a, b) => (order.get(a.u.id) ?? Infinity) - (order.get(b.u.id) ?? Infinity) || a.i - b.i);
  return {
    files: [...new Set(all.flatMap((e) => e.files))],
    met: all.reduce((sum, e) => sum + e.met, 0),
    unexpected: unexpected.map(({ u }) => ({ id: u.id, message: u.message })),
    unused: all[0]!.unused.filter((entry) => all.every((e) => e.unused.includes(entry))),
  };
}

/** The earliest start and the latest end of `runs`, as a start and a duration. */
function span(runs: RunResult[]): { startedAt: string; durationMs: number } {
  const start = Math.min(...runs.map((r) => Date.parse(r.startedAt)));
  const end = Math.max(...runs.map((r) => Date.parse(r.startedAt) + r.durationMs));
  return { startedAt: new Date(start).toISOString(), durationMs: Math.round(end - start) };
}

/**
 * The run the shards make together, as one `sockspec run` of the whole plan would have
 * reported it (timing aside); one report that is not a shard is taken as it is.
 */
export function mergeRuns(shards: RunFile[]): Merged {
  if (shards.length === 0) return { problems: [{ code: 'usage', message: 'no report to merge' }] };
  if (shards.length === 1 && !shards[0]!.run.shard) return { run: shards[0]!.run, warnings: [] };
  const problems = checkShards(shards);
  if (problems.length) return { problems };
  const shared = sharedCatalogue(shards);
  if ('problem' in shared) return { problems: [shared.problem] };
  const ordered = planOrder(shards);
  if ('problem' in ordered) return { problems: [ordered.problem] };
  const { catalogue } = shared;
  const { scenarios } = ordered;
  const runs = shards.map((s) => s.run);
  const strict = runs[0]!.strict;
  const warnings: string[] = [];
  const seeds = [...new Set(runs.flatMap((r) => (r.seed === undefined ? [] : [r.seed])))];
  if (seeds.length > 1) warnings.push(`the shards drew different seeds (${seeds.join(', ')}): the merged run names none, each property scenario's own seed and replay command are in its result (give every shard the same --seed)`);
  const counts: Record<Outcome, number> = { pass: 0, fail: 0, 'non-strict': 0, info: 0, 'not-run': 0, skip: 0, error: 0 };
  for (const r of scenarios) counts[r.outcome]++;
  const expectations = mergeExpectations(runs, scenarios);
  const run: RunResult = {
    ...span(runs),
    strict,
    ...(seeds.length === 1 ? { seed: seeds[0]! } : {}),
    ...(runs.some((r) => r.interrupted) ? { interrupted: true } : {}),
    scenarios,
    requirements: summarise(scenarios, catalogue),
    ...(expectations ? { expectations } : {}),
    // With expectation files, each shard's outcomes were judged against them: so is the whole.
    exitCode: expectations ? exitCodeAsExpected(scenarios, strict, catalogue) : exitCodeOf(scenarios, strict, catalogue),
    counts,
  };
  return { run, warnings };
}
