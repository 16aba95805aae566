import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { createSocket } from 'node:dgram';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { candidatePort, freePort } from './free-port.js';
import { portReservationName, reserveMachineWide } from './machine-lock.js';
import { countHandles, handlesAddedSince } from './test-probes.js';

let handlesBefore: Record<string, number>;

beforeEach(async () => {
  handlesBefore = await countHandles();
});

afterEach(async () => {
  expect(await handlesAddedSince(handlesBefore)).toEqual({});
});

/** Bind `port` on 127.0.0.1 for `transport` and close again; resolves true if the bind worked. */
function canBind(transport: 'tcp' | 'udp', port: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (transport === 'tcp') {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
      return;
    }
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

/** A TCP port the kernel picks, free when returned. */
function kernelPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

describe('freePort', () => {
  it.each(['tcp', 'udp'] as const)('finds a %s port that can be bound, and leaves no socket open', async (transport) => {
    const port = await freePort(transport);
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);
    expect(await canBind(transport, port)).toBe(true);
  });

  it('finds a port free for TCP and UDP at once', async () => {
    const port = await freePort('both');
    expect(await canBind('tcp', port)).toBe(true);
    expect(await canBind('udp', port)).toBe(true);
  });

  it('gives different ports to concurrent callers, and again to the next ones', async () => {
    const ports = [...(await Promise.all(Array.from({ length: 8 }, () => freePort('both')))), ...(await Promise.all(Array.from({ length: 8 }, () => freePort('tcp'))))];
    expect(new Set(ports).size).toBe(16);
  });

  it('draws ports outside the kernel\'s ephemeral range, where outgoing connections take their source ports', async () => {
    for (let i = 0; i < 1000; i++) {
      const p = candidatePort([32768, 60999]);
      expect(p >= 10_000 && p <= 65535 && (p < 32768 || p > 60999)).toBe(true);
    }
    // No room outside the range: the kernel picks.
    expect(candidatePort([1024, 65535])).toBe(0);
    expect(candidatePort(undefined)).toBe(0);
    const port = await freePort('tcp');
    const range = (await import('node:fs')).readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    expect(port < range[0]! || port > range[1]!).toBe(true);
  });

  it('passes over a port another sockspec process holds as a fixed one, free for the moment between its program\'s stop and start', async () => {
    // Ports this process has not handed out (those it has are passed over anyway): the kernel's picks.
    const [held, other] = [await kernelPort(), await kernelPort()];
    // The other process: the machine-wide lock of `held`, as a scenario on that fixed port holds it.
    const lib = new URL('../../dist/harness/process/machine-lock.js', import.meta.url).href;
    const holder = spawn(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(lib)}); await m.lockMachineWide(m.portLockName(${held})); console.log('held'); process.stdin.resume(); process.stdin.on('end', () => process.exit(0));`], { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
        holder.once('exit', (code) => reject(new Error(`the holder exited (${code}) before holding the lock`)));
      });
      expect(await canBind('tcp', held)).toBe(true);
      const draws = [held, other];
      expect(await freePort('tcp', () => draws.shift() ?? 0)).toBe(other);
    } finally {
      holder.stdin.end();
      await exited;
    }
    // Let go: the port is handed out.
    const again = [held];
    expect(await freePort('tcp', () => again.shift() ?? 0)).toBe(held);
  });

  it('passes over a port that a run reserves as a fixed one, and leaves nothing open once the run lets go', async () => {
    const port = await kernelPort();
    const release = reserveMachineWide(portReservationName(port));
    const draws = [port];
    expect(await freePort('tcp', () => draws.shift() ?? 0)).not.toBe(port);
    await release();
    const again = [port];
    expect(await freePort('tcp', () => again.shift() ?? 0)).toBe(port);
  });

  it('the leak check waits for a timer about to end', async () => {
    const before = await countHandles();
    setTimeout(() => {}, 100);
    expect(await handlesAddedSince(before)).toEqual({});
  });

  it('the leak check notices a timer that does not end', async () => {
    // Five of them: a timer of the test framework's own may end meanwhile and hide one.
    const before = await countHandles();
    const left = Array.from({ length: 5 }, () => setInterval(() => {}, 50));
    const t0 = performance.now();
    const added = await handlesAddedSince(before);
    for (const t of left) clearInterval(t);
    expect(added.Timeout).toBeGreaterThanOrEqual(3);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(1000);
  });

  it('the leak check itself notices a socket left open', async () => {
    const before = await countHandles();
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    expect(await handlesAddedSince(before)).toEqual({ TCPServerWrap: 1 });
    await new Promise((resolve) => server.close(resolve));
  });
});
