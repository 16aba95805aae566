import { describe, expect, it } from 'vitest';
import { createStyle } from './ansi-style.js';
import { createConsoleReporter } from './console-reporter.js';
import { formatRunSummary } from './console-text.js';
import { openStdoutOutput } from './report-output.js';
import type { RunResult } from '../run/result.js';
import { captureStdout, replayRun, sampleRun, sampleRunOfTwoTargets } from './sample-run.js';

const COUNTS_LINE = /^\d+ passed, \d+ failed(, \d+ non-strict)?(, \d+ info)?(, \d+ skipped)?(, \d+ errors)?$/;
const lastLine = (text: string) => text.trimEnd().split('\n').at(-1)!;

async function consoleOutput(options: { isTTY?: boolean; columns?: number; color?: boolean; strict?: boolean; run?: RunResult } = {}) {
  const out = captureStdout(options);
  await replayRun(createConsoleReporter(openStdoutOutput(out.stream), options.color ?? false), options.run ?? sampleRun({ strict: options.strict ?? false }));
  return out;
}

/** The console report of a run whose failing scenario expected `expected` and got `actual`, and their transcript entry. */
async function reportOfReply(expected: Uint8Array, actual: Uint8Array): Promise<string> {
  const run = sampleRun();
  const failed = run.scenarios.find((s) => s.outcome === 'fail')!;
  Object.assign(failed.failure!, { expected, actual, message: `expected ${expected.length} bytes, got ${actual.length} different ones` });
  failed.transcript = [{ t: 5, kind: 'recv', on: 'c', data: actual }];
  return (await consoleOutput({ run })).text();
}

describe('console reporter', () => {
  it('off a terminal, prints a line per finished scenario and no progress line', async () => {
    const text = (await consoleOutput()).text();
    expect(text).not.toContain('\r');
    expect(text).toMatch(/^✓ pass\s+scenarios\/echo-ack\/server\/pass\.yaml \[python\] \(1\.23 s\)$/m);
    expect(text).toMatch(/^✗ fail\s+scenarios\/echo-ack\/server\/fail\.yaml \[python\]/m);
    expect(text).toMatch(/^! non-strict scenarios\/echo-ack\/server\/non-strict\.yaml/m);
    expect(text).toMatch(/^! error\s+scenarios\/udp-time\/server\/error\.yaml/m);
    expect(text).toMatch(/^- skip\s+scenarios\/udp-time\/server\/skip\.yaml/m);
    expect(text).not.toContain('\x1b');
  });

  it('ends with the counts line, passed and failed first', async () => {
    const text = (await consoleOutput()).text();
    expect(lastLine(text)).toMatch(/^\d+ passed, \d+ failed/);
    expect(lastLine(text)).toBe('1 passed, 1 failed, 1 non-strict, 1 info, 1 skipped, 1 errors');
    expect(lastLine(text)).toMatch(COUNTS_LINE);
  });

  it('explains every scenario that did not pass, with the difference and the transcript', async () => {
    const text = (await consoleOutput()).text();
    const block = text.slice(text.indexOf('\n✗ fail scenarios/echo-ack/server/fail.yaml'));
    expect(block).toContain('  mismatch: expected "hello\\n", got "a\\0b\\xff\\xfe]]><&>"\n    second line with \\x01');
    expect(block).toContain('  step: steps[3] expect\n  requirements: ECHO-4\n  first difference at byte 0 (expected 6 bytes, got 15)');
    expect(block).toContain('  actual hex:   61 00 62 ff fe 5d 5d 3e 3c 26 3e 01 22 27 0a');
    expect(block).toContain('  transcript (6 entries):\n         0 ms  start     server  python3 server.py 40001');
    expect(block).toContain('        10 ms  recv      c       "a\\0b\\xff\\xfe]]><&>\\x01"\'\\n"');
    expect(text).toContain('\n! error scenarios/udp-time/server/error.yaml [python]\n  exited-early: the program exited before listening (exit status 3); stderr: cannot bind: no luck');
    expect(text).toContain('\n✓ info scenarios/udp-time/server/info.yaml [python]\n');
    expect(text).toContain('  notes:\n    server answered with <&> "quoted" \\x01');
    expect(text).not.toContain('\n✓ pass scenarios');
    expect(text).not.toContain('\n- skip scenarios');
    // Nothing the program sent reaches the terminal raw.
    expect(text).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/);
  });

  it('with several targets, shows each requirement against each target side by side', async () => {
    const text = (await consoleOutput({ run: sampleRunOfTwoTargets() })).text();
    expect(text).toMatch(/^requirement\s+level\s+python\s+typescript$/m);
    expect(text).toMatch(/^ECHO-4\s+MUST\s+fail\s+fail$/m);
    expect(text).toMatch(/^ECHO-5\s+SHOULD\s+fail\s+fail$/m);
    expect(text).not.toMatch(/^TIME-2\s/m);
    expect(text).not.toMatch(/^requirement\s+level\s+outcome/m);
  });

  it('summarises each requirement the run judged and counts the uncovered ones', async () => {
    const text = (await consoleOutput()).text();
    expect(text).toMatch(/^requirement\s+level\s+outcome\s+scenarios$/m);
    expect(text).toMatch(/^ECHO-4\s+MUST\s+fail\s+6$/m);
    expect(text).toMatch(/^ECHO-5\s+SHOULD\s+non-strict\s+6$/m);
    expect(text).not.toMatch(/^TIME-2\s/m);
    expect(text).toContain('1 other requirement of the catalogue not covered by this run');
    expect(text).toContain('6 scenarios, 1 target, 4.32 s\n');
  });

  it('never cuts the first difference or the tail of a long reply, and says how much it leaves out', async () => {
    const expected = Uint8Array.from({ length: 100_000 }, (_, i) => 0x61 + (i % 26));
    const actual = Uint8Array.from(expected);
    actual.set([0x00, 0xe2, 0x80, 0x8b], 70_000);
    actual.set(new TextEncoder().encode('END\n'), 99_996);
    const text = await reportOfReply(expected, actual);
    expect(text).toContain('  first difference at byte 70,000 (expected 100,000 bytes, got 100,000)\n');
    // The window starts 16 bytes before the difference (69,984 % 26 = 18: "s"); the tail is the last 16 bytes.
    expect(text).toContain('  expected: … 69,984 bytes …stuvwxyzabcdefghijklmnopqrstuvwx… 29,968 bytes …opqrstuvwxyzabcd\n');
    expect(text).toContain('  actual:   … 69,984 bytes …stuvwxyzabcdefgh\\0\\u{200B}mnopqrstuvwx… 29,968 bytes …opqrstuvwxyzEND\\n\n');
    expect(text).toMatch(/^ {4}actual hex: {3}… 69,984 bytes … 73 .* 68 00 e2 80 8b 6d .* … 29,968 bytes … 6f .* 45 4e 44 0a$/m);
    // The transcript shows the reply's head and tail.
    expect(text).toMatch(/ recv {6}c {2}"abcdefgh.{72}… 99,880 bytes ….{36}END\\n"$/m);
  });

  it('shows a long reply differing only in its last byte', async () => {
    const expected = new Uint8Array(100_000).fill(0x2e);
    const actual = Uint8Array.from(expected);
    actual[99_999] = 0x2c;
    const text = await reportOfReply(expected, actual);
    expect(text).toContain('  first difference at byte 99,999 (expected 100,000 bytes, got 100,000)\n');
    expect(text).toContain(`  expected: … 99,983 bytes …${'.'.repeat(17)}\n`);
    expect(text).toContain(`  actual:   … 99,983 bytes …${'.'.repeat(16)},\n`);
    expect(text).toContain(`  actual hex:   … 99,983 bytes … ${'2e '.repeat(16)}2c\n`);
  });

  it('on a terminal, rewrites one progress line with \\r and clears it before the summary', async () => {
    const out = await consoleOutput({ isTTY: true, columns: 60 });
    const text = out.text();
    expect(text).toContain('\r[0/6] scenarios/echo-ack/server/pass.yaml [python]');
    expect(text).toContain('\r[6/6] scenarios/udp-time/server/error.yaml [python]');
    expect(text).not.toMatch(/^✓ pass/m);
    const progress = text.slice(0, text.lastIndexOf('\r') + 1);
    expect(progress.split('\r').every((line) => line.length <= 59)).toBe(true);
    expect(text.slice(progress.length)).not.toContain('\r');
    expect(progress).toMatch(/\r {10,}\r$/);
    expect(lastLine(text)).toMatch(COUNTS_LINE);
  });

  it('keeps the progress line narrower than a narrow terminal', async () => {
    const text = (await consoleOutput({ isTTY: true, columns: 30 })).text();
    const drawn = text.slice(0, text.lastIndexOf('\r')).split('\r').filter(Boolean);
    expect(drawn.length).toBeGreaterThan(6);
    for (const line of drawn) expect(line.length).toBeLessThanOrEqual(29);
    expect(text).toContain('[1/6] scenarios/echo-ack/ser…');
  });

  it('colours only when asked, and never the counts line', async () => {
    const text = (await consoleOutput({ isTTY: true, color: true, strict: true })).text();
    expect(text).toContain('\x1b[31m');
    expect(lastLine(text)).toMatch(COUNTS_LINE);
    expect(text).toContain('strict');
  });

  it('prints just the counts for an empty run', () => {
    const run = { ...sampleRun(), scenarios: [], requirements: [], counts: { pass: 0, fail: 0, 'non-strict': 0, info: 0, 'not-run': 0, skip: 0, error: 0 } };
    expect(formatRunSummary(run, createStyle(false)).at(-1)).toBe('0 passed, 0 failed');
  });
});

describe('console reporter with an expectation file', () => {
  /** The sample run with its failure expected, a listed failure that passed and an unlisted error. */
  function runWithExpectations(): RunResult {
    const run = sampleRun();
    const byOutcome = (o: string) => run.scenarios.find((s) => s.outcome === o)!;
    byOutcome('fail').expectation = { outcome: 'fail', reason: 'known \x1b[31mbug\x1b[0m', link: 'https://example.org/1', source: 'exp.yaml:1', met: true };
    byOutcome('non-strict').expectation = { requirements: { 'ECHO-4': 'non-strict', 'ECHO-5': 'non-strict' }, reason: 'a race', source: 'exp.yaml:5, exp.yaml:9', met: true };
    byOutcome('pass').expectation = { outcome: 'fail', reason: 'was broken', source: 'exp.yaml:13', met: false };
    run.expectations = {
      files: ['exp.yaml'],
      met: 2,
      unexpected: [
        { id: byOutcome('pass').id, message: 'expected fail (exp.yaml:13: was broken) but it passed: remove the entry' },
        { id: byOutcome('error').id, message: 'error, not listed in exp.yaml' },
      ],
      unused: ['exp.yaml:17'],
    };
    return run;
  }

  it('shows a failure as expected on its line, and only why it was expected in its block', async () => {
    const text = (await consoleOutput({ run: runWithExpectations() })).text();
    expect(text).toMatch(/^✓ xfail {6}scenarios\/echo-ack\/server\/fail\.yaml \[python\] \(fail as expected, 1\.23 s\)$/m);
    expect(text).toMatch(/^✓ xfail {6}scenarios\/echo-ack\/server\/non-strict\.yaml \[python\] \(non-strict as expected, 1\.23 s\)$/m);
    expect(text).toMatch(/^✓ pass {7}scenarios\/echo-ack\/server\/pass\.yaml/m);
    const block = text.slice(text.indexOf('\n✓ xfail scenarios/echo-ack/server/fail.yaml'));
    expect(block.slice(0, block.indexOf('\n\n', 1))).toBe(
      ['', '✓ xfail scenarios/echo-ack/server/fail.yaml [python]', '  as expected: fail', '  reason: known \\x1b[31mbug\\x1b[0m', '  link: https://example.org/1', '  entry: exp.yaml:1'].join('\n'),
    );
    expect(text).toContain('\n✓ xfail scenarios/echo-ack/server/non-strict.yaml [python]\n  as expected: ECHO-4 non-strict, ECHO-5 non-strict\n  reason: a race\n  entry: exp.yaml:5, exp.yaml:9\n');
    // The error nobody expected keeps its full account.
    expect(text).toContain('\n! error scenarios/udp-time/server/error.yaml [python]\n  exited-early:');
    expect(text).not.toContain('\x1b');
  });

  it('calls out what was not as expected and the unused entries, then counts them above the counts line', async () => {
    const text = (await consoleOutput({ run: runWithExpectations() })).text();
    const tail = text.trimEnd().split('\n').slice(-8);
    expect(tail).toEqual([
      '',
      'unexpected: scenarios/echo-ack/server/pass.yaml [python]: expected fail (exp.yaml:13: was broken) but it passed: remove the entry',
      'unexpected: scenarios/udp-time/server/error.yaml [python]: error, not listed in exp.yaml',
      'unused expectation: exp.yaml:17 (no scenario of this run)',
      '',
      '6 scenarios, 1 target, 4.32 s',
      '2 outcomes as expected (exp.yaml), 2 unexpected',
      '1 passed, 1 failed, 1 non-strict, 1 info, 1 skipped, 1 errors',
    ]);
    expect(lastLine(text)).toMatch(COUNTS_LINE);
  });

  it('a run without expectation files says nothing of them', async () => {
    const text = (await consoleOutput()).text();
    expect(text).not.toMatch(/xfail|as expected|unexpected/);
  });
});

