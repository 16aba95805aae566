/**
 * UDP as real protocols use it (replies from another port, replies to the sender,
 * alternatives on datagrams) and TLS (connect, starttls, a client under test served
 * over TLS), each run for real against a small program.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificate, type RunCertificate } from '../harness/net/certificate.js';
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

describe('TLS', () => {
  let cert: RunCertificate;
  let other: RunCertificate;
  /** A scenario file beside the certificate, so that `ca: cert.pem` names it. */
  let file: string;
  beforeAll(async () => {
    [cert, other] = await Promise.all([makeCertificate(), makeCertificate()]);
    file = join(cert.certPath, '..', 'inline.yaml');
  });
  afterAll(async () => {
    await Promise.all([cert.close(), other.close()]);
  });
  const server = (mode: string) => `python3 fixtures/tls/server.py {port} ${cert.certPath} ${cert.keyPath} ${mode}`;
  const echo = [{ send: { text: 'hello\r\n' } }, { expect: { text: 'hello\r\n' } }];

  it('connect with tls and the CA file: the exchange runs over TLS and the transcript says so', async () => {
    const s = scenario({ covers: ['ECHO-4'], steps: [{ connect: { name: 'c', tls: { ca: 'cert.pem', servername: 'localhost' } } }, ...echo] }, file);
    const run = await runAgainst([s], server('tls'));
    expect(explain(run)).toBe('');
    expect(JSON.stringify(run.scenarios[0]!.transcript)).toMatch(/tls TLSv1\.3, certificate verified/);
  });

  it('connect with tls: true against a self-signed certificate fails with tls-handshake', async () => {
    const s = scenario({ covers: ['ECHO-4'], steps: [{ connect: { name: 'c', tls: true } }, ...echo] }, file);
    const f = (await runAgainst([s], server('tls'))).scenarios[0]!.failure!;
    expect(f.code).toBe('tls-handshake');
    expect(f.message).toMatch(/^the TLS handshake with 127\.0\.0\.1:\d+ failed: self-signed certificate/);
  });

  const starttls = {
    covers: ['ECHO-4'],
    steps: [{ connect: 'c' }, { expect: { text: '220 ready\r\n' } }, { send: { text: 'STARTTLS\r\n' } }, { expect: { text: '220 go\r\n' } }, { starttls: { ca: 'cert.pem', servername: 'localhost' } }, ...echo],
  };

  it('starttls upgrades a plain connection after the go-ahead', async () => {
    const s = scenario(starttls, file);
    expect(explain(await runAgainst([s], server('starttls')))).toBe('');
  });

  it('plaintext after the go-ahead fails starttls with tls-plaintext', async () => {
    const s = scenario(starttls, file);
    const f = (await runAgainst([s], server('starttls-extra'))).scenarios[0]!.failure!;
    expect(f.code).toBe('tls-plaintext');
    expect(f.stepLabel).toMatch(/^steps\[4\] starttls/);
    expect(f.message).toMatch(/^11 plaintext bytes came before the TLS handshake/);
  });

  it('a CA file that does not exist: tls-ca-missing at validation', () => {
    expect(problems({ covers: ['X'], steps: [{ connect: { tls: { ca: 'nowhere.pem' } } }, { starttls: { ca: 'nowhere.pem' } }] }, file)).toEqual(['tls-ca-missing', 'tls-ca-missing']);
    expect(problems({ covers: ['X'], transport: 'udp', steps: [{ connect: { tls: true } }] }, file)).toEqual(['not-for-udp']);
  });

  const client = (mode: string, ca = '{tls-ca}') => `python3 fixtures/tls/client.py {port} ${ca} ${mode}`;
  const served = [{ expect: { text: 'hello\r\n' } }, { send: { text: 'hi\r\n' } }, { stdout: { contains: 'hi' } }, { exit: { code: 0 } }];

  it('client role with tls: true: the harness serves TLS with the run certificate, {tls-ca} names it', async () => {
    const s = scenario({ role: 'client', tls: true, covers: ['ECHO-C3'], steps: [{ accept: 'c' }, ...served] });
    expect(explain(await runAgainst([s], client('tls')))).toBe('');
  });

  it('client role: starttls as server', async () => {
    const s = scenario({
      role: 'client',
      covers: ['ECHO-C3'],
      steps: [{ accept: 'c' }, { send: { text: '220 ready\r\n' } }, { expect: { text: 'STARTTLS\r\n' } }, { send: { text: '220 go\r\n' } }, { starttls: { as: 'server' } }, ...served],
    });
    expect(explain(await runAgainst([s], client('starttls')))).toBe('');
  });

  it('accept on a TLS listener fails with tls-handshake when the client rejects the certificate', async () => {
    const s = scenario({ role: 'client', tls: true, covers: ['ECHO-C3'], steps: [{ accept: 'c' }, ...served] });
    const f = (await runAgainst([s], client('tls', other.certPath))).scenarios[0]!.failure!;
    expect(f.code).toBe('tls-handshake');
    expect(f.stepLabel).toMatch(/^steps\[0\] accept/);
  });
});
