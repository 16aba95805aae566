import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProgramConsole } from './console.js';
import { killAllNow, launch, listGroups, type Launched, type LaunchOptions } from './launch.js';
import { countHandles, handlesAddedSince, isGone, printedPid, waitGone } from './test-probes.js';

const NODE = process.execPath;
const started: Launched[] = [];
/** Groups started by a child runner, unknown to our registry. */
const strays: number[] = [];
let handlesBefore: Record<string, number>;

function start(options: LaunchOptions): { l: Launched; con: ProgramConsole } {
  const l = launch(options);
  started.push(l);
  return { l, con: new ProgramConsole(l) };
}

beforeEach(async () => {
  handlesBefore = await countHandles();
});

afterEach(async () => {
  await Promise.all(started.splice(0).map((l) => l.stop(500)));
  for (const pgid of strays.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  expect(listGroups()).toEqual([]);
  expect(await handlesAddedSince(handlesBefore)).toEqual({});
});

describe('process group registry', () => {
  it('killAllNow kills every registered group at once', async () => {
    const a = start({ argv: ['sh', '-c', 'sleep 100 & echo "pid $!"; exec sleep 100'] });
    const b = start({ argv: ['sleep', '100'] });
    const grandchild = await printedPid(a.con);
    expect(listGroups().map((g) => g.pgid).sort()).toEqual([a.l.pid, b.l.pid].sort());
    expect(killAllNow()).toBe(2);
    expect(listGroups()).toEqual([]);
    expect((await a.l.exited).signal).toBe('SIGKILL');
    expect((await b.l.exited).signal).toBe('SIGKILL');
    expect(await waitGone(grandchild)).toBe(true);
  });

  describe('installCleanup', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'sockspec-cleanup-'));
    });
    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    /** Run a script that installs the cleanup, launches `sleep` and prints its pid. */
    async function runner(mode: string) {
      const launchTs = fileURLToPath(new URL('./launch.ts', import.meta.url));
      const script = join(dir, 'runner.mts');
      writeFileSync(
        script,
        [
          `import { installCleanup, launch } from ${JSON.stringify(launchTs)};`,
          'installCleanup();',
          "if (process.argv[2] === 'own') process.on('SIGTERM', () => console.log('own handler'));",
          "const l = launch({ argv: ['sleep', '100'] });",
          "console.log('pid ' + l.pid);",
          "if (process.argv[2] === 'exit') process.exit(7);",
          'setInterval(() => {}, 1000);',
        ].join('\n'),
      );
      const run = start({ argv: [NODE, '--import', 'tsx', script, mode], cwd: fileURLToPath(new URL('../..', import.meta.url)) });
      const sleeper = await printedPid(run.con);
      strays.push(sleeper);
      return { ...run, sleeper };
    }

    it.each([
      ['SIGTERM', 143],
      ['SIGINT', 130],
      ['SIGHUP', 129],
    ] as const)('on %s kills the groups and exits %i', async (signal, status) => {
      const { l, sleeper } = await runner('signal');
      process.kill(l.pid, signal);
      expect(await l.exited).toMatchObject({ code: status, signal: null });
      expect(await waitGone(sleeper)).toBe(true);
    });

    it('kills the groups when the process exits', async () => {
      const { l, sleeper } = await runner('exit');
      expect((await l.exited).code).toBe(7);
      expect(await waitGone(sleeper)).toBe(true);
    });

    it('leaves a signal to the program when it listens for it itself', async () => {
      const { l, con, sleeper } = await runner('own');
      process.kill(l.pid, 'SIGTERM');
      expect((await con.waitFor('own handler', { timeoutMs: 20_000 })).ok).toBe(true);
      expect(isGone(sleeper)).toBe(false);
      expect(isGone(l.pid)).toBe(false);
    });
  });
});
