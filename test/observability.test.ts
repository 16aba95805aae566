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
import { findCrashTrace } from '../harness/run/crash.js';
import { ProgramPool } from '../harness/run/program-pool.js';
import { Transcript } from '../harness/run/transcript.js';
import { findCtimes, programTimeZone } from '../harness/run/ctime.js';
import { validateScenario } from '../harness/scenario/validate.js';
import type { Scenario } from '../harness/scenario/model.js';
import { launch, type Launched } from '../harness/process/launch.js';
import { brokenIds, explain, loadSuite, runAgainst } from './helpers.js';

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

describe('a running program lent again', () => {
  const starts = (r: { transcript: { kind: string }[] }) => r.transcript.filter((e) => e.kind === 'start').length;

  it('is not lent while it holds a connection of an earlier scenario: a fresh one serves the next', async () => {
    // Greets, then keeps every connection open for good: the harness's close leaves it in CLOSE_WAIT.
    const server = pyServer("c.sendall(b'hi'); kept = globals().setdefault('kept', []); kept.append(c)");
    const greeted = scenario({ covers: ['ECHO-7'], process: 'reuse', steps: [{ connect: 'c' }, { expect: { text: 'hi' } }] });
    const run = await runAgainst([greeted, greeted], server, { jobs: 1 });
    expect(explain(run)).toBe('');
    const second = run.scenarios[1]!;
    expect(second.transcript.some((e) => /^not reusing the program on port \d+: it still holds 1 connection of an earlier scenario$/.test(e.detail ?? ''))).toBe(true);
    expect(starts(second)).toBe(1);
  });

  it('is lent again once it closes, a little late, the connection of the scenario before, though it holds a new socket of its own', async () => {
    // For each connection: a UDP socket it keeps (not a connection to its port: its files alone cannot tell), and the connection
    // closed 50 ms after the greeting, after the harness's first look at the socket tables and within its wait of 200 ms.
    const server = pyServer(
      "c.sendall(b'hi'); import threading; u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); globals().setdefault('kept', []).append(u); threading.Timer(0.05, c.close).start()",
    );
    const greeted = scenario({ covers: ['ECHO-7'], process: 'reuse', steps: [{ connect: 'c' }, { expect: { text: 'hi' } }] });
    const run = await runAgainst([greeted, greeted, greeted], server, { jobs: 1 });
    expect(explain(run)).toBe('');
    expect(run.scenarios.map(starts)).toEqual([1, 0, 0]);
    expect(run.scenarios[2]!.transcript.some((e) => e.detail?.startsWith('reusing the running program'))).toBe(true);
  });

  it('goes on to the next case of the same property scenario at once, and is checked again before another scenario', async () => {
    const server = pyServer("c.sendall(b'hi'); kept = globals().setdefault('kept', []); kept.append(c)");
    const cases = scenario({ covers: ['ECHO-7'], process: 'reuse', runs: 4, generate: { n: { integer: { min: 0, max: 9 } } }, steps: [{ connect: 'c' }, { expect: { text: 'hi' } }] });
    const greeted = scenario({ covers: ['ECHO-7'], process: 'reuse', steps: [{ connect: 'c' }, { expect: { text: 'hi' } }] });
    const run = await runAgainst([cases, greeted], server, { jobs: 1 });
    expect(explain(run)).toBe('');
    expect(run.scenarios[0]!.property?.runs).toBe(4);
    // Four cases, one program: each case's connection is still held when the next begins.
    const notes = run.scenarios[1]!.transcript.map((e) => e.detail ?? '');
    expect(notes.some((d) => /^not reusing the program on port \d+: it still holds 4 connections of an earlier scenario$/.test(d))).toBe(true);
  });

  it('serves the scenarios that may share it one after another while others run beside them, rather than start one each', async () => {
    const server = pyServer("c.sendall(b'hi'); c.close()");
    const plain = scenario({ covers: ['ECHO-7'], process: 'reuse', steps: [{ connect: 'c' }, { expect: { text: 'hi' } }, { expect: { eof: true } }] });
    // Each of these outlasts the four above by 2 s, all four starting with them: the first of the four runs while they do,
    // and the others wait for its program rather than start their own (four at once did before).
    const slow = scenario({ covers: ['ECHO-7'], steps: [{ connect: 'c' }, { expect: { text: 'hi' } }, { expect: { eof: true } }, { wait: 2000 }] });
    const run = await runAgainst([plain, plain, plain, plain, slow, slow, slow], server, { jobs: 4 });
    expect(explain(run)).toBe('');
    expect(run.scenarios.map(starts)).toEqual([1, 0, 0, 0, 1, 1, 1]);
  });

  it('is not lent after a scenario typed on its stdin, and is after one that did not', async () => {
    const server = pyServer("c.sendall(b'hi'); c.close()");
    const plain = scenario({ covers: ['ECHO-7'], process: 'reuse', steps: [{ connect: 'c' }, { expect: { text: 'hi' } }, { expect: { eof: true } }] });
    const typing = scenario({ covers: ['ECHO-7'], process: 'reuse', steps: [{ type: 'left unread' }, { connect: 'c' }, { expect: { text: 'hi' } }] });
    const run = await runAgainst([plain, plain, typing, plain], server, { jobs: 1 });
    expect(explain(run)).toBe('');
    expect(run.scenarios.map(starts)).toEqual([1, 0, 0, 1]);
  });
});

describe('env against a program the harness did not start', () => {
  it('is an error naming the variables, not a verdict made without them', async () => {
    const s = scenario({ covers: ['TIME-3'], transport: 'udp', env: { TZ: 'Asia/Kolkata' }, steps: [{ connect: 'u' }] });
    const target = { name: 'elsewhere', cwd: dir, readyTimeoutMs: 1000, fixedPort: 9 };
    const got = await new ProgramPool(target).acquire(s, new Transcript(), new AbortController().signal);
    expect(got).toEqual({ error: expect.objectContaining({ code: 'env-not-applied', message: expect.stringContaining('TZ=Asia/Kolkata') }) });
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

describe('findCrashTrace', () => {
  it('finds the stack trace each runtime prints, and quotes where the error is named', () => {
    const python = 'connected\nTraceback (most recent call last):\n  File "x.py", line 3, in <module>\n    main()\nUnicodeDecodeError: \'utf-8\' codec can\'t decode byte 0xff\nserving on\n';
    expect(findCrashTrace(python)).toEqual({ runtime: 'Python traceback', excerpt: python.slice(10, python.indexOf('\nserving')) });
    const node = '/srv/client.js:3\n  throw e;\n  ^\n\nError: connect ECONNREFUSED 127.0.0.1:9\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)\n\nNode.js v22.1.0\n';
    expect(findCrashTrace(node)?.excerpt).toMatch(/^Error: connect ECONNREFUSED.*\n    at TCPConnectWrap/);
    expect(findCrashTrace('Exception in thread "main" java.net.ConnectException: Connection refused\n\tat Main.main(Main.java:5)\n')?.runtime).toBe('Java exception');
    expect(findCrashTrace('panic: dial tcp: connection refused\n\ngoroutine 1 [running]:\nmain.main()\n')?.runtime).toBe('Go panic');
    expect(findCrashTrace("thread 'main' panicked at src/main.rs:4:5:\nconnection refused\n")?.runtime).toBe('Rust panic');
    expect(findCrashTrace("client.rb:3:in `initialize': Connection refused (Errno::ECONNREFUSED)\n")?.runtime).toBe('Ruby exception');
  });

  it('leaves plain messages alone, however they are worded', () => {
    for (const text of ['连接错误!\ncannot connect to 127.0.0.1:9: Connection refused\n', 'cannot listen on 0.0.0.0:9999: Address already in use\n', 'Error: connect failed\n', 'looking at home\n    at the door\n', '']) {
      expect(findCrashTrace(text), text).toBeUndefined();
    }
  });
});

describe('no-crash', () => {
  const refused = (code: string, exit: object = { code: 'nonzero', within: 10_000 }) =>
    runAgainst([scenario({ covers: ['ECHO-C2'], role: 'client', listen: false, steps: [{ exit }, { 'no-crash': true }] })], python(code));

  it('passes a program that fails with a message, and fails one that fails with a traceback or a signal', async () => {
    const [clean, traceback, signalled] = await Promise.all([
      refused("import sys\nsys.stderr.write('cannot connect: Connection refused\\n')\nsys.exit(1)"),
      refused("import os, socket\ns = socket.create_connection(('127.0.0.1', int(os.environ['PORT'])))"),
      // (`exit: { code: nonzero }` already refuses a signal; `no-crash` names it a crash wherever it comes)
      refused('import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)', { within: 10_000 }),
    ]);
    expect(explain(clean)).toBe('');
    expect(traceback.scenarios[0]!.failure).toMatchObject({ code: 'crashed', requirements: ['ECHO-C2'] });
    expect(traceback.scenarios[0]!.failure?.message).toMatch(/^the program crashed: a Python traceback on its stderr:\n[^]*\nConnectionRefusedError: \[Errno 111\] Connection refused$/);
    expect(signalled.scenarios[0]!.failure).toMatchObject({ code: 'crashed', message: 'the program crashed: killed by SIGSEGV' });
  });
});

describe('expect stall', () => {
  /** 40 pieces of 100 bytes, `gapMs` apart, then (unless `stopAt`) end of stream. */
  const paced = (gapMs: number, stopAt?: number) =>
    pyServer(`for i in range(40):\n    if i == ${stopAt ?? -1}: time.sleep(60)\n    c.sendall(b'x' * 100); time.sleep(${gapMs / 1000})\nc.close()`);
  const slowTransfer = (options: object) => scenario({ covers: ['RFC862-1'], steps: [{ connect: 'c' }, { expect: { fill: { size: 4000, pattern: 'x' }, ...options } }] });

  it('lets a transfer take longer than `within` while it keeps moving, and fails it when it stalls', async () => {
    const [moving, absolute, stalled] = await Promise.all([
      runAgainst([slowTransfer({ within: 1000, stall: 1500 })], paced(60)),
      // the same transfer under an absolute deadline: what `within` alone does
      runAgainst([slowTransfer({ within: 1000 })], paced(60)),
      runAgainst([slowTransfer({ within: 1000, stall: 1500 })], paced(10, 20)),
    ]);
    expect(explain(moving)).toBe('');
    expect(moving.scenarios[0]!.durationMs).toBeGreaterThan(2000);
    expect(absolute.scenarios[0]!.failure?.code).toBe('timeout');
    expect(stalled.scenarios[0]!.failure?.code).toBe('stalled');
    expect(stalled.scenarios[0]!.failure?.message).toMatch(/the transfer stalled: no byte for 1500 ms after 2000 bytes/);
  });

  it('is refused where no bytes are awaited, and on UDP', () => {
    const codes = (steps: object[], transport?: string) => validate({ covers: ['ECHO-1'], ...(transport ? { transport } : {}), steps }).diagnostics.map((d) => d.code);
    expect(codes([{ connect: 'c' }, { expect: { eof: true, stall: 100 } }])).toEqual(['stall-without-bytes']);
    expect(codes([{ connect: 'u' }, { expect: { size: 4, stall: 100 } }], 'udp')).toEqual(['not-for-udp']);
  });
});

describe('send stall', () => {
  const bigSend = (stall: number) => scenario({ covers: ['RFC863-2'], steps: [{ connect: 'c' }, { send: { fill: { size: 6 * 1024 * 1024, pattern: 'x' }, stall } }, { close: 'c' }] });

  it('lets a slow reader take its time, and fails one that stops reading on the stall, not on the scenario timeout', async () => {
    const [slow, stopped] = await Promise.all([
      // 256 KiB every 100 ms: the 6 MiB take seconds, but never stall
      runAgainst([bigSend(3000)], pyServer('while c.recv(262144):\n    time.sleep(0.1)\nc.close()')),
      runAgainst([bigSend(1000)], pyServer('c.recv(65536); time.sleep(60)')),
    ]);
    expect(explain(slow)).toBe('');
    expect(stopped.scenarios[0]!.failure?.code).toBe('stalled');
    expect(stopped.scenarios[0]!.failure?.message).toMatch(/^the peer took no data for 1000 ms after \d+ of 6291456 bytes$/);
    expect(stopped.scenarios[0]!.durationMs).toBeLessThan(15_000);
  });
});

describe('cpu under load', () => {
  it('catches the server that spins on stdin EOF (ECHO-9), and passes the reference, while two busy loops load both cores', { timeout: 120_000 }, async () => {
    const [scenario] = (await loadSuite('scenarios/echo-ack/server')).filter((x) => x.file.endsWith('operator-stdin-ends.yaml'));
    // CPU-bound loops that end by themselves, and are stopped when the test ends whatever happens
    const loops: Launched[] = [0, 1].map(() => launch({ argv: [process.execPath, '-e', 'const end = Date.now() + 60000; while (Date.now() < end);'] }));
    try {
      const [spins, reference] = await Promise.all([
        runAgainst([scenario!], 'python3 fixtures/echo-ack/server/spins-on-stdin-eof.py {port}'),
        runAgainst([scenario!], 'python3 fixtures/echo-ack/server/reference.py {port}'),
      ]);
      expect(brokenIds(spins), explain(spins)).toEqual({ 'ECHO-9': 'non-strict' });
      expect(spins.scenarios[0]!.failure?.code).toBe('cpu-busy');
      expect(explain(reference)).toBe('');
    } finally {
      await Promise.all(loops.map((l) => l.stop(500)));
    }
  });
});
