/**
 * The JUnit XML report: a `<testsuite>` per scenario folder and a `<testcase>` per
 * scenario, valid XML 1.0 whatever bytes the program under test sent.
 */
import type { RunResult, ScenarioResult } from '../run/result.js';
import { makePrintableLine } from './printable-text.js';
import { describeProblem, describeTranscriptTail, summariseProblem } from './problem-text.js';
import { escapeXmlText, formatXmlAttributes } from './xml-text.js';

/** How JUnit counts a scenario. */
export type JunitVerdict = 'passed' | 'failure' | 'error' | 'skipped';

/** The verdict of `r` as JUnit sees it: a SHOULD that failed is a failure only in a strict run. */
export function classifyForJunit(r: Readonly<ScenarioResult>, strict: boolean): JunitVerdict {
  if (r.outcome === 'fail' || (r.outcome === 'non-strict' && strict)) return 'failure';
  if (r.outcome === 'error') return 'error';
  // Nothing of it was judged: no check of its requirements ran.
  if (r.outcome === 'skip' || r.outcome === 'not-run') return 'skipped';
  return 'passed';
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

function testcase(r: Readonly<ScenarioResult>, strict: boolean): string[] {
  const { folder, name } = splitScenarioPath(r.file);
  const out = [`    <testcase${formatXmlAttributes({ classname: folder, name: `${name} [${r.target}]`, time: formatSeconds(r.durationMs) })}>`];
  if (r.covers.length) {
    out.push('      <properties>');
    for (const id of r.covers) out.push(`        <property${formatXmlAttributes({ name: 'requirement', value: id })}/>`);
    out.push('      </properties>');
  }
  const verdict = classifyForJunit(r, strict);
  const message = r.failure ? makePrintableLine(r.failure.message.split(/\r?\n/)[0] ?? '') : summariseProblem(r);
  const problem = { message, type: r.failure?.code ?? r.outcome };
  if (verdict === 'failure' || verdict === 'error') out.push(`      <${verdict}${formatXmlAttributes(problem)}>${detailText(r)}</${verdict}>`);
  if (verdict === 'skipped') out.push(`      <skipped${formatXmlAttributes({ message: makePrintableLine(r.skipReason ?? (r.outcome === 'not-run' ? `not run: ${Object.values(r.reasons ?? {})[0] ?? 'no check ran'}` : 'skipped')) })}/>`);
  if (r.outcome === 'non-strict') out.push(`      <system-out>${detailText(r, 'warning: a SHOULD requirement was not met (a failure with --strict)')}</system-out>`);
  else if (verdict === 'passed' && (r.failure || r.notes.length)) out.push(`      <system-out>${detailText(r)}</system-out>`);
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
