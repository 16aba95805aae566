/**
 * The JUnit XML report: a `<testsuite>` per scenario folder and a `<testcase>` per
 * scenario, valid XML 1.0 whatever bytes the program under test sent. Each testcase
 * carries its scenario's `file` and, when it failed, the `line` of the failing step,
 * as attributes (where CI tools look) and as properties, then a `requirement`
 * property per id with its outcome in an `outcome:ID` property. A deviation an
 * expectation file expects is skipped, saying why; one that did not come is a failure.
 */
import type { RunResult, ScenarioResult } from '../run/result.js';
import { describeExpected, describeUnexpected, expectationState } from './expectation-text.js';
import { makePrintableLine } from './printable-text.js';
import { describeProblem, describeTranscriptTail, summariseProblem } from './problem-text.js';
import { failureLine } from './scenario-failures.js';
import { escapeXmlText, formatXmlAttributes } from './xml-text.js';

/** How JUnit counts a scenario. */
export type JunitVerdict = 'passed' | 'failure' | 'error' | 'skipped';

/** The verdict of `r` before its expectation: a SHOULD that failed is a failure only in a strict run. */
function classifyOutcome(r: Readonly<ScenarioResult>, strict: boolean): JunitVerdict {
  if (r.outcome === 'fail' || (r.outcome === 'non-strict' && strict)) return 'failure';
  if (r.outcome === 'error') return 'error';
  // Nothing of it was judged: no check of its requirements ran.
  if (r.outcome === 'skip' || r.outcome === 'not-run') return 'skipped';
  return 'passed';
}

/**
 * The verdict of `r` as JUnit sees it: as its outcome gives it, except that an
 * expected deviation is skipped and an outcome other than the expected one fails.
 */
export function classifyForJunit(r: Readonly<ScenarioResult>, strict: boolean): JunitVerdict {
  const verdict = classifyOutcome(r, strict);
  switch (expectationState(r)) {
    case 'expected':
      return 'skipped';
    case 'unexpected-pass':
      return 'failure';
    case 'unexpected-outcome':
      return verdict === 'error' ? 'error' : 'failure';
    default:
      return verdict;
  }
}

/** `ms` in seconds with three decimals, the form of JUnit's `time` attribute. */
export function formatSeconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/** The folder and file name of a scenario path (either separator); `.` when there is no folder. */
export function splitScenarioPath(file: string): { folder: string; name: string } {
  const cut = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return cut < 0 ? { folder: '.', name: file } : { folder: file.slice(0, cut) || '/', name: file.slice(cut + 1) };
}

function counts(results: readonly Readonly<ScenarioResult>[], strict: boolean, timeMs: number) {
  const n = { failure: 0, error: 0, skipped: 0, passed: 0 };
  for (const r of results) n[classifyForJunit(r, strict)]++;
  return { tests: results.length, failures: n.failure, errors: n.error, skipped: n.skipped, time: formatSeconds(timeMs) };
}

/** The problem, the notes and the end of the transcript, as element text. */
function detailText(r: Readonly<ScenarioResult>, lead?: string): string {
  const lines = [...(lead ? [lead] : []), ...describeProblem(r), ...describeTranscriptTail(r.transcript)];
  return escapeXmlText(`${lines.join('\n')}\n`);
}

/** `file`, `line` (of the failing step, when known), then each requirement id with its outcome. */
function properties(r: Readonly<ScenarioResult>, line: number | undefined): string[] {
  const props: [string, string][] = [['file', r.file]];
  if (line !== undefined) props.push(['line', String(line)]);
  for (const id of new Set([...r.covers, ...Object.keys(r.requirements)])) {
    props.push(['requirement', id]);
    const outcome = r.requirements[id];
    if (outcome) props.push([`outcome:${id}`, outcome]);
  }
  return ['      <properties>', ...props.map(([name, value]) => `        <property${formatXmlAttributes({ name, value })}/>`), '      </properties>'];
}

/** The `<failure>`, `<error>` or `<skipped>` element of `r`, and the line its details start with. */
function verdictElement(r: Readonly<ScenarioResult>, strict: boolean): { element?: string; lead?: string } {
  const verdict = classifyForJunit(r, strict);
  const state = expectationState(r);
  const e = r.expectation!;
  if (state === 'expected') return { element: `      <skipped${formatXmlAttributes({ message: describeExpected(r, e) })}/>`, lead: `${describeExpected(r, e)}; entry ${makePrintableLine(e.source)}` };
  const unexpected = state === 'unexpected-pass' || state === 'unexpected-outcome' ? describeUnexpected(r, e) : undefined;
  if (verdict === 'failure' || verdict === 'error') {
    // A scenario that did not break the way its entry says keeps its own problem when it has one.
    const own = classifyOutcome(r, strict) === verdict;
    const problem = own
      ? { message: r.failure ? makePrintableLine(r.failure.message.split(/\r?\n/)[0] ?? '') : summariseProblem(r), type: r.failure?.code ?? r.outcome }
      : { message: unexpected, type: state };
    return { element: `      <${verdict}${formatXmlAttributes(problem)}>${detailText(r, unexpected && `unexpected: ${unexpected}`)}</${verdict}>` };
  }
  if (verdict === 'skipped') return { element: `      <skipped${formatXmlAttributes({ message: makePrintableLine(r.skipReason ?? (r.outcome === 'not-run' ? `not run: ${Object.values(r.reasons ?? {})[0] ?? 'no check ran'}` : 'skipped')) })}/>` };
  return {};
}

function testcase(r: Readonly<ScenarioResult>, strict: boolean): string[] {
  const { folder, name } = splitScenarioPath(r.file);
  // An INFO observation is no failing step: tools that mark the line would flag a pass.
  const line = r.outcome === 'info' ? undefined : failureLine(r.failure);
  const out = [`    <testcase${formatXmlAttributes({ classname: folder, name: `${name} [${r.target}]`, time: formatSeconds(r.durationMs), file: r.file, line })}>`];
  out.push(...properties(r, line));
  const { element, lead } = verdictElement(r, strict);
  if (element) out.push(element);
  // The details stay in reach where no failure element carries them: an expected deviation, an unmet SHOULD, notes.
  const outLead = lead ?? (r.outcome === 'non-strict' ? 'warning: a SHOULD requirement was not met (a failure with --strict)' : undefined);
  if (outLead) out.push(`      <system-out>${detailText(r, outLead)}</system-out>`);
  else if (!element && (r.failure || r.notes.length)) out.push(`      <system-out>${detailText(r)}</system-out>`);
  if (r.problems?.length) out.push(`      <system-err>${escapeXmlText(`${r.problems.map((p) => makePrintableLine(`${p.code}: ${p.message}`)).join('\n')}\n`)}</system-err>`);
  out.push('    </testcase>');
  return out;
}

/** The JUnit XML document for `run` in pieces, a scenario (testcase) at a time. */
export function* junitReportChunks(run: Readonly<RunResult>): Generator<string> {
  const byFolder = new Map<string, Readonly<ScenarioResult>[]>();
  for (const r of run.scenarios) {
    const { folder } = splitScenarioPath(r.file);
    const results = byFolder.get(folder) ?? byFolder.set(folder, []).get(folder)!;
    results.push(r);
  }
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield `<testsuites${formatXmlAttributes({ name: 'sockspec', ...counts(run.scenarios, run.strict, run.durationMs), timestamp: run.startedAt })}>\n`;
  for (const [folder, results] of byFolder) {
    const time = results.reduce((sum, r) => sum + r.durationMs, 0);
    yield `  <testsuite${formatXmlAttributes({ name: folder, ...counts(results, run.strict, time), timestamp: run.startedAt })}>\n`;
    for (const r of results) yield `${testcase(r, run.strict).join('\n')}\n`;
    yield '  </testsuite>\n';
  }
  yield '</testsuites>\n';
}

/** The whole JUnit XML document for `run`. */
export function renderJunitReport(run: Readonly<RunResult>): string {
  return [...junitReportChunks(run)].join('');
}
