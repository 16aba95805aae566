/**
 * The harness playing a TCP server: a listening socket on loopback whose incoming
 * connections queue up until an `accept` step takes them, each as a TcpPeer.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { TcpPeer } from './tcp-peer.js';
import { Changes, type Recorder, type WaitOutcome } from './waiter.js';

/** Connections queued unaccepted before further ones are refused (reset at once). */
export const MAX_PENDING = 1000;

export class TcpListener {
  readonly changes = new Changes();
  readonly #pending: Socket[] = [];
  readonly #all = new Set<Socket>();
  #closed = false;

  private constructor(
    readonly server: Server,
    readonly port: number,
  ) {
    server.on('connection', (socket) => {
      if (this.#closed || this.#pending.length >= MAX_PENDING) return void socket.resetAndDestroy();
      socket.setNoDelay(true);
      socket.on('error', () => {}); // a reset before `accept` shows up as a closed peer once accepted
      socket.pause(); // nothing is read until a step accepts it
      this.#all.add(socket);
      socket.once('close', () => this.#all.delete(socket));
      this.#pending.push(socket);
      this.changes.notify();
    });
  }

  /** Listen on `host:port` (0: a free port). */
  static open(host: string, port: number): Promise<TcpListener> {
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => {
        server.removeListener('error', reject);
        resolve(new TcpListener(server, (server.address() as { port: number }).port));
      });
    });
  }

  /** The next incoming connection, waiting at most `timeoutMs`. */
  async accept(timeoutMs: number, record: Recorder, signal?: AbortSignal): Promise<WaitOutcome<TcpPeer>> {
    const r = await this.changes.wait(() => this.#pending.shift(), timeoutMs, signal);
    if (!r.done) return r;
    const socket = r.value;
    const peer = new TcpPeer(socket, record);
    record('connect', undefined, `accepted ${socket.remoteAddress}:${socket.remotePort} -> ${socket.localAddress}:${socket.localPort}`);
    socket.resume();
    return { done: true, value: peer };
  }

  /** Connections that arrived and were not accepted. */
  get pending(): number {
    return this.#pending.length;
  }

  /** Stop listening and drop every connection it took in. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#all) s.destroy();
    this.server.close();
  }
}
