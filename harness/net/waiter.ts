/**
 * Event-driven waiting: a check re-run whenever a peer's state changes, ended by a
 * result, a deadline or an abort. No polling.
 */

export type Recorder = (kind: 'connect' | 'send' | 'recv' | 'shutdown' | 'close' | 'reset' | 'eof' | 'error' | 'note', data?: Uint8Array, detail?: string) => void;

export type WaitOutcome<T> = { done: true; value: T } | { done: false; reason: 'timeout' | 'aborted' };

/** A set of listeners to wake when something changes. */
export class Changes {
  #listeners = new Set<() => void>();

  /** Wake every waiter. */
  notify(): void {
    for (const l of [...this.#listeners]) l();
  }

  /**
   * Run `check` now and after every change until it returns a value, or until
   * `timeoutMs` passes or `signal` aborts.
   */
  wait<T>(check: () => T | undefined, timeoutMs: number, signal?: AbortSignal): Promise<WaitOutcome<T>> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (o: WaitOutcome<T>) => {
        this.#listeners.delete(listener);
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(o);
      };
      const listener = () => {
        const v = check();
        if (v !== undefined) finish({ done: true, value: v });
      };
      const onAbort = () => finish({ done: false, reason: 'aborted' });
      if (signal?.aborted) return finish({ done: false, reason: 'aborted' });
      const first = check();
      if (first !== undefined) return finish({ done: true, value: first });
      this.#listeners.add(listener);
      timer = setTimeout(() => finish({ done: false, reason: 'timeout' }), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** Resolve after `ms` unless `signal` aborts first (a scripted pause, never a settle-sleep). */
export function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
