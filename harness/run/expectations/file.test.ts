import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalogue, Requirement } from '../../scenario/catalogue.js';
import { formatDiagnostic } from '../../scenario/diagnostic.js';
import { readExpectationFile, scenarioPattern, type ExpectationContext } from './file.js';

const reqs: Requirement[] = ['ECHO-4', 'ECHO-5', 'SOCK-3'].map((id) => ({ id, level: 'MUST', text: id }));
const catalogue: Catalogue = { file: 'scenarios/requirements.yaml', requirements: reqs, byId: new Map(reqs.map((r) => [r.id, r])) };
const context: ExpectationContext = { catalogue, targets: ['python', 'mydaemon'] };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sockspec-expectations-'));
  await mkdir(join(dir, 'suite'));
  for (const f of ['a.yaml', 'b.yaml']) await writeFile(join(dir, 'suite', f), 'covers: [ECHO-4]\nsteps: []\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Read `text` as the file `exp.yaml` of `dir`; the diagnostics as printed. */
async function read(text: string, ctx: ExpectationContext = context) {
  await writeFile(join(dir, 'exp.yaml'), text);
  const r = await readExpectationFile('exp.yaml', join(dir, 'exp.yaml'), dir, ctx);
  return { file: r.file, printed: r.diagnostics.map(formatDiagnostic) };
}

describe('reading an expectation file', () => {
  it('gives each entry its line, its outcomes (the usual one first) and what it matches', async () => {
    const { file, printed } = await read(
      [
        '# known deviations',
        '- scenario: suite/a.yaml',
        '  outcome: fail',
        '  reason: reads are echoed only up to 1024 bytes',
        '  link: https://example.org/issues/12',
        '- scenario: suite/*.yaml',
        '  requirement: ECHO-4',
        '  target: mydaemon',
        '  outcome: [non-strict, pass]',
        '  reason: "  a race: usually non-strict  "',
        '- requirement: SOCK-3',
        '  outcome: fail',
        '  reason: keeps serving the other port',
        '',
      ].join('\n'),
    );
    expect(printed).toEqual([]);
    expect(file!.entries.map(({ matches: _, ...e }) => e)).toEqual([
      { source: 'exp.yaml:2', line: 2, scenario: 'suite/a.yaml', exact: true, outcomes: ['fail'], reason: 'reads are echoed only up to 1024 bytes', link: 'https://example.org/issues/12' },
      { source: 'exp.yaml:6', line: 6, scenario: 'suite/*.yaml', exact: false, requirement: 'ECHO-4', target: 'mydaemon', outcomes: ['non-strict', 'pass'], reason: 'a race: usually non-strict' },
      { source: 'exp.yaml:11', line: 11, requirement: 'SOCK-3', outcomes: ['fail'], reason: 'keeps serving the other port' },
    ]);
    const [exact, glob] = file!.entries;
    expect(exact!.matches!(join(dir, 'suite/a.yaml'))).toBe(true);
    expect(exact!.matches!(join(dir, 'suite/b.yaml'))).toBe(false);
    expect(glob!.matches!(join(dir, 'suite/b.yaml'))).toBe(true);
    expect(glob!.matches!(join(dir, 'suite/deeper/b.yaml'))).toBe(false);
  });

  it('an empty file has no entries', async () => {
    expect((await read('# nothing known yet\n')).file!.entries).toEqual([]);
  });

  it('`*` stays within a folder, `**` crosses folders; other characters are literal', () => {
    const m = (pattern: string, file: string) => scenarioPattern('/r', pattern).matches(file);
    expect(m('s/*/server/*.yaml', '/r/s/echo/server/x.yaml')).toBe(true);
    expect(m('s/*.yaml', '/r/s/echo/x.yaml')).toBe(false);
    expect(m('s/**.yaml', '/r/s/echo/x.yaml')).toBe(true);
    expect(m('s/a+b(1).yaml', '/r/s/a+b(1).yaml')).toBe(true);
    expect(m('s/*.yaml', '/r/s/x.yml')).toBe(false);
    expect(m('./s/../s/x.yaml', '/r/s/x.yaml')).toBe(true);
  });
});

describe('a malformed expectation file: file:line:col: code: message', () => {
  const cases: [string, string, string[]][] = [
    ['an unknown key, with a suggestion', '- scenario: suite/a.yaml\n  outcome: fail\n  reasn: typo\n', ['exp.yaml:1:3: missing-key: `[0].reason` is required (string)', 'exp.yaml:3:3: unknown-key: `reasn` is not a key of an entry (did you mean `reason`?)']],
    ['a word that is not an outcome', '- scenario: suite/a.yaml\n  outcome: fial\n  reason: r\n', ['exp.yaml:2:12: unknown-outcome: `fial` is not an outcome (fail, non-strict, info, not-run, error, skip, pass) (did you mean `fail`?)']],
    ['a bad outcome in a list, and one listed twice', '- scenario: suite/a.yaml\n  outcome: [fail, pas, fail]\n  reason: r\n', ['exp.yaml:2:19: unknown-outcome: `pas` is not an outcome (fail, non-strict, info, not-run, error, skip, pass) (did you mean `pass`?)', 'exp.yaml:2:24: duplicate-outcome: `fail` is listed twice']],
    ['a blank reason', '- scenario: suite/a.yaml\n  outcome: fail\n  reason: "  "\n', ['exp.yaml:3:11: empty-reason: an entry says why, in a sentence']],
    ['an entry naming neither a scenario nor a requirement', '- target: python\n  outcome: fail\n  reason: r\n', ['exp.yaml:1:3: missing-key: an entry names a `scenario:`, a `requirement:`, or both']],
    ['an id the catalogue does not list', '- requirement: ECHO-55\n  outcome: fail\n  reason: r\n', ['exp.yaml:1:16: unknown-requirement: `ECHO-55` is not in the requirement catalogue (scenarios/requirements.yaml) (did you mean `ECHO-5`?)']],
    ['a target the run does not have', '- requirement: ECHO-5\n  target: pyton\n  outcome: fail\n  reason: r\n', ['exp.yaml:2:11: unknown-target: `pyton` is not a target of this run (`python`, `mydaemon`) (did you mean `python`?)']],
    ['a scenario file that does not exist', '- scenario: suite/c.yaml\n  outcome: fail\n  reason: r\n', [`exp.yaml:1:13: unknown-scenario: no scenario file \`suite/c.yaml\` (relative to ${'DIR'})`]],
    ['the same entry twice', '- scenario: suite/a.yaml\n  outcome: fail\n  reason: r\n- scenario: ./suite/a.yaml\n  outcome: info\n  reason: s\n', ['exp.yaml:4:3: duplicate-entry: the same scenario, requirement and target as the entry at line 1 (keep one entry)']],
    ['a link that is not a web address', '- scenario: suite/a.yaml\n  outcome: fail\n  reason: r\n  link: see the tracker\n', ['exp.yaml:4:9: invalid-link: expected `link` to be an http or https URL']],
    ['a map instead of a list', 'scenario: suite/a.yaml\n', ['exp.yaml:1:1: invalid-type: an expectation file is a list of entries (`- scenario: …`, `outcome: …`, `reason: …`)']],
    ['a YAML syntax error', '- scenario: [suite/a.yaml\n', ['exp.yaml:2:1: yaml-syntax']],
  ];
  for (const [what, text, expected] of cases) {
    it(what, async () => {
      const { file, printed } = await read(text);
      expect(file).toBeUndefined();
      const shown = printed.map((p) => p.replace(dir, 'DIR'));
      if (what === 'a YAML syntax error') expect(shown[0]).toMatch(/^exp\.yaml:\d+:\d+: yaml-syntax: /);
      else expect(shown).toEqual(expected);
    });
  }

  it('ids and targets are not checked where the catalogue or the targets are unknown', async () => {
    const { printed } = await read('- requirement: ANY-1\n  target: whatever\n  outcome: fail\n  reason: r\n', {});
    expect(printed).toEqual([]);
  });

  it('a file that cannot be read: file: code: message, unless it is a file --update-expectations will write', async () => {
    const missing = join(dir, 'missing.yaml');
    const r = await readExpectationFile('missing.yaml', missing, dir, context);
    expect(r.diagnostics.map(formatDiagnostic)).toEqual(['missing.yaml: not-found: no such file']);
    const optional = await readExpectationFile('missing.yaml', missing, dir, context, true);
    expect(optional).toEqual({ file: { file: 'missing.yaml', path: missing, base: dir, entries: [] }, diagnostics: [] });
    const folder = await readExpectationFile('suite', join(dir, 'suite'), dir, context, true);
    expect(folder.diagnostics.map(formatDiagnostic)).toEqual(['suite: not-a-file: it is a folder, not a regular file']);
  });
});
