/**
 * One scenario of the HTML report, as one `<details>` element: outcome, target, file,
 * duration, each requirement's outcome and reason, the known deviation it is expected
 * to show, each failed check with expected versus actual (text and hex, the first
 * difference marked; a differential run's reference and program side by side), the
 * steps with their lines, a property's counterexample and replay command, notes,
 * problems, and the transcript as a timeline with a lane per connection and one for
 * the program's console.
 */
import { createHash } from 'node:crypto';
import type { Failure, Outcome, ScenarioResult, StepRecord, TranscriptEntry } from '../run/result.js';
import { formatDuration, OUTCOME_MARKS } from './console-text.js';
import { describeExpectedOutcomes, describeUnexpected, expectationState } from './expectation-text.js';
import { byteCount, bytesView, grouped, longText, markedBytes, shownDifference } from './html-bytes.js';
import { escapeHtml, htmlAttributes, htmlLine, safeLink } from './html-text.js';
import { makePrintableLine } from './printable-text.js';
import { describeValue, summariseProblem } from './problem-text.js';
import { bareStepLabel, failureLine, failureOutcome, failuresOf, isMainFailure, type Levels } from './scenario-failures.js';

/** What a scenario's rendering needs of the run around it. */
export interface ScenarioContext {
  /** Each scenario id's anchor. */
  anchors: ReadonlyMap<string, string>;
  /** Each requirement id's level in the catalogue. */
  levels: Levels;
}

/** Outcomes whose scenario is shown open: something failed or could not be judged. */
const OPENED: ReadonlySet<Outcome> = new Set(['fail', 'error', 'non-strict', 'not-run']);

/** Entries of the program's console: in the console lane of the process they name. */
const CONSOLE_KINDS: ReadonlySet<TranscriptEntry['kind']> = new Set(['start', 'ready', 'stdout', 'stderr', 'stdin', 'exit']);

/** The note a differential run leaves, naming its reference. */
const REFERENCE_NOTE = /^compared with the reference (.*)$/s;

/**
 * The anchor of a scenario id: `s-`, the id in lower case with each run of other
 * characters than `a-z0-9` as one `-` (at most 60 characters), `-`, and the first 8
 * hex digits of the SHA-256 of the id (so ids that slug alike still differ).
 */
export function scenarioAnchor(id: string, hexDigits = 8): string {
  const slug = id.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 60).replace(/^-+|-+$/g, '');
  const hash = createHash('sha256').update(id, 'utf8').digest('hex').slice(0, hexDigits);
  return `s-${slug ? `${slug}-` : ''}${hash}`;
}

/** Anchors of every scenario id, unique within the run: a rare clash of the short hash takes the whole hash, then a counter. */
export function scenarioAnchors(ids: readonly string[]): Map<string, string> {
  const anchors = new Map<string, string>();
  const taken = new Set<string>();
  for (const id of ids) {
    if (anchors.has(id)) continue;
    let a = scenarioAnchor(id);
    if (taken.has(a)) a = scenarioAnchor(id, 64);
    for (let n = 2; taken.has(a); n++) a = `${scenarioAnchor(id, 64)}-${n}`;
    anchors.set(id, a);
    taken.add(a);
  }
  return anchors;
}

/** `<span class="o-OUTCOME">outcome</span>`, with its mark when asked. */
export function outcomeBadge(outcome: Outcome | 'uncovered', mark = false): string {
  const text = mark && outcome !== 'uncovered' ? `${OUTCOME_MARKS[outcome]} ${outcome}` : outcome;
  return `<span class="badge o-${outcome}">${escapeHtml(text)}</span>`;
}

/** `file:line`, or the file alone when the line is unknown. */
function fileLine(file: string, line: number | undefined): string {
  return htmlLine(line ? `${file}:${line}` : file);
}

function requirementTable(r: Readonly<ScenarioResult>, ctx: ScenarioContext): string {
  const rows = Object.entries(r.requirements).map(([id, o]) => {
    const why = r.reasons?.[id];
    return `<tr><td><code>${htmlLine(id)}</code></td><td>${escapeHtml(ctx.levels.get(id) ?? '')}</td><td>${outcomeBadge(o)}</td><td class="pre">${why ? longText(why) : ''}</td></tr>`;
  });
  if (rows.length === 0) return '';
  return `<table class="reqs"><thead><tr><th>requirement</th><th>level</th><th>outcome</th><th>reason</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function expectationBlock(r: Readonly<ScenarioResult>): string {
  const e = r.expectation;
  if (!e) return '';
  const state = expectationState(r);
  const link = safeLink(e.link);
  // Met: what was expected and why; not met: what came instead and what to do with the entry (the reason included).
  const met = state === 'expected' || state === 'none';
  const parts = [
    met ? `<div><strong>as expected</strong>: ${htmlLine(describeExpectedOutcomes(e))}</div><div class="pre">${longText(e.reason)}</div>` : `<div><strong>not as expected</strong>: ${htmlLine(describeUnexpected(r, e))}</div>`,
    link ? `<a${htmlAttributes({ href: link, rel: 'noopener noreferrer' })}>${htmlLine(link)}</a>` : e.link ? `<span class="muted">link (not followed: not http or https): ${htmlLine(e.link)}</span>` : '',
    `<div class="muted">from ${htmlLine(e.source)}</div>`,
  ];
  return `<h3>Expectation</h3><div class="expectation ${e.met ? 'met' : 'unmet'}">${parts.join('')}</div>`;
}

/** The reference a differential run compared with, from the note it leaves. */
function referenceName(r: Readonly<ScenarioResult>): string | undefined {
  for (const n of r.notes) {
    const m = REFERENCE_NOTE.exec(n);
    if (m) return m[1];
  }
  return undefined;
}

function failureBlock(f: Readonly<Failure>, r: Readonly<ScenarioResult>, ctx: ScenarioContext, id: string, heading: string): string {
  const outcome = failureOutcome(r, f, ctx.levels);
  const out = [`<div${htmlAttributes({ class: `failure f-${outcome}`, id })}>`];
  if (heading) out.push(`<div class="muted">${escapeHtml(heading)}</div>`);
  out.push(`<div>${outcomeBadge(outcome)} <span class="code">${htmlLine(f.code)}</span></div><div class="pre">${longText(f.message)}</div>`);
  const about: string[] = [];
  const step = bareStepLabel(f);
  if (step !== undefined) about.push(`<dt>step</dt><dd><code>${htmlLine(step)}</code> at <code>${fileLine(r.file, failureLine(f))}</code></dd>`);
  if (f.requirements.length) about.push(`<dt>breaks</dt><dd>${f.requirements.map((q) => `<code>${htmlLine(q)}</code>`).join(', ')}${f.level ? ` (as ${escapeHtml(f.level)})` : ''}</dd>`);
  if (about.length) out.push(`<dl class="meta">${about.join('')}</dl>`);
  if (f.expected || f.actual) {
    const at = shownDifference(f.expected, f.actual, f.at, f.message);
    // A differential run: what the reference sent stands where an expectation would.
    const reference = f.code === 'differs-from-reference' ? referenceName(r) ?? 'reference' : undefined;
    const side = (label: string, bytes: Uint8Array | undefined) => (bytes ? `<div class="side"><h4>${htmlLine(label)} (${byteCount(bytes.length)})</h4>${markedBytes(bytes, at)}</div>` : '');
    if (f.at !== undefined || at !== undefined) out.push(`<div class="muted">first difference at byte ${grouped(f.at ?? at!)}${f.at !== undefined && at !== undefined && at !== f.at ? ` (byte ${grouped(at)} of the bytes kept)` : ''}</div>`);
    // The CLI names the reference `reference <program>`: said once.
    const referenceLabel = reference && (/^reference\b/.test(reference) ? reference : `${reference} (reference)`);
    out.push(`<div class="sides">${side(referenceLabel ?? 'expected', f.expected)}${side(reference ? `${r.target} (under test)` : 'actual', f.actual)}</div>`);
  }
  out.push('</div>');
  return out.join('');
}

/** The failure a failed step stands for: the one with its label, else the one on its line. */
function failureOfStep(s: Readonly<StepRecord>, failures: readonly Readonly<Failure>[]): number {
  const byLabel = failures.findIndex((f) => bareStepLabel(f) === s.label);
  return byLabel >= 0 ? byLabel : failures.findIndex((f) => s.line > 0 && f.line === s.line);
}

function stepsTable(r: Readonly<ScenarioResult>, anchor: string): string {
  if (!r.steps?.length) return '';
  const failures = failuresOf(r);
  const rows = r.steps.map((s) => {
    const i = s.outcome === 'fail' ? failureOfStep(s, failures) : -1;
    const f = failures[i];
    const failure = f ? `<a${htmlAttributes({ href: `#${anchor}-f${i + 1}` })}>${htmlLine(f.code)}</a>: ${htmlLine(f.message.split(/\r?\n/)[0] ?? '')}` : '';
    const runs = s.runs && s.runs > 1 ? ` <span class="muted">×${s.runs}</span>` : '';
    const t = s.t === undefined ? '' : `${escapeHtml(formatTime(s.t))}`;
    return `<tr class="${escapeHtml(s.outcome)}"><td><code>${htmlLine(s.label)}</code>${runs}</td><td><code>${fileLine(r.file, s.line)}</code></td><td>${outcomeBadge(s.outcome)}</td><td class="t">${t}</td><td>${failure}</td></tr>`;
  });
  return `<h3>Steps</h3><table class="steps"><thead><tr><th>step</th><th>where</th><th>outcome</th><th>t (ms)</th><th>failure</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function propertyBlock(r: Readonly<ScenarioResult>): string {
  const p = r.property;
  if (!p) return '';
  const about = [`seed ${p.seed}`, `${grouped(p.runs)} runs`, `${grouped(p.shrinks)} shrinks`, ...(p.path !== undefined ? [`path ${p.path}`] : []), ...(p.interrupted ? ['stopped by its time limit'] : [])];
  const out = [`<h3>Property</h3><div class="muted">${htmlLine(about.join(', '))}</div>`];
  if (p.counterexample) {
    const lines = Object.entries(p.counterexample).flatMap(([name, v]) => describeValue(makePrintableLine(name), v));
    out.push(`<h4>counterexample</h4><div class="pre">${lines.map((l) => htmlLine(l)).join('\n')}</div>`);
  }
  if (p.replay) out.push(`<h4>replay</h4><pre><code>${htmlLine(p.replay)}</code></pre>`);
  return out.join('');
}

/** Notes shown before the rest is folded away, and shown in all. */
const NOTES_SHOWN = 50;
const NOTES_KEPT = 2000;

function notesBlock(r: Readonly<ScenarioResult>): string {
  if (r.notes.length === 0) return '';
  const item = (n: string) => `<li class="pre">${longText(n)}</li>`;
  let out = `<h3>Notes</h3><ul class="plain">`;
  for (let i = 0; i < Math.min(NOTES_SHOWN, r.notes.length); i++) out += item(r.notes[i]!);
  out += '</ul>';
  if (r.notes.length > NOTES_SHOWN) {
    const kept = Math.min(r.notes.length, NOTES_KEPT);
    out += `<details class="more"><summary>show ${grouped(kept - NOTES_SHOWN)} more notes (${grouped(r.notes.length)} in all)</summary><ul class="plain">`;
    for (let i = NOTES_SHOWN; i < kept; i++) out += item(r.notes[i]!);
    out += '</ul>';
    if (r.notes.length > kept) out += `<div class="cut">${grouped(r.notes.length - kept)} more notes not shown (the JSON report has them all)</div>`;
    out += '</details>';
  }
  return out;
}

function problemsBlock(r: Readonly<ScenarioResult>): string {
  if (!r.problems?.length) return '';
  return `<h3>Problems around the program</h3><ul class="plain">${r.problems.map((p) => `<li><code>${htmlLine(p.code)}</code>:<div class="pre">${longText(p.message)}</div></li>`).join('')}</ul>`;
}

/** A time in ms as the report shows it: to a tenth. */
function formatTime(t: number): string {
  return Number.isFinite(t) ? (Math.round(t * 10) / 10).toFixed(1) : String(t);
}

/** What one transcript entry says: its kind, its data (cut in view when long) and its detail. */
function entryContent(e: Readonly<TranscriptEntry>): string {
  let out = `<span class="kind">${escapeHtml(e.kind)}</span>`;
  if (e.data) out += `<span class="muted">${byteCount(e.data.length)}</span> ${bytesView(e.data)}`;
  if (e.detail) out += `<div class="detail pre">${longText(e.detail)}</div>`;
  return out;
}

/**
 * The transcript as a timeline: a row per entry in the order they came, a column
 * (lane) per connection, then one per process for its console (start, ready,
 * stdout, stderr, what was typed on stdin, exit); entries of no lane span them all.
 */
function timeline(r: Readonly<ScenarioResult>): string {
  const entries = r.transcript;
  const reference = r.failure?.code === 'reference-failed';
  const heading = reference ? `Transcript of the reference's run (${grouped(entries.length)} entries): it did not pass this scenario itself` : `Transcript (${grouped(entries.length)} entries)`;
  if (entries.length === 0) return `<h3>${escapeHtml(heading)}</h3><p class="muted">nothing was recorded</p>`;
  const consoleLanes = new Set<string>();
  const seen: string[] = [];
  for (const e of entries) {
    if (e.on === undefined) continue;
    if (!seen.includes(e.on)) seen.push(e.on);
    if (CONSOLE_KINDS.has(e.kind)) consoleLanes.add(e.on);
  }
  const lanes = [...seen.filter((l) => !consoleLanes.has(l)), ...seen.filter((l) => consoleLanes.has(l))];
  const column = new Map(lanes.map((l, i) => [l, i]));
  const head = lanes.map((l) => `<th>${htmlLine(l)}${consoleLanes.has(l) ? ' <span class="muted">(console)</span>' : ''}</th>`).join('');
  let out = `<h3>${escapeHtml(heading)}</h3><div class="timeline-wrap"><table class="timeline"><colgroup><col class="t">${'<col>'.repeat(Math.max(1, lanes.length))}</colgroup><thead><tr><th>t (ms)</th>${head || '<th></th>'}</tr></thead><tbody>`;
  for (const e of entries) {
    const lane = e.on === undefined ? undefined : column.get(e.on);
    let cells: string;
    if (lane === undefined) cells = `<td class="ev span"${htmlAttributes({ colspan: Math.max(1, lanes.length) })}>${entryContent(e)}</td>`;
    else cells = `${'<td></td>'.repeat(lane)}<td class="ev">${entryContent(e)}</td>${'<td></td>'.repeat(lanes.length - lane - 1)}`;
    out += `<tr class="k-${escapeHtml(e.kind)}"><td class="t">${escapeHtml(formatTime(e.t))}</td>${cells}</tr>`;
  }
  return `${out}</tbody></table></div>`;
}

/** The `<details>` element of one scenario, whole: open when it failed or could not be judged. */
export function renderScenario(r: Readonly<ScenarioResult>, ctx: ScenarioContext): string {
  const anchor = ctx.anchors.get(r.id) ?? scenarioAnchor(r.id);
  const attributes = htmlAttributes({
    class: 'scenario',
    id: anchor,
    'data-outcome': r.outcome,
    'data-target': makePrintableLine(r.target),
    'data-reqs': r.covers.map(makePrintableLine).join('\n'),
    open: OPENED.has(r.outcome),
  });
  const why = r.outcome === 'pass' ? '' : ` <span class="why">— ${htmlLine(summariseProblem(r))}</span>`;
  const summary = `<summary>${outcomeBadge(r.outcome, true)} <strong>${htmlLine(r.name || r.file)}</strong> <span class="muted">[${htmlLine(r.target)}] ${htmlLine(r.file)} (${escapeHtml(formatDuration(r.durationMs))})</span>${why}</summary>`;
  const meta = [
    `<dt>id</dt><dd><a${htmlAttributes({ href: `#${anchor}` })}>${htmlLine(r.id)}</a></dd>`,
    `<dt>outcome</dt><dd>${outcomeBadge(r.outcome, true)}</dd>`,
    `<dt>target</dt><dd>${htmlLine(r.target)}</dd>`,
    `<dt>file</dt><dd><code>${htmlLine(r.file)}</code></dd>`,
    `<dt>duration</dt><dd>${escapeHtml(formatDuration(r.durationMs))}</dd>`,
    ...(r.skipReason !== undefined ? [`<dt>skipped</dt><dd class="pre">${longText(r.skipReason)}</dd>`] : []),
  ];
  const failures = failuresOf(r);
  const failureBlocks = failures.map((f, i) => failureBlock(f, r, ctx, `${anchor}-f${i + 1}`, failures.length > 1 ? `failure ${i + 1} of ${failures.length}${isMainFailure(r, f) ? ' (the one that matters most)' : ''}` : '')).join('');
  const body = [
    `<dl class="meta">${meta.join('')}</dl>`,
    requirementTable(r, ctx),
    expectationBlock(r),
    failureBlocks ? `<h3>${failures.length === 1 ? 'Failure' : 'Failures'}</h3>${failureBlocks}` : '',
    stepsTable(r, anchor),
    propertyBlock(r),
    notesBlock(r),
    problemsBlock(r),
    timeline(r),
  ];
  return `<details${attributes}>${summary}<div class="body">${body.join('')}</div></details>\n`;
}
