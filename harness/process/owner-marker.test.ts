import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { pidPoint, pidsSince, type PidPoint } from './owner-marker.js';

const at = (last: number, forks: number, tasks = 200): PidPoint => ({ last, forks, tasks });

describe('the pids a program started since a point can have', () => {
  it('are those handed out after it, up to the last one now', () => {
    const younger = pidsSince(at(1000, 5000), at(1200, 5150), 32768)!;
    expect([1001, 1100, 1200].map(younger)).toEqual([true, true, true]);
    expect([1000, 999, 1201, 400, 32000].map(younger)).toEqual([false, false, false, false, false]);
  });

  it('go round from the highest pid back to the lowest', () => {
    const younger = pidsSince(at(32700, 5000), at(420, 5100), 32768)!;
    expect([32701, 32767, 301, 420].map(younger)).toEqual([true, true, true, true]);
    expect([32700, 421, 20000].map(younger)).toEqual([false, false, false]);
  });

  it('are any pid once allocation may have gone all the way round', () => {
    expect(pidsSince(at(1000, 5000), at(1200, 5000 + 32768), 32768)).toBeUndefined();
    expect(pidsSince(at(1000, 5000, 20_000), at(1200, 5010, 20_000), 32768)).toBeUndefined();
    expect(pidsSince(at(1000, 5000), at(1200, 5150), 0)).toBeUndefined();
  });

  it.runIf(process.platform === 'linux')('include a process started after the point, read from this machine', async () => {
    const since = pidPoint()!;
    expect(since).toBeDefined();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10_000)'], { stdio: 'ignore' });
    try {
      const now = pidPoint()!;
      const younger = pidsSince(since, now, 4_194_304)!;
      expect(younger(child.pid!)).toBe(true);
      // This process is older (unless allocation went round meanwhile and reached its pid again).
      if (since.last <= now.last) expect(younger(process.pid)).toBe(false);
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
