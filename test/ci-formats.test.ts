/**
 * The CI formats end to end: a small suite run by the CLI against a conforming
 * echo-ack server and one that truncates long echoes, with the GitHub, JUnit and
 * Markdown reporters on. A red run must point at the step that broke: the
 * annotation's and the testcase's line is the line of that step in the YAML file.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sockspec } from './cli-process.js';
import { ROOT } from './helpers.js';
import { wellFormednessProblems } from './xml-wellformed.js';

const tmp = mkdtempSync(join(tmpdir(), 'sockspec-ci-formats-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SCENARIOS = ['large-payload.yaml', 'hello-half-close.yaml'];
const fixture = (name: string) => `python3 '${join(ROOT, 'fixtures/echo-ack/server', name)}' {port}`;

/** A project of its own: two bundled scenarios, the bundled catalogue, two targets. */
function writeProject(): void {
  mkdirSync(join(tmp, 'suite'));
  for (const s of SCENARIOS) copyFileSync(join(ROOT, 'scenarios/echo-ack/server', s), join(tmp, 'suite', s));
  writeFileSync(
    join(tmp, 'sockspec.config.yaml'),
    [
      `requirements: ${JSON.stringify(join(ROOT, 'scenarios/requirements.yaml'))}`,
      'suites:',
      '  - scenarios: suite',
      '    targets:',
      `      - { name: reference, server: ${JSON.stringify(fixture('reference.py'))} }`,
      `      - { name: truncates, server: ${JSON.stringify(fixture('truncates-echo.py'))} }`,
      '',
    ].join('\n'),
  );
}

/** The properties of a workflow command, unescaped. */
function commandProperties(line: string): Record<string, string> {
  const props = /^::\w+ ([^:]*)::/.exec(line)?.[1] ?? '';
  return Object.fromEntries(props.split(',').map((kv) => kv.split('=').map((s) => decodeURIComponent(s)) as [string, string]));
}

describe('CI formats of a red run', () => {
  it('point the GitHub annotation and the JUnit testcase at the failing step, and summarise the matrix in Markdown', async () => {
    writeProject();
    const r = await sockspec(['run', '--reporter', 'github', '--reporter', 'junit=out/junit.xml', '--reporter', 'markdown=out/summary.md'], tmp);
    expect(r.code, r.stdout + r.stderr).toBe(1);

    // GitHub: one error, on the line of the `expect` step that broke.
    const commands = r.stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatch(/^::error /);
    const props = commandProperties(commands[0]!);
    expect(props.file).toBe('suite/large-payload.yaml');
    expect(props.title).toBe('fail ECHO-5: suite/large-payload.yaml [truncates]');
    const line = Number(props.line);
    const yaml = readFileSync(join(tmp, props.file!), 'utf8').split('\n');
    expect(yaml[line - 1]).toMatch(/^\s*- expect:/);
    expect(commands[0]).toContain(`step: steps[4] expect (line ${line})`);

    // JUnit: the failing testcase at the same file and line, the others with their file only.
    const xml = readFileSync(join(tmp, 'out/junit.xml'), 'utf8');
    expect(wellFormednessProblems(xml)).toEqual([]);
    const testcases = xml.match(/<testcase [^>]*>/g) ?? [];
    expect(testcases).toHaveLength(4);
    const failing = testcases.filter((t) => t.includes('name="large-payload.yaml [truncates]"'));
    expect(failing).toEqual([expect.stringContaining(`file="suite/large-payload.yaml" line="${line}">`)]);
    for (const t of testcases.filter((t) => t !== failing[0])) {
      expect(t).toMatch(/ file="suite\/[\w-]+\.yaml">$/);
    }
    expect(xml).toContain(`<property name="line" value="${line}"/>`);
    expect(xml).toContain('<property name="outcome:ECHO-5" value="fail"/>');

    // Markdown: the matrix, a column per target, and the broken check at file:line.
    const md = readFileSync(join(tmp, 'out/summary.md'), 'utf8');
    expect(md).toMatch(/^## ❌ sockspec: requirements failed\n\n\*\*3 passed, 1 failed\*\* · 4 scenarios, 2 targets, /);
    expect(md).toContain('| requirement | level | `reference` | `truncates` | what it asks |\n| --- | --- | --- | --- | --- |\n');
    expect(md).toMatch(/\n\| `ECHO-5` \| MUST \| ✅ pass \| ❌ fail \| /);
    expect(md).toMatch(/\n\| `ECHO-4` \| MUST \| ✅ pass \| ✅ pass \| /);
    expect(md).toContain(`| ❌ fail | \`suite/large-payload.yaml:${line}\` | \`truncates\` | \`steps[4] expect\` | \`ECHO-5\` | \`mismatch: byte 1037: expected the next echo to start with "4" (34), got "g" (67)\` |`);
    expect(md).toMatch(/### Not covered\n\n\d+ requirements of the catalogue are not covered by this run: `/);
  });
});
