/**
 * The harness's UDP socket towards the program: an unconnected socket whose received
 * datagrams are kept with their senders in arrival order, taken by expectations
 * through a filter on the sender, and datagrams out to the destination or anyone.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIP, isIPv6 } from 'node:net';
import { Changes, type Recorder, type WaitOutcome } from './waiter.js';
import { isLoopback } from './probe.js';

/** Datagrams kept unread before new ones are dropped (and said so). */
export const MAX_QUEUED = 10_000;
/** Bytes of unread datagrams kept before new ones are dropped: a program that floods costs bounded memory. */
export const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

/** A UDP endpoint: where a datagram came from, or where one goes. */
export type UdpAddress = { address: string; port: number };

/** One received datagram with its sender; `fromDestination`: the default filter accepts it. */
export type Datagram = { data: Buffer; from: UdpAddress; fromDestination: boolean };

/**
 * Which senders an expectation accepts: `destination` (the default: the address/port the
 * connection sends to; anyone when serving), `any`, or one port (and address, if given).
 */
export type UdpFilter = 'destination' | 'any' | { port: number; address?: string };

/** `address:port` as shown in transcripts and messages. */
export function endpointText(e: UdpAddress): string {
  // Said of every datagram: a colon tells an IPv6 address from an IPv4 one or a name, without isIPv6's long regex.
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

/** True if `filter` accepts `d`. */
export function accepts(filter: UdpFilter, d: Datagram): boolean {
  if (filter === 'destination') return d.fromDestination;
  if (filter === 'any') return true;
  return d.from.port === filter.port && (filter.address === undefined || filter.address === d.from.address);
}

export class UdpPeer {
  readonly changes = new Changes();
  /** Received datagrams not yet taken, in arrival order, from every sender. */
  readonly #inbox: Datagram[] = [];
  dropped = 0;
  /** Bytes of the datagrams kept unread (every sender). */
  queuedBytes = 0;
  errorText?: string;
  closed = false;
  /** The sender of the last datagram an expectation took (`send: { to: sender }`). */
  lastSender?: UdpAddress;

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
    // A destination given by name (localhost) is matched by port alone; a loopback one by port and any loopback
    // address: a server bound to all interfaces answers from the address the kernel picks (127.0.0.1 for 127.0.0.2).
    const literal = isIP(host) !== 0;
    const sameHost = (address: string) => !literal || address === host || (isLoopback(host) && isLoopback(address));
    socket.on('message', (msg, rinfo) => {
      if (serving) {
        this.host = rinfo.address;
        this.port = rinfo.port;
      }
      const from = { address: rinfo.address, port: rinfo.port };
      const fromDestination = serving || (rinfo.port === port && sameHost(rinfo.address));
      const full = this.#inbox.length >= MAX_QUEUED || this.queuedBytes + msg.length > MAX_QUEUED_BYTES;
      const what = `datagram of ${msg.length} bytes from ${endpointText(from)}${fromDestination ? '' : ' (not the destination)'}`;
      record('recv', msg, full ? `${what}, dropped: ${MAX_QUEUED} datagrams or ${MAX_QUEUED_BYTES} bytes are queued unread` : what);
      if (full) this.dropped++;
      else {
        this.#inbox.push({ data: msg, from, fromDestination });
        this.queuedBytes += msg.length;
      }
      this.changes.notify();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      this.errorText = `${e.code ?? 'error'}: ${e.message}`;
      record('error', undefined, this.errorText);
      this.changes.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.changes.notify();
    });
  }

  /** Bind an ephemeral loopback port (unconnected) for talking to `host:port`. */
  static open(host: string, port: number, record: Recorder): Promise<UdpPeer> {
    const type = isIPv6(host) ? 'udp6' : 'udp4';
    return bind(type, 0, type === 'udp6' ? '::1' : '127.0.0.1', (socket) => {
      const peer = new UdpPeer(socket, host, port, record);
      record('connect', undefined, `udp ${endpointText(socket.address())} -> ${host}:${port}`);
      return peer;
    });
  }

  /** Bind `host:port` (0: any free port) and serve: take datagrams from anyone, reply to the last sender. */
  static serve(host: string, port: number, record: Recorder): Promise<UdpPeer> {
    return bind(isIPv6(host) ? 'udp6' : 'udp4', port, host, (socket) => new UdpPeer(socket, '', 0, record, true));
  }

  get localPort(): number {
    return this.closed ? 0 : this.socket.address().port;
  }

  /** Datagrams kept unread, from every sender, in arrival order. */
  get inbox(): readonly Datagram[] {
    return this.#inbox;
  }

  /** The unread datagrams the default filter accepts (from the destination; every one when serving). */
  get queue(): readonly Buffer[] {
    return this.#inbox.filter((d) => d.fromDestination).map((d) => d.data);
  }

  /**
   * Send one datagram to the destination, to `to`, or (`'sender'`) to the sender of the
   * last datagram taken; resolves once the kernel took it, to a problem's text if it failed.
   */
  send(data: Uint8Array, to?: UdpAddress | 'sender'): Promise<string | undefined> {
    if (this.closed) return Promise.resolve('the socket is closed');
    const target = to === 'sender' ? this.lastSender : (to ?? { address: this.host, port: this.port });
    if (!target) return Promise.resolve('no datagram has been received yet, so there is no sender to reply to');
    if (this.serving && to === undefined && this.port === 0) return Promise.resolve('no datagram has arrived yet, so there is no one to reply to');
    this.record('send', data, `datagram of ${data.length} bytes to ${endpointText(target)}`);
    return new Promise((resolve) => {
      this.socket.send(data, target.port, target.address, (err) => resolve(err ? `send failed: ${err.message}` : undefined));
    });
  }

  /** The first unread datagram `filter` accepts, left in place. */
  next(filter: UdpFilter = 'destination'): Datagram | undefined {
    return this.#inbox.find((d) => accepts(filter, d));
  }

  /** Take the first unread datagram `filter` accepts (the others stay queued); its sender becomes `lastSender`. */
  take(filter: UdpFilter = 'destination'): Datagram | undefined {
    const i = this.#inbox.findIndex((d) => accepts(filter, d));
    if (i < 0) return undefined;
    const [d] = this.#inbox.splice(i, 1);
    this.queuedBytes -= d!.data.length;
    this.lastSender = d!.from;
    return d;
  }

  /** Wait at most `timeoutMs` for a datagram `filter` accepts, and take it. */
  receive(filter: UdpFilter, timeoutMs: number, signal?: AbortSignal): Promise<WaitOutcome<Datagram>> {
    return this.changes.wait(() => this.take(filter), timeoutMs, signal);
  }

  /** Take the next datagram from the destination, if any. */
  shift(): Buffer | undefined {
    return this.take()?.data;
  }

  /**
   * The unread datagrams `filter` does not accept, counted by sender, for a failure message
   * ("2 datagrams from 127.0.0.1:40123 were not accepted"); undefined when there are none.
   */
  notAccepted(filter: UdpFilter = 'destination'): string | undefined {
    const bySender = new Map<string, number>();
    for (const d of this.#inbox) {
      if (accepts(filter, d)) continue;
      const key = endpointText(d.from);
      bySender.set(key, (bySender.get(key) ?? 0) + 1);
    }
    if (bySender.size === 0) return undefined;
    const parts = [...bySender].map(([sender, n], i) => `${n}${i === 0 ? ` datagram${n === 1 ? '' : 's'}` : ''} from ${sender}`);
    const total = [...bySender.values()].reduce((a, b) => a + b, 0);
    const list = parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)!}`;
    return `${list} ${total === 1 ? 'was' : 'were'} not accepted`;
  }

  /** Close the socket and drop every unread datagram. */
  close(): void {
    if (this.closed) return;
    this.record('close');
    this.closed = true;
    this.#inbox.length = 0;
    this.queuedBytes = 0;
    this.socket.close();
  }
}

/** A UDP socket bound to `address:port`, handed to `make` once bound. */
function bind(type: 'udp4' | 'udp6', port: number, address: string, make: (socket: Socket) => UdpPeer): Promise<UdpPeer> {
  const socket = createSocket({ type, recvBufferSize: 1 << 20 });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => {
      socket.removeListener('error', reject);
      resolve(make(socket));
    });
  });
}
