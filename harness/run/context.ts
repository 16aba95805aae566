/**
 * What running steps share: the scenario's context (program, connections, transcript,
 * notes), the failure a step throws, and the lookups every verb uses.
 */
import type { TcpListener } from '../net/tcp-listener.js';
import type { TcpPeer } from '../net/tcp-peer.js';
import type { TlsServer } from '../net/tls.js';
import type { Datagram, UdpAddress, UdpPeer } from '../net/udp-peer.js';
import type { Scenario, Step } from '../scenario/model.js';
import type { CheckLog } from './check-log.js';
import type { Miss } from './expectation.js';
import type { FramedConn } from './framed.js';
import type { Program } from './program.js';
import type { Transcript } from './transcript.js';
import type { Value } from './values.js';

/** An open connection of the scenario: a TCP peer or a UDP socket. */
export type Conn = { kind: 'tcp'; peer: TcpPeer; framed?: FramedConn } | { kind: 'udp'; peer: UdpPeer };

/** A step that did not hold. */
export class StepFailure extends Error {
  constructor(
    readonly miss: Miss,
    readonly step: Step,
  ) {
    super(miss.message);
  }
}

/** Everything a running scenario holds; all of it is released by `release`. */
export interface Context {
  scenario: Scenario;
  program: Program;
  port: number;
  transcript: Transcript;
  signal: AbortSignal;
  notes: string[];
  conns: Map<string, Conn>;
  last?: string;
  /** Every connection opened, in any branch, for cleanup. */
  opened: Conn[];
  disposers: (() => void)[];
  /** Offset of the program's stdout where this scenario began. */
  stdoutFrom: number;
  /** Client under test: the harness's listening TCP socket, or its bound UDP socket. */
  listener?: TcpListener | UdpPeer;
  /** What the checks found so far, shared by every branch. */
  log: CheckLog;
  /** Client under test: the run's TLS server side (its certificate is `{tls-ca}`), made on first use. */
  tlsServer?: () => Promise<TlsServer>;
  /** Values captured so far and repeat indices (a `parallel` branch has its own copy). */
  values: Map<string, Value>;
  /** What the last step received and captured (for a script's `step`). */
  outcome?: { received?: Uint8Array; captures: Record<string, Value> };
}

/** What a step's run returns for a check it could not run (it then counts for nothing). */
export const NOT_RUN = Symbol('not-run');

/** Fail `step` with `code` and `message`. */
export function fail(step: Step, code: string, message: string, extra: Partial<Miss> = {}): never {
  throw new StepFailure({ code, message, ...extra }, step);
}

/** The open connection `on` (default: the last one opened), or a failure. */
export function conn(ctx: Context, step: Step, on: string | undefined): Conn {
  const name = on ?? ctx.last;
  const c = name === undefined ? undefined : ctx.conns.get(name);
  if (!c) fail(step, 'no-connection', `no open connection named \`${name ?? '?'}\``);
  return c;
}

/** A step's deadline: its own `within`, or the scenario's step timeout. */
export function deadline(ctx: Context, within: number | undefined): number {
  return within ?? ctx.scenario.stepTimeoutMs;
}

/**
 * The other end of `c` for `sender.port`/`sender.address`: UDP, the sender of `datagram`
 * (default: of the last datagram taken); TCP, the remote end of the connection.
 */
export function senderOf(c: Conn, datagram?: Datagram): UdpAddress | undefined {
  if (c.kind === 'udp') return datagram?.from ?? c.peer.lastSender;
  const { remoteAddress, remotePort } = c.peer.socket;
  return remoteAddress !== undefined && remotePort !== undefined ? { address: remoteAddress, port: remotePort } : undefined;
}
