/**
 * The harness playing a TCP server: a listening socket on loopback whose incoming
 * connections queue up until an `accept` step takes them, each as a TcpPeer (over TLS
 * when the listener serves TLS: the handshake is part of the accept).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { TcpPeer } from './tcp-peer.js';
import type { TlsServer } from './tls.js';
import { Changes, type Recorder, type WaitOutcome } from './waiter.js';

/** Connections queued unaccepted before further ones are refused (reset at once). */
export const MAX_PENDING = 1000;

/** What `accept` gives: a connection, or why there is none (`tls-handshake`: the client's handshake failed). */
export type AcceptOutcome = WaitOutcome<TcpPeer> | { done: false; reason: 'tls-handshake'; message: string };

export class TcpListener {
  readonly changes = new Changes();
  readonly #pending: Socket[] = [];
  readonly #all = new Set<Socket>();
  #closed = false;

  private constructor(
    readonly server: Server,
    readonly port: number,
    /** Set when every accepted connection speaks TLS. */
    readonly tls?: TlsServer,
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

  /** Listen on `host:port` (0: a free port), serving TLS with `tls` if given. */
  static open(host: string, port: number, tls?: TlsServer): Promise<TcpListener> {
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => {
        server.removeListener('error', reject);
        resolve(new TcpListener(server, (server.address() as { port: number }).port, tls));
      });
    });
  }

  /** The next incoming connection (and its TLS handshake, when serving TLS), waiting at most `timeoutMs` in all. */
  async accept(timeoutMs: number, record: Recorder, signal?: AbortSignal): Promise<AcceptOutcome> {
    const started = Date.now();
    const r = await this.changes.wait(() => this.#pending.shift(), timeoutMs, signal);
    if (!r.done) return r;
    const socket = r.value;
    const peer = new TcpPeer(socket, record);
    record('connect', undefined, `accepted ${socket.remoteAddress}:${socket.remotePort} -> ${socket.localAddress}:${socket.localPort}`);
    if (!this.tls) {
      socket.resume();
      return { done: true, value: peer };
    }
    const t = await peer.starttlsServer(this.tls, Math.max(0, timeoutMs - (Date.now() - started)), signal);
    if (t.ok) return { done: true, value: peer };
    peer.close();
    return t.code === 'tls-handshake' ? { done: false, reason: t.code, message: t.message } : { done: false, reason: t.code };
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
