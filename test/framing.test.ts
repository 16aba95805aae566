/**
 * Framed connections against live servers: whole messages whatever the segmentation,
 * framing errors of a faulty server, multi-line replies, generated messages split
 * across the stream, and the validation of framings that cannot work.
 */
import { describe, expect, it } from 'vitest';
import { validateScenario } from '../harness/scenario/validate.js';
import { parseYamlSource } from '../harness/scenario/yaml-source.js';
import type { Scenario } from '../harness/scenario/model.js';
import { planIds, runPlan } from '../harness/run/run-plan.js';
import type { Target } from '../harness/run/program.js';
import { bundledCatalogue, explain, ROOT, runAgainst } from './helpers.js';

function scenario(data: object): Scenario {
  const r = validateScenario('framed.yaml', data, () => ({ line: 1, col: 1 }));
  if (!r.scenario) throw new Error(r.diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n'));
  return r.scenario;
}

const ECHO = 'python3 fixtures/framed/length-echo.py {port}';
const SMTP = 'python3 fixtures/framed/smtp-like.py {port}';

const echo = scenario({
  covers: ['ECHO-4'],
  framing: { length: 2, max: 1000 },
  steps: [
    { connect: 'c' },
    { send: { text: 'hello' } },
    { expect: { text: 'hello' } },
    { send: { messages: [{ text: 'a' }, { hex: '00 01 02' }, { text: 'the third one' }], chunks: [1, 1, 3] } },
    { expect: { text: 'a' } },
    { expect: { size: 3 } },
    { expect: { regex: 'third' } },
    { send: { bytes: '\\x00\\x04ping', raw: true } },
    { expect: { 'one-of': [{ text: 'pong' }, { text: 'ping' }] } },
    { shutdown: 'c' },
    { expect: { eof: true } },
  ],
});

describe('a length-prefixed connection', () => {
  it('frames sends and takes whole messages, however the server segments them', async () => {
    const run = await runAgainst([echo], ECHO);
    expect(explain(run)).toBe('');
    const notes = run.scenarios[0]!.transcript.filter((t) => t.kind === 'note').map((t) => t.detail);
    expect(notes).toContain('message 3: 3 bytes');
    expect(notes).toContain('sent message 4: 13 bytes');
    // The server writes its echoes in pieces of 1 to 3 bytes a few milliseconds apart: some
    // arrived apart, more reads than the five echoes (a busy machine may join the others).
    expect(run.scenarios[0]!.transcript.filter((t) => t.kind === 'recv').length).toBeGreaterThan(5);
  });

  it('fails with `framing` on a length over the maximum, saying what arrived', async () => {
    const run = await runAgainst([echo], `${ECHO} huge-length`);
    expect(run.scenarios[0]!.failure).toMatchObject({ code: 'framing', stepLabel: expect.stringMatching(/^steps\[2\] expect/) });
    expect(run.scenarios[0]!.failure!.message).toMatch(/^framing: a message of 65535 bytes is longer than the maximum 1000 .*; \d bytes arrived: "\\xff\\xff/);
  });

  it('fails with `framing` when the stream ends inside a message', async () => {
    const run = await runAgainst([echo], `${ECHO} short`);
    expect(run.scenarios[0]!.failure).toMatchObject({ code: 'framing', stepLabel: expect.stringMatching(/^steps\[2\] expect/) });
    expect(run.scenarios[0]!.failure!.message).toMatch(/the stream ended inside a frame .*5 of the 6 bytes of a message/);
  });

  it('matches the content only: a wrong message is a mismatch against the message', async () => {
    const s = scenario({ covers: ['ECHO-4'], steps: [{ connect: { name: 'c', framing: { length: 2 } } }, { send: { text: 'hello' } }, { expect: { text: 'hellO' } }] });
    const run = await runAgainst([s], ECHO);
    expect(run.scenarios[0]!.failure).toMatchObject({ code: 'mismatch' });
    expect(Buffer.from(run.scenarios[0]!.failure!.actual!).toString()).toBe('hello');
  });
});

describe('captures on a framed connection', () => {
  it('take the message content, its struct fields and regex groups, without the length prefix', async () => {
    const s = scenario({
      covers: ['ECHO-4'],
      framing: { length: 2 },
      steps: [
        { connect: 'c' },
        { send: { struct: { format: '!HB', names: ['id', 'n'], values: [{ random: true }, 7] } } },
        { expect: { struct: { format: '!HB', names: ['id', 'n'], values: ['any', 7] }, capture: { got: 'id', whole: 'message' } } },
        { send: { concat: [{ var: 'whole' }, { text: ' seq=41' }] } },
        { expect: { regex: 'seq=(?<seq>\\d+)$', capture: { echoed: 'message' } } },
        { send: { text: 'id {got} seq {seq} len {echoed.length}' } },
        { expect: { regex: '^id \\d+ seq 41 len 10$' } },
      ],
    });
    const run = await runAgainst([s], ECHO);
    expect(explain(run)).toBe('');
    // A capture that took the framed bytes would have seen a 5-byte message and a length of 12.
    const sent = run.scenarios[0]!.transcript.filter((t) => t.kind === 'send').map((t) => Buffer.from(t.data ?? []).toString('latin1'));
    expect(sent.some((x) => / seq 41 len 10$/.test(x))).toBe(true);
  });
});

describe('multi-line replies', () => {
  const smtp = scenario({
    covers: ['ECHO-4'],
    steps: [
      { connect: { name: 'c', framing: { delimiter: '\\r\\n', continued: '^\\d{3}-' } } },
      { expect: { regex: '^220 ' } },
      { send: { text: 'EHLO tester' } },
      { expect: { text: '250-localhost greets tester\r\n250-SIZE 1000\r\n250-8BITMIME\r\n250 HELP' } },
      { send: { text: 'QUIT' } },
      { expect: { text: '221 bye' } },
      { expect: { eof: true } },
    ],
  });

  it('join continued lines into one message, delimiters kept between lines', async () => {
    expect(explain(await runAgainst([smtp], SMTP))).toBe('');
  });

  it('fail with `framing` when the stream ends after continued lines', async () => {
    const run = await runAgainst([smtp], `${SMTP} cut`);
    expect(run.scenarios[0]!.failure).toMatchObject({ code: 'framing', stepLabel: expect.stringMatching(/^steps\[3\] expect/) });
    expect(run.scenarios[0]!.failure!.message).toContain('3 continued lines and no last line');
  });
});

describe('a property scenario with generated messages', () => {
  const property = scenario({
    covers: ['ECHO-4'],
    process: 'reuse',
    framing: { length: 2 },
    generate: {
      first: { message: { struct: { format: '!HI3s' } } },
      second: { message: { struct: { format: '!HH', values: [7, { min: 0, max: 100 }] } } },
      cut: { split: { pieces: { min: 1, max: 6 } } },
    },
    steps: [
      { connect: 'c' },
      { send: { messages: [{ var: 'first' }, { var: 'second' }], split: 'cut' } },
      { expect: { var: 'first' } },
      { expect: { var: 'second' } },
    ],
  });

  async function runProperty(mode: string, seed: number) {
    const target: Target = { name: 't', command: `${ECHO} ${mode}`, cwd: ROOT, readyTimeoutMs: 10_000 };
    return runPlan(planIds([{ scenario: property, target }]), { jobs: 1, strict: false, catalogue: await bundledCatalogue(), observers: [], signal: new AbortController().signal, seed, runs: 25 });
  }

  it('splits the framed stream of several messages and passes on a conforming server', async () => {
    const r = await runProperty('ok', 5);
    expect(explain(r)).toBe('');
    expect(r.scenarios[0]!.notes).toContain('25 generated cases passed (seed 5)');
  });

  it('shrinks a failure to the plainest failing message', async () => {
    const r = await runProperty('high-bit', 5);
    const p = r.scenarios[0]!.property!;
    expect(r.scenarios[0]!.outcome).toBe('fail');
    // The server garbles a message whose first byte has its high bit set: the smallest such `!HI3s` message.
    expect(p.counterexample!.first).toEqual({ bytes: expect.objectContaining({ length: 9, hex: '80 00 00 00 00 00 00 00 00' }) });
  });
});

describe('validation of framings', () => {
  const IDS = new Set(['ECHO-4']);
  const where = (text: string) => {
    const src = parseYamlSource('t.yaml', text);
    return validateScenario('t.yaml', src.data, src.locate, IDS).diagnostics.map((d) => `${d.line}:${d.col} ${d.code}`);
  };

  it('reports bad framing values in place', () => {
    expect(where(`covers: [ECHO-4]
steps:
  - connect: { name: a, framing: { length: 3 } }
  - connect: { name: b, framing: { delimiter: "" } }
  - connect: { name: c, framing: { size: 0 } }
  - connect: { name: d, framing: { delimiter: "\\\\q" } }
  - connect: { name: e, framing: { delimiter: "\\n", continued: "(" } }
  - connect: { name: f, framing: { length: 1, max: 300 } }
  - connect: { name: g, framing: { size: 4, delimiter: "x" } }
`)).toEqual(['3:44 bad-framing', '4:47 bad-framing', '5:42 bad-framing', '6:47 bad-framing', '7:64 bad-regex', '8:52 bad-framing', '9:34 bad-framing']);
  });

  it('refuses framing on UDP and options of another framing', () => {
    expect(where(`covers: [ECHO-4]
transport: udp
framing: { length: 2 }
steps:
  - connect: { name: a, framing: { delimiter: "\\n" } }
`)).toEqual(['3:10 framing-udp', '5:34 framing-udp']);
    expect(where(`covers: [ECHO-4]
steps:
  - connect: { name: a, framing: { size: 4, continued: "x" } }
  - connect: { name: b, framing: { delimiter: "\\n", order: little } }
`)).toEqual(['3:56 framing-option', '4:60 framing-option']);
  });

  it('reports sends and expects a framing cannot carry', () => {
    expect(where(`covers: [ECHO-4]
framing: { length: 1 }
steps:
  - connect: a
  - send: { fill: { size: 300 } }
  - send: { messages: [{ text: ok }, { fill: { size: 256 } }] }
  - connect: { name: b, framing: { size: 4 } }
  - send: { text: abc }
  - connect: { name: c, framing: { delimiter: "\\n" } }
  - send: { text: "a\\nb" }
  - expect: { rounds: { data: { text: x }, trailer: { text: y } } }
  - connect: { name: d, framing: none }
  - send: { text: x, raw: true }
  - send: { messages: [{ text: x }] }
`)).toEqual(['5:11 framing-too-long', '6:38 framing-too-long', '8:11 framing-size', '10:11 framing-delimiter', '11:13 framing-expect', '13:27 framing-raw', '14:23 framing-messages']);
  });

  it('checks generated messages', () => {
    expect(where(`covers: [ECHO-4]
generate:
  m: { message: { struct: { format: "!H4s", values: [70000, 1] } } }
  n: { message: { struct: { format: "!Z" } } }
  o: { message: { struct: { format: "!H", values: [1, 2] } } }
steps:
  - connect: a
  - send: { var: m }
`)).toEqual(['3:54 struct-value-range', '3:61 struct-value-type', '4:37 bad-struct', '5:43 struct-values']);
  });
});
