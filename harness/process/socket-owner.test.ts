import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectNoLeaks } from '../../test/no-leaks.js';
import { freePort } from './free-port.js';
import { launch, type Launched } from './launch.js';
import { listeningSockets, waitUntilListening } from './readiness.js';
import { groupAlive, leaderAlive, parseStat, programHolds, programProcesses, programSockets, waitReleased, type ProcInfo } from './socket-owner.js';
import { ProgramConsole } from './console.js';
import { isGone, printedPid } from './test-probes.js';

describe('parseStat', () => {
  it('reads state, parent and group past a command name with spaces and parentheses', () => {
    expect(parseStat(42, '42 (a) b (c)) S 7 42 42 0 -1 4194560')).toEqual({ pid: 42, state: 'S', ppid: 7, pgrp: 42, comm: 'a) b (c)' });
    expect(parseStat(1, 'garbage')).toBeUndefined();
  });
});

describe('programProcesses', () => {
  const p = (pid: number, ppid: number, pgrp: number, state = 'S'): ProcInfo => ({ pid, ppid, pgrp, state, comm: `p${pid}` });

  it('is the live group, with the live descendants of its leader when asked, leader first', () => {
    const table = [
      p(1, 0, 1),
      p(200, 100, 100), // group member
      p(100, 1, 100), // the leader
      p(300, 100, 300), // child in a session of its own (a pseudo-terminal's program)
      p(301, 300, 300), // its child
      p(400, 100, 100, 'Z'), // zombie member: holds nothing
      p(500, 1, 500), // someone else
      p(501, 500, 100), // someone else's child that joined the group
    ];
    expect(programProcesses(table, 100).map((x) => x.pid)).toEqual([100, 200, 501]);
    expect(programProcesses(table, 100, true).map((x) => x.pid)).toEqual([100, 200, 300, 301, 501]);
  });

  it('is only the group once the leader is gone, and nothing once the group is', () => {
    expect(programProcesses([p(200, 1, 100), p(300, 1, 300)], 100, true).map((x) => x.pid)).toEqual([200]);
    expect(programProcesses([p(200, 1, 100, 'Z'), p(300, 1, 300)], 100)).toEqual([]);
  });
});

describe('programHolds on a made-up /proc', () => {
  let proc: string;
  beforeEach(() => {
    proc = mkdtempSync(join(tmpdir(), 'sockspec-proc-'));
  });
  afterEach(() => rmSync(proc, { recursive: true, force: true }));

  /** A process with these open sockets (`fds: undefined`: its fd folder cannot be read). */
  function fake(pid: number, ppid: number, pgrp: number, state: string, fds?: string[]) {
    mkdirSync(join(proc, String(pid)));
    writeFileSync(join(proc, String(pid), 'stat'), `${pid} (prog ${pid}) ${state} ${ppid} ${pgrp} ${pgrp} 0 -1 0`);
    if (fds === undefined) {
      writeFileSync(join(proc, String(pid), 'fd'), 'not a folder');
      return;
    }
    mkdirSync(join(proc, String(pid), 'fd'));
    fds.forEach((inode, i) => symlinkSync(`socket:[${inode}]`, join(proc, String(pid), 'fd', String(i + 3))));
  }

  it('yes when the leader or a member holds the socket', async () => {
    fake(100, 1, 100, 'S', ['11']);
    fake(200, 100, 100, 'S', ['22']);
    expect(await programHolds(100, ['11'], proc)).toEqual({ held: 'yes', pid: 100 });
    expect(await programHolds(100, ['22'], proc)).toEqual({ held: 'yes', pid: 200 });
    expect(await leaderAlive(100, proc)).toBe(true);
  });

  it('no when every process of the program was read and none holds it', async () => {
    fake(100, 1, 100, 'S', ['11']);
    fake(500, 1, 500, 'S', ['99']);
    expect(await programHolds(100, ['99'], proc)).toEqual({ held: 'no', why: 'not-held' });
  });

  it('no, never "cannot tell", when the group is gone or left only zombies', async () => {
    fake(500, 1, 500, 'S', ['99']);
    expect(await programHolds(100, ['99'], proc)).toEqual({ held: 'no', why: 'group-gone' });
    fake(100, 1, 100, 'Z', []);
    expect(await programHolds(100, ['99'], proc)).toEqual({ held: 'no', why: 'group-gone' });
    expect(await leaderAlive(100, proc)).toBe(false);
  });

  it('cannot tell when a process of the program cannot be looked into, or the socket has no inode', async () => {
    fake(100, 1, 100, 'S', ['11']);
    fake(200, 100, 100, 'S');
    expect(await programHolds(100, ['99'], proc)).toMatchObject({ held: 'cannot-tell', why: expect.stringContaining('pid 200') });
    expect(await programHolds(100, ['0'], proc)).toMatchObject({ held: 'cannot-tell' });
  });

  it('a leader whose pid now leads no group of its own is not the program', async () => {
    fake(100, 1, 7, 'S', ['11']);
    expect(await leaderAlive(100, proc)).toBe(false);
    expect(await programHolds(100, ['11'], proc)).toEqual({ held: 'no', why: 'group-gone' });
  });
});

describe('after stop', () => {
  const started: Launched[] = [];
  expectNoLeaks(started);
  const escapees: number[] = [];
  afterEach(() => {
    for (const pid of escapees.splice(0)) if (!isGone(pid)) process.kill(pid, 'SIGKILL');
  });

  it('waits for the group to empty, and kills a process that left it holding the program\'s listener', async () => {
    const port = await freePort('tcp');
    // Binds, forks a child that leaves the group (setsid), says so and sheds its environment, then listens: the child keeps the listening socket.
    const source = `
import os, socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', int(sys.argv[1])))
r, w = os.pipe()
if os.fork() == 0:
    os.setsid(); print('pid %d' % os.getpid(), flush=True)
    os.dup2(os.open(os.devnull, os.O_RDWR), 1); os.dup2(1, 2); os.write(w, b'x')
    # A new environment drops the harness's owner mark: only the socket it holds can tell it is the program's.
    os.set_inheritable(s.fileno(), True)
    os.execve(sys.executable, [sys.executable, '-c', 'import time; time.sleep(30)'], {})
os.read(r, 1)
s.listen()
time.sleep(60)
`;
    const l = launch({ argv: ['python3', '-c', source, String(port)] });
    started.push(l);
    const con = new ProgramConsole(l);
    const ready = await waitUntilListening({ port, transport: 'tcp', exited: l.exited, timeoutMs: 30_000, owner: l.pid });
    expect(ready.ok).toBe(true);
    const child = await printedPid(con);
    escapees.push(child);
    const ours = await programSockets(l.pid, port);
    expect(ours).toHaveLength(1);
    await l.stop(500);
    expect(isGone(child)).toBe(false); // out of the group: the group's SIGKILL missed it
    const released = await waitReleased(l.pid, port, ours, 20_000);
    expect(released).toMatchObject({ ok: true, killed: [{ pid: child, comm: 'python3' }] });
    // Ended by then, not only its socket closed: a process killed closes its files before it has ended.
    expect(isGone(child)).toBe(true);
    expect(await listeningSockets(port, 'tcp')).toEqual([]);
    expect(await groupAlive(l.pid)).toBe(false);
  });
});
