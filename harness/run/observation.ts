/**
 * What a program observably did in one scenario run, for comparing it with a
 * reference implementation: per connection, the bytes it sent (TCP) or the
 * datagrams (UDP), and how the stream ended. Console output is left out: it holds
 * ports and addresses that differ from run to run.
 */
import { concatBytes } from '../codec/bytes.js';
import { describeDifference } from '../codec/render.js';
import type { TranscriptEntry } from './result.js';
import { readDigestNote } from './transcript.js';

type Digest = NonNullable<ReturnType<typeof readDigestNote>>;

export interface Observed {
  /** Connection name → what arrived on it, in order (and, where the transcript was cut, a digest of all of it). */
  connections: Map<string, { received: Uint8Array[]; end: 'eof' | 'reset' | 'open'; digest?: Digest }>;
  /** The transcript left something out (its budget): compare digests, not bytes. */
  cut?: boolean;
}

/** The observable behaviour recorded in a transcript. */
export function observe(transcript: readonly TranscriptEntry[]): Observed {
  const connections: Observed['connections'] = new Map();
  const of = (name: string) => connections.get(name) ?? connections.set(name, { received: [], end: 'open' }).get(name)!;
  let cut = false;
  for (const e of transcript) {
    if (e.kind === 'elided') cut = true;
    const digest = e.kind === 'note' && e.on !== undefined ? readDigestNote(e.detail) : undefined;
    if (digest) of(e.on!).digest = digest;
    if (e.on === undefined || e.on === 'program' || e.on === 'harness') continue;
    if (e.kind === 'connect') of(e.on);
    else if (e.kind === 'recv' && e.data) of(e.on).received.push(e.data);
    else if (e.kind === 'eof') of(e.on).end = 'eof';
    else if (e.kind === 'reset' && e.detail?.startsWith('by peer')) of(e.on).end = 'reset';
  }
  return cut ? { connections, cut } : { connections };
}

const NO_DATA: Digest = { bytes: 0, pieces: 0, stream: '', framed: '' };

/** Where a transcript was cut: what arrived on each connection, compared by length and digest. */
function compareDigests(expected: Observed, actual: Observed, udp: ReadonlySet<string>): { message: string } | undefined {
  for (const [name, want] of expected.connections) {
    const got = actual.connections.get(name) ?? { received: [], end: 'open' as const };
    const a = want.digest ?? NO_DATA;
    const b = got.digest ?? NO_DATA;
    const same = udp.has(name) ? a.framed === b.framed && a.pieces === b.pieces : a.stream === b.stream && a.bytes === b.bytes;
    if (!same) {
      const what = (d: Digest) => (udp.has(name) ? `${d.pieces} datagrams (${d.bytes} bytes)` : `${d.bytes} bytes`);
      return { message: `on ${name}: the reference received ${what(a)}, the program under test sent ${what(b)}${a.bytes === b.bytes ? ' that differ' : ''} (too long to keep whole: compared by digest)` };
    }
    if (want.end !== got.end) return { message: `on ${name}: the reference's stream ended with ${want.end}, the program's with ${got.end}` };
  }
  return undefined;
}

/** How `actual` differs from `expected` (the reference's), or undefined when they agree; UDP datagrams compare one by one, TCP streams as a whole. */
export function compareObserved(expected: Observed, actual: Observed, udp: ReadonlySet<string>): { message: string; expected?: Uint8Array; actual?: Uint8Array } | undefined {
  if (expected.cut || actual.cut) return compareDigests(expected, actual, udp);
  for (const [name, want] of expected.connections) {
    const got = actual.connections.get(name) ?? { received: [], end: 'open' as const };
    if (udp.has(name)) {
      const n = Math.max(want.received.length, got.received.length);
      for (let i = 0; i < n; i++) {
        const a = want.received[i];
        const b = got.received[i];
        if (a && b && Buffer.from(a).equals(b)) continue;
        if (!a || !b) return { message: `on ${name}: the reference received ${want.received.length} datagrams, the program under test sent ${got.received.length}` };
        return { message: `on ${name}: datagram ${i + 1} differs from the reference's\n${describeDifference(a, b)}`, expected: a, actual: b };
      }
      continue;
    }
    const a = concatBytes(want.received);
    const b = concatBytes(got.received);
    if (!Buffer.from(a).equals(b)) return { message: `on ${name}: the bytes differ from the reference's`, expected: a, actual: b };
    if (want.end !== got.end) return { message: `on ${name}: the reference's stream ended with ${want.end}, the program's with ${got.end}` };
  }
  return undefined;
}
