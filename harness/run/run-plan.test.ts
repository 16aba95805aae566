import { describe, expect, it } from 'vitest';
import type { Scenario } from '../scenario/model.js';
import type { Target } from './program.js';
import { LANE_PATIENCE_MS, PlanOrder, type PlanItem } from './run-plan.js';

const target = (fixedPort?: number): Target => ({ name: 't', command: 'x {port}', cwd: '.', readyTimeoutMs: 1000, ...(fixedPort !== undefined ? { fixedPort } : {}) });
const item = (id: string, port?: { fixed?: number; default?: number }): PlanItem => ({
  id,
  target: target(port?.fixed),
  scenario: { file: id, ...(port?.default !== undefined ? { defaultPort: port.default } : {}) } as Scenario,
});

describe('PlanOrder', () => {
  it("starts the plan in order, passing over a scenario whose fixed port is in use while another can start", () => {
    const order = new PlanOrder([item('a1', { fixed: 7 }), item('a2', { fixed: 7 }), item('b1', { default: 9 }), item('free'), item('b2', { default: 9 })]);
    expect(order.take()).toBe(0); // a1 holds 7
    expect(order.take()).toBe(2); // a2 waits for 7: b1 (9) goes first
    expect(order.take()).toBe(3); // nothing of its own to wait for
    // Only scenarios on busy ports are left: the first of them starts (and waits for its port).
    expect(order.take()).toBe(1);
    order.done(2);
    expect(order.take()).toBe(4);
    expect(order.take()).toBeUndefined();
  });

  it('gives a port back only when every scenario on it has ended', () => {
    const order = new PlanOrder([item('a1', { fixed: 7 }), item('b1', { fixed: 8 }), item('a2', { fixed: 7 }), item('a3', { fixed: 7 }), item('b2', { fixed: 8 })]);
    expect([order.take(), order.take()]).toEqual([0, 1]);
    expect(order.take()).toBe(2); // all left wait for a port: a2 shares 7 with a1
    order.done(1);
    order.done(0);
    // a2 still runs on 7, 8 is free: b2 goes before a3.
    expect(order.take()).toBe(4);
    expect(order.take()).toBe(3);
    expect(order.take()).toBeUndefined();
  });

  describe('scenarios a running program may serve one after another (process: reuse)', () => {
    const py = target();
    const ts: Target = { ...target(), name: 'ts', command: 'y {port}' };
    const reuse = (id: string, t: Target = py, more: Partial<Scenario> = {}): PlanItem => ({
      id,
      target: t,
      scenario: { file: id, role: 'server', process: 'reuse', transport: 'tcp', ...more } as Scenario,
    });
    const fresh = (id: string): PlanItem => ({ id, target: py, scenario: { file: id, role: 'server', process: 'fresh', transport: 'tcp' } as Scenario });

    it('waits for the one running while another can start, and goes first once a program is idle for it', () => {
      const idle = new Set<number>();
      const order = new PlanOrder([reuse('r1'), reuse('r2'), fresh('f1'), reuse('t1', ts), fresh('f2'), reuse('r3')], { now: () => 0, idle: (i) => idle.has(i) });
      expect(order.take()).toBe(0);
      // r2 waits for the program r1 runs on; t1 is another implementation's.
      expect(order.take()).toBe(2);
      expect(order.take()).toBe(3);
      // A program of the implementation is idle (left by an earlier scenario) while r1 still runs: r2 goes at once.
      idle.add(1);
      expect(order.take()).toBe(1);
      // r3 waits for r1 and r2, just started; then nothing else is left.
      expect(order.take()).toBe(4);
      expect(order.take()).toBe(5);
      expect(order.take()).toBeUndefined();
    });

    it('does not wait for a long one, nor once nothing else is left to start', () => {
      let now = 0;
      const order = new PlanOrder([reuse('long'), reuse('a'), fresh('f1'), fresh('f2'), reuse('b')], { now: () => now });
      expect(order.take()).toBe(0);
      expect(order.take()).toBe(2); // a waits for long, which has only just started
      now = LANE_PATIENCE_MS;
      // long has run LANE_PATIENCE_MS: a long one, not waited for any more.
      expect(order.take()).toBe(1);
      // b waits for a, just started…
      expect(order.take()).toBe(3);
      // …until nothing else is left: then it starts beside it rather than leave a worker idle.
      expect(order.take()).toBe(4);
      expect(order.take()).toBeUndefined();
    });

    it('keeps apart what a program cannot be lent to: another transport or environment, a fixed port, a fresh program', () => {
      const order = new PlanOrder([
        reuse('tcp'),
        reuse('udp', py, { transport: 'udp' }),
        reuse('tz', py, { env: { TZ: 'UTC' } }),
        reuse('fixed', target(7)),
        fresh('fresh'),
        reuse('tcp again'),
      ], { now: () => 0 });
      expect([order.take(), order.take(), order.take(), order.take(), order.take()]).toEqual([0, 1, 2, 3, 4]);
      expect(order.take()).toBe(5);
    });
  });
});
