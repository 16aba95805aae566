/**
 * A port nobody uses on 127.0.0.1, found by letting the kernel pick one and
 * giving it back. Every socket opened here is closed before the answer.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { ProcessError } from './errors.js';

/** How many kernel-picked TCP ports to try before giving up on one also free for UDP. */
const BOTH_ATTEMPTS = 20;

/** A port free on 127.0.0.1 for `transport` (`both`: free for TCP and UDP at once); rejects `no-free-port`. */
export async function freePort(transport: 'tcp' | 'udp' | 'both'): Promise<number> {
  try {
    if (transport === 'tcp') return await bindTcp(0);
    if (transport === 'udp') return await bindUdp(0);
    for (let i = 0; i < BOTH_ATTEMPTS; i++) {
      const port = await bindTcp(0);
      if (await bindUdp(port).then(() => true, () => false)) return port;
    }
  } catch (e) {
    throw new ProcessError('no-free-port', `cannot get a free ${transport} port on 127.0.0.1: ${(e as Error).message}`);
  }
  throw new ProcessError('no-free-port', `no port free for both TCP and UDP on 127.0.0.1 after ${BOTH_ATTEMPTS} tries`);
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
