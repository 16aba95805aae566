import { describe, expect, it } from 'vitest';
import { escapeCommandData, escapeCommandProperty, formatWorkflowCommand, renderGithubCommands } from './github-commands.js';
import { sampleRun, sampleScenario } from './sample-run.js';

describe('github workflow commands', () => {
  it('escapes data and properties as GitHub documents', () => {
    expect(escapeCommandData('100% a\r\nb: c, d')).toBe('100%25 a%0D%0Ab: c, d');
    expect(escapeCommandProperty('100% a\r\nb: c, d')).toBe('100%25 a%0D%0Ab%3A c%2C d');
    expect(formatWorkflowCommand('error', { file: 'a,b.yaml', title: 'x: y' }, 'one\ntwo')).toBe('::error file=a%2Cb.yaml,title=x%3A y::one%0Atwo');
    expect(formatWorkflowCommand('warning', {}, 'm')).toBe('::warning::m');
  });

  it('annotates each fail and error, warns for each unmet SHOULD, and keeps one command per line', () => {
    const lines = renderGithubCommands(sampleRun()).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^::error file=scenarios\/echo-ack\/server\/fail\.yaml,title=fail%3A scenarios\/echo-ack\/server\/fail\.yaml \[python\]::mismatch: expected "hello\\n"/);
    expect(lines[0]).toContain('%0Astep: steps[3] expect%0Arequirements: ECHO-4%0Afirst difference at byte 0');
    expect(lines[1]).toMatch(/^::warning file=scenarios\/echo-ack\/server\/non-strict\.yaml,title=non-strict%3A /);
    expect(lines[2]).toMatch(/^::error file=scenarios\/udp-time\/server\/error\.yaml,.*::exited-early: the program exited/);
    for (const line of lines) expect(line).not.toMatch(/[\r\u0000-\u001F]/);
  });

  it('makes an unmet SHOULD an error in a strict run', () => {
    const text = renderGithubCommands(sampleRun({ strict: true }));
    expect(text).toMatch(/^::error file=scenarios\/echo-ack\/server\/non-strict\.yaml/m);
    expect(text).not.toContain('::warning');
  });

  it('escapes a percent sign in a message', () => {
    const r = sampleScenario('fail');
    r.failure!.message = '50% done\rnot a new command\n::error::forged';
    const text = renderGithubCommands({ ...sampleRun(), scenarios: [r] });
    expect(text).toContain('::mismatch: 50%25 done\\rnot a new command%0A  ::error::forged%0Astep');
    expect(text.split('\n').filter(Boolean)).toHaveLength(1);
  });
});
