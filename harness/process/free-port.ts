/**
 * A port nobody uses on 127.0.0.1, for a program to listen on: tried and given back.
 * Every socket opened here is closed before the answer.
 *
 * The port is drawn outside the kernel's ephemeral range (Linux's
 * ip_local_port_range): a port from that range, given back, can be taken at any
 * moment as the source port of some connection on the machine — the harness's own
 * among them — before the program binds it, which would fail its start with
 * EADDRINUSE on a busy machine. Where the range cannot be read, the kernel picks.
 */
import { readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { ProcessError } from './errors.js';
import { heldMachineWide, portLockName, portReservationName } from './machine-lock.js';

/** How many ports to try before giving up on one free for the transport(s) asked. */
const ATTEMPTS = 20;

/** Ports a program may be given: above the privileged ones, below the ephemeral range. */
const LOWEST = 10_000;

/** The kernel's ephemeral port range, read once; undefined where it cannot be read (not Linux). */
let ephemeral: [number, number] | undefined | null = null;
function ephemeralRange(): [number, number] | undefined {
  if (ephemeral === null) {
    try {
      const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
      ephemeral = Number.isInteger(low) && Number.isInteger(high) ? [low!, high!] : undefined;
    } catch {
      ephemeral = undefined;
    }
  }
  return ephemeral;
}

/** A port outside the ephemeral range, at random (0: let the kernel pick, where no such range is left). */
export function candidatePort(range: [number, number] | undefined): number {
  if (!range) return 0;
  const [low, high] = range;
  const below = Math.max(0, low - LOWEST);
  const above = Math.max(0, 65535 - high);
  if (below + above < 1000) return 0;
  const n = Math.floor(Math.random() * (below + above));
  return n < below ? LOWEST + n : high + 1 + (n - below);
}

/** Ports handed out lately, oldest first: not handed again while their programs may still be starting. */
const recent: number[] = [];
const recentSet = new Set<number>();
const RECENT = 512;

function remember(port: number): number {
  recent.push(port);
  recentSet.add(port);
  if (recent.length > RECENT) recentSet.delete(recent.shift()!);
  return port;
}

/** Whether a sockspec process on the machine uses `port` as a fixed one now, or will in the run it is making. */
async function usedAsFixed(port: number): Promise<boolean> {
  const [locked, reserved] = await Promise.all([heldMachineWide(portLockName(port)), heldMachineWide(portReservationName(port))]);
  return locked || reserved;
}

/**
 * A port free on 127.0.0.1 for `transport` (`both`: free for TCP and UDP at once); rejects `no-free-port`.
 * Never one that a sockspec process (this one or another) holds as a fixed port (its program may be
 * between a stop and a start, the port free for that moment only), nor one that a run of any of them
 * will use as a fixed port (`reserveFixedPorts`).
 * `draw` gives the candidates (tests; default: at random outside the ephemeral range).
 */
export async function freePort(transport: 'tcp' | 'udp' | 'both', draw = () => candidatePort(ephemeralRange())): Promise<number> {
  let last: Error | undefined;
  for (let i = 0; i < ATTEMPTS; i++) {
    // The last try lets the kernel pick, whatever the range.
    const want = i === ATTEMPTS - 1 ? 0 : draw();
    if (want !== 0 && (recentSet.has(want) || (await usedAsFixed(want)))) continue;
    try {
      const port = transport === 'udp' ? await bindUdp(want) : await bindTcp(want);
      if (transport !== 'both' || (await bindUdp(port).then(() => true, () => false))) return remember(port);
    } catch (e) {
      last = e as Error;
    }
  }
  const why = last ? `: ${last.message}` : '';
  throw new ProcessError('no-free-port', transport === 'both' ? `no port free for both TCP and UDP on 127.0.0.1 after ${ATTEMPTS} tries${why}` : `cannot get a free ${transport} port on 127.0.0.1${why}`);
}

/** Bind a TCP listener on 127.0.0.1:`port`, close it, and return the port it had. */
function bindTcp(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const got = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(got));
    });
  });
}

/** Bind a UDP socket on 127.0.0.1:`port`, close it, and return the port it had. */
function bindUdp(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: 'udp4', reuseAddr: false });
    socket.unref();
    socket.once('error', (e) => {
      try {
        socket.close();
      } catch {
        // never bound: nothing to close
      }
      reject(e);
    });
    socket.bind({ port, address: '127.0.0.1', exclusive: true }, () => {
      const got = socket.address().port;
      socket.close(() => resolve(got));
    });
  });
}
