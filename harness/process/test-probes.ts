/**
 * Checks the tests of this folder share: whether a process is really gone, and
 * which handles (processes, pipes, sockets, timers) are keeping Node alive.
 */
import { readFileSync } from 'node:fs';
import type { ProgramConsole } from './console.js';

/** True when `pid` no longer runs: no such process, or a zombie waiting to be reaped. */
export function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true; // vanished between the two looks
  }
}

/**
 * `look()` until `done` holds of what it returns, for up to `ms`; the last look. For what
 * sends us no event, like another process's death (its parent is reaped by init, not by
 * us): it polls, with growing pauses.
 */
export async function pollUntil<T>(look: () => T, done: (value: T) => boolean, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (let pause = 1; ; pause = Math.min(50, pause * 2)) {
    const value = look();
    if (done(value) || Date.now() >= until) return value;
    await new Promise((resolve) => setTimeout(resolve, pause).unref());
  }
}

/** Wait up to `ms` for `pid` to be gone. */
export function waitGone(pid: number, ms = 10_000): Promise<boolean> {
  return pollUntil(() => isGone(pid), (gone) => gone, ms);
}

/** Handle kinds the process layer creates; none may outlive a test. */
const KINDS = ['ProcessWrap', 'PipeWrap', 'TCPWrap', 'TCPServerWrap', 'UDPWrap', 'Timeout', 'FSReqPromise', 'FSReqCallback'];

/**
 * How many handles of each watched kind keep the event loop alive, after `turns`
 * event-loop turns: Node closes a handle in the turn after the event that ended it.
 */
export async function countHandles(turns = 3): Promise<Record<string, number>> {
  // In a vitest worker that earlier files ran in, a timer one of them left may end during the test and hide a leak.
  const worker = (globalThis as { __vitest_worker__?: { config?: { isolate?: boolean } } }).__vitest_worker__;
  if (worker?.config?.isolate === false) throw new Error('counting live handles needs a worker of its own: list the test file in ISOLATED (vitest.config.ts)');
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
  const counts: Record<string, number> = Object.fromEntries(KINDS.map((k) => [k, 0]));
  for (const kind of process.getActiveResourcesInfo()) if (kind in counts) counts[kind]!++;
  return counts;
}

/** How long a timer left running may take to end on its own before it counts as a leak. */
const TIMER_SETTLE_MS = 1000;

/**
 * Kinds with more live handles now than in `before` (a leak), with how many more. A
 * timer still pending is looked at again until it ends, for at most TIMER_SETTLE_MS:
 * the test framework's own timers and a pause that has just begun end by themselves,
 * on a loaded machine a little later than usual; a timer that outlives that is a leak.
 */
export async function handlesAddedSince(before: Record<string, number>): Promise<Record<string, number>> {
  const until = performance.now() + TIMER_SETTLE_MS;
  for (;;) {
    const now = await countHandles();
    const added: Record<string, number> = {};
    for (const [kind, n] of Object.entries(now)) if (n > (before[kind] ?? 0)) added[kind] = n - (before[kind] ?? 0);
    if (added.Timeout === undefined || performance.now() >= until) return added;
    await new Promise((resolve) => setTimeout(resolve, 20).unref());
  }
}

/** Wait for the program to print `pid N` (after `from`) and return N; throws if it does not within 20 s. */
export async function printedPid(con: ProgramConsole, from = 0): Promise<number> {
  const m = await con.waitFor(/pid (\d+)\n/, { from, timeoutMs: 20_000 });
  if (!m.ok) throw new Error(`no pid printed (${m.code}); stdout: ${JSON.stringify(con.text())}`);
  return Number(/pid (\d+)/.exec(con.text(m.start))![1]);
}
