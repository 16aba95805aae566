/**
 * Waiting for an expectation on a connection: bytes, structure and rounds through
 * the codec's matchers, end of stream, reset and silence. Fails as soon as the
 * received bytes can no longer match.
 */
import { matchBytes, matchRegex, matchRounds, matchSize, matchStruct } from '../codec/index.js';
import { escapeBytes } from '../codec/render.js';
import type { Matcher } from '../codec/types.js';
import type { TcpPeer } from '../net/tcp-peer.js';
import type { UdpPeer } from '../net/udp-peer.js';
import type { Expectation } from '../scenario/model.js';

/** A failed expectation, before the step adds where it was. */
export interface Miss {
  code: string;
  message: string;
  expected?: Uint8Array;
  actual?: Uint8Array;
  at?: number;
}

/** The matcher for a byte expectation (not eof/reset/silence). */
export function matcherFor(e: Expectation): Matcher | undefined {
  switch (e.kind) {
    case 'bytes':
      return matchBytes(e.data);
    case 'regex':
      return matchRegex(e.source, e.flags);
    case 'struct':
      return matchStruct(e.format, e.values);
    case 'rounds':
      return matchRounds(e.data, e.trailer);
    case 'size':
      return matchSize(e.size);
    default:
      return undefined;
  }
}

function expectedBytes(e: Expectation): Uint8Array | undefined {
  return e.kind === 'bytes' ? e.data : undefined;
}

/** Wait on a TCP peer; resolves undefined when the expectation held. */
export async function expectTcp(peer: TcpPeer, e: Expectation, timeoutMs: number, signal: AbortSignal): Promise<Miss | undefined> {
  if (e.kind === 'silence') {
    const r = await peer.changes.wait(() => (peer.buffer.length > 0 ? true : undefined), e.ms, signal);
    if (r.done) return { code: 'not-silent', message: `expected no data for ${e.ms} ms, got ${peer.buffer.length} bytes: "${escapeBytes(peer.buffer, 80)}"`, actual: Uint8Array.from(peer.buffer) };
    return r.reason === 'aborted' ? { code: 'aborted', message: 'interrupted' } : undefined;
  }
  if (e.kind === 'eof' || e.kind === 'reset') {
    const r = await peer.changes.wait((): Miss | true | undefined => {
      if (peer.buffer.length > 0) return { code: 'unexpected-data', message: `expected ${e.kind === 'eof' ? 'end of stream' : 'a reset'}, got ${peer.buffer.length} more bytes: "${escapeBytes(peer.buffer, 80)}"`, actual: Uint8Array.from(peer.buffer) };
      if (e.kind === 'eof' && peer.ended) return true;
      if (e.kind === 'reset' && peer.resetByPeer) return true;
      if (peer.finished) return { code: e.kind === 'eof' ? 'reset-not-eof' : 'eof-not-reset', message: e.kind === 'eof' ? `expected end of stream, but the connection ${peer.resetByPeer ? 'was reset' : 'failed: ' + (peer.errorText ?? 'closed')}` : 'expected a reset, got an orderly end of stream' };
      return undefined;
    }, timeoutMs, signal);
    if (!r.done) return timedOut(r.reason, `${e.kind === 'eof' ? 'end of stream' : 'a reset'}`, timeoutMs, peer.buffer);
    return r.value === true ? undefined : r.value;
  }
  const matcher = matcherFor(e)!;
  const now = () => Date.now();
  const r = await peer.changes.wait((): Miss | true | undefined => {
    const m = matcher.test(peer.buffer, peer.finished, false, now);
    if (m.status === 'more') return undefined;
    if (m.status === 'match') {
      peer.consume(m.consumed);
      return true;
    }
    const ended = peer.finished && m.at >= peer.buffer.length ? ` (${peer.resetByPeer ? 'connection reset' : 'end of stream'} after ${peer.buffer.length} bytes)` : '';
    const expected = expectedBytes(e);
    return { code: 'mismatch', message: `${m.reason}${ended}`, ...(expected ? { expected } : m.expected ? { expected: m.expected } : {}), actual: Uint8Array.from(m.actual), at: m.at };
  }, timeoutMs, signal);
  if (!r.done) return timedOut(r.reason, matcher.description, timeoutMs, peer.buffer, expectedBytes(e));
  return r.value === true ? undefined : r.value;
}

/** Wait on a UDP socket for the next datagram (or silence). */
export async function expectUdp(peer: UdpPeer, e: Expectation, timeoutMs: number, signal: AbortSignal): Promise<Miss | undefined> {
  if (e.kind === 'silence') {
    const r = await peer.changes.wait(() => (peer.queue.length > 0 ? true : undefined), e.ms, signal);
    if (r.done) {
      const d = peer.queue[0]!;
      return { code: 'not-silent', message: `expected no datagram for ${e.ms} ms, got one of ${d.length} bytes: "${escapeBytes(d, 80)}"`, actual: Uint8Array.from(d) };
    }
    return r.reason === 'aborted' ? { code: 'aborted', message: 'interrupted' } : undefined;
  }
  const matcher = matcherFor(e)!;
  const r = await peer.changes.wait(() => peer.shift(), timeoutMs, signal);
  if (!r.done) return timedOut(r.reason, `a datagram: ${matcher.description}`, timeoutMs, Buffer.alloc(0), expectedBytes(e));
  const m = matcher.test(r.value, true, true, () => Date.now());
  if (m.status === 'match') return undefined;
  const expected = expectedBytes(e);
  const reason = m.status === 'mismatch' ? m.reason : `incomplete datagram for ${matcher.description}`;
  return { code: 'mismatch', message: reason, ...(expected ? { expected } : {}), actual: Uint8Array.from(r.value), ...(m.status === 'mismatch' ? { at: m.at } : {}) };
}

function timedOut(reason: 'timeout' | 'aborted', what: string, ms: number, received: Uint8Array, expected?: Uint8Array): Miss {
  if (reason === 'aborted') return { code: 'aborted', message: 'interrupted' };
  const got = received.length ? `${received.length} bytes received so far: "${escapeBytes(received, 120)}"` : 'nothing received';
  return { code: 'timeout', message: `expected ${what} within ${ms} ms; ${got}`, ...(expected ? { expected } : {}), actual: Uint8Array.from(received) };
}
