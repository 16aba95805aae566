/**
 * A run's outcomes against its expectation files: what a file says of each scenario
 * and whether the run met it, what was not as expected, the entries no scenario used,
 * and the exit status that follows. Pure: results in, verdicts out.
 *
 * Of the entries that apply to a scenario (its file matches, its target if named, its
 * requirement among the scenario's ids), the most specific one speaks for the scenario
 * as a whole, and for each requirement id: a file named outright outranks a pattern,
 * which outranks no `scenario:`; then one naming the target outranks one that does not;
 * then the first in the file. An outcome no entry speaks for is expected to be `pass`
 * (or `skip`).
 */
import { resolve } from 'node:path';
import type { Catalogue } from '../../scenario/catalogue.js';
import type { ExpectationSummary, Outcome, ScenarioExpectation, ScenarioResult } from '../result.js';
import { exitCodeOf, worse } from '../verdict.js';
import type { ExpectationEntry, ExpectationFile } from './file.js';

/** The expectation files of a run, and which one speaks for each scenario result. */
export interface ExpectationPlan {
  files: ExpectationFile[];
  /** The file for a result (by its plan id: the target it ran against); none: the run's usual rules. */
  fileOf(result: Pick<ScenarioResult, 'id'>): ExpectationFile | undefined;
  /** The folder results' `file` paths are relative to. */
  cwd: string;
}

/** Outcomes that need no entry. */
const FINE: ReadonlySet<Outcome> = new Set(['pass', 'skip']);

/** An entry speaking for a scenario (or one of its requirement ids), and whether the run gave an outcome it accepts. */
export interface EntryUse {
  entry: ExpectationEntry;
  requirement?: string;
  actual: Outcome;
  held: boolean;
}

/** What one expectation file makes of one scenario result. */
export interface ResultCheck {
  uses: EntryUse[];
  /** What was not as expected: a message each. */
  unexpected: string[];
}

function rank(e: ExpectationEntry): number {
  return (e.scenario === undefined ? 0 : e.exact ? 4 : 2) + (e.target !== undefined ? 1 : 0);
}

/** The most specific of `entries` (the first of equals). */
function pick(entries: ExpectationEntry[]): ExpectationEntry | undefined {
  let best: ExpectationEntry | undefined;
  for (const e of entries) if (!best || rank(e) > rank(best)) best = e;
  return best;
}

/** `fail`, `non-strict or pass`. */
const expected = (e: ExpectationEntry) => e.outcomes.join(' or ');

/** Compare `r` with what `file` says of it. */
export function checkResult(r: ScenarioResult, file: ExpectationFile, cwd: string): ResultCheck {
  const abs = resolve(cwd, r.file);
  const ids = Object.entries(r.requirements);
  const applies = file.entries.filter((e) => (e.target === undefined || e.target === r.target) && (!e.matches || e.matches(abs)) && (e.requirement === undefined || e.requirement in r.requirements));
  const uses: EntryUse[] = [];
  const unexpected: string[] = [];
  const use = (entry: ExpectationEntry, actual: Outcome, requirement?: string): boolean => {
    const held = entry.outcomes.includes(actual);
    uses.push({ entry, actual, held, ...(requirement !== undefined ? { requirement } : {}) });
    if (!held) {
      const fix = actual !== 'pass' ? 'update the entry' : entry.exact ? 'remove the entry' : 'narrow the entry';
      const gave = actual === 'pass' ? 'passed' : `gave ${actual}`;
      unexpected.push(`${requirement ? `${requirement} ` : ''}expected ${expected(entry)} (${entry.source}: ${entry.reason}) but it ${gave}: ${fix}`);
    }
    return held;
  };
  const whole = pick(applies.filter((e) => e.requirement === undefined));
  if (whole) use(whole, r.outcome);
  const unlisted: string[] = [];
  for (const [id, o] of Object.entries(r.requirements)) {
    const entry = pick(applies.filter((e) => e.requirement === id));
    if (entry) use(entry, o, id);
    else if (!whole && !FINE.has(o)) unlisted.push(id);
  }
  if (uses.length === 0 && !FINE.has(r.outcome)) unexpected.push(`${r.outcome}, not listed in ${file.file}`);
  else for (const id of unlisted) unexpected.push(`${id} ${r.requirements[id]}, not listed in ${file.file}`);
  return { uses, unexpected };
}

/** What an expectation file says of a scenario, for its result (undefined: no entry applies). */
export function expectationOf(check: ResultCheck): ScenarioExpectation | undefined {
  if (check.uses.length === 0) return undefined;
  const whole = check.uses.find((u) => u.requirement === undefined);
  const byId = check.uses.filter((u) => u.requirement !== undefined);
  const unique = (xs: string[]) => [...new Set(xs)];
  const others = (u: EntryUse) => u.entry.outcomes.slice(1);
  const intermittent = {
    ...(whole && others(whole).length ? { outcome: others(whole) } : {}),
    ...(byId.some((u) => others(u).length) ? { requirements: Object.fromEntries(byId.filter((u) => others(u).length).map((u) => [u.requirement!, others(u)])) } : {}),
  };
  const link = check.uses.find((u) => u.entry.link)?.entry.link;
  return {
    ...(whole ? { outcome: whole.entry.outcomes[0]! } : {}),
    ...(byId.length ? { requirements: Object.fromEntries(byId.map((u) => [u.requirement!, u.entry.outcomes[0]!])) } : {}),
    ...(Object.keys(intermittent).length ? { intermittent } : {}),
    reason: unique(check.uses.map((u) => u.entry.reason)).join('; '),
    ...(link ? { link } : {}),
    source: unique(check.uses.map((u) => u.entry.source)).join(', '),
    met: check.unexpected.length === 0,
  };
}

/** The expectation the plan's file for `r` sets on it, if any entry applies. */
export function judgeExpectation(r: ScenarioResult, plan: ExpectationPlan): ScenarioExpectation | undefined {
  const file = plan.fileOf(r);
  return file && expectationOf(checkResult(r, file, plan.cwd));
}

/**
 * The run's expectation summary and exit status: 1 if a listed outcome was not given
 * (an unexpected pass included) or an outcome not listed fails the run (`fail`; with
 * `strict`, `non-strict`); else 2 if something not listed could not be judged (an
 * `error`, a MUST no check reached); else 0. Results no file speaks for keep the usual rules.
 */
export function summariseExpectations(results: readonly ScenarioResult[], plan: ExpectationPlan, strict: boolean, catalogue?: Catalogue): { summary: ExpectationSummary; exitCode: 0 | 1 | 2 } {
  const used = new Set<ExpectationEntry>();
  const unexpected: ExpectationSummary['unexpected'] = [];
  const judged: ScenarioResult[] = [];
  let met = 0;
  for (const r of results) {
    const file = plan.fileOf(r);
    if (!file) {
      judged.push(r);
      continue;
    }
    const c = checkResult(r, file, plan.cwd);
    for (const u of c.uses) used.add(u.entry);
    if (c.unexpected.length) unexpected.push({ id: r.id, message: c.unexpected.join('; ') });
    else if (c.uses.length) met++;
    const expectation = expectationOf(c);
    judged.push(expectation ? Object.assign({}, r, { expectation }) : r);
  }
  const unused = plan.files.flatMap((f) => f.entries.filter((e) => !used.has(e)).map((e) => e.source));
  return { summary: { files: plan.files.map((f) => f.file), met, unexpected, unused }, exitCode: exitCodeAsExpected(judged, strict, catalogue) };
}

/**
 * The exit status of results each carrying what its expectation file says of it (a run,
 * a report read back, shards merged): a listed outcome not given (other than `error`)
 * fails the run; each outcome as listed counts as a pass; the rest by the usual rules.
 */
export function exitCodeAsExpected(results: readonly ScenarioResult[], strict: boolean, catalogue?: Catalogue): 0 | 1 | 2 {
  let missed = false;
  const adjusted = results.map((r): ScenarioResult => {
    const e = r.expectation;
    if (!e) return r;
    const accepts = (first: Outcome, others: Outcome[] | undefined, actual: Outcome) => {
      const held = actual === first || (others ?? []).includes(actual);
      if (!held && actual !== 'error') missed = true;
      return held;
    };
    const wholeHeld = e.outcome !== undefined && accepts(e.outcome, e.intermittent?.outcome, r.outcome);
    const requirements = { ...r.requirements };
    for (const [id, o] of Object.entries(r.requirements)) {
      const listed = e.requirements?.[id];
      if (listed !== undefined ? accepts(listed, e.intermittent?.requirements?.[id], o) : wholeHeld) requirements[id] = 'pass';
    }
    const outcome = wholeHeld ? 'pass' : Object.entries(r.requirements).some(([id, o]) => requirements[id] !== o) ? Object.values(requirements).reduce<Outcome>(worse, 'pass') : r.outcome;
    return { ...r, outcome, requirements };
  });
  return missed ? 1 : exitCodeOf(adjusted, strict, catalogue);
}
