import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readProcText, readProcView } from './proc-read.js';

describe('reading a small file of /proc into the shared buffer', () => {
  it.runIf(process.platform === 'linux')('gives what readFileSync gives, for /proc files of the kernel', () => {
    for (const path of ['/proc/self/stat', '/proc/self/environ', '/proc/loadavg']) {
      // What changes between two reads (times, counters) is cut out: the leading fields stay.
      const a = readProcText(path);
      const b = readFileSync(path, 'latin1');
      expect(a.slice(0, 8)).toBe(b.slice(0, 8));
      expect(a.length).toBeGreaterThan(0);
    }
    expect(readProcView('/proc/self/environ').equals(readFileSync('/proc/self/environ'))).toBe(true);
  });

  it('reads a file larger than its buffer whole, and a view is overwritten by the next read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sockspec-proc-read-'));
    try {
      const big = Buffer.alloc(200 * 1024).map((_, i) => i % 251);
      writeFileSync(join(dir, 'big'), big);
      writeFileSync(join(dir, 'small'), 'abc');
      expect(readProcView(join(dir, 'big')).equals(big)).toBe(true);
      const view = readProcView(join(dir, 'small'));
      expect(view.toString()).toBe('abc');
      writeFileSync(join(dir, 'other'), 'xyz');
      readProcView(join(dir, 'other'));
      expect(view.toString()).toBe('xyz');
      expect(() => readProcView(join(dir, 'missing'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
