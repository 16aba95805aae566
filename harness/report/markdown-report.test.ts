import { describe, expect, it } from 'vitest';
import type { RunResult, ScenarioResult } from '../run/result.js';
import { MARKDOWN_REPORT_BYTES, STEP_SUMMARY_LIMIT, markdownCode, markdownLink, markdownReportChunks, markdownText, renderMarkdownReport } from './markdown-report.js';
import { makePrintableLine } from './printable-text.js';
import { HOSTILE_BYTES, sampleRun, sampleRunOfTwoTargets, sampleScenario, sampleScenarioOfTwoFailures, withExpectation } from './sample-run.js';

/**
 * A line read as GFM reads it, for the checks below: in a table row the cells split at
 * each `|` no backslash precedes (then `\|` is `|`), and in each piece the code spans
 * (a run of N backticks up to the next run of exactly N; one space each side taken
 * away) apart from the text around them.
 */
function readLine(line: string): { cells: number | undefined; code: string[]; text: string } {
  const table = line.startsWith('|');
  const pieces = table ? line.slice(1, line.endsWith('|') ? -1 : undefined).split(/(?<!\\)\|/).map((c) => c.replace(/\\\|/g, '|')) : [line];
  const code: string[] = [];
  let text = '';
  for (const piece of pieces) {
    let i = 0;
    while (i < piece.length) {
      const open = /`+/g;
      open.lastIndex = i;
      const m = open.exec(piece);
      if (!m) break;
      text += piece.slice(i, m.index);
      const close = new RegExp(`(?<!\`)${m[0]}(?!\`)`, 'g');
      close.lastIndex = m.index + m[0].length;
      const c = close.exec(piece);
      if (!c) {
        text += m[0];
        i = m.index + m[0].length;
        continue;
      }
      const inner = piece.slice(m.index + m[0].length, c.index);
      code.push(/^ .* $/.test(inner) && !/^ +$/.test(inner) ? inner.slice(1, -1) : inner);
      i = c.index + c[0].length;
    }
    text += `${piece.slice(i)}\u0000`;
  }
  return { cells: table ? pieces.length : undefined, code, text };
}

/** Every table has as many cells in each row as in its header; what lies outside code spans has no raw Markdown or HTML of the inputs. */
function checkMarkdown(md: string): { code: string[]; text: string } {
  const code: string[] = [];
  let text = '';
  let width: number | undefined;
  for (const line of md.split('\n')) {
    const r = readLine(line);
    if (r.cells !== undefined) {
      width ??= r.cells;
      expect(r.cells, line).toBe(width);
    } else {
      width = undefined;
    }
    code.push(...r.code);
    text += `${r.text}\n`;
    // Outside code spans: no line break of the input, no tag, link or emphasis of theirs.
    if (line.startsWith('|') || line.startsWith('- ')) {
      const bare = r.text.replace(/<https:\/\/example\.org\/[\w/]*>/g, '');
      expect(bare, line).not.toMatch(/(?<!\\)[<>[\]*_`]/);
      expect(bare, line).not.toMatch(/javascript:/);
    }
  }
  return { code, text };
}

const HOSTILE = '<script>alert(1)</script> </details> | col | [x](javascript:alert(1)) **b** _i_ ``` `\r\n# h\u0000\u001b[31m\u202e';

/** A run whose every name, message, id, text and reason is hostile. */
function hostileRun(): RunResult {
  const run = sampleRunOfTwoTargets();
  const r = sampleScenarioOfTwoFailures(`scenarios/${HOSTILE}.yaml`, `ty\`pe|${HOSTILE}`);
  r.failure!.message = `${HOSTILE}\nsecond line`;
  r.failures![0]!.message = Buffer.from(HOSTILE_BYTES).toString('latin1');
  r.requirements[`ECHO-${HOSTILE}`] = 'fail';
  r.failure!.requirements = ['ECHO-4', `ECHO-${HOSTILE}`];
  const expected = withExpectation(sampleScenario('fail', 'scenarios/e.yaml', `t${HOSTILE}`), true);
  expected.expectation!.reason = HOSTILE;
  expected.expectation!.link = 'javascript:alert(1)';
  run.scenarios.push(r, expected);
  run.requirements.push({ id: `ECHO-${HOSTILE}`, level: 'MUST', text: HOSTILE, outcome: 'fail', scenarios: [r.id] });
  run.requirements.push({ id: `UNCOVERED-${HOSTILE}`, level: 'MUST', text: HOSTILE, outcome: 'uncovered', scenarios: [] });
  run.expectations = { files: ['x.yaml'], met: 1, unexpected: [{ id: r.id, message: HOSTILE }], unused: [`${HOSTILE}:3`] };
  return run;
}

describe('markdown escapes', () => {
  it('shows any text in a code span, with a fence longer than its backticks, on one line', () => {
    expect(markdownCode('a')).toBe('`a`');
    expect(markdownCode('a`b')).toBe('``a`b``');
    expect(markdownCode('``x``')).toBe('``` ``x`` ```');
    expect(markdownCode(' a ')).toBe('`  a  `');
    expect(markdownCode('   ')).toBe('`   `');
    expect(markdownCode('')).toBe('`""`');
    expect(markdownCode('a\nb\r\u0000')).toBe('`a\\nb\\r\\0`');
    expect(markdownCode('| a |', { table: true })).toBe('`\\| a \\|`');
    expect(markdownCode('x'.repeat(500), { max: 10 })).toBe('`xxxxxxxxx…`');
    expect(markdownCode(`${'x'.repeat(8)}😀y`, { max: 10 })).toBe('`xxxxxxxx…`');
  });

  it('escapes prose so that no Markdown or HTML of it is read', () => {
    expect(markdownText('<script>alert(1)</script>')).toBe('&lt;script&gt;alert\\(1\\)&lt;/script&gt;');
    expect(markdownText("a, b - c's \"d\" +e= ok; www.x.org $x$")).toBe("a, b - c's \"d\" +e= ok; www\\.x\\.org \\$x\\$");
    expect(markdownText('[x](javascript:alert(1)) *b* _i_ `c` | d & e')).toBe('\\[x\\]\\(javascript\\:alert\\(1\\)\\) \\*b\\* \\_i\\_ \\`c\\` &#124; d &amp; e');
    expect(markdownText('a\nb')).toBe('a\\\\nb');
    expect(markdownLink('https://example.org/issues/7')).toBe('<https://example.org/issues/7>');
    expect(markdownLink('javascript:alert(1)')).toBe('`javascript:alert(1)`');
    expect(markdownLink('https://x.org/a>b')).toBe('`https://x.org/a>b`');
  });
});

describe('renderMarkdownReport', () => {
  it('has the counts, the matrix with a column per target, the broken checks with file:line, and the uncovered ids', () => {
    const md = renderMarkdownReport(sampleRunOfTwoTargets());
    expect(md).toMatch(/^## ❌ sockspec: requirements failed\n\n\*\*5 passed, 2 failed, 1 non-strict, 1 info, 2 skipped, 1 errors\*\* · 12 scenarios, 2 targets, 4\.32 s\n/);
    expect(md).toContain('| requirement | level | `python` | `typescript` | what it asks |\n| --- | --- | --- | --- | --- |\n| `ECHO-4` | MUST | ❌ fail | ❌ fail | echo each line |\n');
    expect(md).toContain('| ❌ fail | `scenarios/echo-ack/server/fail.yaml:12` | `python` | `steps[3] expect` | `ECHO-4` | `mismatch: expected "hello\\n", got "a\\0b\\xff\\xfe]]><&>"` |\n');
    expect(md).toContain('| ⚠️ non-strict | `scenarios/echo-ack/server/non-strict.yaml:12` |');
    expect(md).toContain('| 🛑 error | `scenarios/udp-time/server/error.yaml` | `python` | — | `ECHO-4` `ECHO-5` | `exited-early: the program exited before listening');
    expect(md).toContain('1 requirement of the catalogue is not covered by this run: `TIME-2`\n');
    expect(md).not.toContain('### Expected deviations');
    expect(md).not.toContain('### Unexpected outcomes');
    checkMarkdown(md);
  });

  it('lists each broken check of a scenario at its own line, the expected deviations with their reasons apart, and the unexpected outcomes', () => {
    const run = sampleRun();
    run.scenarios = [sampleScenarioOfTwoFailures(), withExpectation(sampleScenarioOfTwoFailures('scenarios/known.yaml'), true), withExpectation(sampleScenario('pass', 'scenarios/fixed.yaml'), false)];
    const md = renderMarkdownReport(run);
    const broken = md.slice(md.indexOf('### Checks that broke'), md.indexOf('### Unexpected'));
    expect(broken).toContain('| ⚠️ non-strict | `scenarios/echo-ack/server/two.yaml:8` | `python` | `steps[2] expect` | `ECHO-5` | `mismatch: expected "I get it!", got "ok"` |');
    expect(broken).toContain('| ❌ fail | `scenarios/echo-ack/server/two.yaml:12` |');
    expect(broken).not.toContain('known.yaml');
    expect(md).toContain('### Expected deviations\n\n|  | where | target | expected | why | entry |\n| --- | --- | --- | --- | --- | --- |\n| ❌ fail | `scenarios/known.yaml:12` | `python` | `fail` | known bug\\: truncates long reads (<https://example.org/issues/7>) | `expectations/python.yaml:4` |\n');
    expect(md).toContain('### Unexpected outcomes\n\n- ❗ `scenarios/fixed.yaml [python]`: `passed, but expectations/python.yaml:4 expects fail');
    // The matrix marks a cell whose every failing scenario was expected to fail.
    const only = { ...run, scenarios: [run.scenarios[1]!] };
    expect(renderMarkdownReport(only)).toContain('| `ECHO-4` | MUST | ❌ fail (expected) |');
    checkMarkdown(md);
  });

  it('says what the expectation files found, and that a run was interrupted', () => {
    const run = { ...sampleRun(), interrupted: true, expectations: { files: ['e.yaml'], met: 2, unexpected: [{ id: 'a.yaml', message: 'failed, not listed' }], unused: ['e.yaml:9'] } };
    const md = renderMarkdownReport(run);
    expect(md).toContain('⚠️ The run was interrupted');
    expect(md).toContain('Expectation files: 2 deviations as expected, 1 unexpected, 1 entry unused.');
    expect(md).toContain('- ❗ `a.yaml`: `failed, not listed`\n- ❔ the entry `e.yaml:9` matched no scenario of this run\n');
  });

  it('lets no Markdown or HTML of a program, a scenario or a file through, and keeps every table whole', () => {
    const md = renderMarkdownReport(hostileRun());
    const { code, text } = checkMarkdown(md);
    // The hostile strings are all there, shown as code, never outside it.
    const shown = makePrintableLine(HOSTILE);
    expect(code).toContain(`scenarios/${shown}.yaml:12`);
    expect(code).toContain(`mismatch: ${makePrintableLine(HOSTILE.split(/\r?\n/)[0]!)}`);
    expect(code).toContain(`ECHO-${shown}`);
    expect(code).toContain(`ty\`pe|${shown}`);
    expect(code).toContain('mismatch: a\\0bÿþ]]><&>\\x01"\'');
    expect(code).toContain('javascript:alert(1)');
    expect(text).not.toContain('<script');
    expect(text).not.toContain('</details');
    expect(md).not.toMatch(/[\r\u0001-\u0008\u000b-\u001f\u202e]/u);
    // The requirement text and the reason are prose, escaped.
    expect(md).toContain('&lt;script&gt;alert\\(1\\)&lt;/script&gt; &lt;/details&gt; &#124; col &#124; \\[x\\]');
  });

  it('stays under the limit GitHub keeps, saying what it left out, and keeps its tables whole', () => {
    const run = sampleRun();
    const big = 'x'.repeat(2000);
    run.scenarios = Array.from({ length: 6000 }, (_, i) => {
      const r = sampleScenario('fail', `scenarios/many/s${i}.yaml`);
      r.failure!.message = big;
      return r;
    });
    run.requirements = Array.from({ length: 3000 }, (_, i) => ({ id: `R-${i}`, level: 'MUST' as const, text: big, outcome: 'uncovered' as const, scenarios: [] }));
    const chunks = [...markdownReportChunks(run)];
    const md = chunks.join('');
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(MARKDOWN_REPORT_BYTES);
    expect(MARKDOWN_REPORT_BYTES).toBeLessThan(STEP_SUMMARY_LIMIT);
    expect(Buffer.byteLength(md)).toBeGreaterThan(MARKDOWN_REPORT_BYTES - 8192);
    expect(chunks.length).toBeGreaterThan(10);
    expect(md).toMatch(/_\d[\d,]* broken checks left out here: the summary stays under the 1 MiB GitHub keeps\._/);
    expect(md).toMatch(/> Cut to stay under the 1 MiB GitHub keeps of a step summary: [\d,]+ broken checks, 3,000 uncovered requirements left out\. The JSON and JUnit reports have them all\.\n$/);
    checkMarkdown(md);
  });

  it('never goes over a small limit either', () => {
    for (const limit of [0, 100, 5000, 6000]) {
      const md = renderMarkdownReport(hostileRun(), limit);
      expect(Buffer.byteLength(md)).toBeLessThanOrEqual(limit);
    }
  });
});

export type { ScenarioResult };
