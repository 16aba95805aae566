import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from './diagnostic.js';
import { validateScenario } from './validate.js';
import { parseYamlSource } from './yaml-source.js';

const IDS = new Set(['ECHO-4', 'ECHO-5', 'ECHO-6', 'TIME-2']);

function check(text: string) {
  const src = parseYamlSource('t.yaml', text);
  if (src.diagnostics.length) return { diagnostics: src.diagnostics };
  return validateScenario('t.yaml', src.data, src.locate, IDS);
}

const where = (r: ReturnType<typeof check>) => r.diagnostics.map((d) => `${d.line}:${d.col} ${d.code}`);

describe('validateScenario', () => {
  it('normalises a valid scenario', () => {
    const r = check(`covers: [ECHO-4]
steps:
  - connect: c
  - send: { text: hello, chunks: [2], pause: 5 }
  - shutdown: c
  - expect: { rounds: { data: { text: hello }, trailer: { text: "\\nI get it!\\n" } }, within: 900 }
`);
    expect(r.diagnostics).toEqual([]);
    const s = r.scenario!;
    expect(s.name).toBe('t');
    expect(s.steps.map((x) => x.action.verb)).toEqual(['connect', 'send', 'shutdown', 'expect']);
    expect(s.steps[1]!.action).toMatchObject({ verb: 'send', chunks: [2], pause: 5 });
    expect(Buffer.from((s.steps[1]!.action as { data: Uint8Array }).data).toString()).toBe('hello');
    expect(s.steps[3]).toMatchObject({ line: 6, col: 5, req: ['ECHO-4'], action: { within: 900, expectation: { kind: 'rounds' } } });
  });

  it('reports every mistake of a file at once, each with line:col and a hint', () => {
    const r = check(`covers: [ECHO-4]
timeout: -1
steps:
  - connect: c
  - shutdwn: c
  - expect: { on: c, eof: true, within: 10, colour: red }
`);
    expect(where(r)).toEqual(['2:10 out-of-range', '5:5 unknown-step', '6:45 unknown-key']);
    expect(r.diagnostics[1]!.hint).toBe('did you mean `shutdown`?');
    expect(formatDiagnostic(r.diagnostics[1]!)).toBe('t.yaml:5:5: unknown-step: unknown step `shutdwn` (did you mean `shutdown`?)');
  });

  it('names unknown requirements, connections, vars and bad payloads', () => {
    const r = check(`covers: [ECHO-44]
steps:
  - connect: a
  - send: { on: b, hex: "zz" }
  - send: { var: nope }
`);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['unknown-requirement', 'unknown-connection', 'bad-payload', 'unknown-var']);
    expect(r.diagnostics[0]!.hint).toBe('did you mean `ECHO-4`?');
  });

  it('refuses steps before a connection, two verbs in one step and UDP-only misuse', () => {
    const r = check(`covers: [TIME-2]
transport: udp
steps:
  - send: { text: x }
  - connect: u
  - { shutdown: u, close: u }
  - expect: { eof: true }
  - send: { text: x, chunk: 1 }
`);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['no-connection', 'several-verbs', 'not-for-udp', 'chunks-on-udp']);
  });

  it('refuses custom tags and bounds alias expansion', () => {
    expect(where(check('covers: !!binary aGk=\nsteps: []\n'))).toEqual(['1:9 yaml-tag']);
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) laughs.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill('*' + String.fromCharCode(96 + i)).join(', ')}]`);
    const started = performance.now();
    const r = check(laughs.join('\n') + '\n');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['alias-limit']);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('reports YAML syntax errors and duplicate keys with positions', () => {
    expect(where(check('covers: [ECHO-4\nsteps: []\n')).length).toBeGreaterThan(0);
    expect(where(check('covers: [ECHO-4]\ncovers: [ECHO-5]\nsteps: [{ wait: 1 }]\n'))).toEqual(['2:1 duplicate-key']);
  });

  it('checks nested steps of parallel and repeat', () => {
    const r = check(`covers: [ECHO-4]
steps:
  - parallel:
      - [ { connect: a }, { send: { on: a, text: x } } ]
      - [ { connect: b }, { sned: { on: b, text: y } } ]
  - repeat: { times: 2, steps: [ { connect: c }, { close: c } ], paralel: true }
`);
    expect(r.diagnostics.map((d) => `${d.line}:${d.code}`)).toEqual(['5:unknown-step', '6:unknown-key']);
    expect(r.diagnostics[0]!.hint).toBe('did you mean `send`?');
    expect(r.diagnostics[1]!.hint).toBe('did you mean `parallel`?');
  });

  it('joins payloads with `concat`, looking up vars inside it', () => {
    const r = check(`covers: [ECHO-4]
vars:
  mid: { hex: "62 63" }
steps:
  - connect: c
  - send: { concat: [ { text: a }, { var: mid }, { fill: { size: 2, pattern: d } } ] }
  - send: { concat: [ { text: a }, { var: nope } ] }
`);
    expect(r.diagnostics.map((d) => `${d.line}:${d.code}`)).toEqual(['7:unknown-var']);
    const ok = check(`covers: [ECHO-4]
steps:
  - connect: c
  - send: { concat: [ { text: "Hello, " }, { fill: { size: 3, pattern: ab } }, { text: "!" } ] }
`);
    expect(Buffer.from((ok.scenario!.steps[1]!.action as { data: Uint8Array }).data).toString()).toBe('Hello, aba!');
  });

  it('takes `one-of` with at least two alternatives and no silence among them; on UDP, alternatives a datagram can match', () => {
    const codes = (steps: string) => check(`covers: [ECHO-4]\nsteps:\n  - connect: c\n${steps}`).diagnostics.map((d) => d.code);
    expect(codes('  - expect: { one-of: [ { text: x }, { eof: true } ], measure: reply }\n')).toEqual([]);
    expect(codes('  - expect: { one-of: [ { text: x } ] }\n')).toEqual(['out-of-range']);
    expect(codes('  - expect: { one-of: [ { text: x }, { silence: 5 } ] }\n')).toContain('unknown-key');
    const udp = (alternatives: string) => check(`covers: [TIME-2]\ntransport: udp\nsteps:\n  - connect: u\n  - expect: { one-of: [ ${alternatives} ] }\n`).diagnostics.map((d) => d.code);
    expect(udp('{ size: 4 }, { size: 8 }')).toEqual([]);
    expect(udp('{ size: 4 }, { eof: true }')).toEqual(['not-for-udp']);
  });
});

describe('named values', () => {
  const head = 'covers: [ECHO-4]\nsteps:\n  - connect: c\n';

  it('`{NAME}` never defined is unknown-value, with a did-you-mean; `{port}`, `{c.port}` and `{{` are not values', () => {
    const r = check(`${head}  - expect: { regex: "id (?<token>\\\\w+)" }\n  - send: { text: "{tokn} {port} {c.port} {{x}" }\n`);
    expect(where(r)).toEqual(['5:19 unknown-value']);
    expect(r.diagnostics[0]!.hint).toMatch(/token/);
  });

  it('`{NAME.length}` is the byte length of a value in decimal; of a name never defined, unknown-value', () => {
    const r = check(`covers: [ECHO-4]\nvars:\n  v: { bytes: 'a\\r\\nb' }\nsteps:\n  - connect: c\n  - send: { text: "\${v.length}|{v}|{c.length}" }\n`);
    expect(where(r)).toEqual(['6:19 unknown-value']);
    const ok = check(`covers: [ECHO-4]\nvars:\n  v: { bytes: 'a\\r\\nb' }\n  e: { text: "" }\nsteps:\n  - connect: c\n  - send: { text: "\${v.length}|{v}|{e.length}" }\n`);
    expect(Buffer.from((ok.scenario!.steps[1]!.action as { data: Uint8Array }).data).toString()).toBe('$4|a\r\nb|0');
  });

  it('a value captured only by a later step is capture-before-use', () => {
    const r = check(`${head}  - send: { var: tok }\n  - expect: { regex: "x", capture: tok }\n`);
    expect(where(r)).toEqual(['4:18 capture-before-use']);
  });

  it('a capture in one parallel branch is not seen in another', () => {
    const r = check(`${head}  - parallel:\n      - - expect: { on: c, regex: "x", capture: a }\n      - - send: { on: c, text: "{a}" }\n`);
    expect(where(r)).toEqual(['6:32 capture-before-use']);
  });

  it('struct sends: wrong count, a number for `s`, an unknown length-of field, a value out of range', () => {
    const r = check(`${head}  - send: { struct: { format: "!HH", values: [1] } }
  - send: { struct: { format: "!4s", values: [3] } }
  - send: { struct: { format: "!BB", names: [a, b], values: [{ length-of: c }, 0] } }
  - send: { struct: { format: "!B", values: [256] } }
`);
    expect(where(r)).toEqual(['4:46 struct-values', '5:47 struct-value-type', '6:61 struct-unknown-field', '7:46 struct-value-range']);
  });

  it('struct checks: a number for `s`, text for a number, an unknown field; a capture source that is not there', () => {
    const r = check(`${head}  - expect: { struct: { format: "!4s", values: [3] } }
  - expect: { struct: { format: "!H", values: [{ text: ab }] } }
  - expect: { struct: { format: "!HH", names: [a, b], values: [{ field: c }, any] } }
  - expect: { regex: "(?<a>x)", capture: { b: c } }
`);
    expect(where(r)).toEqual(['4:49 struct-value-type', '5:48 struct-value-type', '6:63 struct-unknown-field', '7:47 bad-capture']);
  });

  it('regex `groups` name groups of the regex', () => {
    const r = check(`${head}  - expect: { regex: "(?<n>\\\\d+)", groups: { m: { min: 1 } } }\n`);
    expect(where(r)).toEqual(['4:46 unknown-group']);
  });
});
