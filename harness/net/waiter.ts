/**
 * Event-driven waiting: a check re-run whenever a peer's state changes, ended by a
 * result, a deadline or an abort. No polling.
 */

export type Recorder = (kind: 'connect' | 'send' | 'recv' | 'shutdown' | 'close' | 'reset' | 'eof' | 'error' | 'note', data?: Uint8Array, detail?: string) => void;

export type WaitOutcome<T> = { done: true; value: T } | { done: false; reason: 'timeout' | 'aborted' };

/** Per signal, what its abort runs: one listener on the signal however many waits come and go. */
const aborts = new WeakMap<AbortSignal, Set<() => void>>();
const nothing = () => {};

type AbortListener = ((event: { type: 'abort'; target: unknown }) => void) | { handleEvent(event: { type: 'abort'; target: unknown }): void };

/**
 * The signal of a `LightAbortController`: an AbortSignal as the harness and Node's APIs
 * use one (`aborted`, `reason`, 'abort' listeners, `throwIfAborted`), without the
 * EventTarget behind Node's own.
 */
class LightSignal {
  aborted = false;
  reason: unknown = undefined;
  onabort: AbortListener | null = null;
  readonly #listeners = new Set<AbortListener>();

  addEventListener(type: string, listener: AbortListener | null): void {
    if (type === 'abort' && listener && !this.aborted) this.#listeners.add(listener);
  }

  removeEventListener(type: string, listener: AbortListener | null): void {
    if (type === 'abort' && listener) this.#listeners.delete(listener);
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  /** `fn` on abort, cheaper than a listener; returns what forgets it. */
  listen(fn: () => void): () => void {
    const l = () => fn();
    this.#listeners.add(l);
    return () => void this.#listeners.delete(l);
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const event = { type: 'abort' as const, target: this };
    const all = [...this.#listeners];
    this.#listeners.clear();
    if (this.onabort) all.unshift(this.onabort);
    for (const l of all) {
      try {
        if (typeof l === 'function') l(event);
        else l.handleEvent(event);
      } catch (e) {
        // As an EventTarget would: a listener's error does not stop the others.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }
}

/**
 * An AbortController whose signal costs next to nothing to make and to listen to (Node's
 * makes an EventTarget, and adding its first listener costs as much again: about 20 µs
 * together, which every scenario paid). Its signal passes for an AbortSignal wherever one
 * is asked for: Node's APIs only check that it has `aborted` and add listeners to it.
 */
export class LightAbortController {
  readonly #signal = new LightSignal();

  get signal(): AbortSignal {
    return this.#signal as unknown as AbortSignal;
  }

  abort(reason?: unknown): void {
    this.#signal.abort(reason ?? new DOMException('This operation was aborted', 'AbortError'));
  }
}

/**
 * Run `fn` when `signal` aborts; returns what forgets it. A wait ends in a millisecond or
 * so: adding and removing a listener on the signal (an EventTarget) for each cost more
 * than the wait's own work, so all of a signal's share the one listener added first.
 */
export function onAbort(signal: AbortSignal | undefined, fn: () => void): () => void {
  if (!signal) return nothing;
  if (signal instanceof LightSignal) return signal.listen(fn);
  let fns = aborts.get(signal);
  if (!fns) {
    const all = new Set<() => void>();
    fns = all;
    aborts.set(signal, all);
    signal.addEventListener('abort', () => {
      for (const f of [...all]) f();
      all.clear();
    }, { once: true });
  }
  const mine = fns;
  mine.add(fn);
  return () => void mine.delete(fn);
}

/** A set of listeners to wake when something changes. */
export class Changes {
  #listeners = new Set<() => void>();

  /** Wake every waiter. */
  notify(): void {
    if (this.#listeners.size === 0) return;
    for (const l of [...this.#listeners]) l();
  }

  /**
   * Run `check` now and after every change until it returns a value, or until
   * `timeoutMs` passes or `signal` aborts.
   */
  wait<T>(check: () => T | undefined, timeoutMs: number, signal?: AbortSignal): Promise<WaitOutcome<T>> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve({ done: false, reason: 'aborted' });
      const first = check();
      if (first !== undefined) return resolve({ done: true, value: first });
      const finish = (o: WaitOutcome<T>) => {
        this.#listeners.delete(listener);
        clearTimeout(timer);
        forget();
        resolve(o);
      };
      const listener = () => {
        const v = check();
        if (v !== undefined) finish({ done: true, value: v });
      };
      this.#listeners.add(listener);
      const timer = setTimeout(() => finish({ done: false, reason: 'timeout' }), timeoutMs);
      const forget = onAbort(signal, () => finish({ done: false, reason: 'aborted' }));
    });
  }
}

/** Resolve after `ms` unless `signal` aborts first (a scripted pause, never a settle-sleep). */
export function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const timer = setTimeout(() => {
      forget();
      resolve(true);
    }, ms);
    const forget = onAbort(signal, () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}
