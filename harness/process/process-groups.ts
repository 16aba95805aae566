/**
 * The process groups this harness started and has not yet taken down, so that
 * an interrupted or crashing run can still kill them all — and, through the
 * watchdog, a run killed with SIGKILL too.
 */
import { tellWatchdog } from './watchdog.js';

const live = new Map<number, string>();
let installed = false;

/** Exit statuses a shell reports for a death by these signals (128 + number). */
const SIGNAL_EXIT: Record<'SIGINT' | 'SIGTERM' | 'SIGHUP', number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** Send `signal` to every process in group `pgid` (0: only ask whether any is left); false when the group is gone (ESRCH) or `pgid` is not a real group. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  // -0 and -1 would mean "our own group" and "every process we may signal": never.
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: nobody left; EPERM: not ours any more.
  }
}

/** Remember a group as ours to kill. */
export function registerGroup(pgid: number, name: string): void {
  if (pgid <= 1) return;
  live.set(pgid, name);
  tellWatchdog('+', pgid);
}

/** Forget a group once it has been killed. */
export function unregisterGroup(pgid: number): void {
  if (live.delete(pgid)) tellWatchdog('-', pgid);
}

/** Whether `pgid` is still registered (not yet killed by `killAllNow` or a stop). */
export function isRegistered(pgid: number): boolean {
  return live.has(pgid);
}

/** The groups still registered: `{ pgid, name }`. */
export function listGroups(): { pgid: number; name: string }[] {
  return [...live].map(([pgid, name]) => ({ pgid, name }));
}

/** SIGKILL every registered group at once, synchronously (safe in exit and signal handlers). */
export function killAllNow(): number {
  let killed = 0;
  for (const pgid of [...live.keys()]) {
    if (signalGroup(pgid, 'SIGKILL')) killed++;
    unregisterGroup(pgid);
  }
  return killed;
}

// A program with its own listener for a signal decides itself (it may stop things gracefully first).
/** Once per process: kill every group on `exit`, and on SIGINT/SIGTERM/SIGHUP kill them all and exit 130/143/129. */
export function installCleanup(): void {
  if (installed) return;
  installed = true;
  process.on('exit', () => {
    killAllNow();
  });
  for (const [signal, status] of Object.entries(SIGNAL_EXIT)) {
    const onSignal = () => {
      if (process.listenerCount(signal) > 1) return;
      killAllNow();
      process.exit(status);
    };
    process.on(signal, onSignal);
  }
}
