/**
 * The bench's exchanges, shared by its rows: the TCP and UDP echo scenarios the harness
 * runs, and the plain Node TCP exchange they are compared with.
 */
import { connect } from 'node:net';
import { validateScenario } from '../harness/scenario/validate.js';
import type { Scenario } from '../harness/scenario/model.js';

export const PAYLOAD = Buffer.from('hello, bench');

function scenario(data: object): Scenario {
  const r = validateScenario('bench.yaml', data, () => ({ line: 0, col: 0 }));
  if (!r.scenario) throw new Error(JSON.stringify(r.diagnostics));
  return r.scenario;
}

export const tcpScenario = scenario({
  covers: ['BENCH'],
  process: 'reuse',
  steps: [{ connect: 'c' }, { send: { text: PAYLOAD.toString() } }, { shutdown: 'c' }, { expect: { text: PAYLOAD.toString() } }, { expect: { eof: true } }],
});
export const udpScenario = scenario({
  covers: ['BENCH'],
  process: 'reuse',
  transport: 'udp',
  steps: [{ connect: 'u' }, { send: { text: PAYLOAD.toString() } }, { expect: { text: PAYLOAD.toString() } }],
});

/** Plain Node: connect, send, half-close, read the echo to the end of the stream. */
export function plainTcpExchange(port: number): Promise<void> {
  return new Promise<void>((res, rej) => {
    const chunks: Buffer[] = [];
    const s = connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => {
      s.write(PAYLOAD);
      s.end();
    });
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => {
      s.destroy();
      Buffer.concat(chunks).equals(PAYLOAD) ? res() : rej(new Error('bad echo'));
    });
    s.on('error', rej);
  });
}
