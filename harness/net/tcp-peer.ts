/**
 * The harness's side of one TCP connection: sends (chunked, paced), half-close,
 * close, reset, and an event-driven receive buffer that expectations consume.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, TLSSocket } from 'node:tls';
import { clientOptions, secured, tlsSummary, type TlsClientOptions, type TlsResult, type TlsServer } from './tls.js';
import { Changes, onAbort, pause, type Recorder } from './waiter.js';

/**
 * Bytes kept unconsumed per connection (the receive window an expectation can look
 * at). Past it the connection is paused, so a program that sends without end blocks
 * in its own send() instead of growing the harness, and an expectation still waiting
 * for more fails with `too-much-data`. The largest bundled expectation is 6 MiB.
 */
export const RECEIVE_CAP = 16 * 1024 * 1024;
/** The former name of RECEIVE_CAP. */
export const MAX_BUFFERED = RECEIVE_CAP;

/** Bytes read from a connected socket at a time. */
const READ_BUFFER = 64 * 1024;

/**
 * The buffer every connection the harness opens reads into. A read is taken (recorded and
 * copied into its connection's receive window) in the callback that reports it, before any
 * other read can happen, so one buffer serves them all: a buffer per connection made 64 KiB
 * of garbage for each, which a run of small scenarios paid for in collections.
 */
const readBuffer = Buffer.allocUnsafe(READ_BUFFER);

/** Bytes of a connection's first receive store: below half of Buffer.poolSize, so a slice of the shared pool. */
const FIRST_STORE = 256;

/** What an upgrade of a connection that has ended gives. */
const ENDED: TlsResult = { ok: false, code: 'tls-handshake', message: 'the connection has ended: there is nothing to upgrade' };

export type ConnectResult = { ok: true; peer: TcpPeer } | { ok: false; code: string; message: string };

/** Open a TCP connection to `host:port`, waiting at most `timeoutMs`. */
export async function connectTcp(host: string, port: number, timeoutMs: number, record: Recorder, signal?: AbortSignal): Promise<ConnectResult> {
  // Reads go into the shared read buffer (copied from there into the receive window),
  // so that a peer sending at full speed leaves no trail of garbage chunks for the GC to catch up with.
  let peer: TcpPeer | undefined;
  const onread = { buffer: readBuffer, callback: (n: number, buf: Buffer) => {
      peer?.take(buf.subarray(0, n));
      return true;
    } };
  const socket = netConnect({ host, port, allowHalfOpen: true, noDelay: true, onread });
  const opened = await opening(socket, timeoutMs, signal);
  if (!opened.ok) return opened;
  peer = new TcpPeer(socket, record, host);
  record('connect', undefined, `${socket.localAddress}:${socket.localPort} -> ${host}:${port}`);
  return { ok: true, peer };
}

/**
 * Open a TLS connection to `host:port` and finish its handshake, both within `timeoutMs`:
 * a TCP connection upgraded at once. A failed handshake gives the code `tls-handshake`
 * and OpenSSL's reason.
 */
export async function connectTls(host: string, port: number, tls: TlsClientOptions, timeoutMs: number, record: Recorder, signal?: AbortSignal): Promise<ConnectResult> {
  const started = Date.now();
  const r = await connectTcp(host, port, timeoutMs, record, signal);
  if (!r.ok) return r;
  const t = await r.peer.starttls(tls, Math.max(0, timeoutMs - (Date.now() - started)), signal);
  if (t.ok) return r;
  r.peer.close();
  return t.code === 'timeout' ? { ...t, message: `no TLS handshake within ${timeoutMs} ms of connecting` } : t;
}

/** Wait at most `timeoutMs` for `socket` to connect; a socket that did not is destroyed. */
function opening(socket: Socket, timeoutMs: number, signal?: AbortSignal): Promise<{ ok: true } | { ok: false; code: string; message: string }> {
  return new Promise((resolve) => {
    const finish = (r: { ok: true } | { ok: false; code: string; message: string }) => {
      clearTimeout(timer);
      forget();
      socket.removeListener('error', onError);
      socket.removeListener('connect', onConnect);
      if (!r.ok) socket.destroy();
      resolve(r);
    };
    const onError = (e: NodeJS.ErrnoException) => finish({ ok: false, code: e.code === 'ECONNREFUSED' ? 'refused' : 'connect-failed', message: `${e.code ?? 'error'}: ${e.message}` });
    const onConnect = () => finish({ ok: true });
    const timer = setTimeout(() => finish({ ok: false, code: 'timeout', message: `no connection within ${timeoutMs} ms` }), timeoutMs);
    const forget = onAbort(signal, () => finish({ ok: false, code: 'aborted', message: 'aborted' }));
    socket.once('error', onError);
    socket.once('connect', onConnect);
  });
}

/**
 * One TCP connection, plain or TLS (any node:net Socket, a TLSSocket included); `starttls`
 * and `starttlsServer` upgrade a plain one in place.
 */
export class TcpPeer {
  readonly changes = new Changes();
  /** Received bytes not yet consumed by an expectation (a view into #store). */
  buffer: Buffer = Buffer.alloc(0);
  /** Room the buffer grows into, doubling, so that a long stream is not copied again on every chunk. */
  #store: Buffer = Buffer.alloc(0);
  #start = 0;
  #end = 0;
  /** Bytes received in all, kept or not. */
  received = 0;
  /** The peer shut down its write side (FIN). */
  ended = false;
  /** The peer reset the connection (RST), or the connection failed. */
  resetByPeer = false;
  errorText?: string;
  closed = false;
  readonly localPort: number;
  readonly localAddress: string;
  /** Once TLS is up: what the handshake agreed on ("tls TLSv1.3, certificate verified, ALPN h2"). */
  tls?: string;
  /**
   * Plaintext bytes the server sent after its go-ahead and before `starttls` began, that no
   * expectation consumed: set aside here (and noted in the transcript), never read as TLS data.
   */
  plaintextBeforeTls?: Buffer;
  #socket: Socket;
  /** The TCP socket under TLS (the same as #socket on a plain connection): what a reset goes through. */
  readonly #tcp: Socket;
  #detach: () => void;
  /** The name connected to: the default TLS servername. */
  readonly #host: string;

  constructor(
    socket: Socket,
    private readonly record: Recorder,
    host?: string,
  ) {
    this.#socket = socket;
    this.#tcp = socket;
    this.#host = host ?? socket.remoteAddress ?? '127.0.0.1';
    this.localPort = socket.localPort ?? 0;
    this.localAddress = socket.localAddress ?? '';
    this.#detach = this.#attach(socket);
  }

  /** The socket the connection currently speaks through (a TLSSocket once upgraded). */
  get socket(): Socket {
    return this.#socket;
  }

  /** Follow `socket`'s data and state; returns what stops following it. */
  #attach(socket: Socket): () => void {
    const onData = (chunk: Buffer) => this.take(chunk);
    const onEnd = () => {
      this.ended = true;
      this.record('eof');
      this.changes.notify();
    };
    const onError = (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') {
        this.resetByPeer = true;
        this.record('reset', undefined, `by peer (${e.code})`);
      } else {
        this.errorText = `${e.code ?? 'error'}: ${e.message}`;
        this.record('error', undefined, this.errorText);
      }
      this.changes.notify();
    };
    const onClose = () => {
      this.closed = true;
      this.changes.notify();
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('error', onError);
    socket.on('close', onClose);
    return () => {
      socket.removeListener('data', onData);
      socket.removeListener('end', onEnd);
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
    };
  }

  /**
   * Upgrade to TLS as the client, waiting at most `timeoutMs` for the handshake. Bytes
   * received and not consumed by then came before the handshake, in plaintext: they are
   * taken out of the buffer into `plaintextBeforeTls`, so no expectation reads them as TLS
   * data. Bytes the server sends in plaintext after that reach the TLS layer, which fails
   * the handshake (as any TLS client would).
   */
  starttls(options: TlsClientOptions, timeoutMs: number, signal?: AbortSignal): Promise<TlsResult> {
    const plain = this.#unplug();
    if (!plain) return Promise.resolve(ENDED);
    const early = this.#takeAll();
    if (early.length > 0) {
      this.plaintextBeforeTls = early;
      this.record('note', early, `${early.length} plaintext bytes received before the TLS handshake and not consumed: set aside, not part of the TLS stream`);
    }
    // The TLS socket keeps the plain one's allowHalfOpen: after a shutdown it still reads.
    return this.#upgrade(tlsConnect({ socket: plain, ...clientOptions(this.#host, options) }), false, timeoutMs, signal);
  }

  /**
   * Upgrade to TLS as the server (the harness's certificate), waiting at most `timeoutMs`
   * for the handshake. Bytes received and not consumed by then are the start of the
   * client's handshake (a client sends its hello right after the go-ahead): they go to the
   * TLS layer first, in order.
   */
  starttlsServer(server: TlsServer, timeoutMs: number, signal?: AbortSignal): Promise<TlsResult> {
    const plain = this.#unplug();
    if (!plain) return Promise.resolve(ENDED);
    const early = this.#takeAll();
    if (early.length > 0) {
      plain.unshift(early);
      this.record('note', undefined, `the ${early.length} bytes received before the upgrade are read as the start of the TLS handshake`);
    }
    const secure = new TLSSocket(plain, { isServer: true, secureContext: server.context, ...(server.alpn ? { ALPNProtocols: server.alpn } : {}) });
    return this.#upgrade(secure, true, timeoutMs, signal);
  }

  /** Stop following the plain socket (paused, its buffered bytes taken in); undefined if the connection is over. */
  #unplug(): Socket | undefined {
    if (this.finished || this.socket.destroyed) return undefined;
    const plain = this.#socket;
    plain.pause();
    this.#detach();
    for (let chunk: Buffer | null; plain.readableLength > 0 && (chunk = plain.read() as Buffer | null) !== null; ) this.take(chunk);
    plain.on('error', () => {}); // from now on its errors reach the TLS socket
    return plain;
  }

  /** Every unconsumed byte, taken out of the buffer. */
  #takeAll(): Buffer {
    const early = Buffer.from(this.buffer);
    this.#start = this.#end = 0;
    this.buffer = this.#store.subarray(0, 0);
    return early;
  }

  async #upgrade(secure: TLSSocket, isServer: boolean, timeoutMs: number, signal?: AbortSignal): Promise<TlsResult> {
    this.#socket = secure;
    this.#detach = () => {};
    const r = await secured(secure, isServer ? 'secure' : 'secureConnect', timeoutMs, signal);
    if (r.ok) {
      this.#detach = this.#attach(secure);
      this.tls = tlsSummary(secure, isServer);
      this.record('note', undefined, this.tls);
    } else {
      this.errorText = `${r.code}: ${r.message}`;
      this.record('error', undefined, this.errorText);
    }
    this.changes.notify();
    return r;
  }

  /** Bytes that arrived (`chunk` may be reused once this returns: it is copied). */
  take(chunk: Buffer): void {
    this.record('recv', chunk);
    this.received += chunk.length;
    this.#append(chunk);
    if (this.buffer.length >= RECEIVE_CAP) this.socket.pause();
    this.changes.notify();
  }

  /** The receive window is full: nothing more is read until an expectation consumes some. */
  get full(): boolean {
    return this.buffer.length >= RECEIVE_CAP;
  }

  /** True once nothing more can arrive. */
  get finished(): boolean {
    return this.ended || this.resetByPeer || this.closed || this.errorText !== undefined;
  }

  #append(chunk: Buffer): void {
    const live = this.#end - this.#start;
    if (this.#end + chunk.length > this.#store.length) {
      const need = live + chunk.length;
      if (need <= this.#store.length) {
        // Room enough once what was consumed is gone: move the unconsumed bytes to the front.
        this.#store.copyWithin(0, this.#start, this.#end);
      } else {
        // A store twice the size it needs (never much past the cap), so that a long stream is not copied on every chunk.
        // The first one of a short exchange is small enough to come from Node's shared pool, not a memory block of its own.
        const grown = Buffer.allocUnsafe(Math.max(need, Math.min(Math.max(FIRST_STORE, 2 * need), RECEIVE_CAP + 256 * 1024)));
        this.#store.copy(grown, 0, this.#start, this.#end);
        this.#store = grown;
      }
      this.#start = 0;
      this.#end = live;
    }
    chunk.copy(this.#store, this.#end);
    this.#end += chunk.length;
    this.buffer = this.#store.subarray(this.#start, this.#end);
  }

  /** Drop the first `n` buffered bytes (an expectation matched them). */
  consume(n: number): void {
    this.#start = Math.min(this.#end, this.#start + n);
    if (this.#start === this.#end) this.#start = this.#end = 0;
    this.buffer = this.#store.subarray(this.#start, this.#end);
    if (this.socket.isPaused() && this.buffer.length < RECEIVE_CAP) this.socket.resume();
  }

  /** Write `data` in pieces (`sizes`, the rest last), pausing `pauseMs` between them; resolves when all is handed to the kernel. */
  async send(data: Uint8Array, sizes: number[], pauseMs: number, signal?: AbortSignal): Promise<string | undefined> {
    const pieces = cutPieces(data, sizes);
    for (let i = 0; i < pieces.length; i++) {
      if (i > 0 && pauseMs > 0 && !(await pause(pauseMs, signal))) return 'aborted';
      const problem = await this.write(pieces[i]!, signal);
      if (problem) return problem;
    }
    return undefined;
  }

  /** Write one piece; resolves once the kernel took it, or `aborted` when `signal` ends the wait (a peer that never reads). */
  private write(piece: Uint8Array, signal?: AbortSignal): Promise<string | undefined> {
    if (this.socket.destroyed || this.socket.writableEnded) return Promise.resolve('the connection is closed for writing');
    if (signal?.aborted) return Promise.resolve('aborted');
    this.record('send', piece);
    return new Promise((resolve) => {
      const forget = onAbort(signal, () => resolve('aborted'));
      this.socket.write(piece, (err) => {
        forget();
        resolve(err ? `write failed: ${err.message}` : undefined);
      });
    });
  }

  /** Half-close: send FIN, keep reading. */
  shutdown(): void {
    this.record('shutdown');
    this.socket.end();
  }

  /** Close the socket as a program's close() would. */
  close(): void {
    if (!this.socket.destroyed) this.record('close');
    this.socket.destroy();
  }

  /** Abort the connection with RST. */
  reset(): void {
    if (this.socket.destroyed) return;
    this.record('reset', undefined, 'sent');
    if (this.#tcp instanceof TLSSocket) return void this.#tcp.destroy(); // a TLS socket made elsewhere: no TCP handle to reset
    this.#tcp.resetAndDestroy(); // a TLS socket over it closes with it
  }
}

/** `data` in pieces of `sizes`, the rest as the last piece (always at least one piece). */
export function cutPieces(data: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let at = 0;
  for (const n of sizes) {
    if (at >= data.length) break;
    pieces.push(data.subarray(at, at + n));
    at += n;
  }
  if (at < data.length || pieces.length === 0) pieces.push(data.subarray(at));
  return pieces;
}
