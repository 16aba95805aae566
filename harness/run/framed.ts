/**
 * Framed connections at run time: the framer a connection carries, the bytes a
 * send puts on the wire (each message framed), and expectations that take one
 * whole message off the stream and match its content.
 */
import { concatBytes } from '../codec/bytes.js';
import { CodecError } from '../codec/errors.js';
import { framedMatcher } from '../codec/framed-matcher.js';
import { continuedFramer } from '../codec/framer-continued.js';
import { delimiterFramer } from '../codec/framer-delimiter.js';
import { fixedSizeFramer } from '../codec/framer-fixed.js';
import { lengthPrefixFramer } from '../codec/framer-length.js';
import type { Framer } from '../codec/framer.js';
import type { Expectation, Step } from '../scenario/model.js';
import { fail, type Context } from './context.js';
import { matcherFor, type Hit } from './expectation.js';

/** How messages are framed on a connection, as a scenario says it (normalised). */
export type Framing =
  | { kind: 'length'; width: 1 | 2 | 4 | 8; order: 'big' | 'little'; countsHeader: boolean; max: number }
  | { kind: 'delimiter'; delimiter: Uint8Array; continued?: string }
  | { kind: 'fixed'; size: number };

/** The framer of `f`. Throws `CodecError` for options no framer takes. */
export function framerOf(f: Framing): Framer {
  if (f.kind === 'length') return lengthPrefixFramer({ width: f.width, byteOrder: f.order, maxLength: f.max, countsPrefix: f.countsHeader });
  if (f.kind === 'fixed') return fixedSizeFramer({ size: f.size });
  if (f.continued !== undefined) return continuedFramer({ delimiter: f.delimiter, continued: new RegExp(f.continued) });
  return delimiterFramer({ delimiter: f.delimiter });
}

/** The bytes `f` adds to each message on the stream. */
export function overheadOf(f: Framing): number {
  return f.kind === 'length' ? f.width : f.kind === 'delimiter' ? f.delimiter.length : 0;
}

/** A framed connection's framer and what went over it, in messages. */
export class FramedConn {
  readonly framer: Framer;
  readonly overhead: number;
  received = 0;
  sent = 0;
  /** The content of the last message an expectation took. */
  last?: Uint8Array;

  constructor(readonly framing: Framing) {
    this.framer = framerOf(framing);
    this.overhead = overheadOf(framing);
  }
}

/** The `framed` of a TCP Conn opened with `framing` (nothing without one). */
export function framedConn(framing: Framing | undefined): { framed?: FramedConn } {
  return framing ? { framed: new FramedConn(framing) } : {};
}

/** What a send puts on the wire: each message framed (all of them one after another), or its bytes as they are when `raw`. */
export function wireBytes(step: Step, ctx: Context, on: string, framed: FramedConn | undefined, messages: Uint8Array[], raw: boolean): Uint8Array {
  if (!framed || raw) {
    if (messages.length > 1 && !framed) fail(step, 'framing', `\`messages\` are framed, but \`${on}\` has no framing`);
    return concatBytes(messages);
  }
  const wire = messages.map((m, i) => {
    try {
      return framed.framer.encode(m);
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      return fail(step, 'framing', `cannot frame message ${i + 1} of ${messages.length} (${m.length} bytes): ${e.message}`);
    }
  });
  for (const m of messages) ctx.transcript.add('note', on, undefined, `sent message ${++framed.sent}: ${m.length} bytes`);
  return concatBytes(wire);
}

/** Expectations of content made expectations of the next whole message on `framed`; those about the stream's end stay as they are. */
export function messageExpectation(e: Expectation, framed: FramedConn, ctx: Context, on: string): Expectation {
  if (e.kind === 'one-of') return { kind: 'one-of', alternatives: e.alternatives.map((alt) => messageExpectation(alt, framed, ctx, on)) };
  if (!['bytes', 'regex', 'struct', 'size'].includes(e.kind)) return e;
  const seen = (m: Uint8Array) => {
    framed.last = m;
    ctx.transcript.add('note', on, undefined, `message ${++framed.received}: ${m.length} bytes`);
  };
  return { kind: 'message', matcher: framedMatcher(framed.framer, matcherFor(e)!, { overhead: framed.overhead, search: e.kind === 'regex', seen }), of: e };
}

/** A hit on a framed connection as its message: the content (without header or delimiter) and the expectation the message one was made from. */
export function contentHit(hit: Hit, framed: FramedConn): Hit {
  const e = hit.expectation;
  return e.kind === 'message' ? { bytes: framed.last ?? hit.bytes, expectation: e.of } : hit;
}
