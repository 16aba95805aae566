import { describe, it, expect } from 'vitest';
import { ProgramConsole } from './console.js';
import { groupCpuMs, groupRunnableNs, measureGroupBusy, parseSchedstat, parseStat } from './cpu.js';
import { pause } from '../net/waiter.js';
import { launch, type Launched } from './launch.js';
import { expectNoLeaks } from '../../test/no-leaks.js';

const NODE = process.execPath;
const started: Launched[] = [];

expectNoLeaks(started);

describe('groupCpuMs', () => {
  it('counts the CPU of every process in the group, children included', async () => {
    // Leader and child each burn 300 ms of CPU, then say so and idle.
    const burn = "const t = process.cpuUsage(); while ((process.cpuUsage(t).user + process.cpuUsage(t).system) < 300000); console.log('burned'); setInterval(() => {}, 1000)";
    const leader = `require('child_process').spawn(process.execPath, ['-e', ${JSON.stringify(burn)}], { stdio: 'inherit' }); ${burn}`;
    const l = launch({ argv: [NODE, '-e', leader] });
    started.push(l);
    const con = new ProgramConsole(l);
    const first = await con.waitFor('burned', { timeoutMs: 60_000 });
    expect((await con.waitFor('burned', { from: first.ok ? first.end : 0, timeoutMs: 60_000 })).ok).toBe(true);
    const used = await groupCpuMs(l.pid);
    expect(used).toBeGreaterThanOrEqual(500); // 600 ms burned, less clock-tick rounding
    expect(used).toBeLessThan(60_000);
  });

  it('is near zero for an idle group, and NaN without /proc or for no group', async () => {
    const l = launch({ argv: ['sleep', '100'] });
    started.push(l);
    expect(await groupCpuMs(l.pid)).toBeLessThan(200);
    expect(await groupCpuMs(l.pid, '/nonexistent/proc')).toBeNaN();
    expect(await groupCpuMs(0)).toBeNaN();
  });
});

describe('parseStat', () => {
  it('reads fields after the command name, even one with spaces and parentheses', () => {
    const stat = '4242 (my (odd) server) S 1 4240 4240 0 -1 4194560 100 0 0 0 25 7 3 1 20 0 1 0 1000 0 0';
    expect(parseStat(stat)).toEqual({ pgrp: 4240, ticks: 25 + 7 + 3 + 1 });
    expect(parseStat('garbage')).toBeUndefined();
  });
});

describe('measureGroupBusy', () => {
  /** A CPU-bound loop that ends by itself after `ms` (and is stopped by the leak check anyway). */
  const busyLoop = (ms: number) => launch({ argv: [NODE, '-e', `const end = Date.now() + ${ms}; while (Date.now() < end);`] });

  it('tells a spinning program from an idle one while two busy loops load both cores', { timeout: 60_000 }, async () => {
    started.push(busyLoop(20_000), busyLoop(20_000));
    // Spins in a thread, as the ECHO-9 fixture does once its stdin ends; the main thread sleeps.
    const spinner = launch({ argv: ['python3', '-c', 'import threading, time\ndef spin():\n    while True: pass\nthreading.Thread(target=spin, daemon=True).start()\nprint("spinning", flush=True)\ntime.sleep(100)'] });
    const idle = launch({ argv: ['python3', '-c', 'import time\nprint("idle", flush=True)\ntime.sleep(100)'] });
    started.push(spinner, idle);
    const consoles = [new ProgramConsole(spinner), new ProgramConsole(idle)];
    expect((await consoles[0]!.waitFor('spinning', { timeoutMs: 30_000 })).ok).toBe(true);
    expect((await consoles[1]!.waitFor('idle', { timeoutMs: 30_000 })).ok).toBe(true);
    const [spin, rest, cpuShare] = await Promise.all([
      measureGroupBusy(spinner.pid, 600, (ms) => pause(ms)),
      measureGroupBusy(idle.pid, 600, (ms) => pause(ms)),
      // What the step measured before: the spinner's share of a core, which the load cuts.
      (async () => {
        const before = await groupCpuMs(spinner.pid);
        await pause(600);
        return ((await groupCpuMs(spinner.pid)) - before) / 600 * 100;
      })(),
    ]);
    expect(spin).toMatchObject({ ok: true, measure: 'runnable' });
    expect(rest).toMatchObject({ ok: true, measure: 'runnable' });
    // Runnable nearly all the window whatever share of a core it got (CPU share here: cpuShare).
    expect(spin.ok && spin.percent, `runnable ${spin.ok && spin.percent}%, CPU share ${cpuShare}%`).toBeGreaterThan(80);
    expect(rest.ok && rest.percent).toBeLessThan(25);
  });

  it('is aborted with the wait, and not measurable without /proc', async () => {
    expect(await measureGroupBusy(process.pid, 100, async () => false)).toEqual({ ok: false, code: 'aborted' });
    expect(await measureGroupBusy(process.pid, 1, (ms) => pause(ms), '/nonexistent/proc')).toEqual({ ok: false, code: 'not-measurable' });
    expect(await groupRunnableNs(0)).toBeNaN();
  });
});

describe('parseSchedstat', () => {
  it('adds the time on a CPU and the time waiting for one', () => {
    expect(parseSchedstat('378656297 268899416 94\n')).toBe(378656297 + 268899416);
    expect(parseSchedstat('garbage')).toBeUndefined();
    expect(parseSchedstat(undefined)).toBeUndefined();
  });
});
