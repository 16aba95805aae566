import { describe, expect, it } from 'vitest';
import type { Scenario } from '../scenario/model.js';
import type { Target } from './program.js';
import { PlanOrder, type PlanItem } from './run-plan.js';

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
});
