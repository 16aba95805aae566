/**
 * What the CI reports say of a scenario an expectation file lists (a known
 * deviation): whether its outcome was the expected one, what was expected and why,
 * and, when it was not, what to do with the entry. Plain printable text.
 */
import type { Outcome, ScenarioExpectation, ScenarioResult } from '../run/result.js';
import { makePrintableLine } from './printable-text.js';

/**
 * - `expected`: the listed outcomes came, and they are not a pass (a known deviation);
 * - `unexpected-pass`: it passed, though the file expects otherwise (the entry should go);
 * - `unexpected-outcome`: it did not pass, but not as the file expects;
 * - `none`: no entry, or an entry expecting a pass that came.
 */
export type ExpectationState = 'none' | 'expected' | 'unexpected-pass' | 'unexpected-outcome';

export function expectationState(r: Readonly<ScenarioResult>): ExpectationState {
  const e = r.expectation;
  if (!e) return 'none';
  if (e.met) return r.outcome === 'pass' ? 'none' : 'expected';
  return r.outcome === 'pass' ? 'unexpected-pass' : 'unexpected-outcome';
}

/** `fail`, `ECHO-4 fail, ECHO-5 non-strict`, or both: `fail (ECHO-4 fail)`. */
export function describeExpectedOutcomes(e: Readonly<ScenarioExpectation>): string {
  const ids = Object.entries(e.requirements ?? {}).map(([id, o]) => `${id} ${o}`);
  const text = e.outcome && ids.length ? `${e.outcome} (${ids.join(', ')})` : (e.outcome ?? (ids.join(', ') || 'a deviation'));
  return makePrintableLine(text);
}

/** What the run gave for what `e` lists, in the same form. */
export function describeActualOutcomes(r: Readonly<ScenarioResult>, e: Readonly<ScenarioExpectation>): string {
  const actual: Record<string, Outcome | 'not covered'> = {};
  for (const id of Object.keys(e.requirements ?? {})) actual[id] = r.requirements[id] ?? 'not covered';
  const ids = Object.entries(actual).map(([id, o]) => `${id} ${o}`);
  return makePrintableLine(ids.length ? `${r.outcome} (${ids.join(', ')})` : r.outcome);
}

/** The reason and its link: `reason (link)`. */
export function describeReason(e: Readonly<ScenarioExpectation>): string {
  return makePrintableLine(e.link ? `${e.reason} (${e.link})` : e.reason);
}

/** `expected fail: reason (link)`, the line a met expectation is shown with. */
export function describeExpected(r: Readonly<ScenarioResult>, e: Readonly<ScenarioExpectation>): string {
  return `expected ${makePrintableLine(r.outcome)}: ${describeReason(e)}`;
}

/** Why `r`'s outcome is not the one `e` expects, and what to do with the entry. */
export function describeUnexpected(r: Readonly<ScenarioResult>, e: Readonly<ScenarioExpectation>): string {
  const source = makePrintableLine(e.source);
  if (r.outcome === 'pass') return `passed, but ${source} expects ${describeExpectedOutcomes(e)} (${describeReason(e)}): the deviation is gone, remove the entry`;
  return `${describeActualOutcomes(r, e)} is not what ${source} expects: ${describeExpectedOutcomes(e)} (${describeReason(e)}); update the entry`;
}

/** The file and line of the first entry `e` comes from (`source` is `file:line`, several comma-separated). */
export function expectationEntry(e: Readonly<ScenarioExpectation>): { file: string; line?: number } {
  const first = e.source.split(',')[0]!.trim();
  const m = /^(.*):(\d+)$/.exec(first);
  return m && m[1] ? { file: m[1], line: Number(m[2]) } : { file: first };
}
