/**
 * Waiting for an expectation on a connection: bytes, structure and rounds through
 * the codec's matchers, end of stream, reset and silence. Fails as soon as the
 * received bytes can no longer match.
 */
import { matchBytes, matchRegex, matchRounds, matchSize, matchStruct, matchStructChecks, type ValueSpec } from '../codec/index.js';
import type { ValueCheck } from '../codec/struct-checks.js';
import { performance } from 'node:perf_hooks';
import { FRAMING_REASON } from '../codec/framed-matcher.js';
import { escapeBytes } from '../codec/render.js';
import type { Matcher } from '../codec/types.js';
import { RECEIVE_CAP, type TcpPeer } from '../net/tcp-peer.js';
import { endpointText, type Datagram, type UdpFilter, type UdpPeer } from '../net/udp-peer.js';
import type { Expectation } from '../scenario/model.js';
import { groupProblem, type GroupCheck } from './values.js';

/** A failed expectation, before the step adds where it was. */
export interface Miss {
  code: string;
  message: string;
  expected?: Uint8Array;
  actual?: Uint8Array;
  at?: number;
}

/** An expectation that held: the bytes it took (the datagram, or the bytes consumed) and, for `one-of`, the alternative that held. */
export interface Hit {
  bytes: Uint8Array;
  expectation: Expectation;
  /** UDP: the datagram taken, with its sender. */
  datagram?: Datagram;
}

/** Whether an expectation's outcome is a failure. */
export function isMiss(r: Miss | Hit): r is Miss {
  return 'code' in r;
}

const isPlainSpec = (c: unknown): c is ValueSpec =>
  typeof c === 'number' || c === 'any' || (typeof c === 'object' && c !== null && !('var' in c) && !('equals' in c) && !('field' in c) && !('bits' in c) && !('text' in c) && !('hex' in c) && !('bytes' in c) && Object.values(c).every((x) => typeof x === 'number'));

/**
 * Per expectation of exact bytes, its matcher: it keeps no state between tests, and a scenario
 * run again (a repeat, a property's cases, a plan of many) asks for it each time. Only for a few
 * KiB: a matcher holds a copy of its bytes, which a large expectation should not keep for the run.
 */
const bytesMatchers = new WeakMap<Expectation, Matcher>();
const KEPT_MATCHER_BYTES = 4096;

/** The matcher for a byte expectation (not eof/reset/silence). */
export function matcherFor(e: Expectation): Matcher | undefined {
  switch (e.kind) {
    case 'bytes': {
      if (e.data.length > KEPT_MATCHER_BYTES) return matchBytes(e.data);
      let m = bytesMatchers.get(e);
      if (!m) bytesMatchers.set(e, (m = matchBytes(e.data)));
      return m;
    }
    case 'regex': {
      const groups = e.groups as Record<string, GroupCheck> | undefined;
      if (!groups) return matchRegex(e.source, e.flags);
      return matchRegex(e.source, e.flags, {
        check: (hit) => {
          for (const [name, c] of Object.entries(groups)) {
            const text = /^\d+$/.test(name) ? hit.groups?.[Number(name) - 1] : hit.named?.[name];
            const problem = groupProblem(name, text, c, Date.now);
            if (problem) return problem;
          }
          return undefined;
        },
      });
    }
    case 'struct':
      // Checks of the first kind keep their messages; named fields, references and `{ var }` (resolved by now) take the richer checker.
      return e.names === undefined && e.values.every(isPlainSpec) ? matchStruct(e.format, e.values) : matchStructChecks(e.format, e.names, e.values as ValueCheck[]);
    case 'rounds':
      return matchRounds(e.data, e.trailer);
    case 'size':
      return matchSize(e.size);
    case 'message':
      return e.matcher;
    default:
      return undefined;
  }
}

function expectedBytes(e: Expectation): Uint8Array | undefined {
  return e.kind === 'bytes' ? e.data : undefined;
}

/**
 * Wait on a TCP peer; resolves undefined when the expectation held. `timeoutMs` is
 * the deadline; with `stallMs`, only until the first byte arrives: from then on the
 * expectation fails only when no byte arrives for `stallMs` while it is incomplete
 * (a large transfer may take as long as it takes, as long as it moves).
 */
export async function expectTcp(peer: TcpPeer, e: Expectation, timeoutMs: number, signal: AbortSignal, stallMs?: number): Promise<Miss | Hit> {
  if (e.kind === 'silence') {
    const r = await peer.changes.wait(() => (peer.buffer.length > 0 ? true : undefined), e.ms, signal);
    if (r.done) return { code: 'not-silent', message: `expected no data for ${e.ms} ms, got ${peer.buffer.length} bytes: "${escapeBytes(peer.buffer, 80)}"`, actual: new Uint8Array(peer.buffer) };
    return r.reason === 'aborted' ? { code: 'aborted', message: 'interrupted' } : nothing(e);
  }
  const check = tcpCheck(peer, e);
  if (stallMs !== undefined) return expectMoving(peer, e, check, timeoutMs, stallMs, signal);
  const from = peer.received - peer.buffer.length;
  const r = await peer.changes.wait(check, timeoutMs, signal);
  if (!r.done && r.reason === 'timeout' && e.kind === 'rest') {
    // `rest` drops what it reads as it comes: say how much came.
    return { code: 'timeout', message: `expected ${describeExpectation(e)} within ${timeoutMs} ms; ${(peer.received - from).toLocaleString('en-US')} bytes arrived (not kept) and the stream did not end` };
  }
  if (!r.done) return timedOut(r.reason, describeExpectation(e), timeoutMs, peer.buffer, expectedBytes(e));
  return r.value;
}

/** The hit of an expectation that takes no bytes. */
const nothing = (e: Expectation): Hit => ({ bytes: new Uint8Array(0), expectation: e });

/**
 * On a stream that lost its place (an earlier check on it failed): drop whatever data
 * comes and judge only how the stream ends (`eof`, `reset`, `rest`, or a
 * `one-of` of those).
 */
export async function expectEndSkippingData(peer: TcpPeer, e: Expectation, timeoutMs: number, signal: AbortSignal): Promise<Miss | Hit> {
  const drop = () => {
    if (peer.buffer.length > 0) peer.consume(peer.buffer.length);
  };
  const check = tcpCheck(peer, e);
  const r = await peer.changes.wait(() => {
    drop();
    return check();
  }, timeoutMs, signal);
  if (!r.done) return timedOut(r.reason, `${describeExpectation(e)} (data after the failed check is skipped)`, timeoutMs, Buffer.alloc(0));
  return r.value;
}

const PROGRESS = Symbol('progress');

/** `check` until it decides, with a deadline of `firstMs` for the first byte, then of `stallMs` after each byte received. */
async function expectMoving(peer: TcpPeer, e: Expectation, check: Check, firstMs: number, stallMs: number, signal: AbortSignal): Promise<Miss | Hit> {
  const t0 = performance.now();
  const before = peer.buffer.length;
  let seen = before;
  for (;;) {
    const r = await peer.changes.wait<Miss | Hit | typeof PROGRESS>(() => check() ?? (peer.buffer.length > seen ? PROGRESS : undefined), seen > before ? stallMs : firstMs, signal);
    if (r.done) {
      const v = r.value;
      if (v !== PROGRESS) return v;
      seen = peer.buffer.length;
      continue;
    }
    if (r.reason === 'aborted' || seen === before) return timedOut(r.reason, describeExpectation(e), firstMs, peer.buffer, expectedBytes(e));
    const got = seen - before;
    return {
      code: 'stalled',
      message: `expected ${describeExpectation(e)}; the transfer stalled: no byte for ${stallMs} ms after ${got} bytes (${Math.round(performance.now() - t0)} ms in); "${escapeBytes(peer.buffer, 120)}"`,
      ...(expectedBytes(e) ? { expected: expectedBytes(e)! } : {}),
      actual: new Uint8Array(peer.buffer),
    };
  }
}

/** What an expectation waits for, in words. */
function describeExpectation(e: Expectation): string {
  if (e.kind === 'eof') return 'end of stream';
  if (e.kind === 'reset') return 'a reset';
  if (e.kind === 'rest') return 'the rest of the stream, up to its end';
  if (e.kind === 'one-of') return `one of: ${e.alternatives.map(describeExpectation).join('; ')}`;
  return matcherFor(e)?.description ?? e.kind;
}

type Check = () => Miss | Hit | undefined;

/** A look at the peer's state for `e`: a Hit when it holds (consuming what matched), a Miss when it no longer can, else undefined. */
function tcpCheck(peer: TcpPeer, e: Expectation, alternative = false): Check {
  if (e.kind === 'eof' || e.kind === 'reset') {
    return () => {
      if (peer.buffer.length > 0) return { code: 'unexpected-data', message: `expected ${e.kind === 'eof' ? 'end of stream' : 'a reset'}, got ${peer.buffer.length} more bytes: "${escapeBytes(peer.buffer, 80)}"`, actual: new Uint8Array(peer.buffer) };
      if (e.kind === 'eof' && peer.ended) return nothing(e);
      if (e.kind === 'reset' && peer.resetByPeer) return nothing(e);
      if (peer.finished) return { code: e.kind === 'eof' ? 'reset-not-eof' : 'eof-not-reset', message: e.kind === 'eof' ? `expected end of stream, but the connection ${peer.resetByPeer ? 'was reset' : 'failed: ' + (peer.errorText ?? 'closed')}` : 'expected a reset, got an orderly end of stream' };
      return undefined;
    };
  }
  if (e.kind === 'rest') {
    // What arrives is dropped as it comes (the transcript has counted it), so a stream without end costs no memory;
    // as one alternative of several, only a full receive window is (the others look at the same bytes).
    return () => {
      if (peer.finished || peer.full || !alternative) peer.consume(peer.buffer.length);
      return peer.finished ? nothing(e) : undefined;
    };
  }
  if (e.kind === 'one-of') {
    // Every alternative looks at the same bytes; the first to hold consumes them.
    const checks = e.alternatives.map((alt) => tcpCheck(peer, alt, true));
    return () => {
      const misses: Miss[] = [];
      let pending = false;
      for (const c of checks) {
        const v = c();
        if (v === undefined) pending = true;
        else if (isMiss(v)) misses.push(v);
        else return v;
      }
      if (pending) return undefined;
      return { code: 'mismatch', message: `none of the alternatives holds: ${misses.map((m) => m.message).join('; ')}`, actual: new Uint8Array(peer.buffer) };
    };
  }
  const matcher = matcherFor(e)!;
  const now = () => Date.now();
  // Where in the stream the bytes the matcher saw last time began, and how many: while nothing is consumed
  // (another alternative may drop what it reads), they are still there and need no second look.
  let seenFrom = -1;
  let seen = 0;
  return () => {
    const from = peer.received - peer.buffer.length;
    const m = matcher.test(peer.buffer, peer.finished, false, now, from === seenFrom ? seen : 0);
    if (m.status === 'more') {
      seenFrom = from;
      seen = peer.buffer.length;
      return peer.full ? tooMuchData(peer, matcher.description) : undefined;
    }
    if (m.status === 'match') {
      const bytes = new Uint8Array(peer.buffer.subarray(0, m.consumed));
      peer.consume(m.consumed);
      return { bytes, expectation: e };
    }
    const ended = peer.finished && m.at >= peer.buffer.length ? ` (${peer.resetByPeer ? 'connection reset' : 'end of stream'} after ${peer.buffer.length} bytes)` : '';
    const expected = expectedBytes(e);
    return { code: codeOf(m.reason), message: `${m.reason}${ended}`, ...(expected ? { expected } : m.expected ? { expected: m.expected } : {}), actual: new Uint8Array(m.actual), at: m.at };
  };
}

/** The receive window is full and the expectation still wants more: it cannot hold within the harness's bounds. */
function tooMuchData(peer: TcpPeer, what: string): Miss {
  const mib = RECEIVE_CAP / (1024 * 1024);
  return { code: 'too-much-data', message: `${peer.buffer.length.toLocaleString('en-US')} bytes arrived unconsumed (${peer.received.toLocaleString('en-US')} on this connection in all) and ${what} is still not complete; an expectation looks at most ${mib} MiB ahead`, actual: new Uint8Array(peer.buffer.subarray(0, 4096)) };
}

/**
 * Wait on a UDP socket for the next datagram `filter` accepts (or for silence from those
 * senders). Datagrams it does not accept stay queued, and a failure lists them. A hit
 * carries the datagram taken (its sender, for captures).
 */
export async function expectUdp(peer: UdpPeer, e: Expectation, timeoutMs: number, signal: AbortSignal, filter: UdpFilter = 'destination'): Promise<Miss | Hit> {
  const others = () => {
    const text = peer.notAccepted(filter);
    return text ? ` (${text})` : '';
  };
  if (e.kind === 'silence') {
    const r = await peer.changes.wait(() => peer.next(filter), e.ms, signal);
    if (r.done) {
      const d = r.value.data;
      return { code: 'not-silent', message: `expected no datagram for ${e.ms} ms, got one of ${d.length} bytes from ${endpointText(r.value.from)}: "${escapeBytes(d, 80)}"`, actual: new Uint8Array(d) };
    }
    return r.reason === 'aborted' ? { code: 'aborted', message: 'interrupted' } : nothing(e);
  }
  const alternatives = e.kind === 'one-of' ? e.alternatives : [e];
  const matchers = alternatives.map((alt) => (alt.kind === 'rest' ? undefined : matcherFor(alt)!));
  const r = await peer.receive(filter, timeoutMs, signal);
  if (!r.done) {
    const what = e.kind === 'one-of' ? describeExpectation(e) : e.kind === 'rest' ? 'any datagram' : `a datagram: ${matchers[0]!.description}`;
    const miss = timedOut(r.reason, what, timeoutMs, Buffer.alloc(0), expectedBytes(e));
    return r.reason === 'timeout' ? { ...miss, message: `${miss.message}${others()}` } : miss;
  }
  const datagram = r.value;
  const d = datagram.data;
  const misses: Miss[] = [];
  for (let i = 0; i < matchers.length; i++) {
    const matcher = matchers[i];
    // The datagram was taken from the queue: it is the expectation's own, and needs no copy.
    const hit: Hit = { bytes: new Uint8Array(d.buffer, d.byteOffset, d.length), expectation: alternatives[i]!, datagram };
    if (!matcher) return hit;
    const m = matcher.test(d, true, true, dateNow);
    if (m.status === 'match') return hit;
    const reason = m.status === 'mismatch' ? m.reason : `incomplete datagram for ${matcher.description}`;
    misses.push({ code: codeOf(reason), message: reason, ...(m.status === 'mismatch' ? { at: m.at } : {}) });
  }
  const one = misses.length === 1 ? misses[0]! : { code: 'mismatch', message: `none of the alternatives holds: ${misses.map((m) => m.message).join('; ')}` };
  const expected = expectedBytes(e);
  return { ...one, message: `${one.message}${others()}`, ...(expected ? { expected } : {}), actual: new Uint8Array(datagram.data) };
}

const dateNow = () => Date.now();

/** `regex-budget` for a regex that ran out of its time budget (the matcher says so first), `framing` for a frame that cannot be read, else `mismatch`. */
function codeOf(reason: string): string {
  if (reason.startsWith(FRAMING_REASON)) return 'framing';
  return reason.startsWith('regex-budget:') ? 'regex-budget' : 'mismatch';
}

function timedOut(reason: 'timeout' | 'aborted', what: string, ms: number, received: Uint8Array, expected?: Uint8Array): Miss {
  if (reason === 'aborted') return { code: 'aborted', message: 'interrupted' };
  const got = received.length ? `${received.length} bytes received so far: "${escapeBytes(received, 120)}"` : 'nothing received';
  return { code: 'timeout', message: `expected ${what} within ${ms} ms; ${got}`, ...(expected ? { expected } : {}), actual: new Uint8Array(received) };
}
