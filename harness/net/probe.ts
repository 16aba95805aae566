/**
 * Probing a port from the harness's side: holding it bound, seeing whether a socket
 * with SO_REUSEADDR can bind beside another, and telling kinds of bound addresses apart.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/** A port the harness holds bound, or why it could not bind it. */
export type Held = { ok: true; release: () => void } | { ok: false; problem: string };

/** Bind `port` on 127.0.0.1 (TCP: listening, hanging up on anyone who connects; UDP: bound) until `release`. */
export function holdPort(port: number, transport: 'tcp' | 'udp'): Promise<Held> {
  return new Promise((resolve) => {
    if (transport === 'udp') {
      const s = createSocket({ type: 'udp4', reuseAddr: false });
      s.once('error', (e) => {
        s.close();
        resolve({ ok: false, problem: e.message });
      });
      s.bind(port, '127.0.0.1', () => resolve({ ok: true, release: () => s.close() }));
      return;
    }
    // Anyone who connects meanwhile is hung up on: the harness only holds the port.
    const server = createServer((socket) => socket.destroy());
    server.once('error', (e) => resolve({ ok: false, problem: e.message }));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve({ ok: true, release: () => server.close() }));
  });
}

/** Whether a UDP socket with SO_REUSEADDR can bind beside the program's (on Linux: only if the program set it too). */
export function bindsAlongside(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket({ type: address.includes(':') ? 'udp6' : 'udp4', reuseAddr: true });
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(port, address, () => {
      s.close();
      resolve(true);
    });
  });
}

const WILDCARD = new Set(['0.0.0.0', '::']);

/** Whether a bound address is every interface's (0.0.0.0 or ::). */
export const isWildcard = (a: string): boolean => WILDCARD.has(a);

/** Whether a bound address is a loopback one (127.0.0.0/8, ::1, or 127.x mapped into IPv6). */
export const isLoopback = (a: string): boolean => /^127\./.test(a) || a === '::1' || a.startsWith('::ffff:127.');
