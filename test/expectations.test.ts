/**
 * Expectation files end to end: real runs of a few echo-ack scenarios against a faulty
 * server (truncates-echo.py: reads echoed only up to 1024 bytes, which breaks ECHO-5
 * and, with binary data, ECHO-8) and against the reference, through the built CLI.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sockspec } from './cli-process.js';
import { ROOT } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'sockspec-expectations-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SUITE = 'scenarios/echo-ack/server';
const LARGE = `${SUITE}/large-payload.yaml`;
const BINARY = `${SUITE}/binary-payload.yaml`;
const HELLO = `${SUITE}/hello-half-close.yaml`;
const FAULTY = 'python3 fixtures/echo-ack/server/truncates-echo.py {port}';
const REFERENCE = 'python3 fixtures/echo-ack/server/reference.py {port}';
const WHY_LARGE = 'reads are echoed only up to 1024 bytes';

let n = 0;
/** A new expectation file in the temporary folder holding `lines`; its path. */
function expectationFile(...lines: string[]): string {
  const file = join(tmp, `exp-${++n}.yaml`);
  writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
  return file;
}

/** `sockspec run LARGE BINARY HELLO --server CMD --expectations FILE …` from the project root. */
const run = (server: string, file: string, ...more: string[]) => sockspec(['run', LARGE, BINARY, HELLO, '--server', server, '--expectations', file, ...more], ROOT);

const lastLines = (text: string, count: number) => text.trimEnd().split('\n').slice(-count);

describe('expectation files: known deviations of a faulty server', () => {
  it('the failures listed: exit 0, each shown as expected with its reason, and the JSON report says so', async () => {
    const file = expectationFile(`- scenario: ${LARGE}`, '  outcome: fail', `  reason: ${WHY_LARGE}`, '  link: https://example.org/issues/12', `- scenario: ${BINARY}`, '  requirement: ECHO-8', '  outcome: fail', '  reason: binary data is truncated too');
    const json = join(tmp, 'listed.json');
    const r = await run(FAULTY, file, '--reporter', 'console', '--reporter', `json=${json}`);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^✓ xfail +${LARGE} \\(fail as expected, `, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^✓ xfail +${BINARY} \\(fail as expected, `, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^✓ pass +${HELLO} `, 'm'));
    expect(r.stdout).toContain(`\n✓ xfail ${LARGE}\n  as expected: fail\n  reason: ${WHY_LARGE}\n  link: https://example.org/issues/12\n  entry: ${file}:1\n`);
    expect(r.stdout).toContain(`\n✓ xfail ${BINARY}\n  as expected: ECHO-8 fail\n  reason: binary data is truncated too\n  entry: ${file}:5\n`);
    // Not the full account of the failure: that is for failures nobody expected.
    expect(r.stdout).not.toContain('transcript');
    expect(r.stdout).not.toContain('unexpected:');
    expect(lastLines(r.stdout, 2)).toEqual([`2 outcomes as expected (${file}), 0 unexpected`, '1 passed, 2 failed']);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.expectations).toEqual({ files: [file], met: 2, unexpected: [], unused: [] });
    expect(report.scenarios.find((s: { file: string }) => s.file === LARGE).expectation).toEqual({ outcome: 'fail', reason: WHY_LARGE, link: 'https://example.org/issues/12', source: `${file}:1`, met: true });
  });

  it('a failure not listed: exit 1, naming it', async () => {
    const file = expectationFile(`- scenario: ${LARGE}`, '  outcome: fail', `  reason: ${WHY_LARGE}`);
    const r = await run(FAULTY, file);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^✗ fail +${BINARY} `, 'm'));
    expect(r.stdout).toContain(`\nunexpected: ${BINARY}: fail, not listed in ${file}\n`);
    expect(lastLines(r.stdout, 2)).toEqual([`1 outcome as expected (${file}), 1 unexpected`, '1 passed, 2 failed']);
  });

  it('a listed failure that passes (the reference, with the same file): exit 1, naming it', async () => {
    const file = expectationFile(`- scenario: ${LARGE}`, '  outcome: fail', `  reason: ${WHY_LARGE}`, `- scenario: ${BINARY}`, '  outcome: fail', '  reason: binary data is truncated too');
    const r = await run(REFERENCE, file);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain(`\nunexpected: ${LARGE}: expected fail (${file}:1: ${WHY_LARGE}) but it passed: remove the entry\n`);
    expect(r.stdout).toContain(`\nunexpected: ${BINARY}: expected fail (${file}:4: binary data is truncated too) but it passed: remove the entry\n`);
    expect(lastLines(r.stdout, 2)).toEqual([`0 outcomes as expected (${file}), 2 unexpected`, '3 passed, 0 failed']);
  });

  it('--update-expectations writes the file from the run, keeping an existing reason; the file then gives exit 0', async () => {
    const file = expectationFile('# our fork of the echo server', '', `- scenario: ${LARGE}`, '  outcome: fail', `  reason: ${WHY_LARGE}  # since 1.2`, `- scenario: ${HELLO}`, '  outcome: fail', '  reason: was broken once');
    const updated = await run(FAULTY, file, '--update-expectations');
    expect(updated.code, updated.stdout + updated.stderr).toBe(0);
    expect(updated.stderr).toBe(`sockspec: wrote ${file}: 2 entries, 1 new (reason: "TODO: say why"), 1 dropped\n`);
    expect(readFileSync(file, 'utf8')).toBe(
      ['# our fork of the echo server', '', `- scenario: ${LARGE}`, '  outcome: fail', `  reason: ${WHY_LARGE} # since 1.2`, `- scenario: ${BINARY}`, '  outcome: fail', '  reason: "TODO: say why"', ''].join('\n'),
    );
    const again = await run(FAULTY, file);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(lastLines(again.stdout, 2)).toEqual([`2 outcomes as expected (${file}), 0 unexpected`, '1 passed, 2 failed']);
  });

  it('a malformed file: file:line:col: code: message, exit 2, nothing run', async () => {
    const file = expectationFile(`- scenario: ${LARGE}`, '  outcome: failed', `  reason: ${WHY_LARGE}`, '- requirement: ECHO-55', '  outcome: fail', '  reason: no such id');
    const r = await run(FAULTY, file);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `${file}:2:12: unknown-outcome: \`failed\` is not an outcome (fail, non-strict, info, not-run, error, skip, pass)\n` +
        `${file}:4:16: unknown-requirement: \`ECHO-55\` is not in the requirement catalogue (scenarios/requirements.yaml) (did you mean \`ECHO-5\`?)\n`,
    );
    expect(r.stdout).toBe('');
  });
});

describe('expectation files of config targets', () => {
  const proj = join(tmp, 'proj');
  mkdirSync(join(proj, 'suite'), { recursive: true });
  for (const f of [LARGE, HELLO]) copyFileSync(join(ROOT, f), join(proj, 'suite', f.split('/').at(-1)!));
  /** A config whose target `faulty` has the expectation file `faulty.yaml`, and a second target running `other`. */
  const config = (other: string) =>
    writeFileSync(
      join(proj, 'sockspec.config.yaml'),
      [
        `requirements: ${join(ROOT, 'scenarios/requirements.yaml')}`,
        'suites:',
        '  - scenarios: suite',
        '    targets:',
        `      - { name: faulty, server: "python3 ${join(ROOT, 'fixtures/echo-ack/server/truncates-echo.py')} {port}", expectations: faulty.yaml }`,
        `      - { name: other, server: "python3 ${join(ROOT, 'fixtures/echo-ack/server', other)} {port}" }`,
        '',
      ].join('\n'),
    );

  it("each target's file applies to it alone, its paths relative to the config's folder; --update-expectations writes it", async () => {
    config('reference.py');
    const missing = await sockspec(['run'], proj);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('faulty.yaml: not-found: no such file\n');

    const updated = await sockspec(['run', '--update-expectations'], proj);
    expect(updated.code, updated.stdout + updated.stderr).toBe(0);
    expect(updated.stderr).toBe('sockspec: wrote faulty.yaml: 1 entry, 1 new (reason: "TODO: say why"), 0 dropped\n');
    expect(readFileSync(join(proj, 'faulty.yaml'), 'utf8')).toMatch(/\n- scenario: suite\/large-payload\.yaml\n {2}outcome: fail\n {2}reason: "TODO: say why"\n$/);

    const r = await sockspec(['run'], proj);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^✓ xfail +suite\/large-payload\.yaml \[faulty\] \(fail as expected/m);
    expect(r.stdout).toMatch(/^✓ pass +suite\/large-payload\.yaml \[other\]/m);
    expect(lastLines(r.stdout, 2)).toEqual(['1 outcome as expected (faulty.yaml), 0 unexpected', '3 passed, 1 failed']);
  });

  it('a target without a file keeps the usual rules: its failure fails the run', async () => {
    config('truncates-echo.py');
    expect(existsSync(join(proj, 'faulty.yaml'))).toBe(true);
    const r = await sockspec(['run'], proj);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^✓ xfail +suite\/large-payload\.yaml \[faulty\]/m);
    expect(r.stdout).toMatch(/^✗ fail +suite\/large-payload\.yaml \[other\]/m);
    expect(r.stdout).not.toContain('unexpected:');
    expect(lastLines(r.stdout, 2)).toEqual(['1 outcome as expected (faulty.yaml), 0 unexpected', '2 passed, 2 failed']);
  });
});
