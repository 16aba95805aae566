/**
 * Steps and expectations any protocol can use, each run for real against a tiny
 * program: alternatives, timing notes, exit statuses, plain programs that do not
 * listen, a port held by the harness, and output on stderr.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateScenario } from '../harness/scenario/validate.js';
import type { Scenario } from '../harness/scenario/model.js';
import { explain, runAgainst } from './helpers.js';

function scenario(data: object): Scenario {
  const r = validateScenario('inline.yaml', data, () => ({ line: 1, col: 1 }));
  if (!r.scenario) throw new Error(r.diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n'));
  return r.scenario;
}

const dir = mkdtempSync(join(tmpdir(), 'sockspec-steps-'));
let servers = 0;

/** A TCP server on PORT that runs `onConnection(conn)` (Python) for each client, after `before` (Python) at its start. */
function pyServer(onConnection: string, before = ''): string {
  const code = [
    'import os, socket, time',
    before,
    's = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
    "s.bind(('127.0.0.1', int(os.environ['PORT']))); s.listen(5)",
    'while True:',
    '    c, _ = s.accept()',
    ...onConnection.split('\n').map((l) => `    ${l}`),
  ].join('\n');
  const file = join(dir, `server-${++servers}.py`);
  writeFileSync(file, code);
  return `python3 ${file}`;
}

describe('one-of', () => {
  const s = scenario({ covers: ['ECHO-4'], steps: [{ connect: 'c' }, { send: { text: 'x' } }, { expect: { 'one-of': [{ text: 'Hello, x!' }, { eof: true }], within: 3000 } }] });

  it('holds when any alternative holds: a reply, or end of stream', async () => {
    const replies = await runAgainst([s], pyServer("c.recv(10); c.sendall(b'Hello, x!'); time.sleep(1); c.close()"));
    expect(explain(replies)).toBe('');
    const closes = await runAgainst([s], pyServer('c.recv(10); c.close()'));
    expect(explain(closes)).toBe('');
  });

  it('fails as soon as no alternative can hold, naming them all', async () => {
    const started = performance.now();
    const run = await runAgainst([s], pyServer("c.recv(10); c.sendall(b'Goodbye'); time.sleep(5); c.close()"));
    // Well before the server's close at 5 s, with room for a loaded machine's slow start of the server.
    expect(performance.now() - started).toBeLessThan(4000);
    expect(run.scenarios[0]!.outcome).toBe('fail');
    expect(run.scenarios[0]!.failure?.message).toMatch(/^none of the alternatives holds: .*; expected end of stream, got 7 more bytes/);
  });
});

describe('measure', () => {
  it('notes how long an expectation took', async () => {
    const s = scenario({ covers: ['HELLO-5'], steps: [{ connect: 'c' }, { send: { text: 'x' } }, { expect: { text: 'late', measure: 'reply delay' } }] });
    const run = await runAgainst([s], pyServer("c.recv(10); time.sleep(0.3); c.sendall(b'late'); c.close()"));
    expect(explain(run)).toBe('');
    const note = run.scenarios[0]!.notes.find((n) => n.startsWith('reply delay: '));
    expect(Number(/(\d+) ms$/.exec(note ?? '')?.[1])).toBeGreaterThanOrEqual(290);
  });
});

describe('programs that do not listen', () => {
  const lister = scenario({ covers: ['SOLIST-1'], transport: 'none', steps: [{ output: { contains: 'SO_A' } }, { output: { stream: 'stderr', contains: 'warned' } }, { exit: { code: 0, within: 3000 } }] });

  it('are judged on their output, both streams, and exit status', async () => {
    const ok = await runAgainst([lister], `python3 -c "import sys; print('SO_A'); sys.stderr.write('warned')"`);
    expect(explain(ok)).toBe('');
    const quiet = await runAgainst([lister], `python3 -c "print('SO_A')"`);
    expect(quiet.scenarios[0]!.failure).toMatchObject({ code: 'stdout-exited' });
    expect(quiet.scenarios[0]!.failure?.message).toContain('on stderr');
  });

  it('tells a zero from a non-zero exit status', async () => {
    const s = scenario({ covers: ['SOCK-3'], transport: 'none', steps: [{ exit: { code: 'nonzero', within: 3000 } }] });
    expect(explain(await runAgainst([s], 'python3 -c "raise SystemExit(4)"'))).toBe('');
    const zero = await runAgainst([s], 'python3 -c "pass"');
    expect(zero.scenarios[0]!.failure).toMatchObject({ code: 'exit-status', message: 'expected a non-zero exit status, got exit status 0' });
  });
});

describe('occupy', () => {
  it('holds the port so that the program cannot bind it, and frees it at the end', async () => {
    const s = scenario({
      covers: ['SOCK-3'],
      steps: [{ stop: {} }, { occupy: { transport: 'tcp' } }, { start: { ready: false } }, { exit: { code: 'nonzero', within: 3000 } }, { output: { stream: 'stderr', regex: 'in use' } }],
    });
    const run = await runAgainst([s], 'python3 fixtures/echo-ack/server/reference.py {port}');
    expect(explain(run)).toBe('');
    expect(run.scenarios[0]!.transcript.some((t) => t.kind === 'note' && /holding tcp port \d+ on 127\.0\.0\.1/.test(t.detail ?? ''))).toBe(true);
  });
});

describe('the scenario timeout', () => {
  it('does not run while the program starts, which its ready timeout bounds instead', async () => {
    // The program takes 2 s to listen (an interpreter on a loaded machine); the scenario's own work takes milliseconds.
    const s = scenario({ covers: ['ECHO-4'], timeout: 1000, steps: [{ connect: 'c' }, { send: { text: 'x' } }, { expect: { text: 'x' } }] });
    const slow = pyServer('c.sendall(c.recv(10)); c.close()', 'time.sleep(2)');
    const run = await runAgainst([s], slow);
    expect(explain(run)).toBe('');
    expect(run.scenarios[0]!.durationMs).toBeGreaterThanOrEqual(2000);
    // Still bounded: a program that never listens is not-ready after its ready timeout.
    const never = await runAgainst([s], pyServer('pass', 'time.sleep(60)'), { readyTimeoutMs: 1500 });
    expect(never.scenarios[0]!.failure).toMatchObject({ code: 'not-ready' });
    expect(never.scenarios[0]!.durationMs).toBeLessThan(8000);
  });
});

describe('a program that never reads', () => {
  it('cannot hold a send past the scenario timeout', async () => {
    const s = scenario({ covers: ['ECHO-7'], timeout: 1500, steps: [{ connect: 'c' }, { send: { fill: { size: 16 * 1024 * 1024 } } }, { send: { fill: { size: 16 * 1024 * 1024 } } }, { send: { fill: { size: 16 * 1024 * 1024 } } }] });
    const started = performance.now();
    const run = await runAgainst([s], pyServer('time.sleep(60)'));
    expect(performance.now() - started).toBeLessThan(8000);
    expect(run.scenarios[0]!.failure).toMatchObject({ code: 'scenario-timeout' });
  });
});


describe('a failed SHOULD check', () => {
  const s = scenario({
    covers: ['ECHO-3', 'ECHO-4', 'ECHO-6'],
    steps: [
      { connect: 'c' },
      { expect: { text: 'hello' }, req: 'ECHO-3' },
      { expect: { text: ' world' }, req: 'ECHO-4' },
      { expect: { eof: true, within: 1500 }, req: 'ECHO-6' },
    ],
  });

  it('is recorded and the scenario goes on: the end of the stream is still judged, its content is not-run', async () => {
    const run = await runAgainst([s], pyServer("c.sendall(b'HELLO world'); c.close()"));
    const r = run.scenarios[0]!;
    expect(r.requirements).toEqual({ 'ECHO-3': 'non-strict', 'ECHO-4': 'not-run', 'ECHO-6': 'pass' });
    expect(r.reasons?.['ECHO-4']).toMatch(/^steps\[2\] expect \(line 1\) did not run: the stream of `c` lost its place when an earlier check on it failed$/);
    expect(r.failures?.map((f) => f.code)).toEqual(['mismatch']);
    expect(r.outcome).toBe('non-strict');
    // A MUST that no check reached is not a MUST that held.
    expect(run.exitCode).toBe(2);
  });

  it('does not hide a MUST failure after it', async () => {
    const run = await runAgainst([s], pyServer("c.sendall(b'HELLO world'); time.sleep(30)"));
    const r = run.scenarios[0]!;
    expect(r.requirements).toMatchObject({ 'ECHO-3': 'non-strict', 'ECHO-6': 'fail' });
    expect(r.failures?.map((f) => [f.code, f.requirements])).toEqual([
      ['mismatch', ['ECHO-3']],
      ['timeout', ['ECHO-6']],
    ]);
    expect(r.failure?.requirements).toEqual(['ECHO-6']);
    expect(run.exitCode).toBe(1);
  });
});

describe('a program that dies of a signal mid-exchange', () => {
  it('is named in the failure: killed by SIGSEGV', async () => {
    const s = scenario({ covers: ['ECHO-4'], steps: [{ connect: 'c' }, { send: { text: 'x' } }, { expect: { text: 'x', within: 5000 } }] });
    const run = await runAgainst([s], pyServer("c.recv(10); import signal; os.kill(os.getpid(), signal.SIGSEGV)"));
    const f = run.scenarios[0]!.failure!;
    expect(run.scenarios[0]!.outcome).toBe('fail');
    expect(f.message).toMatch(/\(the program ended: killed by SIGSEGV\)$/);
  });
});

describe('a requirement whose own checks held', () => {
  it('is pass, not skip, when the scenario failed on another id', async () => {
    const s = scenario({
      covers: ['ECHO-4', 'ECHO-6'],
      steps: [{ connect: 'c' }, { send: { text: 'x' } }, { expect: { text: 'x' }, req: 'ECHO-4' }, { expect: { eof: true, within: 1500 }, req: 'ECHO-6' }],
    });
    const run = await runAgainst([s], pyServer("c.recv(10); c.sendall(b'x'); time.sleep(30)"));
    const r = run.scenarios[0]!;
    expect(r.requirements).toEqual({ 'ECHO-4': 'pass', 'ECHO-6': 'fail' });
    expect(r.outcome).toBe('fail');
    expect(run.exitCode).toBe(1);
  });
});

describe('step records', () => {
  it('list each step with its outcome and line: a SHOULD that broke, the MUST that ended the scenario, a repeat counted, the rest not reached', async () => {
    const lines = (data: object[]) => validateScenario('inline.yaml', { covers: ['ECHO-4', 'ECHO-3'], steps: data }, (path) => ({ line: 10 + Number(path[1] ?? 0), col: 1 }));
    const v = lines([
      { connect: 'c' },
      { connect: 'd' },
      { repeat: { times: 2, steps: [{ send: { text: 'x', on: 'c' } }] } },
      { expect: { text: 'nope', within: 500, on: 'd' }, req: 'ECHO-3' },
      { expect: { text: 'xx-wrong', on: 'c' }, req: 'ECHO-4' },
      { close: 'c' },
    ]);
    if (!v.scenario) throw new Error(v.diagnostics.map((d) => d.message).join('\n'));
    const run = await runAgainst([v.scenario], pyServer("c.recv(2); c.sendall(b'xx'); c.close()"));
    const r = run.scenarios[0]!;
    const shown = r.steps!.map((s) => `${s.label} ${s.line} ${s.outcome}${s.runs ? ` x${s.runs}` : ''}`);
    expect(shown.slice(0, 3)).toEqual(['steps[0] connect 10 pass', 'steps[1] connect 11 pass', 'steps[2] repeat 12 pass']);
    expect(shown[3]).toMatch(/^steps\[2\]\.repeat\.steps\[0\] send \d+ pass x2$/);
    expect(shown.slice(4)).toEqual(['steps[3] expect 13 fail', 'steps[4] expect 14 fail', 'steps[5] close 15 not-run']);
    expect(r.steps![0]!.t).toBeLessThanOrEqual(r.steps![4]!.t!);
    expect(r.steps![6]!.t).toBeUndefined();
    expect(r.failure).toMatchObject({ requirements: ['ECHO-4'], line: 14 });
    expect(r.failures![0]).toMatchObject({ requirements: ['ECHO-3'], line: 13 });
    expect(r.steps![0]!.t).toBeLessThanOrEqual(r.steps![3]!.t!);
  });
});

describe('captured values', () => {
  const token = scenario({
    covers: ['ECHO-4'],
    steps: [{ connect: 'c' }, { expect: { regex: 'token (?<tok>\\w+)\\n' } }, { send: { text: 'use {tok}\n' } }, { expect: { text: 'ok {tok}\n' } }],
  });

  it('a regex group captured by name is sent in a text and expected in a later reply', async () => {
    const run = await runAgainst([token], pyServer("c.sendall(b'token abc123\\n'); d = c.recv(100)\nc.sendall(b'ok ' + d.split()[1] + b'\\n'); c.close()"));
    expect(explain(run)).toBe('');
  });

  it('fails on the reply that does not carry the captured token', async () => {
    const run = await runAgainst([token], pyServer("c.sendall(b'token abc123\\n'); c.recv(100); c.sendall(b'ok zzz\\n'); c.close()"));
    expect(run.scenarios[0]!.failure).toMatchObject({ code: 'mismatch', stepLabel: 'steps[3] expect (line 1)' });
  });

  const struct = scenario({
    covers: ['ECHO-4'],
    steps: [
      { connect: 'c' },
      { send: { struct: { format: '!HHI', names: ['id', 'len', 't'], values: [{ random: true }, { 'length-of': 't' }, { now: true }] }, capture: { qid: 'id', sent: 't' } } },
      { expect: { struct: { format: '!HHII', names: ['id', 'flags', 't', 't2'], values: [{ var: 'qid' }, { bits: 0x8000, equals: 0x8000 }, { var: 'sent' }, { field: 't' }] } } },
    ],
  });
  const structServer = (id: string) => pyServer(`import struct\nd = c.recv(8); i, l, t = struct.unpack('!HHI', d)\nc.sendall(struct.pack('!HHII', ${id}, 0x8100 if l == 4 else 0, t, t)); c.close()`);

  it('a struct send with a random id, a length and the time: its values captured and checked in the reply', async () => {
    const run = await runAgainst([struct], structServer('i'));
    expect(explain(run)).toBe('');
    expect(run.scenarios[0]!.transcript.some((e) => /struct sent: id=\d+/.test(e.detail ?? ''))).toBe(true);
  });

  it('fails on a reply whose id is not the one sent', async () => {
    const run = await runAgainst([struct], structServer('i ^ 1'));
    expect(run.scenarios[0]!.failure).toMatchObject({ code: 'mismatch', stepLabel: 'steps[2] expect (line 1)' });
    expect(run.scenarios[0]!.failure?.message).toMatch(/^field id \(0\): expected/);
  });

  const loop = scenario({
    covers: ['ECHO-4'],
    steps: [{ connect: 'c' }, { repeat: { times: 3, as: 'i', from: 1, steps: [{ send: { text: 'n{i}\n' } }, { expect: { text: 'got n{i}\n' } }] } }, { note: 'last round {i}' }],
  });

  it('repeat `as` numbers the rounds from `from`; the last round number is seen after the repeat', async () => {
    const run = await runAgainst([loop], pyServer("for line in c.makefile('rb'):\n    c.sendall(b'got ' + line)\nc.close()"));
    expect(explain(run)).toBe('');
    expect(run.scenarios[0]!.notes).toContain('last round 3');
  });

  it('fails in the round whose reply has another number', async () => {
    const run = await runAgainst([loop], pyServer("for line in c.makefile('rb'):\n    c.sendall(b'got n1\\n')\nc.close()"));
    expect(run.scenarios[0]!.failure).toMatchObject({ code: 'mismatch', stepLabel: 'steps[1].repeat.steps[1] expect (line 1)' });
    expect(run.scenarios[0]!.failure?.message).toMatch(/expected "2\\n".*got "1\\n"/);
  });
});

describe('a script step', () => {
  it('resolves to the bytes an expect matched and the values it captured', async () => {
    const seen: string[] = [];
    const s = scenario({
      covers: ['ECHO-4'],
      steps: [{ connect: 'c' }],
      async script(api: { step(s: object): Promise<{ received?: Uint8Array; captures: Record<string, unknown> }> }) {
        const r = await api.step({ expect: { regex: 'token (?<tok>\\w+)\\n' } });
        seen.push(Buffer.from(r.received!).toString(), Buffer.from(r.captures.tok as Uint8Array).toString());
        await api.step({ send: { text: 'use {tok}\n' } });
        await api.step({ expect: { text: 'ok {tok}\n' } });
      },
    });
    const run = await runAgainst([s], pyServer("c.sendall(b'token abc123\\n'); d = c.recv(100)\nc.sendall(b'ok ' + d.split()[1] + b'\\n'); c.close()"));
    expect(explain(run)).toBe('');
    expect(seen).toEqual(['token abc123\n', 'abc123']);
  });
});

describe('many waits at once', () => {
  it('share one listener on the scenario\'s signal: 40 parallel branches, each waiting on its connection, warn of nothing', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const s = scenario({
        covers: ['ECHO-4'],
        steps: [{ repeat: { times: 40, parallel: true, as: 'i', steps: [{ connect: 'c' }, { send: { text: 'x{i}' } }, { expect: { text: 'x{i}', within: 10_000 } }, { close: 'c' }] } }],
      });
      // One thread per client, so that 40 of them wait at once.
      const run = await runAgainst([s], pyServer('import threading\nthreading.Thread(target=lambda c: (c.sendall(c.recv(10)), c.close()), args=(c,)).start()'));
      expect(explain(run)).toBe('');
      // A warning is emitted on the next tick.
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => w.includes('MaxListeners'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
