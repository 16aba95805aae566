/**
 * The harness's UDP socket towards the program: datagrams out, a queue of
 * datagrams in, waited on event by event.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { Changes, type Recorder } from './waiter.js';

/** Datagrams kept unread before new ones are dropped (and said so). */
export const MAX_QUEUED = 10_000;
/** Bytes of unread datagrams kept before new ones are dropped: a program that floods costs bounded memory. */
export const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

export class UdpPeer {
  readonly changes = new Changes();
  readonly queue: Buffer[] = [];
  dropped = 0;
  /** Bytes of the datagrams in `queue`. */
  queuedBytes = 0;
  errorText?: string;
  closed = false;

  /** Serving (the harness plays the server): replies go to whoever sent the last datagram. */
  readonly serving: boolean;

  private constructor(
    readonly socket: Socket,
    public host: string,
    public port: number,
    private readonly record: Recorder,
    serving = false,
  ) {
    this.serving = serving;
    socket.on('message', (msg, rinfo) => {
      if (serving) {
        this.host = rinfo.address;
        this.port = rinfo.port;
      } else if (rinfo.port !== port) return;
      const full = this.queue.length >= MAX_QUEUED || this.queuedBytes + msg.length > MAX_QUEUED_BYTES;
      const what = serving ? `datagram of ${msg.length} bytes from ${rinfo.address}:${rinfo.port}` : `datagram of ${msg.length} bytes`;
      record('recv', msg, full ? `${what}, dropped: ${MAX_QUEUED} datagrams or ${MAX_QUEUED_BYTES} bytes are queued unread` : what);
      if (full) this.dropped++;
      else {
        this.queue.push(msg);
        this.queuedBytes += msg.length;
      }
      this.changes.notify();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      // ECONNREFUSED: an ICMP port-unreachable came back for an earlier datagram.
      this.errorText = `${e.code ?? 'error'}: ${e.message}`;
      record('error', undefined, this.errorText);
      this.changes.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.changes.notify();
    });
  }

  /** Bind an ephemeral loopback port for talking to `host:port`. */
  static open(host: string, port: number, record: Recorder): Promise<UdpPeer> {
    const type = isIPv6(host) ? 'udp6' : 'udp4';
    const socket = createSocket({ type, recvBufferSize: 1 << 20 });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, type === 'udp6' ? '::1' : '127.0.0.1', () => {
        socket.removeListener('error', reject);
        const peer = new UdpPeer(socket, host, port, record);
        record('connect', undefined, `udp ${socket.address().address}:${socket.address().port} -> ${host}:${port}`);
        resolve(peer);
      });
    });
  }

  /** Bind `host:port` (0: any free port) and serve: take datagrams from anyone, reply to the last sender. */
  static serve(host: string, port: number, record: Recorder): Promise<UdpPeer> {
    const type = isIPv6(host) ? 'udp6' : 'udp4';
    const socket = createSocket({ type, recvBufferSize: 1 << 20 });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.removeListener('error', reject);
        resolve(new UdpPeer(socket, '', 0, record, true));
      });
    });
  }

  get localPort(): number {
    return this.closed ? 0 : this.socket.address().port;
  }

  /** Send one datagram; resolves once the kernel took it. */
  send(data: Uint8Array): Promise<string | undefined> {
    if (this.closed) return Promise.resolve('the socket is closed');
    if (this.serving && this.port === 0) return Promise.resolve('no datagram has arrived yet, so there is no one to reply to');
    this.record('send', data, `datagram of ${data.length} bytes`);
    return new Promise((resolve) => {
      this.socket.send(data, this.port, this.host, (err) => resolve(err ? `send failed: ${err.message}` : undefined));
    });
  }

  /** Take the next received datagram, if any. */
  shift(): Buffer | undefined {
    const d = this.queue.shift();
    if (d) this.queuedBytes -= d.length;
    return d;
  }

  close(): void {
    if (this.closed) return;
    this.record('close');
    this.closed = true;
    this.socket.close();
  }
}
