import { once, EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Changes, LightAbortController, onAbort, pause } from './waiter.js';

describe('a light abort controller', () => {
  it('runs each listener once on abort, in order, and not those removed or added after', () => {
    const c = new LightAbortController();
    const calls: string[] = [];
    const a = () => calls.push('a');
    const b = () => calls.push('b');
    c.signal.addEventListener('abort', a);
    c.signal.addEventListener('abort', a);
    c.signal.addEventListener('abort', b);
    const forget = onAbort(c.signal, () => calls.push('shared'));
    onAbort(c.signal, () => calls.push('kept'));
    c.signal.removeEventListener('abort', b);
    forget();
    expect(c.signal.aborted).toBe(false);
    c.abort();
    c.abort();
    c.signal.addEventListener('abort', () => calls.push('late'));
    expect(calls).toEqual(['a', 'kept']);
    expect(c.signal.aborted).toBe(true);
    expect(() => c.signal.throwIfAborted()).toThrow(/aborted/);
  });

  it('ends the harness\'s own waits', async () => {
    const c = new LightAbortController();
    const waiting = new Changes().wait(() => undefined, 10_000, c.signal);
    const pausing = pause(10_000, c.signal);
    c.abort();
    expect(await waiting).toEqual({ done: false, reason: 'aborted' });
    expect(await pausing).toBe(false);
  });

  it('passes for an AbortSignal with Node\'s own APIs', async () => {
    const c = new LightAbortController();
    const slept = sleep(10_000, undefined, { signal: c.signal });
    const awaited = once(new EventEmitter(), 'never', { signal: c.signal });
    c.abort();
    await expect(slept).rejects.toMatchObject({ name: 'AbortError' });
    await expect(awaited).rejects.toMatchObject({ name: 'AbortError' });
  });
});
