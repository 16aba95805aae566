/**
 * `cpu:` judges what the program does, not the share of a busy machine it gets: a
 * server that spins at the lowest priority (nice 19) while two busy loops hold both
 * cores gets about 1 % of a core, yet it never sleeps, and is caught; the same server
 * sleeping instead passes. Deterministic whatever the machine's load, where a check of
 * CPU share would pass the spinner.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateScenario } from '../harness/scenario/validate.js';
import { explain, runAgainst } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sockspec-cpu-share-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A server that, once a client connects, lowers its priority to nice 19 (and its session's, under autogroup) and then runs `then`. */
function nicedServer(name: string, then: string): string {
  const file = join(dir, `${name}.py`);
  writeFileSync(
    file,
    [
      'import os, socket, time',
      's = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
      "s.bind(('127.0.0.1', int(os.environ['PORT']))); s.listen(5)",
      'c, _ = s.accept()',
      'os.nice(19)',
      // With autogroup scheduling, nice only ranks a process within its session: lower the session's weight too.
      'try:\n    open("/proc/self/autogroup", "w").write("19")\nexcept OSError:\n    pass',
      then,
    ].join('\n'),
  );
  return `python3 ${file}`;
}

/** A CPU-bound loop at normal priority that ends by itself after 60 s. */
function busyLoop(): { child: ChildProcess; gone: Promise<void> } {
  const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 60000; while (Date.now() < end);'], { stdio: 'ignore' });
  return { child, gone: new Promise((resolve) => child.once('exit', () => resolve())) };
}

describe('cpu while both cores are busy', () => {
  it('catches a server spinning at nice 19, and passes the same server sleeping', { timeout: 120_000 }, async () => {
    const r = validateScenario('inline.yaml', { covers: ['ECHO-9'], steps: [{ connect: 'c' }, { cpu: { below: 25, for: 600 } }] }, () => ({ line: 1, col: 1 }));
    const scenario = r.scenario!;
    const loops = [busyLoop(), busyLoop()];
    try {
      const [spins, sleeps] = await Promise.all([
        runAgainst([scenario], nicedServer('spins', 'while True:\n    pass')),
        runAgainst([scenario], nicedServer('sleeps', 'time.sleep(100)')),
      ]);
      expect(spins.scenarios[0]!.requirements, explain(spins)).toEqual({ 'ECHO-9': 'non-strict' });
      expect(spins.scenarios[0]!.failure?.message).toMatch(/allowed below 25%/);
      expect(explain(sleeps)).toBe('');
    } finally {
      for (const l of loops) l.child.kill('SIGKILL');
      await Promise.all(loops.map((l) => l.gone));
    }
  });
});
