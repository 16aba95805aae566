/**
 * Verbs that carry data over a connection: `send` and `expect`, each with what its
 * body may say, how it is checked, and how it runs.
 */
import { z } from 'zod';
import { splitSizes } from '../codec/generated.js';
import { showValue } from '../codec/struct-fields.js';
import { cutPieces, type TcpPeer } from '../net/tcp-peer.js';
import { pause } from '../net/waiter.js';
import { conn, deadline, fail, NOT_RUN, StepFailure, type Context } from '../run/context.js';
import { expectEndSkippingData, expectTcp, expectUdp, isMiss } from '../run/expectation.js';
import { contentHit, messageExpectation, wireBytes } from '../run/framed.js';
import { resolveExpectation, takeCaptures, type BuildBytes, type Built, type Capture, type GroupCheck, type VarRef } from '../run/values.js';
import { exitWithin, isEnding } from '../process/ending.js';
import { didYouMean } from '../scenario/diagnostic.js';
import { captureField, groupCheck, ms, on, payloadFields, payloadKeys, payloadSchema, structCheck, valueName, within } from '../scenario/fields.js';
import type { Expectation, Step, Transport } from '../scenario/model.js';
import type { DataPath } from '../scenario/yaml-source.js';
import { checkFramedExpect, checkFramedSend, framedSendFields, joined, sendMessages } from './framing.js';
import { autoCaptured, capturesOf } from './captures.js';
import { checkGroups, structExpectation, type StructChecksBody } from './value-checks.js';
import { defineVerb, type Planned, type Scope, type ValidateCtx } from './types.js';
import { checkUdpEndpoint, fromField, toField, udpFilter, udpTarget, type FromSpec, type ToSpec } from './udp-address.js';

/** The payload keys an `expect` takes as bytes (its `struct` is a check, not a payload). */
const bytesKeys = payloadKeys.filter((k) => k !== 'struct');

type SendAction = {
  verb: 'send';
  on?: string;
  data: Uint8Array;
  build?: BuildBytes;
  struct?: Built['struct'];
  captures?: Capture[];
  chunks?: number[];
  chunk?: number;
  pause: number;
  stall?: number;
  to?: ToSpec;
  raw?: true;
  messages?: Uint8Array[];
};
type ExpectAction = { verb: 'expect'; on?: string; expectation: Expectation; captures?: Capture[]; within?: number; stall?: number; measure?: string; from?: FromSpec };
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
    capture: captureField,
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
    let messages: Uint8Array[] | undefined;
    let planned: Planned | undefined;
    if (s.messages !== undefined) {
      messages = sendMessages(v, s, path);
      planned = messages && { data: joined(messages) };
    } else planned = v.plan(s, path, scope);
    if (!planned) return undefined;
    // A payload built at run time is checked against the framing when it is sent.
    const wire = checkFramedSend(v, scope, s, path, messages ?? ('data' in planned ? [planned.data] : []));
    const captures = capturesOf(v, s.capture, path, scope, { ...(s.struct ? { struct: s.struct } : {}) });
    const made = 'data' in planned ? { data: planned.data, ...(planned.struct && captures.length ? { struct: planned.struct } : {}) } : { data: new Uint8Array(0), build: planned.build };
    const framed = { ...(s.raw ? { raw: true as const } : {}), ...(messages ? { messages } : {}) };
    const common = { verb: 'send' as const, ...(s.on ? { on: s.on } : {}), ...made, ...framed, ...(captures.length ? { captures } : {}), ...(s.to !== undefined ? { to: s.to } : {}) };
    if (split) {
      if (!('data' in planned)) {
        v.error([...path, 'split'], 'run-time-payload', 'a generated `split` cuts bytes known before the run', 'use `chunks` or `chunk`');
        return undefined;
      }
      const chunks = splitSizes(split, wire);
      v.splitPieces.set(s.split!, chunks);
      // Not `{ ...common, chunks }`: a literal that starts with a spread and adds fields costs microseconds in Node 20.
      return Object.assign({}, common, { chunks, pause: split.pause });
    }
    return Object.assign({}, common, { ...(s.chunks ? { chunks: s.chunks } : {}), ...(s.chunk ? { chunk: s.chunk } : {}), pause: s.pause ?? 0, ...sendStall(v, s, path, t) });
  },
  async run(a, step, ctx) {
    const c = conn(ctx, step, a.on);
    const built = a.build?.(ctx, step);
    const payload = built?.bytes ?? a.data;
    if (built?.struct) ctx.transcript.add('note', a.on ?? ctx.last, undefined, `struct sent: ${built.struct.fields.map((f, i) => `${f.name ?? f.index}=${showValue(built.struct!.values[i]!)}`).join(', ')}`);
    // On a framed connection each message is framed as it goes.
    const data = c.kind === 'tcp' && (c.framed || a.messages) ? wireBytes(step, ctx, a.on ?? ctx.last!, c.framed, a.messages ?? [payload], a.raw === true) : payload;
    if (c.kind === 'tcp' && a.stall !== undefined) await sendMoving(step, c.peer, data, a, a.stall, ctx);
    else {
      const problem =
        c.kind === 'udp'
          ? await c.peer.send(data, udpTarget(a.to, ctx, step))
          : await c.peer.send(data, pieceSizes(a, data.length), a.pause, ctx.signal);
      if (problem === 'aborted') fail(step, 'aborted', 'interrupted');
      if (problem) fail(step, 'send-failed', problem);
    }
    const struct = built?.struct ?? a.struct;
    ctx.outcome = { captures: a.captures ? takeCaptures(ctx, step, c, a.captures, { bytes: payload, ...(struct ? { struct } : {}), whole: c.kind === 'udp' || c.framed !== undefined }) : {} };
  },
});

/** `stall` of a `send`: for data a TCP peer takes, not for a datagram. */
function sendStall(v: ValidateCtx, s: { stall?: number }, path: DataPath, t: Transport | undefined): { stall?: number } {
  if (s.stall === undefined) return {};
  if (t === 'udp') v.error([...path, 'stall'], 'not-for-udp', '`stall` applies to data sent on a TCP connection', 'a datagram is sent whole');
  return { stall: s.stall };
}

/** The piece sizes of a send of `length` bytes: its `chunks`, or pieces of `chunk` bytes (none: one piece). */
function pieceSizes(a: SendAction, length: number): number[] {
  return a.chunks ?? (a.chunk ? Array<number>(Math.ceil(length / a.chunk)).fill(a.chunk) : []);
}

/** The largest piece a stall-timed send hands over at once: the peer must take one within the stall timeout. */
const STALL_PIECE = 64 * 1024;

/** Send in pieces (at most 64 KiB), failing only when the peer takes none for `stallMs`. */
async function sendMoving(step: Step, peer: TcpPeer, data: Uint8Array, a: SendAction, stallMs: number, ctx: Context): Promise<void> {
  const given = cutPieces(data, pieceSizes(a, data.length));
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
      if (problem === 'aborted') fail(step, 'stalled', `the peer took no data for ${stallMs} ms after ${sent} of ${data.length} bytes`);
      if (problem) fail(step, 'send-failed', problem);
      sent += part.length;
      if (part.length === 0) break;
    }
  }
}

const structSpec = z.strictObject({
  format: z.string().describe('Python struct format, e.g. `!I`'),
  names: z.array(valueName).optional().describe('a name for each field'),
  values: z.array(structCheck).describe('one check per field'),
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
  groups: z.record(z.string(), groupCheck).optional().describe('checks of `regex` groups, by name or number'),
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
const expectOptionKeys = ['flags', 'groups', 'measure'];
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
    capture: captureField,
    measure: z.string().min(1).optional().describe('record in the report how long the expectation took, under this label'),
    from: fromField,
  }),
  kind: 'check',
  recoverable: true,
  normalize(b, v, path, scope): ExpectAction | undefined {
    const t = v.connection(b.on, scope, path);
    const expectation = expectationOf(v, b, path, t, scope);
    checkUdpEndpoint(v, b.from, 'from', path, t);
    if (!expectation) return undefined;
    checkFramedExpect(v, scope, b.on, expectation, path);
    const captures = capturesOf(v, b.capture, path, scope, { expectation });
    const auto = autoCaptured(expectation);
    auto.forEach((n) => scope.values.add(n));
    return {
      verb: 'expect',
      ...(b.on ? { on: b.on } : {}),
      expectation,
      ...(captures.length || auto.length ? { captures } : {}),
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
      const got = await expectEndSkippingData(c.peer, a.expectation, ms, ctx.signal);
      if (isMiss(got)) throw new StepFailure(got, step);
      return;
    }
    const e = resolveExpectation(a.expectation, ctx, step);
    const miss =
      c.kind === 'tcp'
        ? await expectTcp(c.peer, c.framed ? messageExpectation(e, c.framed, ctx, a.on ?? ctx.last!) : e, ms, ctx.signal, a.stall)
        : await expectUdp(c.peer, e, ms, ctx.signal, udpFilter(a.from, ctx, step));
    if (isMiss(miss)) {
      if (c.kind === 'tcp' && miss.code !== 'aborted' && (miss.code !== 'timeout' || c.peer.buffer.length > 0)) {
        // The bytes this check looked at are dropped; later checks of the stream's content cannot know where they start.
        ctx.log.outOfStep.add(c.peer);
        c.peer.consume(c.peer.buffer.length);
      }
      if (c.kind === 'tcp' && (c.peer.ended || c.peer.resetByPeer)) await learnEnd(ctx);
      throw new StepFailure(miss, step);
    }
    // On a framed connection, what was received is the message's content, matched by the expectation it was made from.
    const hit = c.kind === 'tcp' && c.framed ? contentHit(miss, c.framed) : miss;
    ctx.outcome = {
      received: hit.bytes,
      captures: a.captures ? takeCaptures(ctx, step, c, a.captures, { bytes: hit.bytes, expectation: hit.expectation, whole: c.kind === 'udp' || c.framed !== undefined, ...(hit.datagram ? { datagram: hit.datagram } : {}) }) : {},
    };
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
function expectationOf(v: ValidateCtx, b: Obj, path: DataPath, t: Transport | undefined, scope: Scope): Expectation | undefined {
  const given = expectMatcherKeys.filter((k) => b[k] !== undefined);
  const what = given.filter((k) => !(bytesKeys as string[]).includes(k));
  const payloadGiven = given.length > what.length;
  if (what.length + (payloadGiven ? 1 : 0) !== 1) {
    v.error(path, given.length ? 'ambiguous-expect' : 'missing-matcher', given.length ? `one expectation per step, got ${given.map((k) => `\`${k}\``).join(', ')}` : `say what to expect: one of ${expectMatcherKeys.map((k) => `\`${k}\``).join(', ')}`);
    return undefined;
  }
  let expectation: Expectation | undefined;
  const kind = what[0];
  if (kind === undefined) {
    const p = v.plan(b, path, scope, bytesKeys);
    if (p) expectation = 'data' in p ? { kind: 'bytes', data: p.data } : { kind: 'bytes', data: new Uint8Array(0), build: p.build };
  } else if (kind === 'regex') {
    const flags = (b.flags as string | undefined) ?? '';
    v.regex(b.regex as string, flags, [...path, 'regex']);
    const groups = b.groups as Record<string, GroupCheck | VarRef> | undefined;
    if (groups) checkGroups(v, b.regex as string, groups, [...path, 'groups'], scope);
    expectation = { kind: 'regex', source: b.regex as string, flags, ...(groups ? { groups } : {}) };
  } else if (kind === 'struct') {
    expectation = structExpectation(v, b.struct as StructChecksBody, [...path, 'struct'], scope);
  } else if (kind === 'rounds') {
    const r = b.rounds as { data: Obj; trailer: Obj };
    const data = v.payload(r.data, [...path, 'rounds', 'data']);
    const trailer = v.payload(r.trailer, [...path, 'rounds', 'trailer']);
    if (data && data.length === 0) v.error([...path, 'rounds', 'data'], 'bad-payload', '`rounds.data` must not be empty');
    if (data && trailer) expectation = { kind: 'rounds', data, trailer };
  } else if (kind === 'one-of') {
    const alts = (b['one-of'] as Obj[]).map((alt, i) => expectationOf(v, alt, [...path, 'one-of', i], t, scope));
    if (alts.every((x): x is Expectation => x !== undefined)) expectation = { kind: 'one-of', alternatives: alts };
  } else if (kind === 'size') expectation = { kind: 'size', size: b.size as number };
  else if (kind === 'silence') expectation = { kind: 'silence', ms: b.silence as number };
  else if (kind === 'rest') expectation = { kind: 'rest' };
  else expectation = { kind: kind as 'eof' | 'reset' };
  if (t === 'udp' && expectation && ['rounds', 'eof', 'reset'].includes(expectation.kind)) {
    v.error(path, 'not-for-udp', `\`${expectation.kind}\` does not apply to a UDP socket`, 'a datagram is matched whole: use bytes, `regex`, `size` or `struct`');
  }
  if (b.flags !== undefined && kind !== 'regex') v.error([...path, 'flags'], 'unknown-key', '`flags` goes with `regex`');
  if (b.groups !== undefined && kind !== 'regex') v.error([...path, 'groups'], 'unknown-key', '`groups` goes with `regex`');
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
