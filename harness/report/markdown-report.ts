/**
 * The Markdown report, made for a GitHub step summary (`--reporter
 * markdown=$GITHUB_STEP_SUMMARY`): the counts, the requirement × target matrix, each
 * check that broke with its `file:line`, the deviations expectation files expect and
 * those that did not come, and the requirements no scenario covered.
 *
 * GitHub renders it as Markdown with HTML. Whatever a program, a scenario or a file
 * says is shown in code spans, where neither Markdown nor HTML (nor GitHub's mentions
 * and links) is read, or, for the prose of a catalogue or an expectation file, with
 * every character Markdown or HTML could read escaped. GitHub keeps at most 1 MiB of
 * a step's summary: the report stops short of that and says what it left out.
 */
import type { Failure, Outcome, RunResult, ScenarioResult } from '../run/result.js';
import { formatCounts, formatDuration } from './console-text.js';
import { describeExpectedOutcomes, describeUnexpected, expectationState } from './expectation-text.js';
import { requirementMatrix } from './matrix.js';
import { makePrintableLine, shortenLine } from './printable-text.js';
import { summariseProblem } from './problem-text.js';
import { bareStepLabel, failureLine, failureOutcome, failuresOf, levelsOf } from './scenario-failures.js';

/** What GitHub keeps of one step's summary. */
export const STEP_SUMMARY_LIMIT = 1024 * 1024;
/** What the report writes at most, some way under GitHub's limit. */
export const MARKDOWN_REPORT_BYTES = 1000 * 1024;
/** Kept free for the notes that say what was left out (a few hundred bytes each). */
const NOTES_RESERVE = 4096;
/** Longest message, requirement text and name shown, in characters. */
const MESSAGE_CHARS = 300;
const TEXT_CHARS = 120;
/** Text handed on at once, so that a large report is written a piece at a time. */
const PIECE_BYTES = 64 * 1024;

/** Each outcome with its mark, as the tables show it. */
export const OUTCOME_BADGES: Readonly<Record<Outcome | 'uncovered', string>> = {
  pass: '✅ pass',
  fail: '❌ fail',
  'non-strict': '⚠️ non-strict',
  info: 'ℹ️ info',
  'not-run': '❔ not-run',
  skip: '⏭️ skip',
  error: '🛑 error',
  uncovered: '—',
};

/**
 * `text` as a code span on one line (line breaks and control characters shown as
 * escapes), fenced by more backticks than it holds; in a table cell its `|` are
 * escaped as GFM asks (the table takes the backslash away again). Empty text is `""`.
 */
export function markdownCode(text: string, options: { table?: boolean; max?: number } = {}): string {
  let s = shortenLine(makePrintableLine(text), options.max ?? MESSAGE_CHARS);
  if (s === '') return '`""`';
  const fence = '`'.repeat(Math.max(0, ...(s.match(/`+/g) ?? []).map((run) => run.length)) + 1);
  // A space each side keeps a backtick or a space at either end from being read as part of the fence (and is taken away again).
  const pad = /^[` ]|[` ]$/.test(s) && !/^ +$/.test(s) ? ' ' : '';
  if (options.table) s = s.replace(/\|/g, '\\|');
  return `${fence}${pad}${s}${pad}${fence}`;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '|': '&#124;' };

/**
 * `text` as prose: on one line, `& < > |` as character references (a `|` so in no
 * table cell either), and the other characters Markdown or GitHub read inside a line
 * (emphasis, links, code, strike-through, math, autolinks) backslash-escaped. It never
 * starts a line, so what only counts there (`-`, `+`, `=`) is left alone.
 */
export function markdownText(text: string, max = TEXT_CHARS): string {
  return shortenLine(makePrintableLine(text), max).replace(/[\\`*_[\](){}<>&|!~:@.$#]/g, (c) => ENTITIES[c] ?? `\\${c}`);
}

/** A link to `url` when it is a plain http(s) address; otherwise the address as code. */
export function markdownLink(url: string): string {
  return /^https?:\/\/[^\s<>"'`|\\()[\]{}\x00-\x1f\x7f-\u{10FFFF}]+$/u.test(url) && url.length <= 2000 ? `<${url}>` : markdownCode(url, { table: true });
}

/** One table row of cells already made safe. */
function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |\n`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** A part of the report: its head (heading, table header) and its rows, which are cut when the report runs out of room. */
interface Section {
  head: string;
  rows: Iterable<string>;
  total: number;
  /** What a row is, for the note on rows left out (`failed check`). */
  what: string;
  /** After the rows (a table needs a blank line before what follows). */
  tail: string;
}

/** The report's text under a byte limit, kept in pieces until there is enough to hand on. */
class BoundedText {
  private used = 0;
  private pieces: string[] = [];
  private pieceBytes = 0;
  /** What was left out: `12 failed checks`. */
  readonly leftOut: string[] = [];

  constructor(private readonly limit: number) {}

  /** Adds `text` if it fits with the notes' reserve still free. */
  add(text: string): boolean {
    return this.put(text, this.limit - NOTES_RESERVE);
  }

  /** Adds a note of our own, which the reserve leaves room for. */
  note(text: string): void {
    this.put(text, this.limit);
  }

  private put(text: string, limit: number): boolean {
    const n = Buffer.byteLength(text);
    if (this.used + n > limit) return false;
    this.used += n;
    this.pieces.push(text);
    this.pieceBytes += n;
    return true;
  }

  /** The text gathered so far, once there is enough of it (or `all`). */
  *flush(all = false): Generator<string> {
    if (this.pieces.length === 0 || (!all && this.pieceBytes < PIECE_BYTES)) return;
    yield this.pieces.join('');
    this.pieces = [];
    this.pieceBytes = 0;
  }

  /** Writes `s` as far as room allows, saying what of it was left out. */
  *section(s: Section): Generator<string> {
    if (s.total === 0) return;
    let shown = 0;
    if (this.add(s.head)) {
      for (const r of s.rows) {
        if (!this.add(r)) break;
        shown++;
        yield* this.flush();
      }
      this.note(s.tail);
    }
    const left = s.total - shown;
    if (left > 0) {
      this.leftOut.push(plural(left, s.what));
      this.note(`_${plural(left, s.what)} left out here: the summary stays under the 1 MiB GitHub keeps._\n\n`);
    }
    yield* this.flush();
  }
}

/** The heading, the counts line and what the run was. */
function headText(run: Readonly<RunResult>): string {
  const verdict = run.exitCode === 0 ? '✅ sockspec: every MUST requirement held' : run.exitCode === 1 ? '❌ sockspec: requirements failed' : '🛑 sockspec: not everything could be judged';
  const targets = new Set(run.scenarios.map((r) => r.target)).size;
  const about = [plural(run.scenarios.length, 'scenario'), plural(targets, 'target'), formatDuration(run.durationMs)];
  if (run.strict) about.push('strict');
  if (run.seed !== undefined) about.push(`seed ${run.seed}`);
  const lines = [`## ${verdict}`, '', `**${formatCounts(run.counts)}** · ${about.join(', ')}`, ''];
  if (run.interrupted) lines.push('⚠️ The run was interrupted: scenarios not started, or not ended in time, are left out.', '');
  const x = run.expectations;
  if (x) lines.push(`Expectation files: ${plural(x.met, 'deviation')} as expected, ${x.unexpected.length.toLocaleString('en-US')} unexpected, ${plural(x.unused.length, 'entry', 'entries')} unused.`, '');
  return `${lines.join('\n')}\n`;
}

/** The requirement × target table, with the requirements some scenario covered. */
function matrixSection(run: Readonly<RunResult>): Section {
  const { targets, rows: all } = requirementMatrix(run);
  const rows = all.filter((q) => targets.some((t) => q.cells[t]!.outcome !== 'uncovered'));
  const byId = new Map(run.scenarios.map((r) => [r.id, r]));
  // A cell is an expected deviation when every scenario that gave it its outcome was expected to.
  const expected = (id: string, outcome: Outcome | 'uncovered', scenarios: string[]) =>
    outcome !== 'pass' && outcome !== 'uncovered' && scenarios.map((s) => byId.get(s)).filter((r) => r?.requirements[id] === outcome).every((r) => r && expectationState(r) === 'expected');
  const header = ['requirement', 'level', ...targets.map((t) => markdownCode(t, { table: true, max: TEXT_CHARS })), 'what it asks'];
  return {
    head: `### Requirements × targets\n\n${row(header)}${row(header.map(() => '---'))}`,
    total: rows.length,
    rows: (function* () {
      for (const q of rows) {
        const cells = targets.map((t) => {
          const c = q.cells[t]!;
          return `${OUTCOME_BADGES[c.outcome]}${expected(q.id, c.outcome, c.scenarios) ? ' (expected)' : ''}`;
        });
        yield row([markdownCode(q.id, { table: true, max: TEXT_CHARS }), q.level, ...cells, markdownText(q.text)]);
      }
    })(),
    what: 'matrix row',
    tail: '\n',
  };
}

/** `file:line` as code. */
function where(r: Readonly<ScenarioResult>, f: Readonly<Failure> | undefined): string {
  const line = r.outcome === 'info' ? undefined : failureLine(f);
  return markdownCode(line === undefined ? r.file : `${r.file}:${line}`, { table: true });
}

/** Every check that broke in a scenario that did not pass (expected deviations aside), an INFO observation aside. */
function brokenSection(run: Readonly<RunResult>): Section {
  const levels = levelsOf(run);
  const entries: { r: Readonly<ScenarioResult>; f?: Readonly<Failure>; outcome: Outcome }[] = [];
  for (const r of run.scenarios) {
    if (r.outcome === 'pass' || r.outcome === 'skip' || r.outcome === 'info' || expectationState(r) === 'expected') continue;
    const checks = failuresOf(r)
      .map((f) => ({ r, f, outcome: failureOutcome(r, f, levels) }))
      .filter((e) => e.outcome !== 'info');
    // Nothing broke that says where (a requirement no check reached): the scenario as a whole.
    entries.push(...(checks.length ? checks : [{ r, f: r.failure, outcome: r.outcome }]));
  }
  const header = ['', 'where', 'target', 'step', 'requirements', 'what happened'];
  return {
    head: `### Checks that broke\n\n${row(header)}${row(header.map(() => '---'))}`,
    total: entries.length,
    rows: (function* () {
      for (const { r, f, outcome } of entries) {
        const step = f && bareStepLabel(f);
        const ids = f?.requirements.length ? f.requirements : Object.keys(r.requirements).filter((id) => r.requirements[id] === r.outcome);
        const what = f ? `${f.code}: ${f.message.split(/\r?\n/)[0] ?? ''}` : (Object.values(r.reasons ?? {})[0] ?? summariseProblem(r));
        yield row([OUTCOME_BADGES[outcome], where(r, f), markdownCode(r.target, { table: true, max: TEXT_CHARS }), step ? markdownCode(step, { table: true }) : '—', ids.map((id) => markdownCode(id, { table: true, max: TEXT_CHARS })).join(' ') || '—', markdownCode(what, { table: true })]);
      }
    })(),
    what: 'broken check',
    tail: '\n',
  };
}

/** The deviations that came as expected, with why. */
function expectedSection(run: Readonly<RunResult>): Section {
  const expected = run.scenarios.filter((r) => expectationState(r) === 'expected');
  const header = ['', 'where', 'target', 'expected', 'why', 'entry'];
  return {
    head: `### Expected deviations\n\n${row(header)}${row(header.map(() => '---'))}`,
    total: expected.length,
    rows: (function* () {
      for (const r of expected) {
        const e = r.expectation!;
        const why = `${markdownText(e.reason, MESSAGE_CHARS)}${e.link ? ` (${markdownLink(e.link)})` : ''}`;
        yield row([OUTCOME_BADGES[r.outcome], where(r, r.failure), markdownCode(r.target, { table: true, max: TEXT_CHARS }), markdownCode(describeExpectedOutcomes(e), { table: true }), why, markdownCode(e.source, { table: true })]);
      }
    })(),
    what: 'expected deviation',
    tail: '\n',
  };
}

/** Outcomes an expectation file did not expect (a failure not listed, a listed one that passed), and entries that matched nothing. */
function unexpectedSection(run: Readonly<RunResult>): Section {
  const unexpected =
    run.expectations?.unexpected ??
    run.scenarios.filter((r) => expectationState(r).startsWith('unexpected')).map((r) => ({ id: r.id, message: describeUnexpected(r, r.expectation!) }));
  const unused = run.expectations?.unused ?? [];
  return {
    head: '### Unexpected outcomes\n\n',
    total: unexpected.length + unused.length,
    rows: (function* () {
      for (const u of unexpected) yield `- ❗ ${markdownCode(u.id)}: ${markdownCode(u.message)}\n`;
      for (const entry of unused) yield `- ❔ the entry ${markdownCode(entry)} matched no scenario of this run\n`;
    })(),
    what: 'unexpected outcome',
    tail: '\n',
  };
}

/** The catalogue's requirements no scenario of the run covered. */
function uncoveredSection(run: Readonly<RunResult>): Section {
  const ids = run.requirements.filter((q) => q.outcome === 'uncovered').map((q) => q.id);
  return {
    head: `### Not covered\n\n${plural(ids.length, 'requirement')} of the catalogue ${ids.length === 1 ? 'is' : 'are'} not covered by this run: `,
    total: ids.length,
    rows: ids.map((id, i) => `${markdownCode(id, { max: TEXT_CHARS })}${i < ids.length - 1 ? ', ' : ''}`),
    what: 'uncovered requirement',
    tail: '\n\n',
  };
}

/**
 * The Markdown report of `run` in pieces, at most `limit` bytes in all (UTF-8): the
 * head, then each section as far as room allows, then, when something was left out,
 * a note saying what.
 */
export function* markdownReportChunks(run: Readonly<RunResult>, limit = MARKDOWN_REPORT_BYTES): Generator<string> {
  const out = new BoundedText(limit);
  out.add(headText(run));
  for (const section of [matrixSection(run), brokenSection(run), unexpectedSection(run), expectedSection(run), uncoveredSection(run)]) yield* out.section(section);
  if (out.leftOut.length) out.note(`> [!NOTE]\n> Cut to stay under the 1 MiB GitHub keeps of a step summary: ${out.leftOut.join(', ')} left out. The JSON and JUnit reports have them all.\n`);
  yield* out.flush(true);
}

/** The whole Markdown report of `run`. */
export function renderMarkdownReport(run: Readonly<RunResult>, limit?: number): string {
  return [...markdownReportChunks(run, limit)].join('');
}
