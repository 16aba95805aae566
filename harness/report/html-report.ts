/**
 * The HTML report: one self-contained page (inline style and one inline script, both
 * allowed by hash in a strict Content-Security-Policy, nothing fetched) that opens
 * from disk or as a CI artifact. Everything is rendered here, escaped; the script
 * only filters, follows deep links and expands. The page is written a scenario at a
 * time, never built as one string.
 *
 * Layout: the counts, filter controls (outcome, requirement, target; kept in the
 * URL's fragment), the requirement × target matrix (each cell linking to the
 * scenarios behind it), the requirements no scenario covered, the expectation files'
 * summary, then each scenario (`html-scenario.ts`) under the anchor `#s-…` of its id.
 */
import type { Outcome, RunResult } from '../run/result.js';
import { formatCounts, formatDuration } from './console-text.js';
import { grouped } from './html-bytes.js';
import { CONTENT_SECURITY_POLICY, SCRIPT, STYLE } from './html-page.js';
import { renderScenario, scenarioAnchors, type ScenarioContext } from './html-scenario.js';
import { escapeHtml, htmlAttributes, htmlLine } from './html-text.js';
import { requirementMatrix, type RequirementMatrix } from './matrix.js';
import { makePrintableLine } from './printable-text.js';
import { levelsOf } from './scenario-failures.js';

export { scenarioAnchor } from './html-scenario.js';

const OUTCOMES: Outcome[] = ['fail', 'error', 'non-strict', 'info', 'not-run', 'skip', 'pass'];

/** A fragment link that sets the filters (values as the scenario elements carry them). */
function filterHref(filters: { outcome?: string; req?: string; target?: string }): string {
  const parts = Object.entries(filters)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(makePrintableLine(v!))}`);
  return `#${parts.join('&')}`;
}

function countsLine(run: Readonly<RunResult>): string {
  const links = OUTCOMES.filter((o) => run.counts[o]).map((o) => `<a${htmlAttributes({ class: `o-${o}`, href: filterHref({ outcome: o }) })}>${grouped(run.counts[o])} ${o}</a>`);
  return `<p class="counts">${links.join('') || 'no scenarios'}</p>`;
}

function header(run: Readonly<RunResult>, targets: readonly string[]): string {
  const about = [
    `started ${run.startedAt}`,
    formatDuration(run.durationMs),
    `${run.scenarios.length} scenario${run.scenarios.length === 1 ? '' : 's'}`,
    `${targets.length} target${targets.length === 1 ? '' : 's'}`,
    `exit status ${run.exitCode}`,
    ...(run.strict ? ['strict'] : []),
    ...(run.seed !== undefined ? [`seed ${run.seed}`] : []),
  ];
  const banner = run.interrupted ? '<p class="banner">The run was interrupted: scenarios not started, or not ended in time, are left out.</p>' : '';
  return `<header><h1>sockspec report</h1><p class="about">${htmlLine(about.join(' · '))}</p>${countsLine(run)}${banner}</header>\n`;
}

function filters(run: Readonly<RunResult>, targets: readonly string[]): string {
  const boxes = OUTCOMES.filter((o) => run.counts[o]).map((o) => `<label class="o-${o}"><input${htmlAttributes({ type: 'checkbox', name: 'outcome', value: o, autocomplete: 'off' })}> ${o} (${grouped(run.counts[o])})</label>`);
  // The ids the run's scenarios cover, in the catalogue's order, then any the catalogue does not list.
  const covered = new Set(run.scenarios.flatMap((r) => r.covers));
  const ids = [...run.requirements.map((q) => q.id).filter((id) => covered.has(id)), ...[...covered].filter((id) => !run.requirements.some((q) => q.id === id))];
  const option = (value: string) => `<option${htmlAttributes({ value: makePrintableLine(value) })}>${htmlLine(value)}</option>`;
  return [
    '<nav id="filters" class="filters" aria-label="filters">',
    `<fieldset><legend>outcome</legend>${boxes.join('')}</fieldset>`,
    `<label>requirement <select id="f-req" autocomplete="off"><option value="">all</option>${ids.map(option).join('')}</select></label>`,
    `<label>target <select id="f-target" autocomplete="off"><option value="">all</option>${targets.map(option).join('')}</select></label>`,
    '<button type="button" id="f-clear">clear filters</button>',
    '<button type="button" id="f-open">expand all</button>',
    '<button type="button" id="f-close">collapse all</button>',
    '<span id="f-shown" class="muted"></span>',
    '</nav>\n',
  ].join('');
}

/** The matrix's rows, a piece per block of rows: a catalogue can be long. */
function* matrixTable(matrix: RequirementMatrix, run: Readonly<RunResult>, anchors: ReadonlyMap<string, string>): Generator<string> {
  const { targets, rows } = matrix;
  yield '<h2 id="matrix">Requirements × targets</h2>';
  if (rows.length === 0) {
    yield '<p class="muted">The run has no requirement catalogue.</p>\n';
    return;
  }
  const outcomeOf = new Map(run.scenarios.map((r) => [r.id, r.requirements]));
  yield `<div class="matrix-wrap"><table class="matrix"><thead><tr><th>requirement</th><th>level</th><th>text</th>${targets.map((t) => `<th>${htmlLine(t)}</th>`).join('')}</tr></thead><tbody>`;
  let block = '';
  for (const [i, row] of rows.entries()) {
    const cells = targets.map((t) => {
      const cell = row.cells[t]!;
      if (cell.outcome === 'uncovered') return '<td class="cell o-uncovered">–</td>';
      // The outcome links to a scenario that gave it (the worst); the count filters the list down to all of them.
      const worst = cell.scenarios.find((id) => outcomeOf.get(id)?.[row.id] === cell.outcome) ?? cell.scenarios[0]!;
      const n = cell.scenarios.length;
      const first = `<a${htmlAttributes({ href: `#${anchors.get(worst) ?? ''}`, title: makePrintableLine(worst) })}>${escapeHtml(cell.outcome)}</a>`;
      const all = `<a${htmlAttributes({ class: 'more', href: filterHref({ req: row.id, target: t }) })}>${n} scenario${n === 1 ? '' : 's'}</a>`;
      return `<td${htmlAttributes({ class: `cell o-${cell.outcome}`, 'data-target': makePrintableLine(t) })}>${first}${all}</td>`;
    });
    const anyCovered = targets.some((t) => row.cells[t]!.outcome !== 'uncovered');
    const id = anyCovered ? `<a${htmlAttributes({ href: filterHref({ req: row.id }) })}><code>${htmlLine(row.id)}</code></a>` : `<code>${htmlLine(row.id)}</code>`;
    block += `<tr${htmlAttributes({ class: anyCovered ? undefined : 'uncovered', 'data-req': makePrintableLine(row.id) })}><th>${id}</th><td>${escapeHtml(row.level)}</td><td class="text">${htmlLine(row.text)}</td>${cells.join('')}</tr>`;
    if (i % 200 === 199) {
      yield block;
      block = '';
    }
  }
  yield `${block}</tbody></table></div>\n`;
}

function uncovered(run: Readonly<RunResult>): string {
  const left = run.requirements.filter((q) => q.outcome === 'uncovered');
  if (run.requirements.length === 0) return '';
  if (left.length === 0) return '<h2 id="uncovered">Not covered</h2><p>Every requirement of the catalogue is covered by this run.</p>\n';
  const items = left.map((q) => `<li><code>${htmlLine(q.id)}</code> <span class="muted">${escapeHtml(q.level)}</span> ${htmlLine(q.text)}</li>`);
  return `<h2 id="uncovered">Not covered (${grouped(left.length)} of ${grouped(run.requirements.length)})</h2><ul class="plain">${items.join('')}</ul>\n`;
}

function expectations(run: Readonly<RunResult>, anchors: ReadonlyMap<string, string>): string {
  const e = run.expectations;
  if (!e) return '';
  const out = [
    '<h2 id="expectations">Expectations</h2>',
    `<p>${grouped(e.met)} met, <span class="${e.unexpected.length ? 'o-fail' : 'o-pass'}">${grouped(e.unexpected.length)} unexpected</span>, ${grouped(e.unused.length)} unused <span class="muted">(${htmlLine(e.files.join(', '))})</span></p>`,
  ];
  if (e.unexpected.length) {
    const item = (u: { id: string; message: string }) => {
      const a = anchors.get(u.id);
      const id = a ? `<a${htmlAttributes({ href: `#${a}` })}>${htmlLine(u.id)}</a>` : htmlLine(u.id);
      return `<li>${id}: ${htmlLine(u.message)}</li>`;
    };
    out.push(`<h3>Unexpected</h3><ul class="plain">${e.unexpected.map(item).join('')}</ul>`);
  }
  if (e.unused.length) out.push(`<h3>Unused entries</h3><ul class="plain">${e.unused.map((u) => `<li><code>${htmlLine(u)}</code></li>`).join('')}</ul>`);
  return `${out.join('')}\n`;
}

/**
 * The HTML report for `run` in pieces: the head and summary, then one piece per
 * scenario, then the script; joined, the whole page.
 */
export function* htmlReportChunks(run: Readonly<RunResult>): Generator<string> {
  const matrix = requirementMatrix(run);
  const anchors = scenarioAnchors(run.scenarios.map((r) => r.id));
  const ctx: ScenarioContext = { anchors, levels: levelsOf(run) };
  yield [
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
    `<meta${htmlAttributes({ 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY })}>\n`,
    '<meta name="referrer" content="no-referrer">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n',
    `<title>sockspec: ${escapeHtml(formatCounts(run.counts))}</title>\n`,
    `<style>${STYLE}</style>\n</head>\n<body>\n`,
    header(run, matrix.targets),
    filters(run, matrix.targets),
    '<section id="summary">',
  ].join('');
  yield* matrixTable(matrix, run, anchors);
  yield `${uncovered(run)}${expectations(run, anchors)}</section>\n<main id="scenarios"><h2>Scenarios</h2>\n`;
  for (const r of run.scenarios) yield renderScenario(r, ctx);
  yield `</main>\n<script>${SCRIPT}</script>\n</body>\n</html>\n`;
}

/** The whole HTML report for `run` as one string (for tests and small runs). */
export function renderHtmlReport(run: Readonly<RunResult>): string {
  return [...htmlReportChunks(run)].join('');
}
