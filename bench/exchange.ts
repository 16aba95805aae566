/**
 * The bench's exchanges, shared by its rows: the TCP and UDP echo scenarios the harness
 * runs, and the plain Node TCP exchange they are compared with.
 */
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { planIds, runPlan } from '../harness/run/run-plan.js';
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

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');

/** The harness: `n` runs of scenario `s` through the run engine (one run), against the server running on `port`; ms per scenario. */
export async function harnessScenarios(s: Scenario, port: number, n: number): Promise<number> {
  // A target without a command is a program already running on its fixed port.
  const target = { name: 'bench', fixedPort: port, cwd: ROOT, readyTimeoutMs: 5000 };
  const items = planIds(Array.from({ length: n }, () => ({ scenario: s, target })));
  const t0 = performance.now();
  const run = await runPlan(items, { jobs: 1, strict: false, observers: [], signal: new AbortController().signal });
  const ms = performance.now() - t0;
  if (run.counts.pass !== n) throw new Error(`bench scenarios failed: ${JSON.stringify(run.scenarios.find((x) => x.outcome !== 'pass')?.failure)}`);
  return ms / n;
}

/** Plain Node: the same TCP exchange `n` times; ms per exchange. */
export async function plainTcpExchanges(port: number, n: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await plainTcpExchange(port);
  return (performance.now() - t0) / n;
}
