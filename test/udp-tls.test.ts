/**
 * UDP as real protocols use it (replies from another port, replies to the sender,
 * alternatives on datagrams) and TLS (connect, starttls, a client under test served
 * over TLS), each run for real against a small program.
 */
import { describe, expect, it } from 'vitest';
import { validateScenario } from '../harness/scenario/validate.js';
import type { Scenario } from '../harness/scenario/model.js';
import { explain, runAgainst } from './helpers.js';

/** `data` validated as a scenario of `file`; throws with the diagnostics if it is not valid. */
function scenario(data: object, file = 'inline.yaml'): Scenario {
  const r = validateScenario(file, data, () => ({ line: 1, col: 1 }));
  if (!r.scenario) throw new Error(r.diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n'));
  return r.scenario;
}

/** The diagnostics of `data` as `code@path-line` strings (each located at line 1). */
function problems(data: object, file = 'inline.yaml'): string[] {
  return validateScenario(file, data, () => ({ line: 1, col: 1 })).diagnostics.map((d) => d.code);
}

const UDP_SERVER = 'python3 fixtures/udp-reply-port/server.py {port}';

describe('UDP replies from any port', () => {
  const transfer = scenario({
    covers: ['UHELLO-1'],
    transport: 'udp',
    'step-timeout': 2000,
    steps: [
      { connect: 'c' },
      { send: { text: 'GET x' } },
      { expect: { text: 'DATA x', from: 'any' } },
      { send: { text: 'ACK', to: 'sender' } },
      { expect: { text: 'DONE', from: 'any' } },
    ],
  });

  it('takes a reply from a new port and answers its sender', async () => {
    const run = await runAgainst([transfer], UDP_SERVER);
    expect(explain(run)).toBe('');
  });

  it('fails on the step whose reply never comes when the server waits elsewhere', async () => {
    const run = await runAgainst([transfer], `${UDP_SERVER} ack-on-main`);
    const f = run.scenarios[0]!.failure!;
    expect(f.code).toBe('timeout');
    expect(f.stepLabel).toMatch(/^steps\[4\] expect/);
  });

  it('by default accepts only the destination, and names the senders it did not accept', async () => {
    const s = scenario({ covers: ['UHELLO-1'], transport: 'udp', steps: [{ connect: 'c' }, { send: { text: 'GET x' } }, { expect: { text: 'DATA x', within: 500 } }] });
    const run = await runAgainst([s], UDP_SERVER);
    const f = run.scenarios[0]!.failure!;
    expect(f.code).toBe('timeout');
    expect(f.message).toMatch(/\(1 datagram from 127\.0\.0\.1:\d+ was not accepted\)$/);
  });

  it('one-of on UDP: the next datagram accepted matches one alternative, or the step fails naming them', async () => {
    const alternatives = (texts: string[]) => scenario({
      covers: ['UHELLO-1'],
      transport: 'udp',
      steps: [{ connect: 'c' }, { send: { text: 'PUT x' } }, { expect: { 'one-of': texts.map((text) => ({ text })), within: 2000 } }],
    });
    const holds = await runAgainst([alternatives(['DATA x', 'ERROR'])], UDP_SERVER);
    expect(explain(holds)).toBe('');
    const fails = await runAgainst([alternatives(['DATA x', 'NOPE'])], UDP_SERVER);
    expect(fails.scenarios[0]!.failure?.code).toBe('mismatch');
    expect(fails.scenarios[0]!.failure?.message).toMatch(/^none of the alternatives holds: .*; .*/);
  });

  it('silence with a filter ignores other senders', async () => {
    const s = scenario({
      covers: ['UHELLO-1'],
      transport: 'udp',
      steps: [{ connect: 'c' }, { send: { text: 'GET x' } }, { expect: { silence: 300 } }, { expect: { text: 'DATA x', from: 'any' } }],
    });
    expect(explain(await runAgainst([s], UDP_SERVER))).toBe('');
  });

  it('`from`/`to` on a TCP connection: udp-only', () => {
    expect(problems({ covers: ['X'], steps: [{ connect: 'c' }, { send: { text: 'a', to: 'sender' } }, { expect: { text: 'a', from: 'any' } }] })).toEqual(['udp-only', 'udp-only']);
    expect(problems({ covers: ['X'], transport: 'udp', steps: [{ connect: 'c' }, { send: { text: 'a', to: { port: 9, address: '10.0.0.1' } } }] })).toEqual(['not-loopback']);
  });
});
