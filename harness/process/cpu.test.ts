import { describe, it, expect } from 'vitest';
import { ProgramConsole } from './console.js';
import { groupCpuMs, parseStat } from './cpu.js';
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
