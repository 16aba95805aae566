/**
 * What the console prints, as lines: a finished scenario, the detail of one that did
 * not pass, the per-requirement table, and the counts line CI tools read. Pure text;
 * `console-reporter.ts` decides when to write it.
 */
import type { ExpectationSummary, Outcome, RequirementSummary, RunResult, ScenarioResult } from '../run/result.js';
import type { Style } from './ansi-style.js';
import { makePrintableLine } from './printable-text.js';
import { describeProblem, describeTranscriptTail } from './problem-text.js';
import { requirementMatrix } from './matrix.js';

/** The mark of each outcome: passed (with or without notes), failed, warned or not judged, skipped. */
export const OUTCOME_MARKS: Readonly<Record<Outcome, string>> = { pass: '✓', info: '✓', fail: '✗', 'non-strict': '!', 'not-run': '?', error: '!', skip: '-' };

/** The longest outcome name, for aligning ids. */
const OUTCOME_WIDTH = Math.max(...Object.keys(OUTCOME_MARKS).map((o) => o.length));

/** Outcomes that need no explanation at the end of the run. */
const QUIET: ReadonlySet<Outcome> = new Set(['pass', 'skip']);

/** The counts after passed and failed, with their words, in the order they are listed. */
const OTHER_COUNTS: [Outcome, string][] = [
  ['non-strict', 'non-strict'],
  ['info', 'info'],
  ['not-run', 'not run'],
  ['skip', 'skipped'],
  ['error', 'errors'],
];

/** `ms` as `N ms` under a second, else seconds with two decimals. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

// The counts line is a contract with CI tools: passed and failed always come first.
/** `N passed, N failed`, then `, N non-strict, N info, N skipped, N errors` for those not zero; never coloured. */
export function formatCounts(counts: Readonly<Record<Outcome, number>>): string {
  const parts = [`${counts.pass ?? 0} passed`, `${counts.fail ?? 0} failed`];
  for (const [outcome, word] of OTHER_COUNTS) if (counts[outcome]) parts.push(`${counts[outcome]} ${word}`);
  return parts.join(', ');
}

/** What an expectation file says of a scenario it expected not to pass, and the run bore out: shown as an expected failure. */
function expectedFailure(result: Readonly<ScenarioResult>): boolean {
  return Boolean(result.expectation?.met) && result.outcome !== 'pass';
}

/** The mark and word of an expected failure. */
const XFAIL = '✓ xfail';

/** `✓ pass       id (12 ms)`, or `✓ xfail      id (fail as expected, 12 ms)`, coloured by `style`. */
export function formatScenarioLine(result: Readonly<ScenarioResult>, style: Style): string {
  const duration = formatDuration(result.durationMs);
  if (expectedFailure(result)) return `${style.green(XFAIL.padEnd(OUTCOME_WIDTH + 2))} ${makePrintableLine(result.id)} ${style.dim(`(${result.outcome} as expected, ${duration})`)}`;
  const head = style.outcome(result.outcome, `${OUTCOME_MARKS[result.outcome]} ${result.outcome.padEnd(OUTCOME_WIDTH)}`);
  return `${head} ${makePrintableLine(result.id)} ${style.dim(`(${duration})`)}`;
}

/** The short block of an expected failure: the outcomes expected, why, and the entry that says so. */
function formatExpectedDetail(result: Readonly<ScenarioResult>, style: Style): string[] {
  const e = result.expectation!;
  const listed = [...(e.outcome ? [result.outcome] : []), ...Object.keys(e.requirements ?? {}).map((id) => `${id} ${result.requirements[id]}`)];
  return [
    `${style.green(XFAIL)} ${style.bold(makePrintableLine(result.id))}`,
    `  as expected: ${makePrintableLine(listed.join(', '))}`,
    `  reason: ${makePrintableLine(e.reason)}`,
    ...(e.link ? [`  link: ${makePrintableLine(e.link)}`] : []),
    `  entry: ${makePrintableLine(e.source)}`,
  ];
}

/** The block explaining one scenario that did not pass: heading, problem, transcript tail (an expected failure: why it was expected). */
export function formatScenarioDetail(result: Readonly<ScenarioResult>, style: Style): string[] {
  if (expectedFailure(result)) return formatExpectedDetail(result, style);
  const heading = style.outcome(result.outcome, `${OUTCOME_MARKS[result.outcome]} ${result.outcome}`);
  const transcript = describeTranscriptTail(result.transcript).map((l, i) => (i === 0 ? l : `  ${l}`));
  return [`${heading} ${style.bold(makePrintableLine(result.id))}`, ...[...describeProblem(result), ...transcript].map((l) => `  ${l}`)];
}

/** The per-requirement table (id, level, outcome or `uncovered`, scenarios); no lines when there are no requirements. */
export function formatRequirementTable(requirements: readonly Readonly<RequirementSummary>[], style: Style): string[] {
  if (requirements.length === 0) return [];
  const headings = ['requirement', 'level', 'outcome', 'scenarios'] as const;
  const rows = requirements.map((r) => [makePrintableLine(r.id), r.level, r.outcome, String(r.scenarios.length)] as const);
  const [w0, w1, w2] = [0, 1, 2].map((col) => Math.max(headings[col]!.length, ...rows.map((row) => row[col]!.length))) as [number, number, number];
  const lines = [style.bold(`${headings[0].padEnd(w0)}  ${headings[1].padEnd(w1)}  ${headings[2].padEnd(w2)}  ${headings[3]}`)];
  requirements.forEach((r, i) => {
    const [id, level, outcome, count] = rows[i]!;
    lines.push(`${id.padEnd(w0)}  ${level.padEnd(w1)}  ${style.outcome(r.outcome, outcome.padEnd(w2))}  ${count.padStart(headings[3].length)}`);
  });
  return lines;
}

/**
 * The requirement × target table of a run with several targets: per requirement its
 * level and its outcome against each target (`-` where no scenario of that target covers it).
 */
export function formatMatrixTable(run: Pick<Readonly<RunResult>, 'scenarios' | 'requirements'>, style: Style): string[] {
  const { targets, rows: all } = requirementMatrix(run);
  const rows = all.filter((r) => targets.some((t) => r.cells[t]!.outcome !== 'uncovered'));
  if (rows.length === 0) return [];
  const headings = ['requirement', 'level', ...targets.map((t) => makePrintableLine(t))];
  const text = (o: string) => (o === 'uncovered' ? '-' : o);
  const cols = rows.map((r) => [makePrintableLine(r.id), r.level, ...targets.map((t) => text(r.cells[t]!.outcome))]);
  const widths = headings.map((h, c) => Math.max(h.length, ...cols.map((row) => row[c]!.length)));
  const lines = [style.bold(headings.map((h, c) => h.padEnd(widths[c]!)).join('  ').trimEnd())];
  rows.forEach((r, i) => {
    const cells = cols[i]!.map((cell, c) => {
      const padded = cell.padEnd(widths[c]!);
      const o = c >= 2 ? r.cells[targets[c - 2]!]!.outcome : undefined;
      return o && o !== 'uncovered' ? style.outcome(o, padded) : padded;
    });
    lines.push(cells.join('  ').trimEnd());
  });
  return lines;
}

/** Everything printed once the run is over; the counts line is the last line. */
export function formatRunSummary(run: Readonly<RunResult>, style: Style): string[] {
  const lines: string[] = [];
  // A loop, not push(...): a scenario's detail can run to millions of lines (its notes).
  for (const r of run.scenarios) if (!QUIET.has(r.outcome)) for (const l of ['', ...formatScenarioDetail(r, style)]) lines.push(l);
  // Problems around the programs (one left a daemon behind, one ignored SIGTERM) do not decide outcomes: one line each.
  const problems = run.scenarios.flatMap((r) => (r.problems ?? []).map((p) => `! ${makePrintableLine(r.id)}: ${makePrintableLine(`${p.code}: ${p.message}`)}`));
  if (problems.length) lines.push('', ...problems);
  // The table lists what this run judged; the catalogue's other ids are only counted (`sockspec list` names them).
  const judged = run.requirements.filter((r) => r.outcome !== 'uncovered');
  const targets = new Set(run.scenarios.map((r) => r.target)).size;
  // Several implementations: their outcomes side by side, one column each.
  const table = targets > 1 ? formatMatrixTable(run, style) : formatRequirementTable(judged, style);
  if (table.length) lines.push('', ...table);
  const left = run.requirements.length - judged.length;
  if (left > 0) lines.push(style.dim(`${left} other requirement${left === 1 ? '' : 's'} of the catalogue not covered by this run (sockspec list names them)`));
  const about = [`${run.scenarios.length} scenario${run.scenarios.length === 1 ? '' : 's'}`, `${targets} target${targets === 1 ? '' : 's'}`, formatDuration(run.durationMs)];
  if (run.interrupted) about.push('interrupted');
  if (run.strict) about.push('strict');
  if (run.seed !== undefined) about.push(`seed ${run.seed}`);
  const expected = run.expectations;
  if (expected) {
    const called = [
      ...expected.unexpected.map((u) => `${style.red('unexpected:')} ${makePrintableLine(`${u.id}: ${u.message}`)}`),
      ...expected.unused.map((source) => `${style.yellow('unused expectation:')} ${makePrintableLine(source)} (no scenario of this run)`),
    ];
    if (called.length) lines.push('', ...called);
  }
  lines.push('', style.dim(about.join(', ')));
  if (expected) lines.push(formatExpectationCounts(expected));
  lines.push(formatCounts(run.counts));
  return lines;
}

/** `N outcomes as expected (FILE), N unexpected`: the line above the counts line when expectation files were used. */
export function formatExpectationCounts(e: Readonly<ExpectationSummary>): string {
  return `${e.met} outcome${e.met === 1 ? '' : 's'} as expected (${makePrintableLine(e.files.join(', '))}), ${e.unexpected.length} unexpected`;
}
