/**
 * A lock shared by every sockspec process on the machine (two test files, or two
 * CI jobs, testing programs on one fixed port): whoever listens on a named local
 * socket holds it. Waiters connect to the holder and try again when it goes, so
 * waiting is event-driven, and a holder that dies releases the lock with it.
 */
import { rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/** Linux has an abstract socket namespace (nothing on disk to clean up); elsewhere a socket file in the temp folder. */
function socketPath(name: string): string {
  return process.platform === 'linux' ? `\0sockspec-lock-${name}` : join(tmpdir(), `sockspec-lock-${name}.sock`);
}

/** After letting go of a lock others waited for, how long this process leaves it to them before taking it again. */
const HANDOVER_MS = 200;
/** Per lock name: until when this process stands back (it just let go while others waited). */
const standBack = new Map<string, number>();

/** A held lock: call it to let go. */
export type MachineLock = (() => void) & {
  /** Whether another process is waiting for the lock now. */
  contended(): boolean;
};

/** Wait until the current holder of `path` lets go (or is found gone, or `signal` aborts). */
function holderGone(path: string, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const c = connect(path);
    const done = () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = () => {
      c.destroy();
      done();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    c.on('error', (e: NodeJS.ErrnoException) => {
      // A socket file with no listener left by a crash: remove it (never happens on Linux).
      if (e.code === 'ECONNREFUSED' && process.platform !== 'linux') rmSync(path, { force: true });
      // Refused or gone: try again at once. Anything else (a full backlog): not in a tight loop.
      if (e.code === 'ECONNREFUSED' || e.code === 'ENOENT') done();
      else setTimeout(done, 20);
    });
    c.on('close', done);
  });
}

/** Whether somebody holds the lock at `path` now (a connect succeeds). */
function held(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(path);
    c.on('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.on('error', () => resolve(false));
  });
}

function aborted(name: string): Error {
  return Object.assign(new Error(`stopped waiting for the machine-wide lock ${name}`), { code: 'aborted' });
}

/** The machine-wide lock a scenario holds while it uses `port` as a fixed one (a program's own port, or a default port). */
export function portLockName(port: number): string {
  return `port-${port}`;
}

/** The machine-wide reservation a run holds, from its start to its end, on each port its plan uses as a fixed one. */
export function portReservationName(port: number): string {
  return `reserved-port-${port}`;
}

/** How long a process that could neither hold nor join a reservation waits before trying again. */
const RESERVE_RETRY_MS = 50;

/**
 * Hold the machine-wide reservation `name` until the returned function is called (it
 * resolves once everything it opened is closed). Unlike a lock, any number of processes
 * hold one at once: one of them listens on its address, which `heldMachineWide` sees;
 * the others stay connected to it, and one of them listens in its place when it goes
 * (it let go, or died). Nothing it opens keeps the process alive.
 */
export function reserveMachineWide(name: string): () => Promise<void> {
  const path = socketPath(name);
  let released = false;
  let server: Server | undefined;
  let joined: Socket | undefined;
  let retry: NodeJS.Timeout | undefined;
  const members = new Set<Socket>();
  const again = (ms: number) => {
    if (released) return;
    retry = setTimeout(attempt, ms);
    retry.unref();
  };
  function attempt(): void {
    if (released) return;
    const s = createServer((c) => {
      members.add(c);
      c.on('error', () => {});
      c.on('close', () => members.delete(c));
    });
    s.unref();
    s.once('error', (e: NodeJS.ErrnoException) => {
      // No local sockets here: the reservation is this process's alone (in-process checks still apply).
      if (e.code !== 'EADDRINUSE') return;
      const c = connect(path);
      c.unref();
      joined = c;
      c.on('error', (err: NodeJS.ErrnoException) => {
        // A socket file with no listener left by a crash (never on Linux).
        if (err.code === 'ECONNREFUSED' && process.platform !== 'linux') rmSync(path, { force: true });
      });
      // The holder went (or was never there): take its place, after a moment if it was refused at once.
      c.on('close', (hadError) => {
        if (joined === c) joined = undefined;
        again(hadError ? RESERVE_RETRY_MS : 0);
      });
    });
    s.listen(path, () => {
      if (released) s.close();
      else server = s;
    });
  }
  attempt();
  return async () => {
    released = true;
    clearTimeout(retry);
    const closing: Promise<unknown>[] = [];
    if (server) closing.push(new Promise((r) => server!.close(r)));
    for (const c of [...members, ...(joined ? [joined] : [])]) {
      closing.push(new Promise((r) => c.once('close', r)));
      c.destroy();
    }
    await Promise.all(closing);
  };
}

/**
 * Whether some process (another sockspec, or this one) holds the machine-wide lock or
 * reservation `name` now. Asked by binding the lock's address and letting go at once, so that the
 * holder never sees a waiter it would hand the lock over to.
 */
export function heldMachineWide(name: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'EADDRINUSE'));
    probe.listen(socketPath(name), () => probe.close(() => resolve(false)));
  });
}

/**
 * Hold the machine-wide lock `name`; resolves to its release. Rejects with code
 * `aborted` when `signal` aborts first. A process that just let go of the lock while
 * others waited stands back for a moment, so that they get their turn.
 */
export async function lockMachineWide(name: string, signal?: AbortSignal): Promise<MachineLock> {
  const path = socketPath(name);
  // Bounded: until a waiter took the lock, or the hand-over time is over.
  for (let until = standBack.get(name) ?? 0; performance.now() < until; ) {
    if (signal?.aborted) throw aborted(name);
    if (await held(path)) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  standBack.delete(name);
  for (;;) {
    if (signal?.aborted) throw aborted(name);
    const waiters = new Set<Socket>();
    const server = createServer((c) => {
      waiters.add(c);
      c.on('error', () => {});
      c.on('close', () => waiters.delete(c));
    });
    const got = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      server.once('error', resolve);
      server.listen(path, () => resolve(undefined));
    });
    if (!got) {
      server.unref();
      const release = () => {
        if (waiters.size > 0) standBack.set(name, performance.now() + HANDOVER_MS);
        server.close();
        for (const c of waiters) c.destroy();
      };
      return Object.assign(release, { contended: () => waiters.size > 0 });
    }
    if (got.code !== 'EADDRINUSE') throw got;
    await holderGone(path, signal);
  }
}
