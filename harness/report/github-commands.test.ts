import { describe, expect, it } from 'vitest';
import { annotationPath, escapeCommandData, escapeCommandProperty, formatWorkflowCommand, renderGithubCommands } from './github-commands.js';
import { sampleRun, sampleScenario, sampleScenarioOfTwoFailures, withExpectation } from './sample-run.js';

/** The commands of a rendering, one per line, with the properties of each parsed back (unescaped). */
function commands(text: string) {
  const lines = text.split('\n');
  expect(lines.pop()).toBe('');
  return lines.map((line) => {
    const m = /^::(\w+)(?: ([^:]*))?::(.*)$/.exec(line);
    expect(m, line).not.toBeNull();
    const unescape = (s: string) => decodeURIComponent(s);
    const props = Object.fromEntries((m![2] ?? '').split(',').filter(Boolean).map((kv) => kv.split('=').map(unescape) as [string, string]));
    return { line, kind: m![1]!, props, message: unescape(m![3]!) };
  });
}

const runOf = (...scenarios: ReturnType<typeof sampleScenario>[]) => ({ ...sampleRun(), scenarios });

describe('github workflow commands', () => {
  it('escapes data and properties as GitHub documents', () => {
    expect(escapeCommandData('100% a\r\nb: c, d')).toBe('100%25 a%0D%0Ab: c, d');
    expect(escapeCommandProperty('100% a\r\nb: c, d')).toBe('100%25 a%0D%0Ab%3A c%2C d');
    expect(formatWorkflowCommand('error', { file: 'a,b.yaml', title: 'x: y' }, 'one\ntwo')).toBe('::error file=a%2Cb.yaml,title=x%3A y::one%0Atwo');
    expect(formatWorkflowCommand('warning', {}, 'm')).toBe('::warning::m');
  });

  it('annotates each fail and error at the line of its step, warns for each unmet SHOULD, and keeps one command per line', () => {
    const text = renderGithubCommands(sampleRun());
    const cs = commands(text);
    expect(cs.map((c) => [c.kind, c.props.file, c.props.line])).toEqual([
      ['error', 'scenarios/echo-ack/server/fail.yaml', '12'],
      ['warning', 'scenarios/echo-ack/server/non-strict.yaml', '12'],
      ['error', 'scenarios/udp-time/server/error.yaml', undefined],
    ]);
    expect(cs[0]!.line).toMatch(/^::error file=scenarios\/echo-ack\/server\/fail\.yaml,line=12,title=fail ECHO-4%3A scenarios\/echo-ack\/server\/fail\.yaml \[python\]::mismatch: expected "hello\\n"/);
    expect(cs[0]!.line).toContain('%0Astep: steps[3] expect%0Arequirements: ECHO-4%0Afirst difference at byte 0');
    expect(cs[1]!.props.title).toBe('non-strict ECHO-4: scenarios/echo-ack/server/non-strict.yaml [python]');
    expect(cs[2]!.message).toMatch(/^exited-early: the program exited/);
    for (const c of cs) expect(c.line).not.toMatch(/[\r\u0000-\u001F]/);
  });

  it('makes an unmet SHOULD an error in a strict run', () => {
    const text = renderGithubCommands(sampleRun({ strict: true }));
    expect(text).toMatch(/^::error file=scenarios\/echo-ack\/server\/non-strict\.yaml,line=12/m);
    expect(text).not.toContain('::warning');
  });

  it('gives each broken check of a scenario its own annotation, at its own line, by its own level', () => {
    const cs = commands(renderGithubCommands(runOf(sampleScenarioOfTwoFailures())));
    expect(cs.map((c) => [c.kind, c.props.line, c.props.title])).toEqual([
      ['warning', '8', 'non-strict ECHO-5: scenarios/echo-ack/server/two.yaml [python]'],
      ['error', '12', 'fail ECHO-4: scenarios/echo-ack/server/two.yaml [python]'],
    ]);
    expect(cs[0]!.message).toBe('mismatch: expected "I get it!", got "ok"\nstep: steps[2] expect (line 8)\nrequirements: ECHO-5 (as SHOULD)');
    // The check that ended the scenario also says what became of each requirement.
    expect(cs[1]!.message).toContain('\nrequirement outcomes:\n  ECHO-4: fail\n  ECHO-5: non-strict');
    const noted = sampleScenarioOfTwoFailures();
    noted.notes = Array.from({ length: 25 }, (_, i) => `note ${i} \u001b[31m`);
    const [should, must] = commands(renderGithubCommands(runOf(noted)));
    expect(should!.message).not.toContain('notes:');
    expect(must!.message).toMatch(/\nnotes:\n {2}note 0 \\x1b\[31m\n[^]*\n {2}note 19 \\x1b\[31m\n {2}… 5 more$/);
    const strict = commands(renderGithubCommands({ ...runOf(sampleScenarioOfTwoFailures()), strict: true }));
    expect(strict.map((c) => c.kind)).toEqual(['error', 'error']);
  });

  it('gives an expected failure a notice and no error, and an unexpected pass an error on the entry', () => {
    const expected = commands(renderGithubCommands(runOf(withExpectation(sampleScenarioOfTwoFailures(), true))));
    expect(expected).toHaveLength(1);
    expect(expected[0]!.kind).toBe('notice');
    expect(expected[0]!.props).toEqual({ file: 'scenarios/echo-ack/server/two.yaml', line: '12', title: 'expected fail: scenarios/echo-ack/server/two.yaml [python]' });
    expect(expected[0]!.message).toMatch(/^expected fail: known bug: truncates long reads \(https:\/\/example\.org\/issues\/7\)\nentry: expectations\/python\.yaml:4\nmismatch: /);

    const passed = commands(renderGithubCommands(runOf(withExpectation(sampleScenario('pass', 'scenarios/echo-ack/server/fixed.yaml'), false))));
    expect(passed).toHaveLength(1);
    expect(passed[0]!.kind).toBe('error');
    expect(passed[0]!.props).toEqual({ file: 'expectations/python.yaml', line: '4', title: 'unexpected pass: scenarios/echo-ack/server/fixed.yaml [python]' });
    expect(passed[0]!.message).toBe('scenarios/echo-ack/server/fixed.yaml [python]: passed, but expectations/python.yaml:4 expects fail (known bug: truncates long reads (https://example.org/issues/7)): the deviation is gone, remove the entry');
  });

  it('flags an outcome other than the expected one on the entry, and still annotates its checks', () => {
    const r = withExpectation(sampleScenario('error', 'scenarios/udp-time/server/e.yaml'), false);
    const cs = commands(renderGithubCommands(runOf(r)));
    expect(cs.map((c) => [c.kind, c.props.file])).toEqual([
      ['error', 'expectations/python.yaml'],
      ['error', 'scenarios/udp-time/server/e.yaml'],
    ]);
    expect(cs[0]!.message).toContain('error is not what expectations/python.yaml:4 expects: fail (known bug');
    expect(cs[0]!.message).toMatch(/update the entry$/);
  });

  it('warns for a scenario none of whose checks ran, and leaves passes, skips and notes alone', () => {
    const notRun = sampleScenario('not-run');
    notRun.reasons = { 'ECHO-4': 'none of its checks ran' };
    const cs = commands(renderGithubCommands(runOf(notRun, sampleScenario('pass'), sampleScenario('skip'), sampleScenario('info'))));
    expect(cs.map((c) => [c.kind, c.props.line])).toEqual([['warning', undefined]]);
    expect(cs[0]!.message).toContain('ECHO-4: not-run (none of its checks ran)');
  });

  it('says first when there are more annotations of a kind than GitHub shows', () => {
    const many = Array.from({ length: 12 }, (_, i) => sampleScenario('fail', `scenarios/x/f${i}.yaml`));
    const cs = commands(renderGithubCommands(runOf(...many)));
    expect(cs).toHaveLength(13);
    expect(cs[0]!.kind).toBe('notice');
    expect(cs[0]!.message).toMatch(/^12 errors, 0 warnings, 0 notices: GitHub shows the first 10 of each kind per step/);
    expect(commands(renderGithubCommands(runOf(...many.slice(0, 10))))[0]!.kind).toBe('error');
  });

  it('places files given as absolute paths inside the working folder relative to it', () => {
    expect(annotationPath('/w/repo/s/a.yaml', '/w/repo')).toBe('s/a.yaml');
    expect(annotationPath('/elsewhere/a.yaml', '/w/repo')).toBe('/elsewhere/a.yaml');
    expect(annotationPath('s/a.yaml', '/w/repo')).toBe('s/a.yaml');
    const r = sampleScenario('fail', '/w/repo/s/a.yaml');
    expect(renderGithubCommands(runOf(r), { cwd: '/w/repo' })).toMatch(/^::error file=s\/a\.yaml,line=12,/);
  });

  it('escapes a percent sign, line breaks and commands in a message and a title', () => {
    const r = sampleScenario('fail');
    r.failure!.message = '50% done\rnot a new command\n::error::forged';
    r.id = 'a\n::error::forged, title: %0A';
    const text = renderGithubCommands(runOf(r));
    expect(text).toContain('::mismatch: 50%25 done\\rnot a new command%0A  ::error::forged%0Astep');
    expect(text).toContain(',title=fail ECHO-4%3A a\\n%3A%3Aerror%3A%3Aforged%2C title%3A %250A::mismatch');
    expect(text.split('\n').filter(Boolean)).toHaveLength(1);
  });
});
