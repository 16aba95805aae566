/**
 * Verbs that carry data over a connection: `send` and `expect`, each with what its
 * body may say, how it is checked, and how it runs.
 */
import { z } from 'zod';
import { splitSizes } from '../codec/generated.js';
import { parseStructFormat } from '../codec/struct-format.js';
import type { TcpPeer } from '../net/tcp-peer.js';
import { pause } from '../net/waiter.js';
import { conn, deadline, fail, NOT_RUN, StepFailure, type Context } from '../run/context.js';
import { expectEndSkippingData, expectTcp, expectUdp } from '../run/expectation.js';
import { messageExpectation, wireBytes } from '../run/framed.js';
import { exitWithin, isEnding } from '../process/ending.js';
import { didYouMean } from '../scenario/diagnostic.js';
import { ms, on, payloadFields, payloadKeys, payloadSchema, within } from '../scenario/fields.js';
import type { Expectation, Step, Transport } from '../scenario/model.js';
import type { DataPath } from '../scenario/yaml-source.js';
import { checkFramedExpect, checkFramedSend, framedSendFields, joined, sendMessages } from './framing.js';
import { defineVerb, type ValidateCtx } from './types.js';
import { checkUdpEndpoint, fromField, toField, udpFilter, udpTarget, type FromSpec, type ToSpec } from './udp-address.js';

type SendAction = { verb: 'send'; on?: string; data: Uint8Array; chunks?: number[]; chunk?: number; pause: number; stall?: number; to?: ToSpec; raw?: true; messages?: Uint8Array[] };
type ExpectAction = { verb: 'expect'; on?: string; expectation: Expectation; within?: number; stall?: number; measure?: string; from?: FromSpec };
/** The actions of this family. */
export type DataAction = SendAction | ExpectAction;

type Obj = Record<string, unknown>;

/** `send`: bytes on a connection, whole, in pieces, or as a generated split. */
export const send = defineVerb({
  verb: 'send',
  body: z.strictObject({
    on,
    ...payloadFields,
    ...framedSendFields,
    chunks: z.array(z.number().int().positive()).min(1).optional().describe('sizes of the pieces; the rest goes last'),
    chunk: z.number().int().positive().optional().describe('send in pieces of this size'),
    split: z.string().optional().describe('a generated `split` (under `generate`): its pieces and pause'),
    pause: ms.optional().describe('milliseconds between pieces'),
    stall: ms
      .optional()
      .describe('TCP: a stall timeout: the send fails only if the peer takes none of the data (a piece of at most 64 KiB) for this many milliseconds, however long the whole takes'),
    to: toField,
  }),
  kind: 'action',
  normalize(s, v, path, scope): SendAction | undefined {
    const t = v.connection(s.on, scope, path);
    if (t === 'udp' && (s.chunks || s.chunk || s.split)) v.error(path, 'chunks-on-udp', 'a UDP send is one datagram: `chunks`/`chunk`/`split` do not apply', 'use several `send` steps');
    checkUdpEndpoint(v, s.to, 'to', path, t);
    if ([s.chunks, s.chunk, s.split].filter((x) => x !== undefined).length > 1) v.error(path, 'ambiguous-chunks', 'give one of `chunks`, `chunk` or `split`');
    const split = s.split === undefined ? undefined : v.splits.get(s.split);
    if (s.split !== undefined && !split) v.error([...path, 'split'], 'unknown-split', `no split named \`${s.split}\` under \`generate\``, didYouMean(s.split, [...v.splits.keys()]));
    const messages = sendMessages(v, s, path);
    if (!messages) return undefined;
    const wire = checkFramedSend(v, scope, s, path, messages);
    const data = joined(messages);
    const framed = { ...(s.raw ? { raw: true as const } : {}), ...(s.messages ? { messages } : {}) };
    if (split) {
      const chunks = splitSizes(split, wire);
      v.splitPieces.set(s.split!, chunks);
      return { verb: 'send', ...(s.on ? { on: s.on } : {}), data, chunks, pause: split.pause, ...framed };
    }
    return { verb: 'send', ...(s.on ? { on: s.on } : {}), data, ...framed, ...(s.chunks ? { chunks: s.chunks } : {}), ...(s.chunk ? { chunk: s.chunk } : {}), pause: s.pause ?? 0, ...sendStall(v, s, path, t), ...(s.to !== undefined ? { to: s.to } : {}) };
  },
  async run(a, step, ctx) {
    const c = conn(ctx, step, a.on);
    if (c.kind === 'tcp' && (c.framed || a.messages)) a = { ...a, data: wireBytes(step, ctx, a.on ?? ctx.last!, c.framed, a.messages ?? [a.data], a.raw === true) };
    if (c.kind === 'tcp' && a.stall !== undefined) return sendMoving(step, c.peer, a, a.stall, ctx);
    const problem =
      c.kind === 'udp'
        ? await c.peer.send(a.data, udpTarget(a.to, ctx, step))
        : await c.peer.send(a.data, a.chunks ?? (a.chunk ? Array(Math.ceil(a.data.length / a.chunk)).fill(a.chunk) : []), a.pause, ctx.signal);
    if (problem === 'aborted') fail(step, 'aborted', 'interrupted');
    if (problem) fail(step, 'send-failed', problem);
  },
});

/** `stall` of a `send`: for data a TCP peer takes, not for a datagram. */
function sendStall(v: ValidateCtx, s: { stall?: number }, path: DataPath, t: Transport | undefined): { stall?: number } {
  if (s.stall === undefined) return {};
  if (t === 'udp') v.error([...path, 'stall'], 'not-for-udp', '`stall` applies to data sent on a TCP connection', 'a datagram is sent whole');
  return { stall: s.stall };
}

/** The largest piece a stall-timed send hands over at once: the peer must take one within the stall timeout. */
const STALL_PIECE = 64 * 1024;

/** Send in pieces (at most 64 KiB), failing only when the peer takes none for `stallMs`. */
async function sendMoving(step: Step, peer: TcpPeer, a: SendAction, stallMs: number, ctx: Context): Promise<void> {
  const sizes = a.chunks ?? (a.chunk ? Array<number>(Math.ceil(a.data.length / a.chunk)).fill(a.chunk) : []);
  const given: Uint8Array[] = [];
  let at = 0;
  for (const n of sizes) {
    if (at >= a.data.length) break;
    given.push(a.data.subarray(at, at + n));
    at += n;
  }
  if (at < a.data.length || given.length === 0) given.push(a.data.subarray(at));
  let sent = 0;
  for (let i = 0; i < given.length; i++) {
    if (i > 0 && a.pause > 0 && !(await pause(a.pause, ctx.signal))) fail(step, 'aborted', 'interrupted');
    const piece = given[i]!;
    for (let from = 0; from < piece.length || (from === 0 && piece.length === 0); from += STALL_PIECE) {
      const part = piece.subarray(from, from + STALL_PIECE);
      const stalled = new AbortController();
      const timer = setTimeout(() => stalled.abort(), stallMs);
      const problem = await peer.send(part, [], 0, AbortSignal.any([ctx.signal, stalled.signal]));
      clearTimeout(timer);
      if (problem === 'aborted' && ctx.signal.aborted) fail(step, 'aborted', 'interrupted');
      if (problem === 'aborted') fail(step, 'stalled', `the peer took no data for ${stallMs} ms after ${sent} of ${a.data.length} bytes`);
      if (problem) fail(step, 'send-failed', problem);
      sent += part.length;
      if (part.length === 0) break;
    }
  }
}

const valueSpec = z.union([
  z.number(),
  z.literal('any'),
  z.strictObject({ min: z.number().optional(), max: z.number().optional() }),
  z.strictObject({
    now: z.number().nonnegative().describe('tolerance in seconds around the current time'),
    offset: z.number().optional().describe('seconds added to Unix time (2208988800 for RFC 868)'),
  }),
]);

const structSpec = z.strictObject({
  format: z.string().describe('Python struct format, e.g. `!I`'),
  values: z.array(valueSpec).describe('one check per field'),
});

const roundsSpec = z.strictObject({
  data: payloadSchema.describe('what the echoes must concatenate to'),
  trailer: payloadSchema.describe('what follows each echo'),
});

/** The matcher keys of `expect`; exactly one is given. */
const expectFields = {
  ...payloadFields,
  regex: z.string().optional().describe('a JavaScript regular expression over the UTF-8 text received'),
  flags: z.string().regex(/^[imsu]*$/).optional().describe('flags for `regex`'),
  struct: structSpec.optional(),
  rounds: roundsSpec.optional().describe('segmentation-insensitive echo rounds: echo_k + trailer, echoes concatenating to data'),
  size: z.number().int().nonnegative().optional().describe('any bytes of this length (a datagram of this length)'),
  eof: z.literal(true).optional().describe('the peer closed its write side'),
  reset: z.literal(true).optional().describe('the peer reset the connection'),
  silence: ms.optional().describe('no data (no datagram) for this many milliseconds'),
  rest: z.literal(true).optional().describe('whatever arrives until the peer ends the stream (TCP), or the next datagram whatever it holds (UDP): to record it, e.g. for --reference'),
  'one-of': z
    .array(z.lazy((): z.ZodType => alternativeSchema))
    .min(2)
    .optional()
    .describe('TCP: holds as soon as one of these expectations holds; fails when none can. UDP: the next datagram accepted matches one of them'),
};
/** Keys of `expect` that qualify the matcher rather than choose it. */
const expectOptionKeys = ['flags', 'measure'];
const expectMatcherKeys = Object.keys(expectFields).filter((k) => !expectOptionKeys.includes(k));

/** One alternative of `one-of`: an expectation without its own options. */
const { silence: _silence, 'one-of': _oneOf, ...alternativeFields } = expectFields;
const alternativeSchema: z.ZodType = z.strictObject(alternativeFields);

/** `expect`: what arrives on a connection matches one expectation within the deadline. */
export const expect = defineVerb({
  verb: 'expect',
  body: z.strictObject({
    on,
    within,
    stall: ms
      .optional()
      .describe('TCP: a stall timeout: `within` is then the deadline for the first byte, and after each byte received the expectation fails only if no byte comes for this many milliseconds (for large transfers, whose speed the spec does not set)'),
    ...expectFields,
    measure: z.string().min(1).optional().describe('record in the report how long the expectation took, under this label'),
    from: fromField,
  }),
  kind: 'check',
  recoverable: true,
  normalize(b, v, path, scope): ExpectAction | undefined {
    const t = v.connection(b.on, scope, path);
    const expectation = expectationOf(v, b, path, t);
    checkUdpEndpoint(v, b.from, 'from', path, t);
    if (!expectation) return undefined;
    checkFramedExpect(v, scope, b.on, expectation, path);
    return {
      verb: 'expect',
      ...(b.on ? { on: b.on } : {}),
      expectation,
      ...(b.within !== undefined ? { within: b.within } : {}),
      ...expectStall(v, b, path, t, expectation),
      ...(b.measure !== undefined ? { measure: b.measure } : {}),
      ...(b.from !== undefined ? { from: b.from } : {}),
    };
  },
  async run(a, step, ctx) {
    const c = conn(ctx, step, a.on);
    const ms = deadline(ctx, a.within);
    const t0 = performance.now();
    if (c.kind === 'tcp' && ctx.log.outOfStep.has(c.peer)) {
      // An earlier check on this stream broke: where its bytes end is unknown. How the stream ends is still judged.
      if (!endsStream(a.expectation)) {
        const why = `the stream of \`${a.on ?? ctx.last}\` lost its place when an earlier check on it failed`;
        ctx.log.notRun(step, why);
        ctx.transcript.add('note', a.on ?? ctx.last, undefined, `${step.label} not run: ${why}`);
        return NOT_RUN;
      }
      const miss = await expectEndSkippingData(c.peer, a.expectation, ms, ctx.signal);
      if (miss) throw new StepFailure(miss, step);
      return;
    }
    const miss =
      c.kind === 'tcp'
        ? await expectTcp(c.peer, c.framed ? messageExpectation(a.expectation, c.framed, ctx, a.on ?? ctx.last!) : a.expectation, ms, ctx.signal, a.stall)
        : (await expectUdp(c.peer, a.expectation, ms, ctx.signal, udpFilter(a.from, ctx, step))).miss;
    if (miss) {
      if (c.kind === 'tcp' && miss.code !== 'aborted' && (miss.code !== 'timeout' || c.peer.buffer.length > 0)) {
        // The bytes this check looked at are dropped; later checks of the stream's content cannot know where they start.
        ctx.log.outOfStep.add(c.peer);
        c.peer.consume(c.peer.buffer.length);
      }
      if (c.kind === 'tcp' && (c.peer.ended || c.peer.resetByPeer)) await learnEnd(ctx);
      throw new StepFailure(miss, step);
    }
    if (a.measure !== undefined) ctx.notes.push(`${a.measure}: ${Math.round(performance.now() - t0)} ms`);
  },
});

/** `stall` of an `expect`: for bytes arriving on TCP, not for a datagram, silence or the end of a stream. */
function expectStall(v: ValidateCtx, b: { stall?: number }, path: DataPath, t: Transport | undefined, e: Expectation): { stall?: number } {
  if (b.stall === undefined) return {};
  if (t === 'udp') v.error([...path, 'stall'], 'not-for-udp', '`stall` applies to bytes arriving on a TCP connection', 'a datagram arrives whole: use `within`');
  else if (['silence', 'eof', 'reset'].includes(e.kind)) v.error([...path, 'stall'], 'stall-without-bytes', `\`stall\` restarts on every byte received; \`${e.kind}\` waits for none`, 'use `within`');
  return { stall: b.stall };
}

/** The one expectation of an `expect` body (or of one `one-of` alternative). */
function expectationOf(v: ValidateCtx, b: Obj, path: DataPath, t: Transport | undefined): Expectation | undefined {
  const given = expectMatcherKeys.filter((k) => b[k] !== undefined);
  const what = given.filter((k) => !(payloadKeys as string[]).includes(k));
  const payloadGiven = given.length > what.length;
  if (what.length + (payloadGiven ? 1 : 0) !== 1) {
    v.error(path, given.length ? 'ambiguous-expect' : 'missing-matcher', given.length ? `one expectation per step, got ${given.map((k) => `\`${k}\``).join(', ')}` : `say what to expect: one of ${expectMatcherKeys.map((k) => `\`${k}\``).join(', ')}`);
    return undefined;
  }
  let expectation: Expectation | undefined;
  const kind = what[0];
  if (kind === undefined) {
    const data = v.payload(b, path);
    if (data) expectation = { kind: 'bytes', data };
  } else if (kind === 'regex') {
    const flags = (b.flags as string | undefined) ?? '';
    v.regex(b.regex as string, flags, [...path, 'regex']);
    expectation = { kind: 'regex', source: b.regex as string, flags };
  } else if (kind === 'struct') {
    const s = b.struct as { format: string; values: Expectation extends never ? never : never[] };
    try {
      const fields = parseStructFormat(s.format).fields;
      if (s.values.length > fields) v.error([...path, 'struct', 'values', fields], 'struct-values', `\`${s.format}\` has ${fields} field${fields === 1 ? '' : 's'}, but ${s.values.length} values are given`);
      else expectation = { kind: 'struct', format: s.format, values: s.values };
      (s.values as unknown[]).forEach((x, i) => v.range(x, [...path, 'struct', 'values', i]));
    } catch (e) {
      v.error([...path, 'struct', 'format'], 'bad-struct', (e as Error).message);
    }
  } else if (kind === 'rounds') {
    const r = b.rounds as { data: Obj; trailer: Obj };
    const data = v.payload(r.data, [...path, 'rounds', 'data']);
    const trailer = v.payload(r.trailer, [...path, 'rounds', 'trailer']);
    if (data && data.length === 0) v.error([...path, 'rounds', 'data'], 'bad-payload', '`rounds.data` must not be empty');
    if (data && trailer) expectation = { kind: 'rounds', data, trailer };
  } else if (kind === 'one-of') {
    const alts = (b['one-of'] as Obj[]).map((alt, i) => expectationOf(v, alt, [...path, 'one-of', i], t));
    if (alts.every((x): x is Expectation => x !== undefined)) expectation = { kind: 'one-of', alternatives: alts };
  } else if (kind === 'size') expectation = { kind: 'size', size: b.size as number };
  else if (kind === 'silence') expectation = { kind: 'silence', ms: b.silence as number };
  else if (kind === 'rest') expectation = { kind: 'rest' };
  else expectation = { kind: kind as 'eof' | 'reset' };
  if (t === 'udp' && expectation && ['rounds', 'eof', 'reset'].includes(expectation.kind)) {
    v.error(path, 'not-for-udp', `\`${expectation.kind}\` does not apply to a UDP socket`, 'a datagram is matched whole: use bytes, `regex`, `size` or `struct`');
  }
  if (b.flags !== undefined && kind !== 'regex') v.error([...path, 'flags'], 'unknown-key', '`flags` goes with `regex`');
  return expectation;
}

/** How long a failure on a stream the program ended waits to learn whether the program itself ended (four times that when /proc shows it ending). */
const LEARN_END_MS = 300;

/** A connection the program ended may mean the program died: wait briefly (bounded, on its exit event) so the failure can say how. */
async function learnEnd(ctx: Context): Promise<void> {
  const l = ctx.program.launched;
  if (!l || ctx.program.exitInfo) return;
  await exitWithin(l.exited, (await isEnding(l.pid)) ? LEARN_END_MS * 4 : LEARN_END_MS);
}

/** Whether `e` is only about how a stream ends (end of stream, reset, the rest up to the end). */
function endsStream(e: Expectation): boolean {
  if (e.kind === 'one-of') return e.alternatives.every(endsStream);
  return e.kind === 'eof' || e.kind === 'reset' || e.kind === 'rest';
}
