import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { ProgramConsole } from './console.js';
import { launch, launchAsync, listGroups, type Launched, type LaunchOptions } from './launch.js';
import { parseStat } from './socket-owner.js';
import { setSpawnerAnswerMs, spawnerPid } from './spawner.js';
import { isGone, printedPid, waitGone } from './test-probes.js';
import { expectNoLeaks } from '../../test/no-leaks.js';

const NODE = process.execPath;
const started: Launched[] = [];

expectNoLeaks(started);

/** The parent of process `pid`, from /proc; undefined once it is gone (a program that ended at once). */
function parentOf(pid: number): number | undefined {
  try {
    return parseStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8'))?.ppid;
  } catch {
    return undefined;
  }
}

// Every test runs twice: the harness starting the program itself (`launch`), and the spawner starting it (`launchAsync`).
describe.each([
  { how: 'launch', by: async (o: LaunchOptions) => launch(o) },
  { how: 'launchAsync (the spawner)', by: launchAsync },
])('$how', ({ how, by }) => {
  async function start(options: LaunchOptions): Promise<{ l: Launched; con: ProgramConsole }> {
    const l = await by(options);
    started.push(l);
    // The program is the spawner's child, or ours.
    const parent = l.pid > 0 ? parentOf(l.pid) : undefined;
    if (parent !== undefined) expect(parent).toBe(how === 'launch' ? process.pid : spawnerPid());
    return { l, con: new ProgramConsole(l) };
  }

  it('reports the exit status and keeps stderr', async () => {
    const { l } = await start({ argv: [NODE, '-e', "process.stderr.write('bad thing happened'); process.exit(3)"] });
    expect(l.pid).toBeGreaterThan(1);
    const exit = await l.exited;
    expect(exit).toMatchObject({ code: 3, signal: null });
    expect(exit.error).toBeUndefined();
    expect(exit.durationMs).toBeGreaterThan(0);
    expect(l.stderr.tail(100)).toBe('bad thing happened');
  });

  it('turns a missing program into an exit value, never a throw', async () => {
    const missing = (await start({ argv: ['/nonexistent/dir/server', '1'] })).l;
    expect(await missing.exited).toMatchObject({ code: null, signal: null, error: expect.stringMatching(/"\/nonexistent\/dir\/server": no such file \(ENOENT\)/) });
    expect(missing.pid).toBe(0);
    expect(missing.write('x')).toBe(false);
    missing.closeStdin();
    expect(await missing.stop()).toEqual(await missing.exited);

    const unknown = (await start({ argv: ['sockspec-no-such-command-xyz'] })).l;
    expect((await unknown.exited).error).toMatch(/not found on PATH \(ENOENT\)/);
    const badCwd = (await start({ argv: [NODE, '-e', '0'], cwd: '/nonexistent/cwd' })).l;
    expect((await badCwd.exited).error).toMatch(/working directory "\/nonexistent\/cwd" does not exist/);
    const empty = (await start({ argv: [] })).l;
    expect((await empty.exited).error).toMatch(/command is empty/);
  });

  it('passes exactly the given environment and working directory, without a shell', async () => {
    const script = "console.log(JSON.stringify([process.env.A, process.env.B ?? null, process.cwd(), process.argv[1]]))";
    const { l } = await start({ argv: [NODE, '-e', script, '$HOME *'], env: { A: 'a b', B: undefined, PATH: process.env.PATH }, cwd: '/tmp' });
    expect((await l.exited).code).toBe(0);
    expect(JSON.parse(l.stdout.text())).toEqual(['a b', null, '/tmp', '$HOME *']);
  });

  it('stop takes down the whole group: the leader and its child', async () => {
    const { l, con } = await start({ argv: ['sh', '-c', 'sleep 100 & echo "pid $!"; exec sleep 100'] });
    const grandchild = await printedPid(con);
    expect(isGone(grandchild)).toBe(false);
    const exit = await l.stop();
    expect(exit.signal).toBe('SIGTERM');
    expect(isGone(l.pid)).toBe(true);
    expect(await waitGone(grandchild)).toBe(true);
  });

  it('kills with SIGKILL a leader that ignores SIGTERM, after the grace', async () => {
    const { l, con } = await start({ argv: [NODE, '-e', "process.on('SIGTERM', () => console.log('ignored')); console.log('pid ' + process.pid); setInterval(() => {}, 1000)"] });
    await printedPid(con);
    const t0 = Date.now();
    const exit = await l.stop(300);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(exit.signal).toBe('SIGKILL');
    expect(exit.problems).toEqual([{ code: 'ignored-sigterm', message: expect.stringContaining(`(pid ${l.pid}) did not exit within 300 ms of SIGTERM: killed with SIGKILL`) }]);
    expect(isGone(l.pid)).toBe(true);
    expect(l.stdout.text()).toContain('ignored');
  });

  it('kills a child that ignores SIGTERM even when the leader obeyed it', async () => {
    const child = "process.on('SIGTERM', () => {}); console.log('pid ' + process.pid); setInterval(() => {}, 1000)";
    const leader = `require('child_process').spawn(process.execPath, ['-e', ${JSON.stringify(child)}], { stdio: 'inherit' }); setInterval(() => {}, 1000)`;
    const { l, con } = await start({ argv: [NODE, '-e', leader] });
    const grandchild = await printedPid(con);
    const exit = await l.stop(1000);
    expect(exit.signal).toBe('SIGTERM');
    expect(exit.problems).toEqual([{ code: 'ignored-sigterm', message: expect.stringMatching(new RegExp(`^a process of the group of .* did not exit within 1000 ms of SIGTERM: killed with SIGKILL: pid ${grandchild} \\(`)) }]);
    expect(await waitGone(grandchild)).toBe(true);
  });

  it('resolves exited when the leader ends, even if a child keeps its output open; stop then kills the child', async () => {
    const { l, con } = await start({ argv: ['sh', '-c', 'sleep 100 & echo "pid $!"'] });
    const grandchild = await printedPid(con);
    expect(await l.exited).toMatchObject({ code: 0, signal: null });
    expect(isGone(grandchild)).toBe(false);
    expect(listGroups().map((g) => g.pgid)).toEqual([l.pid]);
    await l.stop();
    expect(await waitGone(grandchild)).toBe(true);
  });

  it('stop is idempotent and works after the program ended', async () => {
    const { l } = await start({ argv: [NODE, '-e', 'process.exit(5)'] });
    const exit = await l.exited;
    const a = l.stop();
    expect(l.stop()).toBe(a);
    expect(await a).toEqual(exit);
  });

  it('writes to stdin and closes it; writing after the exit or a broken pipe never throws', async () => {
    const { l, con } = await start({ argv: ['cat'] });
    expect(l.write('hello\n')).toBe(true);
    expect((await con.waitFor('hello\n', { timeoutMs: 20_000 })).ok).toBe(true);
    l.closeStdin();
    l.closeStdin();
    expect((await l.exited).code).toBe(0);
    expect(l.write('late')).toBe(false);

    const closer = await start({ argv: ['python3', '-c', "import os, time; os.close(0); print('closed', flush=True); time.sleep(100)"] });
    expect((await closer.con.waitFor('closed', { timeoutMs: 20_000 })).ok).toBe(true);
    const big = Buffer.alloc(256 * 1024, 0x61);
    for (let i = 0; i < 8; i++) closer.l.write(big); // EPIPE arrives as an event, and is absorbed
    await closer.l.stop();
    expect(closer.l.write(big)).toBe(false);
  });

  it('keeps a bounded record of a program flooding stdout', async () => {
    const total = 320 * 65536; // 20 MiB
    const flood = "const b = Buffer.alloc(65536, 120); let n = 0; (function w() { while (n < 320) { n++; if (!process.stdout.write(b)) return process.stdout.once('drain', w); } })()";
    const limit = 64 * 1024;
    const { l } = await start({ argv: [NODE, '-e', flood], captureLimit: limit });
    let seen = 0;
    const off = l.onStdout((chunk) => (seen += chunk.length));
    expect((await l.exited).code).toBe(0);
    off();
    expect(seen).toBe(total);
    expect(l.stdout.size).toBe(limit);
    expect(l.stdout.truncated).toBe(total - limit);
    expect(l.stdout.text().length).toBeLessThan(limit + 100);
  });
});

describe('the spawner', () => {
  it('starts the programs of launchAsync, and is a process of its own group, without our mark', async () => {
    const l = await launchAsync({ argv: ['sh', '-c', 'echo "pid $$"; exec sleep 100'] });
    started.push(l);
    await printedPid(new ProgramConsole(l));
    const helper = spawnerPid()!;
    expect(helper).toBeGreaterThan(1);
    expect(parentOf(l.pid)).toBe(helper);
    expect(parentOf(helper)).toBe(process.pid);
    expect(parseStat(helper, readFileSync(`/proc/${helper}/stat`, 'utf8'))?.pgrp).toBe(helper); // its own process group: a Ctrl-C to ours does not reach it
    expect(readFileSync(`/proc/${helper}/environ`, 'latin1')).not.toContain('SOCKSPEC_OWNER=');
    await l.stop();
    expect(isGone(l.pid)).toBe(true);
  });

  it('dies: what it started is reported as ended, stopped as usual, and the next program gets a new spawner', async () => {
    const first = await launchAsync({ argv: ['sh', '-c', 'echo "pid $$"; exec sleep 100'] });
    started.push(first);
    await printedPid(new ProgramConsole(first));
    const helper = spawnerPid()!;
    process.kill(helper, 'SIGKILL');
    expect(await first.exited).toMatchObject({ code: null, signal: null });
    expect(isGone(first.pid)).toBe(false); // its exit was not seen: the program itself still runs, until stopped
    await first.stop();
    expect(await waitGone(first.pid)).toBe(true);
    const second = await launchAsync({ argv: ['sh', '-c', 'echo "pid $$"; exec sleep 100'] });
    started.push(second);
    await printedPid(new ProgramConsole(second));
    const next = spawnerPid();
    expect(next).toBeGreaterThan(1);
    expect(next).not.toBe(helper);
    expect(parentOf(second.pid)).toBe(next);
    await second.stop();
    expect(await waitGone(helper)).toBe(true);
  });

  it('that does not answer is given up on: the program is started by the harness itself', async () => {
    const warm = await launchAsync({ argv: ['true'] });
    started.push(warm);
    await warm.exited;
    const helper = spawnerPid()!;
    process.kill(helper, 'SIGSTOP');
    const before = setSpawnerAnswerMs(300);
    try {
      const t0 = performance.now();
      const l = await launchAsync({ argv: ['sh', '-c', 'echo "pid $$"; exec sleep 100'] });
      started.push(l);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(250);
      await printedPid(new ProgramConsole(l));
      expect(parentOf(l.pid)).toBe(process.pid);
      expect(await waitGone(helper)).toBe(true); // SIGKILL reaches a stopped process
      await l.stop();
    } finally {
      setSpawnerAnswerMs(before);
    }
  });

  it('keeps no process alive while idle, and goes when the process that started it ends', async () => {
    const { spawnSync } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const launchJs = fileURLToPath(new URL('../../dist/harness/process/launch.js', import.meta.url));
    const spawnerJs = fileURLToPath(new URL('../../dist/harness/process/spawner.js', import.meta.url));
    // Ends by itself once its program has: neither the spawner nor its channel holds it.
    const script = `const { launchAsync } = await import(${JSON.stringify(launchJs)}); const { spawnerPid } = await import(${JSON.stringify(spawnerJs)});
      const l = await launchAsync({ argv: [process.execPath, '-e', 'console.log(41 + 1)'] }); const e = await l.exited;
      console.log(JSON.stringify({ helper: spawnerPid(), code: e.code, out: l.stdout.text() }));`;
    const r = spawnSync(NODE, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(0);
    const said = JSON.parse(r.stdout) as { helper: number; code: number; out: string };
    expect(said).toMatchObject({ code: 0, out: '42\n' });
    expect(await waitGone(said.helper)).toBe(true);
  });
});
