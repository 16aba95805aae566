/**
 * The floor of the per-case rows: the bench's TCP and UDP exchanges made by a few lines
 * that keep only what a report of them needs, and nothing of the run engine: a
 * transcript entry per event (time, kind, connection, a copy of the bytes, a detail), a
 * timer for the scenario and one per wait, a record per step, and a result kept in the
 * run's list. No port lock, no program pool, no verbs, no checks beyond comparing the
 * bytes, no verdict. What it costs above the plain script is what any harness that
 * reports an exchange pays on this machine; a ratio target below it cannot be met by
 * making the engine leaner.
 */
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { PAYLOAD } from './exchange.js';

interface Entry {
  t: number;
  kind: string;
  on: string;
  data?: Uint8Array;
  detail?: string;
}
interface StepRecord {
  label: string;
  startedMs: number;
  outcome: 'pass' | 'fail';
}
interface FloorResult {
  id: string;
  outcome: 'pass' | 'fail';
  requirements: Record<string, 'pass' | 'fail'>;
  durationMs: number;
  transcript: Entry[];
  steps: StepRecord[];
}

const SCENARIO_MS = 30_000;
const WAIT_MS = 10_000;

/** What one case keeps, and its steps run one after another with a record each. */
class Case {
  readonly t0 = performance.now();
  readonly transcript: Entry[] = [];
  readonly steps: StepRecord[] = [];
  readonly #limit: NodeJS.Timeout;
  over = false;

  constructor() {
    this.#limit = setTimeout(() => (this.over = true), SCENARIO_MS);
  }

  record(kind: string, on: string, data?: Uint8Array, detail?: string): void {
    const e: Entry = { t: Math.round((performance.now() - this.t0) * 10) / 10, kind, on };
    if (data) e.data = new Uint8Array(data);
    if (detail !== undefined) e.detail = detail;
    this.transcript.push(e);
  }

  async step(label: string, run: () => Promise<void> | void): Promise<void> {
    const r: StepRecord = { label, startedMs: performance.now() - this.t0, outcome: 'pass' };
    this.steps.push(r);
    try {
      await run();
    } catch (e) {
      r.outcome = 'fail';
      throw e;
    }
  }

  end(id: string, passed: boolean): FloorResult {
    clearTimeout(this.#limit);
    const outcome = passed && !this.over ? 'pass' : 'fail';
    return { id, outcome, requirements: { BENCH: outcome }, durationMs: Math.round(performance.now() - this.t0), transcript: this.transcript, steps: this.steps };
  }
}

/** Resolve when `ready()` says so, checked now and at each `wake`; reject after WAIT_MS. */
function waitFor(ready: () => boolean, onWake: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    if (ready()) return resolve();
    const timer = setTimeout(() => reject(new Error('timeout')), WAIT_MS);
    onWake(() => {
      if (!ready()) return;
      clearTimeout(timer);
      resolve();
    });
  });
}

/** One TCP exchange: connect, send, half-close, expect the echo, expect the end of the stream. */
async function floorTcp(port: number, i: number): Promise<FloorResult> {
  const c = new Case();
  let socket: Socket | undefined;
  let received = Buffer.alloc(0);
  let ended = false;
  let wake = () => {};
  let passed = true;
  try {
    await c.step('connect', () =>
      new Promise<void>((resolve, reject) => {
        const s = connect({ port, host: '127.0.0.1', allowHalfOpen: true, noDelay: true }, () => {
          c.record('connect', 'c', undefined, `${s.localAddress}:${s.localPort} -> 127.0.0.1:${port}`);
          resolve();
        });
        socket = s;
        s.once('error', reject);
        s.on('data', (d: Buffer) => {
          c.record('recv', 'c', d);
          received = received.length ? Buffer.concat([received, d]) : Buffer.from(d);
          wake();
        });
        s.on('end', () => {
          c.record('eof', 'c');
          ended = true;
          wake();
        });
      }),
    );
    const s = socket!;
    await c.step('send', () => {
      c.record('send', 'c', PAYLOAD);
      return new Promise<void>((resolve, reject) => s.write(PAYLOAD, (e) => (e ? reject(e) : resolve())));
    });
    await c.step('shutdown', () => {
      c.record('shutdown', 'c');
      s.end();
    });
    await c.step('expect', async () => {
      await waitFor(() => received.length >= PAYLOAD.length || ended, (w) => (wake = w));
      if (!received.subarray(0, PAYLOAD.length).equals(PAYLOAD)) throw new Error('mismatch');
      received = received.subarray(PAYLOAD.length);
    });
    await c.step('expect eof', async () => {
      await waitFor(() => ended || received.length > 0, (w) => (wake = w));
      if (received.length > 0) throw new Error('unexpected data');
    });
  } catch {
    passed = false;
  }
  c.record('close', 'c');
  socket?.destroy();
  return c.end(`floor-${i}`, passed);
}

/** One UDP request/response: a socket of its own, one datagram, its echo. */
async function floorUdp(port: number, i: number): Promise<FloorResult> {
  const c = new Case();
  const inbox: Buffer[] = [];
  let wake = () => {};
  const socket = createSocket('udp4');
  let passed = true;
  try {
    await c.step('connect', () =>
      new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.on('message', (m, from) => {
          c.record('recv', 'u', m, `datagram of ${m.length} bytes from ${from.address}:${from.port}`);
          inbox.push(m);
          wake();
        });
        socket.bind(0, '127.0.0.1', () => {
          const a = socket.address();
          c.record('connect', 'u', undefined, `udp ${a.address}:${a.port} -> 127.0.0.1:${port}`);
          resolve();
        });
      }),
    );
    await c.step('send', () => {
      c.record('send', 'u', PAYLOAD, `datagram of ${PAYLOAD.length} bytes to 127.0.0.1:${port}`);
      return new Promise<void>((resolve, reject) => socket.send(PAYLOAD, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    });
    await c.step('expect', async () => {
      await waitFor(() => inbox.length > 0, (w) => (wake = w));
      if (!inbox.shift()!.equals(PAYLOAD)) throw new Error('mismatch');
    });
  } catch {
    passed = false;
  }
  c.record('close', 'u');
  socket.close();
  return c.end(`floor-${i}`, passed);
}

/** `n` cases of the floor exchange against the server on `port`, their results kept as a run keeps them; ms per case. */
export async function floorExchanges(transport: 'tcp' | 'udp', port: number, n: number): Promise<number> {
  const results: FloorResult[] = [];
  const one = transport === 'tcp' ? floorTcp : floorUdp;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) results.push(await one(port, i));
  const ms = performance.now() - t0;
  const failed = results.find((r) => r.outcome !== 'pass');
  if (failed) throw new Error(`floor ${transport} exchange failed: ${JSON.stringify(failed.steps)}`);
  return ms / n;
}
