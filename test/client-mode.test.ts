/**
 * A client under test: the harness listens on loopback, starts the client towards
 * it, plays the server and judges what the client sends, prints and returns.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateScenario } from '../harness/scenario/validate.js';
import type { Scenario } from '../harness/scenario/model.js';
import { planIds, runPlan } from '../harness/run/run-plan.js';
import type { Target } from '../harness/run/program.js';
import { bundledCatalogue, explain, ROOT, runAgainst } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sockspec-client-'));

function scenario(data: object): Scenario {
  const r = validateScenario('inline.yaml', { role: 'client', ...data }, () => ({ line: 1, col: 1 }));
  if (!r.scenario) throw new Error(r.diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n'));
  return r.scenario;
}

function program(name: string, code: string): string {
  const file = join(dir, name);
  writeFileSync(file, code);
  return `python3 ${file} {port}`;
}

const ECHO_CLIENT = program(
  'echo-client.py',
  `import socket, sys
host = input("server address:")
s = socket.socket()
try:
    s.connect((host, int(sys.argv[1])))
except OSError:
    print("cannot connect"); sys.exit(1)
s.sendall(b"hello"); s.shutdown(socket.SHUT_WR)
while True:
    d = s.recv(4096)
    if not d: break
    sys.stdout.write(d.decode()); sys.stdout.flush()
`,
);

const exchange = scenario({
  covers: ['ECHO-C3', 'ECHO-C4'],
  steps: [
    { answer: { prompt: 'server address:', line: '127.0.0.1' } },
    { accept: { name: 's', within: 3000 } },
    { expect: { text: 'hello' } },
    { expect: { eof: true } },
    { send: { text: 'hello\nI get it!\nok', chunk: 2, pause: 2 } },
    { close: 's' },
    { stdout: { equals: 'server address:hello\nI get it!\nok' } },
    { exit: { code: 0, within: 3000 } },
  ],
});

describe('a TCP client under test', () => {
  it('is accepted on loopback, answered in pieces, and judged on its stdout and exit status', async () => {
    const run = await runAgainst([exchange], ECHO_CLIENT);
    expect(explain(run)).toBe('');
    const kinds = run.scenarios[0]!.transcript.map((t) => `${t.on}:${t.kind}`);
    // The console and the socket on one timeline.
    expect(kinds, explain(run)).toEqual(expect.arrayContaining(['harness:note', 'program:stdout', 'program:stdin', 's:connect', 's:recv', 's:eof', 's:send']));
    expect(run.scenarios[0]!.transcript.find((t) => t.kind === 'note' && t.on === 'harness')?.detail).toMatch(/^listening on tcp 127\.0\.0\.1:\d+$/);
  });

  it('meets a refusal when the harness does not listen', async () => {
    const s = scenario({ covers: ['ECHO-C2'], listen: false, steps: [{ answer: { prompt: 'server address:', line: '127.0.0.1' } }, { stdout: { contains: 'cannot connect' } }, { exit: { code: 'nonzero' } }] });
    expect(explain(await runAgainst([s], ECHO_CLIENT))).toBe('');
  });

  it('that never connects fails at the accept deadline and is stopped', async () => {
    const started = performance.now();
    const run = await runAgainst([exchange], program('silent.py', 'import time\ntime.sleep(60)\n'));
    expect(performance.now() - started).toBeLessThan(8000);
    expect(run.scenarios[0]!.failure).toMatchObject({ code: 'no-connection' });
    expect(run.scenarios[0]!.failure?.message).toMatch(/did not connect to 127\.0\.0\.1:\d+ within 3000 ms/);
  });

  it('fails `equals` as soon as the output stops matching, without waiting for the exit', async () => {
    const s = scenario({ covers: ['ECHO-C4'], steps: [{ stdout: { equals: 'abc', within: 20000 } }] });
    const started = performance.now();
    const run = await runAgainst([s], program('wrong.py', 'import time\nprint("abd", flush=True)\ntime.sleep(60)\n'));
    expect(performance.now() - started).toBeLessThan(8000);
    expect(run.scenarios[0]!.failure).toMatchObject({ code: 'stdout-mismatch' });
  });
});

describe('stdout matchers', () => {
  it('compare the output without line breaks, and find a ctime near now', async () => {
    const joined = scenario({ covers: ['COUNT-C2'], steps: [{ stdout: { 'without-line-breaks': 'i = 1i = 2' } }, { exit: { code: 0 } }] });
    expect(explain(await runAgainst([joined], program('lines.py', 'print("i = 1")\nprint("i = 2")\n')))).toBe('');
    const clock = scenario({ covers: ['TIME-C4'], steps: [{ stdout: { ctime: 2 } }] });
    expect(explain(await runAgainst([clock], program('now.py', 'import time\nprint(time.ctime())\n')))).toBe('');
    const late = await runAgainst([clock], program('late.py', 'import time\nprint(time.ctime(time.time() - 3600))\n'));
    expect(late.scenarios[0]!.failure?.message).toMatch(/^expected a ctime-formatted local time within 2 s of now on stdout; it printed `.+`, -360\d s \(-1 h\) from now$/);
  });
});

describe('a UDP client under test', () => {
  it('has its datagram received on the bound socket and the reply sent back to it', async () => {
    const client = program('udp-client.py', `import socket, sys, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.sendto(b"", ("127.0.0.1", int(sys.argv[1])))
d, _ = s.recvfrom(2048)
print(struct.unpack("!I", d)[0])
`);
    const s = scenario({ covers: ['TIME-C2', 'TIME-C4'], transport: 'udp', steps: [{ accept: 'u' }, { expect: { size: 0 } }, { send: { hex: '00 00 00 2a' } }, { stdout: { equals: '42\n' } }, { exit: { code: 0 } }] });
    expect(explain(await runAgainst([s], client))).toBe('');
  });
});

describe('a pseudo-terminal', () => {
  const BUFFERS = program('buffers.py', 'import time\nprint("early line")\ntime.sleep(30)\n');
  const early = scenario({ covers: ['COUNT-C1'], timeout: 8000, steps: [{ stdout: { contains: 'early line', within: 1500 } }] });

  async function runWith(target: Partial<Target>) {
    const t: Target = { name: 't', command: BUFFERS, cwd: ROOT, readyTimeoutMs: 5000, env: { PYTHONUNBUFFERED: '' }, ...target };
    return runPlan(planIds([{ scenario: early, target: t }]), { jobs: 1, strict: false, catalogue: await bundledCatalogue(), observers: [], signal: new AbortController().signal });
  }

  it('shows what a program buffers on a pipe, and the report says why nothing came', async () => {
    const piped = await runWith({});
    expect(piped.scenarios[0]!.failure?.message).toContain('it printed nothing (if it buffers stdout when stdout is a pipe');
    const tty = await runWith({ tty: true });
    expect(explain(tty), JSON.stringify(tty.scenarios[0]!.transcript)).toBe('');
  });
});
