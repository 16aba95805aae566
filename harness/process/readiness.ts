/**
 * Wait until the program under test is bound to its port, by watching the
 * kernel's socket tables (never by connecting), or until it exits or time runs out.
 */
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ExitInfo } from './exit-watch.js';
import { canReadSocketTables, listeningSockets, PROC_NET, type BoundSocket } from './proc-net.js';
import { groupHoldsSocket } from './socket-owner.js';
import { startWaitLimit, type WaitLimit } from './wait-limit.js';

export { listeningSockets, type BoundSocket } from './proc-net.js';

export type Readiness =
  | { ok: true; addresses: BoundSocket[]; afterMs: number; note?: string }
  | { ok: false; code: 'exited' | 'timeout' | 'aborted'; exit?: ExitInfo; afterMs: number; note?: string };

export interface ReadinessOptions {
  port: number;
  transport: 'tcp' | 'udp';
  /** The program's end: readiness gives up at once when it resolves. */
  exited: Promise<ExitInfo>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Where the socket tables are; default `/proc/net`. */
  procNet?: string;
  /** The program's process group: a socket on the port counts only if a process of this group holds it. */
  owner?: number;
}

/** The first and the longest pause between two looks at the socket tables. */
const FIRST_POLL_MS = 1;
const MAX_POLL_MS = 20;
/** Without socket tables, how long a UDP program is given before it is assumed bound. */
const UDP_BLIND_MS = 500;

/** Resolve when something is bound to the port, or say why not (`exited`, `timeout`, `aborted`); never rejects. */
export async function waitUntilListening(options: ReadinessOptions): Promise<Readiness> {
  const t0 = performance.now();
  const limit = startWaitLimit(options);
  const procNet = options.procNet ?? PROC_NET;
  let foreign: BoundSocket[] | undefined;
  try {
    if (!(await canReadSocketTables(procNet))) return await waitBlind(options, limit, t0);
    // No kernel event says "a socket started listening": poll, briefly at first.
    const held = () => (foreign ? `the port is bound on ${foreign.map((f) => f.address).join(', ')} by a process outside the program's process group` : undefined);
    for (let pause = FIRST_POLL_MS; ; pause = Math.min(MAX_POLL_MS, pause * 2)) {
      if (limit.reason) return notReady(limit, t0, held());
      const found = await listeningSockets(options.port, options.transport, procNet).catch(() => []);
      if (limit.reason) return notReady(limit, t0, held());
      // Another program on the port is not ours being ready: ours may still bind it, or fail and exit.
      const addresses = options.owner === undefined ? found : await owned(found, options.owner);
      if (addresses.length > 0) return { ok: true, addresses, afterMs: performance.now() - t0 };
      if (found.length > 0 && limit.reason === undefined) foreign = found;
      await limit.nap(pause);
    }
  } finally {
    limit.dispose();
  }
}

/** The sockets a process of group `pgid` holds (all of them where /proc cannot tell). */
async function owned(found: BoundSocket[], pgid: number): Promise<BoundSocket[]> {
  const out: BoundSocket[] = [];
  for (const s of found) if ((await groupHoldsSocket(pgid, s.inodes)) !== false) out.push(s);
  return out;
}

function notReady(limit: WaitLimit, t0: number, note?: string): Readiness {
  const r = limit.reason!;
  const base = { ok: false as const, afterMs: performance.now() - t0, ...(note ? { note } : {}) };
  return r.code === 'exited' ? { ...base, code: 'exited', exit: r.exit } : { ...base, code: r.code };
}

/** Without /proc/net: a TCP connect probe, or for UDP a fixed allowance; both said in `note`. */
async function waitBlind(options: ReadinessOptions, limit: WaitLimit, t0: number): Promise<Readiness> {
  if (options.transport === 'udp') {
    const note = `no socket tables on this platform: assumed the UDP program ready after ${Math.min(options.timeoutMs, UDP_BLIND_MS)} ms`;
    const blind = startWaitLimit({ timeoutMs: Math.min(options.timeoutMs, UDP_BLIND_MS) });
    await Promise.race([blind.over, limit.over]);
    blind.dispose();
    if (limit.reason && limit.reason.code !== 'timeout') return notReady(limit, t0, note);
    return { ok: true, addresses: [], afterMs: performance.now() - t0, note };
  }
  const note = 'no socket tables on this platform: readiness was found by connecting, which used one connection';
  for (let pause = FIRST_POLL_MS; ; pause = Math.min(MAX_POLL_MS, pause * 2)) {
    for (const host of ['127.0.0.1', '::1']) {
      if (limit.reason) return notReady(limit, t0, note);
      if (await probe(host, options.port, limit)) {
        return { ok: true, addresses: [{ address: host, family: host.includes(':') ? 6 : 4, inodes: [] }], afterMs: performance.now() - t0, note };
      }
    }
    await limit.nap(pause);
  }
}

/** Whether a TCP connection to host:port succeeds; the socket is closed either way. */
function probe(host: string, port: number, limit: WaitLimit): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    void limit.over.then(() => done(false));
  });
}
