/**
 * The harness's side of one TCP connection: sends (chunked, paced), half-close,
 * close, reset, and an event-driven receive buffer that expectations consume.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { Changes, pause, type Recorder } from './waiter.js';

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

export type ConnectResult = { ok: true; peer: TcpPeer } | { ok: false; code: string; message: string };

/** Open a TCP connection to `host:port`, waiting at most `timeoutMs`. */
export function connectTcp(host: string, port: number, timeoutMs: number, record: Recorder, signal?: AbortSignal): Promise<ConnectResult> {
  return new Promise((resolve) => {
    // Reads go into one buffer of the connection's own (copied from there into the receive window),
    // so that a peer sending at full speed leaves no trail of garbage chunks for the GC to catch up with.
    let peer: TcpPeer | undefined;
    const onread = { buffer: Buffer.allocUnsafe(READ_BUFFER), callback: (n: number, buf: Buffer) => {
        peer?.take(buf.subarray(0, n));
        return true;
      } };
    const socket = netConnect({ host, port, allowHalfOpen: true, noDelay: true, onread });
    const finish = (r: ConnectResult) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.removeListener('error', onError);
      if (!r.ok) socket.destroy();
      resolve(r);
    };
    const onError = (e: NodeJS.ErrnoException) => finish({ ok: false, code: e.code === 'ECONNREFUSED' ? 'refused' : 'connect-failed', message: `${e.code ?? 'error'}: ${e.message}` });
    const onAbort = () => finish({ ok: false, code: 'aborted', message: 'aborted' });
    const timer = setTimeout(() => finish({ ok: false, code: 'timeout', message: `no connection within ${timeoutMs} ms` }), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once('connect', () => {
      peer = new TcpPeer(socket, record);
      record('connect', undefined, `${socket.localAddress}:${socket.localPort} -> ${host}:${port}`);
      finish({ ok: true, peer });
    });
  });
}

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

  constructor(
    readonly socket: Socket,
    private readonly record: Recorder,
  ) {
    this.localPort = socket.localPort ?? 0;
    this.localAddress = socket.localAddress ?? '';
    socket.on('data', (chunk: Buffer) => this.take(chunk));
    socket.on('end', () => {
      this.ended = true;
      record('eof');
      this.changes.notify();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') {
        this.resetByPeer = true;
        record('reset', undefined, `by peer (${e.code})`);
      } else {
        this.errorText = `${e.code ?? 'error'}: ${e.message}`;
        record('error', undefined, this.errorText);
      }
      this.changes.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.changes.notify();
    });
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
        const grown = Buffer.allocUnsafe(Math.max(need, Math.min(Math.max(4096, 2 * need), RECEIVE_CAP + 256 * 1024)));
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
    const pieces: Uint8Array[] = [];
    let at = 0;
    for (const n of sizes) {
      if (at >= data.length) break;
      pieces.push(data.subarray(at, at + n));
      at += n;
    }
    if (at < data.length || pieces.length === 0) pieces.push(data.subarray(at));
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
      const onAbort = () => resolve('aborted');
      signal?.addEventListener('abort', onAbort, { once: true });
      this.socket.write(piece, (err) => {
        signal?.removeEventListener('abort', onAbort);
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
    this.socket.resetAndDestroy();
  }
}
