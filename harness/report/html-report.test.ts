import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunResult, ScenarioResult, TranscriptEntry } from '../run/result.js';
import { bytesText, markedBytes, VIEW_BYTES } from './html-bytes.js';
import { CONTENT_SECURITY_POLICY, SCRIPT, STYLE } from './html-page.js';
import { htmlReportChunks, renderHtmlReport } from './html-report.js';
import { scenarioAnchor, scenarioAnchors } from './html-scenario.js';
import { escapeHtml, safeLink } from './html-text.js';
import { createReporter } from './registry.js';
import { captureStdout, HOSTILE_BYTES, replayRun, sampleRun, sampleRunOfTwoTargets, sampleScenario } from './sample-run.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);
/** Strings no page may pass through raw; the lone surrogates and controls only reach notes and details. */
const HOSTILE_TEXT = '<script>window.__pwned=1</script> </textarea> ]]> </script> \x1b[31mred\x1b[0m \u0000\u0001\u0085 \uD800 lone \uDFFF "quoted" \'apos\' & \u202Eevil\u202C';

/** Elements the page may hold, and those that have no end tag. */
const ELEMENTS = new Set(['html', 'head', 'meta', 'title', 'style', 'body', 'header', 'h1', 'h2', 'h3', 'h4', 'p', 'a', 'nav', 'fieldset', 'legend', 'label', 'input', 'select', 'option', 'button', 'span', 'section', 'div', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'colgroup', 'col', 'code', 'ul', 'li', 'main', 'details', 'summary', 'dl', 'dt', 'dd', 'strong', 'mark', 'pre', 'script']);
const VOID = new Set(['meta', 'input', 'col']);

/**
 * What is wrong with `html` as this report writes it: a `<` that opens no tag of ours, an
 * element outside the list, a tag closed out of order, a raw control or lone surrogate.
 */
function pageProblems(html: string): string[] {
  const problems: string[] = [];
  if (!html.startsWith('<!DOCTYPE html>\n')) problems.push('no doctype');
  const body = html.slice('<!DOCTYPE html>\n'.length);
  const open: string[] = [];
  const tag = /<(\/?)([a-z][a-z0-9]*)((?:\s+[a-z-]+(?:="[^"<>]*")?)*)\s*>/y;
  for (let i = body.indexOf('<'); i >= 0; i = body.indexOf('<', i + 1)) {
    tag.lastIndex = i;
    const m = tag.exec(body);
    if (!m) {
      problems.push(`stray < at ${i}: ${JSON.stringify(body.slice(i, i + 40))}`);
      continue;
    }
    const [, close, name] = m as unknown as [string, string, string];
    if (!ELEMENTS.has(name)) problems.push(`element <${name}>`);
    if (close) {
      if (open.pop() !== name) problems.push(`</${name}> closes out of order at ${i}`);
    } else if (!VOID.has(name)) open.push(name);
    // The contents of our style and script are ours: skip to their end tags.
    if (!close && (name === 'script' || name === 'style')) i = body.indexOf(`</${name}>`, i) - 1;
  }
  if (open.length) problems.push(`left open: ${open.join(' ')}`);
  if (/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/.test(html)) problems.push('a raw control character');
  if (/[\uD800-\uDFFF]/u.test(html)) problems.push('a lone surrogate');
  return problems;
}

/** The contents of the one `<name>` element of `html`. */
function inline(html: string, name: string): string {
  const start = html.indexOf(`<${name}>`) + name.length + 2;
  return html.slice(start, html.indexOf(`</${name}>`, start));
}

/** A scenario with hostile bytes and strings in every field a program or a file can fill. */
function hostileScenario(): ScenarioResult {
  const r = sampleScenario('fail', `scenarios/x/"><script>alert(1)</script>.yaml`, `<script>t</script> \u0001`);
  const entries: TranscriptEntry[] = [
    { t: 1, kind: 'recv', on: 'c', data: ALL_BYTES },
    { t: 2, kind: 'stdout', on: 'server', data: utf8(HOSTILE_TEXT) },
    { t: 3, kind: 'stderr', on: 'server', data: Uint8Array.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x1b, 0x5b, 0x32, 0x4a]) },
    { t: 4, kind: 'stdin', on: 'server', data: utf8('</textarea>\n'), detail: HOSTILE_TEXT },
    { t: 5, kind: 'note', on: '<b>', detail: HOSTILE_TEXT },
    { t: 6, kind: 'elided', detail: HOSTILE_TEXT },
    { t: 7, kind: 'recv', on: 'c', data: new Uint8Array(200_000).fill(0x41) },
  ];
  r.transcript = entries;
  r.notes = [HOSTILE_TEXT, 'x'.repeat(100_000)];
  r.reasons = { 'ECHO-4': HOSTILE_TEXT };
  r.failure!.message = HOSTILE_TEXT;
  r.failure!.expected = utf8(HOSTILE_TEXT);
  r.failure!.actual = ALL_BYTES;
  r.failures = [r.failure!];
  r.problems = [{ code: '<leaked>', message: HOSTILE_TEXT }];
  r.expectation = { reason: HOSTILE_TEXT, link: 'javascript:window.__pwned=1', source: 'x.yaml:3', met: false, outcome: 'pass' };
  r.property = { seed: 7, runs: 12, shrinks: 3, path: '0:1', counterexample: { payload: { bytes: { length: 3, text: '<\\x00>', hex: '3c 00 3e' } }, word: { text: HOSTILE_TEXT } }, replay: `sockspec run "x.yaml" --seed 7 --path "0:1" --server '${HOSTILE_TEXT}'` };
  return r;
}

function hostileRun(): RunResult {
  const run = sampleRun();
  run.scenarios.push(hostileScenario());
  run.expectations = { files: ['<e>.yaml'], met: 1, unexpected: [{ id: run.scenarios[1]!.id, message: HOSTILE_TEXT }], unused: ['<e>.yaml:9'] };
  return run;
}

describe('html report: escaping', () => {
  it('stays inert and well formed whatever bytes and strings the results hold', () => {
    const html = renderHtmlReport(hostileRun());
    expect(pageProblems(html)).toEqual([]);
    // One script element, ours, and nothing that a browser would take for markup of the program's.
    expect(html.match(/<script/gi)).toHaveLength(1);
    expect(html).toContain(`<script>${SCRIPT}</script>`);
    expect(html).not.toMatch(/<(textarea|img|b)\b/i);
    expect(html).not.toContain(']]>');
    expect([...html.matchAll(/href="([^"]*)"/g)].filter(([, h]) => !/^(#|https?:)/.test(h!))).toEqual([]);
    expect(html).toContain('link (not followed: not http or https): javascript:window.__pwned=1');
    expect(html).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    expect(html).toContain('\\u{D800} lone \\u{DFFF}');
    expect(html).toContain('\\x1b[31mred\\x1b[0m');
    expect(html).toContain('\\u{202E}evil\\u{202C}');
  });

  it('shows each of the 256 byte values as its escape', () => {
    const shown = bytesText(ALL_BYTES);
    expect(shown.startsWith('\\0\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08\\t\\n\n\\x0b\\x0c\\r')).toBe(true);
    expect(shown).toContain(' !&quot;#$%&amp;&#39;()*+,-./0123456789:;&lt;=&gt;?@ABC');
    expect(shown).toContain('\\\\]^_`abc');
    expect(shown).toContain('\\x7f\\x80\\x81');
    expect(shown.endsWith('\\xfe\\xff')).toBe(true);
    const html = renderHtmlReport(hostileRun());
    expect(html).toContain(shown);
    expect(escapeHtml('\u0000\u0007\r\uFFFE\u{10FFFF}\uD83D<')).toBe('\\u{0000}\\u{0007}\\u{000D}\\u{FFFE}\\u{10FFFF}\\u{D83D}&lt;');
    expect(escapeHtml('\u{1FFFE}\u{1F600}\uDE00x\uD83D\uDE00\uFDD0\u0085\t\n')).toBe('\\u{1FFFE}\u{1F600}\\u{DE00}x\u{1F600}\\u{FDD0}\\u{0085}\t\n');
  });

  it('sends a Content-Security-Policy that allows only its own style and script, by hash', () => {
    const html = renderHtmlReport(hostileRun());
    const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
    expect(policy).toBe(CONTENT_SECURITY_POLICY.replace(/'/g, '&#39;'));
    const sha = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    expect(inline(html, 'script')).toBe(SCRIPT);
    expect(inline(html, 'style')).toBe(STYLE);
    expect(CONTENT_SECURITY_POLICY).toBe(`default-src 'none'; script-src ${sha(inline(html, 'script'))}; style-src ${sha(inline(html, 'style'))}; img-src data:; base-uri 'none'; form-action 'none'`);
    // The policy comes before anything it governs.
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<style>'));
  });

  it('links an expectation only to http and https addresses', () => {
    expect(safeLink('https://example.com/a?b=<x>&c')).toBe('https://example.com/a?b=%3Cx%3E&c');
    expect(safeLink('http://example.com')).toBe('http://example.com/');
    for (const bad of ['javascript:alert(1)', 'data:text/html,<script>', 'file:///etc/passwd', '//example.com', 'https://a b', undefined]) expect(safeLink(bad)).toBeUndefined();
    const run = sampleRun();
    run.scenarios[1]!.expectation = { reason: 'known', link: 'https://example.com/issue?a=1&b="2"', source: 'e.yaml:1', met: true, outcome: 'fail' };
    const html = renderHtmlReport(run);
    expect(html).toContain('<a href="https://example.com/issue?a=1&amp;b=%222%22" rel="noopener noreferrer">');
    expect(html).toContain('<div class="expectation met"><div><strong>as expected</strong>: fail</div><div class="pre">known</div>');
    // Not met: what came, against what the entry says, and what to do with it.
    expect(renderHtmlReport(hostileRun())).toContain('<div class="expectation unmet"><div><strong>not as expected</strong>: fail is not what x.yaml:3 expects: pass (&lt;script&gt;');
  });
});

describe('html report: content', () => {
  it('gives every target a column and every catalogue id a row, each cell linking to its scenarios', () => {
    const run = sampleRunOfTwoTargets();
    const html = renderHtmlReport(run);
    const anchors = scenarioAnchors(run.scenarios.map((r) => r.id));
    const row = (id: string) => new RegExp(`<tr (?:class="uncovered" )?data-req="${id}">(.*?)</tr>`).exec(html)?.[1] ?? '';
    expect(html).toContain('<tr class="uncovered" data-req="TIME-2">');
    expect(html).toMatch(/<thead><tr><th>requirement<\/th><th>level<\/th><th>text<\/th><th>python<\/th><th>typescript<\/th><\/tr>/);
    // ECHO-4 fails on both targets: each cell links to its failing scenario and filters to all six.
    const echo4 = row('ECHO-4');
    const failing = (target: string) => anchors.get(run.scenarios.find((r) => r.target === target && r.requirements['ECHO-4'] === 'fail')!.id);
    expect(echo4).toContain(`<td class="cell o-fail" data-target="python"><a href="#${failing('python')}"`);
    expect(echo4).toContain(`<td class="cell o-fail" data-target="typescript"><a href="#${failing('typescript')}"`);
    expect(echo4).toContain('<a class="more" href="#req=ECHO-4&amp;target=python">6 scenarios</a>');
    expect(row('ECHO-5')).toContain('<td>SHOULD</td><td class="text">ack &lt;each&gt; line</td><td class="cell o-fail" data-target="python">');
    expect(row('TIME-2')).toContain('<td class="cell o-uncovered">–</td><td class="cell o-uncovered">–</td>');
    expect(html).toContain('<h2 id="uncovered">Not covered (1 of 3)</h2><ul class="plain"><li><code>TIME-2</code> <span class="muted">INFO</span> time format</li></ul>');
    // Every link within the page lands on an element of it, or is a filter.
    const ids = new Set([...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));
    for (const [, href] of html.matchAll(/href="#([^"]*)"/g)) expect(href!.includes('=') || ids.has(href)).toBe(true);
  });

  it('gives anchors of a documented form, stable across runs and unique within one', () => {
    const id = 'scenarios/echo-ack/server/hello.yaml [python]';
    const hash = createHash('sha256').update(id).digest('hex').slice(0, 8);
    expect(scenarioAnchor(id)).toBe(`s-scenarios-echo-ack-server-hello-yaml-python-${hash}`);
    expect(scenarioAnchor(id)).toBe(scenarioAnchor(id));
    const alike = ['a b', 'a-b', 'A B', 'a_b', '', '\uD800', '<>'];
    const anchors = scenarioAnchors(alike);
    expect(new Set(anchors.values()).size).toBe(alike.length);
    for (const a of anchors.values()) expect(a).toMatch(/^s-([a-z0-9]+(-[a-z0-9]+)*-)?[0-9a-f]{8}$/);
    expect(scenarioAnchor('x'.repeat(500)).length).toBeLessThan(75);
    const html = renderHtmlReport(hostileRun());
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('opens failing scenarios and folds passing ones, with their outcome, target and requirements as filter data', () => {
    const run = sampleRunOfTwoTargets();
    const html = renderHtmlReport(run);
    for (const r of run.scenarios) {
      const el = new RegExp(`<details class="scenario" id="${scenarioAnchors([r.id]).get(r.id)}"([^>]*)>`).exec(html)?.[1];
      expect(el).toBe(` data-outcome="${r.outcome}" data-target="${r.target}" data-reqs="ECHO-4\nECHO-5"${['fail', 'error', 'non-strict'].includes(r.outcome) ? ' open' : ''}`);
    }
  });

  it('shows each failed step with its line, and expected versus actual with the first difference marked', () => {
    const run = sampleRun();
    const r = run.scenarios[1]!;
    r.failure!.expected = utf8('hello\n');
    r.failure!.actual = utf8('help\n');
    r.failure!.at = 3;
    const html = renderHtmlReport(run);
    const a = scenarioAnchor(r.id);
    expect(html).toContain(`<tr class="fail"><td><code>steps[3] expect</code></td><td><code>scenarios/echo-ack/server/fail.yaml:12</code></td><td><span class="badge o-fail">fail</span></td><td class="t">9.0</td><td><a href="#${a}-f1">mismatch</a>`);
    expect(html).toContain(`<tr class="pass"><td><code>steps[2] expect</code> <span class="muted">×2</span></td><td><code>scenarios/echo-ack/server/fail.yaml:8</code>`);
    expect(html).toContain('<div class="bytes data">hel<mark>l</mark>o\\n</div><div class="bytes hex">68 65 6c <mark>6c</mark> 6f 0a</div>');
    expect(html).toContain('<div class="bytes data">hel<mark>p</mark>\\n</div>');
    expect(html).toContain('first difference at byte 3');
    // A SHOULD check that broke reads non-strict, not fail.
    const nonStrict = scenarioAnchor(run.scenarios[2]!.id);
    expect(html).toContain(`<div class="failure f-non-strict" id="${nonStrict}-f1"><div><span class="badge o-non-strict">non-strict</span> <span class="code">mismatch</span></div>`);
  });

  it('marks the whole character holding the first difference, and the end of a value that stops short', () => {
    expect(markedBytes(utf8('aé'), 2)).toContain('a<mark>é</mark>');
    expect(markedBytes(utf8('aé'), 2)).toContain('61 <mark>c3 a9</mark>');
    expect(markedBytes(utf8('ab'), 2)).toContain('ab<mark class="end"></mark>');
    const long = markedBytes(new Uint8Array(5000).fill(0x61), 3000);
    expect(long).toContain('<span class="cut">… 2,744 bytes …</span>');
    expect(long).toContain('<summary>all 5,000 bytes</summary>');
  });

  it('cuts a long entry in view, says its size and keeps the rest behind a click', () => {
    const html = renderHtmlReport(hostileRun());
    expect(html).toContain(`<span class="muted">200,000 bytes</span> <span class="data">${'A'.repeat(VIEW_BYTES)}</span><span class="cut">… 198,976 bytes …</span><details class="more"><summary>show the other 198,976 bytes (200,000 bytes kept)</summary>`);
    expect(html).toContain('show the other 98,000 characters (100,000 in all)');
  });

  it('lays the transcript out as a timeline: a lane per connection, then the console', () => {
    const html = renderHtmlReport(sampleRun());
    expect(html).toContain('<thead><tr><th>t (ms)</th><th>c</th><th>server <span class="muted">(console)</span></th></tr></thead>');
    expect(html).toContain('<tr class="k-send"><td class="t">5.0</td><td class="ev"><span class="kind">send</span><span class="muted">6 bytes</span> <span class="data">hello\\n</span></td><td></td></tr>');
    expect(html).toContain('<tr class="k-stderr"><td class="t">10.0</td><td></td><td class="ev"><span class="kind">stderr</span>');
    const hostile = renderHtmlReport(hostileRun());
    expect(hostile).toContain('<tr class="k-elided"><td class="t">6.0</td><td class="ev span" colspan="3">');
  });

  it('puts a differential run’s reference and program side by side', () => {
    const run = sampleRun();
    const r = run.scenarios[1]!;
    r.failure = { code: 'differs-from-reference', message: 'on c: the bytes differ from the reference\'s', requirements: ['ECHO-4'], expected: utf8('ok\n'), actual: utf8('no\n') };
    r.failures = [r.failure];
    r.notes = ['compared with the reference reference python3 ref.py'];
    const html = renderHtmlReport(run);
    expect(html).toContain('<div class="sides"><div class="side"><h4>reference python3 ref.py (3 bytes)</h4>');
    expect(html).toContain('<div class="side"><h4>python (under test) (3 bytes)</h4>');
  });

  it('shows a property’s counterexample and replay command, and the expectation summary', () => {
    const html = renderHtmlReport(hostileRun());
    expect(html).toContain('<h4>counterexample</h4><div class="pre">payload (3 bytes): &lt;\\x00&gt;\npayload hex: 3c 00 3e\nword: ');
    expect(html).toContain('<h4>replay</h4><pre><code>sockspec run &quot;x.yaml&quot; --seed 7 --path &quot;0:1&quot; --server &#39;&lt;script&gt;');
    expect(html).toContain('<h2 id="expectations">Expectations</h2><p>1 met, <span class="o-fail">1 unexpected</span>, 1 unused');
    expect(html).toContain('link (not followed: not http or https)');
  });
});

describe('html report: streaming', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'sockspec-html-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('is written a scenario at a time, and the reporter writes exactly the page', async () => {
    const run = sampleRunOfTwoTargets();
    const pieces = [...htmlReportChunks(run)];
    const scenarioPieces = pieces.filter((p) => p.startsWith('<details class="scenario"'));
    expect(scenarioPieces).toHaveLength(run.scenarios.length);
    expect(pieces.join('')).toBe(renderHtmlReport(run));
    const out = captureStdout();
    await replayRun(createReporter('html=out/index.html', { stdout: out.stream, cwd: tmp, color: false }), run);
    expect(readFileSync(join(tmp, 'out/index.html'), 'utf8')).toBe(renderHtmlReport(run));
    expect(out.text()).toBe('');
  });

  it('renders a run of 326 scenarios with full transcripts quickly, no piece larger than one scenario', () => {
    const run = sampleRunOfTwoTargets();
    const transcript: TranscriptEntry[] = [];
    // About 25 KiB each, as the bundled run keeps: lines, binary, console output.
    for (let i = 0; i < 120; i++) transcript.push({ t: i, kind: i % 3 === 0 ? 'stdout' : i % 3 === 1 ? 'send' : 'recv', on: i % 3 === 0 ? 'program' : 'c', data: i % 2 ? HOSTILE_BYTES : utf8(`line ${i} ${'x'.repeat(200)}\n`) });
    run.scenarios = Array.from({ length: 326 }, (_, i) => ({ ...sampleScenario(i % 7 ? 'pass' : 'fail', `scenarios/s${i}.yaml`, i % 2 ? 'python' : 'typescript'), transcript }));
    const started = performance.now();
    let largest = 0;
    let total = 0;
    for (const piece of htmlReportChunks(run)) {
      largest = Math.max(largest, piece.length);
      total += piece.length;
    }
    const ms = performance.now() - started;
    expect(total).toBeGreaterThan(326 * 20_000);
    expect(largest).toBeLessThan(200_000);
    // Well under a second on an idle machine (about 0.3 s); bounded loosely for a loaded one.
    expect(ms).toBeLessThan(3000);
  });
});
