/**
 * Conditions the bundled suites make instead of assuming them: a scenario's own
 * environment for the program (a time zone that is not UTC), local times read in
 * the program's time zone, crashes seen on stderr, and deadlines that restart on
 * progress for large transfers. Each runs for real against a tiny program.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCtimes, programTimeZone } from '../harness/run/execute.js';
import { validateScenario } from '../harness/scenario/validate.js';
import type { Scenario } from '../harness/scenario/model.js';
import { explain, runAgainst } from './helpers.js';

function validate(data: object) {
  return validateScenario('inline.yaml', data, () => ({ line: 1, col: 1 }));
}

function scenario(data: object): Scenario {
  const r = validate(data);
  if (!r.scenario) throw new Error(r.diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n'));
  return r.scenario;
}

const dir = mkdtempSync(join(tmpdir(), 'sockspec-observe-'));
let programs = 0;

/** A Python program written to a file; the command that runs it. */
function python(code: string): string {
  const file = join(dir, `program-${++programs}.py`);
  writeFileSync(file, code);
  return `python3 ${file}`;
}

/** A TCP server on PORT that runs `onConnection` (Python, with the connection `c`) for each client. */
function pyServer(onConnection: string): string {
  return python(
    [
      'import os, socket, sys, time',
      's = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
      "s.bind(('127.0.0.1', int(os.environ['PORT']))); s.listen(5)",
      'while True:',
      '    c, _ = s.accept()',
      ...onConnection.split('\n').map((l) => `    ${l}`),
    ].join('\n'),
  );
}

describe('env', () => {
  it('is refused for PORT and for names that are not variable names', () => {
    const port = validate({ covers: ['ECHO-1'], env: { PORT: '1' }, steps: [{ connect: 'c' }] });
    expect(port.scenario).toBeUndefined();
    expect(port.diagnostics.map((d) => d.code)).toEqual(['reserved-env']);
    const name = validate({ covers: ['ECHO-1'], env: { 'NOT-A-NAME': 'x' }, steps: [{ connect: 'c' }] });
    expect(name.diagnostics.map((d) => d.code)).toEqual(['invalid-value']);
  });

  it('reaches the program, and a running program is lent again only to a scenario asking for the same env', async () => {
    const server = pyServer("c.sendall(os.environ.get('GREETING', 'none').encode()); c.close()");
    const greets = (text: string, env?: Record<string, string>) =>
      scenario({ covers: ['ECHO-7'], process: 'reuse', ...(env ? { env } : {}), steps: [{ connect: 'c' }, { expect: { text } }, { expect: { eof: true } }] });
    const run = await runAgainst([greets('a', { GREETING: 'a' }), greets('none'), greets('a', { GREETING: 'a' }), greets('b', { GREETING: 'b' }), greets('none')], server, { jobs: 1 });
    expect(explain(run)).toBe('');
    // The same env does share a program: two programs are lent again, never across envs.
    const reused = run.scenarios.filter((s) => s.transcript.some((e) => e.detail?.startsWith('reusing the running program')));
    expect(reused.map((s) => s.id)).toHaveLength(2);
  });
});

describe('ctime in the program’s time zone', () => {
  it('reads the printed wall-clock time in the zone given, +05:30 included', () => {
    expect(findCtimes('Thu Jan  1 05:30:00 1970', 'Asia/Kolkata')).toEqual([{ text: 'Thu Jan  1 05:30:00 1970', ms: 0 }]);
    expect(findCtimes('Thu Jan  1 00:00:00 1970', 'UTC')[0]!.ms).toBe(0);
    // Across a clock change: New York in summer is UTC-4.
    expect(findCtimes('Mon Jul  1 08:00:00 2024', 'America/New_York')[0]!.ms).toBe(Date.UTC(2024, 6, 1, 12));
  });

  it('takes TZ as given to the program; a zone unknown or not installed is a harness error, not a verdict', () => {
    expect(programTimeZone({})).toBeUndefined();
    expect(programTimeZone({ TZ: ':Asia/Kolkata' })).toBe('Asia/Kolkata');
    expect(() => programTimeZone({ TZ: 'Nowhere/Atlantis' })).toThrow(/not a time zone/);
    expect(() => programTimeZone({ TZ: 'Asia/Kolkata' }, dir)).toThrow(/not installed/);
  });
});
