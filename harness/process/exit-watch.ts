/**
 * When the program under test ended: the leader's exit, then its output read to
 * the end, as one value that never rejects.
 */
import type { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';

export interface ExitInfo {
  /** Exit status, or null when killed by a signal or never started. */
  code: number | null;
  /** Signal name (`SIGKILL`), or null. */
  signal: string | null;
  durationMs: number;
  /** Why the program could not be started or stopped, in words. */
  error?: string;
}

/**
 * After the leader exits, how long to wait for its stdout/stderr to close. They stay
 * open only while a descendant holds them; then `exited` must not wait for it.
 */
const DRAIN_MS = 500;

export interface ExitWatch {
  exited: Promise<ExitInfo>;
  leaderExited(): boolean;
  /** The leader's exit, once it happened. */
  leaderInfo(): ExitInfo | undefined;
  /** Wait up to `ms` for the leader to exit; true if it did. */
  leaderExit(ms: number): Promise<boolean>;
  /** `exited` once the output pipes closed too; after `ms`, stop reading them, or say the program would not die. */
  settle(ms: number): Promise<ExitInfo>;
}

/** What is followed of a child process: its pid, its output streams, and `exit`, `close` and `error`. */
export interface Watched extends EventEmitter {
  readonly pid?: number | undefined;
  readonly stdout?: { destroy(): unknown } | null;
  readonly stderr?: { destroy(): unknown } | null;
}

/** Follow `child` from spawn to exit; `describe` words a spawn failure. */
export function watchExit(child: Watched, t0: number, describe: (e: unknown) => string): ExitWatch {
  let leaderInfo: ExitInfo | undefined;
  const leaderWaiters = new Set<() => void>();
  let resolveExited!: (info: ExitInfo) => void;
  const exited = new Promise<ExitInfo>((resolve) => (resolveExited = resolve));
  let drainTimer: NodeJS.Timeout | undefined;
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));

  const onLeaderExit = (info: ExitInfo) => {
    if (leaderInfo) return;
    leaderInfo = info;
    for (const w of [...leaderWaiters]) w();
  };
  child.once('exit', (code, signal) => {
    onLeaderExit({ code, signal, durationMs: performance.now() - t0 });
    drainTimer = setTimeout(() => resolveExited(leaderInfo!), DRAIN_MS).unref();
  });
  child.once('close', () => {
    markClosed();
    if (drainTimer) clearTimeout(drainTimer);
    if (leaderInfo) resolveExited(leaderInfo);
  });
  child.on('error', (e) => {
    // Only a failure to start ends the program; a failed kill or a closed pipe does not.
    if (child.pid !== undefined || leaderInfo) return;
    onLeaderExit({ code: null, signal: null, durationMs: performance.now() - t0, error: describe(e) });
    resolveExited(leaderInfo!);
    markClosed();
  });

  const leaderExit = (ms: number) =>
    new Promise<boolean>((resolve) => {
      if (leaderInfo) return resolve(true);
      const done = (ok: boolean) => {
        clearTimeout(timer);
        leaderWaiters.delete(onExit);
        resolve(ok);
      };
      const onExit = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      leaderWaiters.add(onExit);
    });

  const settle = async (ms: number): Promise<ExitInfo> => {
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
    const info = await Promise.race([Promise.all([exited, closed]).then(([i]) => i), stuck]);
    clearTimeout(timer);
    if (info) return info;
    // Output still held open by something outside the group: stop reading it.
    child.stdout?.destroy();
    child.stderr?.destroy();
    if (leaderInfo) return exited;
    const error = `the program (pid ${child.pid}) did not exit within ${ms} ms of SIGKILL`;
    return { code: null, signal: null, durationMs: performance.now() - t0, error };
  };

  return { exited, leaderExited: () => leaderInfo !== undefined, leaderInfo: () => leaderInfo, leaderExit, settle };
}
