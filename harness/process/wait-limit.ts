/**
 * The three ways a wait on a program can end without success — its deadline, an
 * abort, the program's exit — gathered in one object with one cleanup.
 */
import { onAbort as whenAborted } from '../net/waiter.js';
import type { ExitInfo } from './exit-watch.js';

export type LimitReason = { code: 'timeout' } | { code: 'aborted' } | { code: 'exited'; exit: ExitInfo };

export interface WaitLimit {
  /** Why the wait is over, once it is. */
  readonly reason: LimitReason | undefined;
  /** Resolves when the wait is over. */
  readonly over: Promise<LimitReason>;
  /** Resolve after `ms`, or as soon as the wait is over; the timer is cleared either way. */
  nap(ms: number): Promise<void>;
  /** Clear the deadline timer and the abort listener; idempotent. */
  dispose(): void;
}

/** Start a limit: `timeoutMs` from now, `signal`, and `exited` (when given) each end it. */
export function startWaitLimit(options: { timeoutMs: number; signal?: AbortSignal; exited?: Promise<ExitInfo> }): WaitLimit {
  let reason: LimitReason | undefined;
  let settle!: (r: LimitReason) => void;
  const over = new Promise<LimitReason>((resolve) => (settle = resolve));
  let wake: (() => void) | undefined;
  const end = (r: LimitReason) => {
    if (reason) return;
    reason = r;
    dispose();
    settle(r);
    wake?.();
  };
  const timer = setTimeout(() => end({ code: 'timeout' }), Math.max(0, options.timeoutMs));
  timer.unref();
  const dispose = () => {
    clearTimeout(timer);
    forget();
  };
  let forget = () => {};
  if (options.signal?.aborted) end({ code: 'aborted' });
  else forget = whenAborted(options.signal, () => end({ code: 'aborted' }));
  void options.exited?.then((exit) => end({ code: 'exited', exit }));

  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      if (reason) return resolve();
      const t = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(t);
        wake = undefined;
        resolve();
      };
    });

  return {
    get reason() {
      return reason;
    },
    over,
    nap,
    dispose,
  };
}
