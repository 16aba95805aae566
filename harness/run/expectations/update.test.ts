import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outcome, ScenarioResult } from '../result.js';
import { summariseExpectations } from './apply.js';
import { readExpectationFile, type ExpectationFile } from './file.js';
import { updateExpectations } from './update.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sockspec-update-'));
  for (const f of ['a.yaml', 'b.yaml', 'c.yaml', 'd.yaml']) await writeFile(join(dir, f), 'covers: [M1]\nsteps: []\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function result(file: string, requirements: Record<string, Outcome>, target = 'python'): ScenarioResult {
  const order: Outcome[] = ['fail', 'error', 'non-strict', 'info', 'not-run', 'pass', 'skip'];
  const outcome = Object.values(requirements).sort((a, b) => order.indexOf(a) - order.indexOf(b))[0] ?? 'pass';
  return { id: `${file} [${target}]`, file, name: file, target, covers: Object.keys(requirements), outcome, requirements, durationMs: 1, notes: [], transcript: [] };
}

/** `text` read as the expectation file exp.yaml of the temporary folder (undefined: it does not exist). */
async function parsed(text: string | undefined): Promise<ExpectationFile> {
  const path = join(dir, 'exp.yaml');
  if (text === undefined) await rm(path, { force: true });
  else await writeFile(path, text);
  const r = await readExpectationFile('exp.yaml', path, dir, {}, true);
  if (!r.file) throw new Error(JSON.stringify(r.diagnostics));
  return r.file;
}

/** The file rewritten from `results`, and what the rewritten file makes of the same results. */
async function update(text: string | undefined, results: ScenarioResult[]) {
  const u = updateExpectations(text, await parsed(text), results, dir);
  const again = await parsed(u.text);
  const { summary, exitCode } = summariseExpectations(results, { files: [again], fileOf: () => again, cwd: dir }, true);
  return { ...u, again: { unexpected: summary.unexpected, exitCode } };
}

describe('--update-expectations: an expectation file rewritten from a run', () => {
  it('a new file: an entry for each scenario that did not pass, its reason still to write', async () => {
    const u = await update(undefined, [result('a.yaml', { M1: 'fail' }), result('b.yaml', { M1: 'pass' }), result('c.yaml', { M1: 'skip' }), result('d.yaml', { M1: 'non-strict', M2: 'non-strict' })]);
    expect(u.text).toBe(
      [
        '# Known deviations, each with its reason: sockspec run --expectations FILE (--update-expectations rewrites it).',
        '',
        '- scenario: a.yaml',
        '  outcome: fail',
        '  reason: "TODO: say why"',
        '- scenario: d.yaml',
        '  outcome: non-strict',
        '  reason: "TODO: say why"',
        '',
      ].join('\n'),
    );
    expect(u).toMatchObject({ entries: 2, added: 2, dropped: 0, again: { unexpected: [], exitCode: 0 } });
  });

  it('an entry per requirement where the scenario has ids that pass or differ, so that none can hide a new deviation', async () => {
    const u = await update(undefined, [result('a.yaml', { M1: 'fail', M2: 'pass', S1: 'non-strict' })]);
    expect(u.text).toContain('- scenario: a.yaml\n  requirement: M1\n  outcome: fail\n  reason: "TODO: say why"\n- scenario: a.yaml\n  requirement: S1\n  outcome: non-strict\n');
    expect(u).toMatchObject({ entries: 2, again: { unexpected: [], exitCode: 0 } });
  });

  it('keeps what the run bore out and what it did not reach, keeps reasons, links and comments, drops what now passes', async () => {
    const header = ['# our daemon against the suite', ''];
    const dropped = ['# fixed in 2.1, not released', '- scenario: a.yaml', '  outcome: fail', '  reason: a is broken'];
    const changed = (outcome: string, space: string) => ['# the outcome changes (keeps this comment)', `- scenario: b.yaml${space}# b`, `  outcome: ${outcome}`, '  reason: b is half broken', '  link: https://example.org/b'];
    const kept = ['- scenario: c.yaml', '  requirement: M1', '  outcome: [non-strict, pass]', '  reason: a race', '- scenario: d.yaml', '  outcome: info', '  reason: not in this run', ''];
    const text = [...header, ...dropped, ...changed('fail', '  '), ...kept].join('\n');
    const u = await update(text, [result('a.yaml', { M1: 'pass' }), result('b.yaml', { M1: 'non-strict' }), result('c.yaml', { M1: 'pass' })]);
    expect(u.text).toBe([...header, ...changed('non-strict', ' '), ...kept].join('\n'));
    expect(u).toMatchObject({ entries: 3, added: 0, dropped: 1, again: { unexpected: [], exitCode: 0 } });
  });

  it('a pattern the run contradicted gives way to entries for the scenarios, with its reason', async () => {
    const text = '- scenario: "*.yaml"\n  outcome: fail\n  reason: nothing works yet\n';
    const u = await update(text, [result('a.yaml', { M1: 'fail' }), result('b.yaml', { M1: 'pass' }), result('c.yaml', { M1: 'fail', M2: 'pass' })]);
    expect(u.text).toBe(
      [
        '- scenario: a.yaml',
        '  outcome: fail',
        '  reason: nothing works yet',
        '- scenario: c.yaml',
        '  requirement: M1',
        '  outcome: fail',
        '  reason: nothing works yet',
        '',
      ].join('\n'),
    );
    expect(u).toMatchObject({ entries: 2, added: 2, dropped: 1, again: { unexpected: [], exitCode: 0 } });
  });

  it('several targets: `target:` only where the targets differ', async () => {
    const u = await update(undefined, [result('a.yaml', { M1: 'fail' }), result('a.yaml', { M1: 'fail' }, 'rust'), result('b.yaml', { M1: 'fail' }), result('b.yaml', { M1: 'pass' }, 'rust'), result('c.yaml', { M1: 'fail' }), result('c.yaml', { M1: 'info' }, 'rust')]);
    const entries = u.text.replace(/^# .*\n\n- /, '').split('\n- ');
    expect(entries.map((e) => e.replace(/\n  reason: .*\n?/, ''))).toEqual([
      'scenario: a.yaml\n  outcome: fail',
      'scenario: b.yaml\n  target: python\n  outcome: fail',
      'scenario: c.yaml\n  target: python\n  outcome: fail',
      'scenario: c.yaml\n  target: rust\n  outcome: info',
    ]);
    expect(u.again).toEqual({ unexpected: [], exitCode: 0 });
  });

  it('every entry gone: an empty list, the file comment kept', async () => {
    const u = await update('# ours\n\n- scenario: a.yaml\n  outcome: fail\n  reason: r\n', [result('a.yaml', { M1: 'pass' })]);
    expect(u.text).toBe('# ours\n\n[]\n');
    expect(u).toMatchObject({ entries: 0, added: 0, dropped: 1 });
  });
});
