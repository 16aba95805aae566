import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countEdits, createReporter, guessNearMiss, parseReporterSpec, reporterNames } from './registry.js';
import { ReportError } from './reporter.js';
import { captureStdout, replayRun, sampleRun } from './sample-run.js';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'sockspec-report-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

function thrown(f: () => unknown): ReportError {
  try {
    f();
  } catch (e) {
    if (e instanceof ReportError) return e;
    throw e;
  }
  throw new Error('expected a ReportError');
}

describe('createReporter', () => {
  const env = (options: { isTTY?: boolean } = {}) => {
    const out = captureStdout(options);
    return { out, env: { stdout: out.stream, cwd: tmp, color: true } };
  };

  it('knows six reporters', () => {
    expect(reporterNames).toEqual(['console', 'json', 'junit', 'github', 'markdown', 'html']);
    expect(parseReporterSpec('markdown=/tmp/step summary.md')).toEqual({ name: 'markdown', file: '/tmp/step summary.md' });
    expect(parseReporterSpec('junit=reports/j.xml')).toEqual({ name: 'junit', file: 'reports/j.xml' });
    expect(parseReporterSpec('json')).toEqual({ name: 'json', file: undefined });
    expect(parseReporterSpec('json=a=b.json')).toEqual({ name: 'json', file: 'a=b.json' });
  });

  it('refuses an unknown name with the list of names and a guess', () => {
    const e = thrown(() => createReporter('junti=x.xml', env().env));
    expect(e.code).toBe('unknown-reporter');
    expect(e.hint).toContain('did you mean `junit`?');
    expect(e.message).toContain('junit');
    expect(e.message).toContain('console, json, junit, github, markdown, html');
    const far = thrown(() => createReporter('tap', env().env));
    expect(far.code).toBe('unknown-reporter');
    expect(far.message).not.toContain('did you mean');
    expect(far.hint).toBe('reporters: console, json, junit, github, markdown, html');
    expect(thrown(() => createReporter('markdwon', env().env)).hint).toContain('did you mean `markdown`?');
    expect(thrown(() => createReporter('json=', env().env)).code).toBe('missing-report-file');
    expect(existsSync(join(tmp, 'x.xml'))).toBe(false);
  });

  it('writes files once the run ends, relative to cwd, creating folders, and leaves stdout alone', async () => {
    const { out, env: e } = env({ isTTY: true });
    const json = createReporter('json=out/deep/results.json', e);
    const junit = createReporter(`junit=${join(tmp, 'abs', 'junit.xml')}`, e);
    const consoleFile = createReporter('console=out/console.txt', e);
    const run = sampleRun();
    await json.onScenarioEnd?.(run.scenarios[0]!);
    expect(existsSync(join(tmp, 'out'))).toBe(false);
    for (const r of [json, junit, consoleFile]) await replayRun(r, run);
    expect(JSON.parse(readFileSync(join(tmp, 'out/deep/results.json'), 'utf8')).schemaVersion).toBe(2);
    expect(readFileSync(join(tmp, 'abs/junit.xml'), 'utf8')).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites /);
    const text = readFileSync(join(tmp, 'out/console.txt'), 'utf8');
    expect(text).not.toMatch(/[\r\x1b]/);
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/^\d+ passed, \d+ failed/);
    expect(out.text()).toBe('');
  });

  it('writes to stdout without a file', async () => {
    const { out, env: e } = env();
    await replayRun(createReporter('json', e), sampleRun());
    expect(JSON.parse(out.text()).scenarios).toHaveLength(6);
    // written a scenario at a time, never as one string
    expect(out.chunks.length).toBeGreaterThan(6);
    const gh = env();
    await replayRun(createReporter('github', gh.env), sampleRun());
    expect(gh.out.text()).toMatch(/^::error file=/);
    const junit = env();
    await replayRun(createReporter('junit', junit.env), sampleRun());
    // written a testcase at a time, never as one string
    expect(junit.out.chunks.length).toBeGreaterThan(sampleRun().scenarios.length);
    expect(junit.out.text()).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites [^]*<\/testsuites>\n$/);
  });

  it('writes the markdown summary to the file it is given, creating folders', async () => {
    const { out, env: e } = env();
    await replayRun(createReporter('markdown=summary/step.md', e), sampleRun());
    const md = readFileSync(join(tmp, 'summary/step.md'), 'utf8');
    expect(md).toMatch(/^## ❌ sockspec: requirements failed\n/);
    expect(md).toContain('### Checks that broke');
    expect(out.text()).toBe('');
  });

  it('reports a file it cannot write as a ReportError', async () => {
    const { env: e } = env();
    const reporter = createReporter('json=blocker/r.json', e);
    await replayRun(createReporter('json=blocker', e), sampleRun());
    await expect(replayRun(reporter, sampleRun())).rejects.toMatchObject({ code: 'report-write-failed' });
  });
});

const NAMES = ['console', 'json', 'junit', 'github', 'markdown', 'html'];

describe('near misses', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect([countEdits('junti', 'junit'), countEdits('jsno', 'json'), countEdits('', 'abc'), countEdits('kitten', 'sitting')]).toEqual([1, 1, 3, 3]);
  });

  it('guesses close names only', () => {
    expect(['junti', 'JUNIT', 'jsno', 'consol', 'githib', 'junit-xml', 'htlm'].map((w) => guessNearMiss(w, NAMES))).toEqual(['junit', 'junit', 'json', 'console', 'github', undefined, 'html']);
    expect(['tap', 'xml', 'gh', 'js'].map((w) => guessNearMiss(w, NAMES))).toEqual([undefined, undefined, undefined, undefined]);
  });
});
