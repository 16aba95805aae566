import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessError } from './errors.js';
import { freePort } from './free-port.js';
import { launch, type Launched } from './launch.js';
import { listeningSockets, waitUntilListening } from './readiness.js';
import { expectNoLeaks } from '../../test/no-leaks.js';

const started: Launched[] = [];
const hasIpv6 = existsSync('/proc/net/tcp6') && existsSync('/proc/net/if_inet6');

/** A Python server on `host`:`port` that answers each TCP client with how many it accepted so far. */
function python(source: string, port: number): Launched {
  const l = launch({ argv: ['python3', '-c', source, String(port)] });
  started.push(l);
  return l;
}

const TCP_COUNTER = (family: string, host: string, extra = '') => `
import socket, sys, time
time.sleep(0.2)
s = socket.socket(socket.${family}, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
${extra}
s.bind((${JSON.stringify(host)}, int(sys.argv[1])))
s.listen()
n = 0
while True:
    c, _ = s.accept()
    n += 1
    c.sendall(b'%d\\n' % n)
    c.close()
`;

const UDP_ECHO = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', int(sys.argv[1])))
while True:
    data, peer = s.recvfrom(2048)
    s.sendto(data, peer)
`;

/** The first line a TCP server sends to a new client. */
function firstLine(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(20_000, () => socket.destroy(new Error('no answer')));
    socket.on('data', (d) => (got += d.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve(got.trim()));
  });
}

expectNoLeaks(started);

describe('waitUntilListening', () => {
  it('sees a TCP listener on 0.0.0.0 without connecting to it', async () => {
    const port = await freePort('tcp');
    const l = python(TCP_COUNTER('AF_INET', '0.0.0.0'), port);
    const r = await waitUntilListening({ port, transport: 'tcp', exited: l.exited, timeoutMs: 30_000 });
    expect(r).toMatchObject({ ok: true, addresses: [{ address: '0.0.0.0', family: 4 }] });
    expect(r.note).toBeUndefined();
    expect(await firstLine(port)).toBe('1'); // we are its first client: readiness did not connect
  });

  it('sees a UDP socket bound on 127.0.0.1', async () => {
    const port = await freePort('udp');
    const l = python(UDP_ECHO, port);
    const r = await waitUntilListening({ port, transport: 'udp', exited: l.exited, timeoutMs: 30_000 });
    expect(r).toMatchObject({ ok: true, addresses: [{ address: '127.0.0.1', family: 4 }] });
    expect(await listeningSockets(port, 'tcp')).toEqual([]);
  });

  it.skipIf(!hasIpv6).each([
    ['::1', '::1', ''],
    ['::', '::', 's.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)'],
    ['::ffff:127.0.0.1', '::ffff:127.0.0.1', 's.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)'],
  ])('names an IPv6 listener on %s', async (host, shown, extra) => {
    const port = await freePort('tcp');
    const l = python(TCP_COUNTER('AF_INET6', host, extra), port);
    const r = await waitUntilListening({ port, transport: 'tcp', exited: l.exited, timeoutMs: 30_000 });
    expect(r).toMatchObject({ ok: true, addresses: [{ address: shown, family: 6 }] });
  });

  it('gives up at once when the program exits, with its status and stderr', async () => {
    const port = await freePort('tcp');
    const l = python("import sys; sys.stderr.write('cannot bind: address in use\\n'); sys.exit(3)", port);
    const r = await waitUntilListening({ port, transport: 'tcp', exited: l.exited, timeoutMs: 60_000 });
    expect(r).toMatchObject({ ok: false, code: 'exited', exit: { code: 3, signal: null } });
    expect(r.afterMs).toBeLessThan(30_000);
    expect(l.stderr.tail(200).trim()).toBe('cannot bind: address in use');
  });

  it('times out for a program that never listens', async () => {
    const port = await freePort('tcp');
    const l = launch({ argv: ['sleep', '100'] });
    started.push(l);
    const r = await waitUntilListening({ port, transport: 'tcp', exited: l.exited, timeoutMs: 300 });
    expect(r).toMatchObject({ ok: false, code: 'timeout' });
    expect(r.afterMs).toBeGreaterThanOrEqual(250);
  });

  it('stops when aborted, before or during the wait', async () => {
    const never = new Promise<never>(() => {});
    const port = await freePort('udp');
    const pre = await waitUntilListening({ port, transport: 'udp', exited: never, timeoutMs: 30_000, signal: AbortSignal.abort() });
    expect(pre).toMatchObject({ ok: false, code: 'aborted' });
    const controller = new AbortController();
    const during = waitUntilListening({ port, transport: 'udp', exited: never, timeoutMs: 30_000, signal: controller.signal });
    controller.abort();
    expect(await during).toMatchObject({ ok: false, code: 'aborted' });
  });

  describe('without /proc/net', () => {
    const procNet = '/nonexistent/proc/net';

    it('finds a TCP listener by connecting, and says so', async () => {
      const port = await freePort('tcp');
      const l = python(TCP_COUNTER('AF_INET', '127.0.0.1'), port);
      const r = await waitUntilListening({ port, transport: 'tcp', exited: l.exited, timeoutMs: 30_000, procNet });
      expect(r).toMatchObject({ ok: true, addresses: [{ address: '127.0.0.1', family: 4 }], note: expect.stringMatching(/by connecting/) });
    });

    it('assumes a UDP program ready after a short allowance, and says so', async () => {
      const l = launch({ argv: ['sleep', '100'] });
      started.push(l);
      const r = await waitUntilListening({ port: 9, transport: 'udp', exited: l.exited, timeoutMs: 30_000, procNet });
      expect(r).toMatchObject({ ok: true, addresses: [], note: expect.stringMatching(/assumed .* ready after 500 ms/) });
      expect(r.afterMs).toBeGreaterThanOrEqual(450);
    });

    it('still reports an exit', async () => {
      const l = launch({ argv: ['sh', '-c', 'exit 4'] });
      started.push(l);
      const r = await waitUntilListening({ port: 9, transport: 'udp', exited: l.exited, timeoutMs: 30_000, procNet });
      expect(r).toMatchObject({ ok: false, code: 'exited', exit: { code: 4 } });
    });
  });
});

describe('listeningSockets', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sockspec-procnet-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
  const row = (local: string, remote: string, st: string) => `   0: ${local} ${remote} ${st} 00000000:00000000 00:00000000 00000000  1000        0 12345 1 0000000000000000 100 0 0 10 0\n`;

  it('reads LISTEN rows for TCP and unconnected rows for UDP, once per address', async () => {
    // As the kernel lists them: the listening sockets, then the connections.
    writeFileSync(join(dir, 'tcp'), header + row('0100007F:1F90', '00000000:0000', '0A') + row('00000000:1F91', '00000000:0000', '0A') + row('0100007F:1F90', '0100007F:D431', '01'));
    writeFileSync(join(dir, 'tcp6'), header + row('00000000000000000000000000000000:1F90', '00000000000000000000000000000000:0000', '0A'));
    writeFileSync(join(dir, 'udp'), header + row('00000000:0035', '00000000:0000', '07') + row('00000000:0035', '00000000:0000', '07') + row('0100007F:0035', '0100007F:1F90', '01'));
    expect(await listeningSockets(0x1f90, 'tcp', dir)).toEqual([
      { address: '127.0.0.1', family: 4, inodes: ['12345'] },
      { address: '::', family: 6, inodes: ['12345'] },
    ]);
    expect(await listeningSockets(53, 'udp', dir)).toEqual([{ address: '0.0.0.0', family: 4, inodes: ['12345', '12345'] }]);
    expect(await listeningSockets(54, 'udp', dir)).toEqual([]);
  });

  it('reads no IPv6 table while the namespace has no IPv6 socket of the transport in use (sockstat6)', async () => {
    writeFileSync(join(dir, 'tcp'), header + row('0100007F:1F90', '00000000:0000', '0A'));
    writeFileSync(join(dir, 'tcp6'), header + row('00000000000000000000000000000000:1F90', '00000000000000000000000000000000:0000', '0A'));
    writeFileSync(join(dir, 'udp'), header);
    writeFileSync(join(dir, 'udp6'), header + row('00000000000000000000000000000000:0035', '00000000000000000000000000000000:0000', '07'));
    const v4 = { address: '127.0.0.1', family: 4, inodes: ['12345'] };
    const v6 = (address: string) => ({ address, family: 6, inodes: ['12345'] });
    writeFileSync(join(dir, 'sockstat6'), 'TCP6: inuse 0\nUDP6: inuse 1\nUDPLITE6: inuse 0\n');
    expect(await listeningSockets(0x1f90, 'tcp', dir)).toEqual([v4]);
    expect(await listeningSockets(53, 'udp', dir)).toEqual([v6('::')]);
    writeFileSync(join(dir, 'sockstat6'), 'TCP6: inuse 1\nUDP6: inuse 0\nUDPLITE6: inuse 0\n');
    expect(await listeningSockets(0x1f90, 'tcp', dir)).toEqual([v4, v6('::')]);
    expect(await listeningSockets(53, 'udp', dir)).toEqual([]);
    // Where the count cannot be read, the table is.
    rmSync(join(dir, 'sockstat6'));
    expect(await listeningSockets(53, 'udp', dir)).toEqual([v6('::')]);
  });

  it('finds real listeners, IPv4 and IPv6, in the kernel\'s own tables', async () => {
    const servers = await Promise.all(['127.0.0.1', '::1'].map((host) => new Promise<Server>((ok, fail) => {
      const s = createServer();
      s.once('error', fail);
      s.listen(0, host, () => ok(s));
    })));
    try {
      for (const [i, s] of servers.entries()) {
        const port = (s.address() as { port: number }).port;
        expect(await listeningSockets(port, 'tcp')).toEqual([expect.objectContaining({ address: i === 0 ? '127.0.0.1' : '::1', family: i === 0 ? 4 : 6 })]);
      }
    } finally {
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    }
  });

  it('rejects with unsupported-platform when no table can be read', async () => {
    const err = await listeningSockets(80, 'tcp', join(dir, 'missing')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProcessError);
    expect((err as ProcessError).code).toBe('unsupported-platform');
  });
});

describe('readiness with an owner', () => {
  it('does not take another program on the port for the program being ready', async () => {
    const port = await freePort('tcp');
    const other = python(TCP_COUNTER('AF_INET', '127.0.0.1'), port);
    expect((await waitUntilListening({ port, transport: 'tcp', exited: other.exited, timeoutMs: 30_000 })).ok).toBe(true);
    // A program that never binds, in a group of its own: the port is taken, but not by it.
    const idle = launch({ argv: [process.execPath, '-e', 'setTimeout(() => {}, 30000)'] });
    started.push(idle);
    const r = await waitUntilListening({ port, transport: 'tcp', exited: idle.exited, timeoutMs: 300, owner: idle.pid });
    expect(r).toMatchObject({ ok: false, code: 'timeout', note: `tcp port ${port} is bound on 127.0.0.1 by pid ${other.pid} (python3), outside the program's process group` });
    const own = await waitUntilListening({ port, transport: 'tcp', exited: other.exited, timeoutMs: 30_000, owner: other.pid });
    expect(own.ok).toBe(true);
  });

  it('names connections left on the port (TIME_WAIT) as what kept a program without SO_REUSEADDR from binding it', async () => {
    const port = await freePort('tcp');
    // A listener that closes each connection first, so that its side of it stays in TIME_WAIT on the port; then it goes.
    const server = createServer((s) => s.end());
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const client = connect(port, '127.0.0.1');
    client.on('end', () => client.end());
    await new Promise((resolve) => client.on('close', resolve));
    await new Promise((resolve) => server.close(resolve));
    const bind = `
import socket, sys
s = socket.socket()
try:
    s.bind(('127.0.0.1', int(sys.argv[1])))
except OSError as e:
    sys.exit(f'cannot bind: {e}')
s.listen()
`;
    const l = python(bind, port);
    const r = await waitUntilListening({ port, transport: 'tcp', exited: l.exited, timeoutMs: 30_000, owner: l.pid });
    expect(r, l.stderr.text()).toMatchObject({ ok: false, code: 'exited', exit: { code: 1 }, takenByOther: true });
    expect(r.note).toBe(`tcp port ${port} is not listened on, but a connection of an earlier program is still on it (TIME_WAIT or closing): a program that does not set SO_REUSEADDR cannot bind it until it is gone`);
  });

  it('never takes a socket whose holder cannot be told once the program is gone: its exit is the answer, naming who holds the port', async () => {
    const port = await freePort('tcp');
    const held = await holdPort(port);
    // Exits 1 at once; a child that left the group keeps its stdout open for a while, so that the
    // exit is reported only after the leader is long gone (and /proc/<pid> with it).
    const source = `
import os, sys, time
pid = os.fork()
if pid == 0:
    os.setsid(); time.sleep(3); os._exit(0)
print('pid %d' % pid, flush=True)
sys.exit(1)
`;
    const l = python(source, port);
    try {
      const r = await waitUntilListening({ port, transport: 'tcp', exited: l.exited, timeoutMs: 30_000, owner: l.pid });
      expect(r).toMatchObject({ ok: false, code: 'exited', exit: { code: 1 } });
      expect(r.note).toBe(`tcp port ${port} is bound on 127.0.0.1 by pid ${process.pid} (node), outside the program's process group`);
    } finally {
      const child = Number(/pid (\d+)/.exec(l.stdout.text())?.[1]);
      if (child > 1) process.kill(child, 'SIGKILL');
      await new Promise<void>((resolve) => held.close(() => resolve()));
    }
  });

  it('takes a socket held by a descendant of the leader in a session of its own (a pseudo-terminal relay\'s program)', async () => {
    const port = await freePort('tcp');
    const relay = new URL('./pty-run.py', import.meta.url).pathname;
    const l = launch({ argv: ['python3', relay, 'python3', '-c', TCP_COUNTER('AF_INET', '127.0.0.1'), String(port)] });
    started.push(l);
    const r = await waitUntilListening({ port, transport: 'tcp', exited: l.exited, timeoutMs: 30_000, owner: l.pid, descendants: true });
    expect(r).toMatchObject({ ok: true, addresses: [{ address: '127.0.0.1' }] });
    // Without `descendants` (no relay), the group alone counts: the relay's program is in a session of its own.
    const groupOnly = await waitUntilListening({ port, transport: 'tcp', exited: l.exited, timeoutMs: 300, owner: l.pid });
    expect(groupOnly).toMatchObject({ ok: false, code: 'timeout' });
  });
});

/** A listener of the test's own on 127.0.0.1:`port`. */
function holdPort(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer((c) => c.end());
    s.once('error', reject);
    s.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(s));
  });
}
