/**
 * `framing:` of connections (on `connect`, `accept`, and the scenario's default):
 * its schema, its checks at validation, and the checks of sends and expects on a
 * connection whose framing is known then (a message its framing cannot carry, a
 * `raw` send or `messages` on a connection without framing), and of the generator
 * of messages (`message: { struct }`) property scenarios send framed.
 */
import { z } from 'zod';
import { concatBytes } from '../codec/bytes.js';
import { parseEscapedBytes } from '../codec/byte-escapes.js';
import { CodecError } from '../codec/errors.js';
import { DEFAULT_MAX_FRAME_LENGTH } from '../codec/framer.js';
import type { MessageStruct } from '../codec/generated.js';
import { isBytesField, isIntegerField, structFields, type StructField } from '../codec/struct-fields.js';
import { parseStructFormat } from '../codec/struct-format.js';
import { intRange } from '../codec/struct-pack.js';
import { regexProblem } from '../codec/safe-regex.js';
import { framerOf, overheadOf, type Framing } from '../run/framed.js';
import { RECEIVE_CAP } from '../net/tcp-peer.js';
import { payloadKeys, payloadSchema } from '../scenario/fields.js';
import type { Expectation, Transport } from '../scenario/model.js';
import type { DataPath } from '../scenario/yaml-source.js';
import type { Scope, ValidateCtx } from './types.js';

/** The schema of `framing:`: a length prefix, a delimiter (with continued lines), a fixed size, or `none`. */
export const framingSchema = z
  .union([
    z.literal('none'),
    z.strictObject({
      length: z.number().int().optional().describe('a length prefix of 1, 2, 4 or 8 bytes before each message'),
      order: z.enum(['big', 'little']).optional().describe('byte order of the length prefix (default big)'),
      'counts-header': z.boolean().optional().describe('the length counts the prefix itself too (default false)'),
      max: z.number().int().optional().describe('the longest message a length may announce (default 1 MiB)'),
      delimiter: z.string().optional().describe('text with escapes (as `bytes:`) ending each message, e.g. "\\r\\n"'),
      continued: z.string().optional().describe('with `delimiter`: a line matching this regex is joined with the next one into one message (SMTP `250-`)'),
      size: z.number().int().optional().describe('every message is this many bytes'),
    }),
  ])
  .describe('how messages are framed on the stream: `expect` takes one whole message, `send` frames each message; `none` for no framing');

/** The `framing:` as written. */
export type FramingInput = z.infer<typeof framingSchema>;

const KINDS = ['length', 'delimiter', 'size'] as const;
const LENGTH_ONLY = ['order', 'counts-header', 'max'] as const;

/** The framing a connection opened with `given` has (the scenario's default when not given), or undefined for none. */
export function connectionFraming(v: ValidateCtx, given: FramingInput | undefined, transport: Transport, path: DataPath): Framing | undefined {
  if (given === undefined) return transport === 'tcp' ? v.framing : undefined;
  if (given === 'none') return undefined;
  if (transport === 'udp') {
    v.error(path, 'framing-udp', 'a UDP datagram is one message already: `framing` applies to TCP connections', 'leave `framing` out, or use `framing: none`');
    return undefined;
  }
  return checkFraming(v, given, path);
}

/** `framing:` checked into a Framing, or undefined after reporting what is wrong. */
export function checkFraming(v: ValidateCtx, f: Exclude<FramingInput, 'none'>, path: DataPath): Framing | undefined {
  const kinds = KINDS.filter((k) => f[k] !== undefined);
  if (kinds.length !== 1) {
    v.error(path, 'bad-framing', kinds.length ? `one framing per connection, got ${kinds.map((k) => `\`${k}\``).join(' and ')}` : 'say how messages are framed: `length`, `delimiter` or `size`');
    return undefined;
  }
  const bad = (key: string, message: string, code = 'bad-framing') => {
    v.error([...path, key], code, message);
    return undefined;
  };
  const kind = kinds[0]!;
  for (const key of LENGTH_ONLY) if (kind !== 'length' && f[key] !== undefined) return bad(key, `\`${key}\` goes with a length prefix (\`length\`)`, 'framing-option');
  if (kind !== 'delimiter' && f.continued !== undefined) return bad('continued', '`continued` joins lines: it goes with `delimiter`', 'framing-option');
  if (kind === 'size') return f.size! >= 1 ? { kind: 'fixed', size: f.size! } : bad('size', `\`size\` must be 1 byte or more, got ${f.size}`);
  if (kind === 'length') {
    const width = f.length!;
    if (width !== 1 && width !== 2 && width !== 4 && width !== 8) return bad('length', `a length prefix is 1, 2, 4 or 8 bytes, got ${width}`);
    const own = f['counts-header'] ? width : 0;
    const most = Math.min(RECEIVE_CAP, width === 8 ? Number.MAX_SAFE_INTEGER : 2 ** (8 * width) - 1 - own);
    const max = f.max ?? Math.min(DEFAULT_MAX_FRAME_LENGTH, most);
    if (max < 0 || max > most) return bad('max', `\`max\` must be from 0 to ${most} for a ${width}-byte length${own ? ' counting itself' : ''}, got ${max}`);
    return { kind: 'length', width, order: f.order ?? 'big', countsHeader: f['counts-header'] ?? false, max };
  }
  let delimiter: Uint8Array;
  try {
    delimiter = parseEscapedBytes(f.delimiter!);
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    return bad('delimiter', e.message);
  }
  if (delimiter.length === 0) return bad('delimiter', 'the delimiter must not be empty (e.g. "\\n" or "\\r\\n")');
  if (f.continued === undefined) return { kind: 'delimiter', delimiter };
  const problem = regexProblem(f.continued, '');
  return problem === undefined ? { kind: 'delimiter', delimiter, continued: f.continued } : bad('continued', problem, 'bad-regex');
}

/** The framing of connection `on` (default: the last opened): a Framing, null for none, undefined when not known here (a step given by a script). */
export function framingIn(scope: Scope, on: string | undefined): Framing | null | undefined {
  if (!scope.framings) return undefined;
  const name = on ?? scope.last;
  return name === undefined ? null : (scope.framings.get(name) ?? null);
}

/** The keys of a `send` body this module reads. */
export interface FramedSend {
  on?: string;
  raw?: boolean;
  messages?: Record<string, unknown>[];
}

/** The schema keys `send` takes for framed connections. */
export const framedSendFields = {
  raw: z.literal(true).optional().describe('on a framed connection: send the bytes as they are, unframed (to test the peer’s framing errors)'),
  messages: z.array(payloadSchema).min(1).optional().describe('on a framed connection: several messages, each framed, sent as one stream (`split` cuts the whole)'),
};

/** The messages of a send: those of `messages`, or its one payload; undefined after reporting why not. */
export function sendMessages(v: ValidateCtx, s: FramedSend & Record<string, unknown>, path: DataPath): Uint8Array[] | undefined {
  if (s.messages === undefined) {
    const one = v.payload(s, path);
    return one && [one];
  }
  const also = payloadKeys.filter((k) => s[k] !== undefined);
  if (also.length) v.error([...path, also[0]!], 'ambiguous-payload', `give the bytes either as \`messages\` or as \`${also[0]}\`, not both`, undefined, true);
  const out = s.messages.map((m, i) => v.payload(m, [...path, 'messages', i]));
  return also.length === 0 && out.every((m): m is Uint8Array => m !== undefined) ? out : undefined;
}

/**
 * Check a send against its connection's framing, when known: `raw` and `messages`
 * need one, and each message must be one the framing can carry. The length of what
 * goes on the wire (for `split`).
 */
export function checkFramedSend(v: ValidateCtx, scope: Scope, s: FramedSend, path: DataPath, messages: Uint8Array[]): number {
  const f = framingIn(scope, s.on);
  const name = s.on ?? scope.last ?? '?';
  if (f === null && s.raw) v.error([...path, 'raw'], 'framing-raw', `\`raw\` sends bytes unframed, but \`${name}\` has no framing: every send on it is raw`);
  if (f === null && s.messages) v.error([...path, 'messages'], 'framing-messages', `\`messages\` are framed one by one, but \`${name}\` has no framing`, 'give the connection a `framing`, or send one payload');
  const bytes = messages.reduce((n, m) => n + m.length, 0);
  if (!f || s.raw) return bytes;
  const framer = framerOf(f);
  messages.forEach((m, i) => {
    try {
      framer.encode(m);
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      const code = e.code === 'frame-too-long' ? 'framing-too-long' : e.code === 'frame-too-short' ? 'framing-size' : 'framing-delimiter';
      v.error(s.messages ? [...path, 'messages', i] : path, code, `\`${name}\` cannot carry this message: ${e.message}`, s.messages ? undefined : 'use `raw: true` to send it unframed');
    }
  });
  return bytes + messages.length * overheadOf(f);
}

/** Check an expect against its connection's framing, when known: `rounds` reads a stream, not one message. */
export function checkFramedExpect(v: ValidateCtx, scope: Scope, on: string | undefined, e: Expectation, path: DataPath): void {
  if (!framingIn(scope, on)) return;
  const streamy = e.kind === 'rounds' || (e.kind === 'one-of' && e.alternatives.some((a) => a.kind === 'rounds'));
  if (streamy) v.error(path, 'framing-expect', '`rounds` reads echoes off a stream; on a framed connection an `expect` takes one whole message', 'expect each message, or open the connection with `framing: none`');
}

/** The bytes of several messages one after another (a send's `data` when it has `messages`). */
export function joined(messages: Uint8Array[]): Uint8Array {
  return messages.length === 1 ? messages[0]! : concatBytes(messages);
}

/** Check a `message: { struct }` generator: its format, one value per field, numbers only for numeric fields and within their range. */
export function checkMessageGenerator(v: ValidateCtx, m: MessageStruct, path: DataPath): void {
  let fields: StructField[];
  try {
    fields = structFields(parseStructFormat(m.format));
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    v.error([...path, 'format'], 'bad-struct', e.message);
    return;
  }
  if (m.values === undefined) return;
  if (m.values.length !== fields.length) {
    v.error([...path, 'values'], 'struct-values', `\`${m.format}\` has ${fields.length} field${fields.length === 1 ? '' : 's'}, so give ${fields.length} value${fields.length === 1 ? '' : 's'}, not ${m.values.length}`, undefined, true);
    return;
  }
  m.values.forEach((x, i) => {
    const f = fields[i]!;
    if (x === 'any') return;
    const at = [...path, 'values', i];
    if (isBytesField(f)) return v.error(at, 'struct-value-type', `field ${f.label} (\`${f.code}\`) holds bytes: give \`any\``);
    v.range(x, at);
    if (!isIntegerField(f)) return;
    const [lo, hi] = intRange(f.code, f.size);
    const out = [typeof x === 'number' ? x : x.min, typeof x === 'number' ? x : x.max].find((n) => !Number.isInteger(n) || BigInt(n) < lo || BigInt(n) > hi);
    if (out !== undefined) v.error(at, 'struct-value-range', `field ${f.label} (\`${f.code}\`) holds whole numbers from ${lo} to ${hi}, got ${out}`);
  });
}
