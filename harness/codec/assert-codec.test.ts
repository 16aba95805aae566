import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { assertCodec, CodecPropertyFailure, type CodecCheck } from './assert-codec.js';
import { CodecError } from './errors.js';
import { lengthPrefixFramer } from './framer-length.js';
import { structArbitrary } from './struct-arbitrary.js';
import { pack, unpack, type StructValue } from './struct.js';

/** A message: a 16-bit id and a body, as `!HB*s` with the body's length. */
interface Msg {
  id: number;
  body: Uint8Array;
}

const msgArb: fc.Arbitrary<Msg> = structArbitrary('!H*s', { maxStarLength: 40 }).map(([id, body]) => ({ id: id as number, body: body as Uint8Array }));

function encode(m: Msg): Uint8Array {
  return pack('!HB*s', [m.id, m.body.length, m.body]);
}

function decode(bytes: Uint8Array): Msg {
  if (bytes.length < 3) throw new CodecError('short', `${bytes.length} bytes, need 3`);
  const [id, n, body] = unpack('!HB*s', bytes) as [number, number, Uint8Array];
  if (body.length !== n) throw new CodecError('length', `body of ${body.length} bytes, header says ${n}`);
  return { id, body };
}

const good: CodecCheck<Msg> = { encode, decode, arbitrary: msgArb, framer: lengthPrefixFramer({ width: 2 }), runs: 200 };

/** The failure `assertCodec` throws for `check`, or undefined. */
async function failureOf<T>(check: CodecCheck<T>): Promise<CodecPropertyFailure | undefined> {
  try {
    await assertCodec(check);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(CodecPropertyFailure);
    return e as CodecPropertyFailure;
  }
}

describe('assertCodec', () => {
  it('passes a sound codec, synchronous or asynchronous', async () => {
    await assertCodec(good);
    await assertCodec({ ...good, decode: async (b: Uint8Array) => decode(b), runs: 50 });
  });

  it('round-trip: a codec that drops the body is caught, shrunk to one byte, and replays from seed and path', async () => {
    const broken = { ...good, decode: (b: Uint8Array) => ({ ...decode(b), body: decode(b).body.subarray(1) }) };
    const f = (await failureOf(broken))!;
    expect(f.property).toBe('round-trip');
    expect(f.counterexample).toEqual({ id: 0, body: new Uint8Array(1) });
    expect(f.message).toContain('codec property "round-trip" does not hold: decode(encode(value)) gave');
    expect(f.message).toContain(`replay: assertCodec({ ...yourCodec, only: 'round-trip', seed: ${f.seed}, path: '${f.path}' })`);
    const again = (await failureOf({ ...broken, only: 'round-trip', seed: f.seed, path: f.path }))!;
    expect(again.counterexample).toEqual(f.counterexample);
  });

  it('split: a codec whose messages break the framing on a stream is caught', async () => {
    // Frames each message by its own header byte, which the framer's decoder reads differently.
    const framer = { ...good.framer!, encode: (m: Uint8Array) => (m.length > 3 ? m : good.framer!.encode(m)) };
    const f = (await failureOf({ ...good, framer }))!;
    expect(f.property).toBe('split');
  });

  it('truncation: a decoder reading past the end (an engine RangeError) is a crash', async () => {
    const careless = (b: Uint8Array): Msg => {
      const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      return { id: view.getUint16(0), body: b.slice(3, 3 + view.getUint8(2)) };
    };
    const f = (await failureOf({ ...good, decode: careless, skip: ['split'] }))!;
    expect(f.property).toBe('truncation');
    expect(f.message).toMatch(/decode threw RangeError/);
  });

  it('truncation: a decoder accepting a prefix is caught; skip leaves the property out', async () => {
    const lenient = (b: Uint8Array): Msg => ({ id: b.length >= 2 ? (b[0]! << 8) | b[1]! : 0, body: b.slice(3) });
    const f = (await failureOf({ ...good, decode: lenient, only: 'truncation' }))!;
    expect(f.message).toContain('decode accepted the first');
    expect(f.counterexample).toEqual([{ id: 0, body: new Uint8Array(0) }, 0]);
  });

  it('garbage: a non-Error throw and a hanging asynchronous decode are caught', async () => {
    const throwsText = (b: Uint8Array): Msg => {
      if (b.length > 0 && b[0]! > 0x7f) throw 'bad first byte';
      return decode(b);
    };
    const f = (await failureOf({ ...good, decode: throwsText, only: 'garbage' }))!;
    expect(f.message).toContain('decode threw a non-Error ("bad first byte")');
    const hangs = (b: Uint8Array) => (b.length >= 5 ? new Promise<Msg>(() => {}) : Promise.resolve(decode(b)));
    const h = (await failureOf({ ...good, decode: hangs, only: 'garbage', timeoutMs: 50, runs: 300 }))!;
    expect(h.message).toContain('decode did not settle within 50 ms');
  });

  it('results marked as errors count as refusals; bad options are refused', async () => {
    type R = Msg | { error: string };
    const decodeResult = (b: Uint8Array): R => {
      try {
        return decode(b);
      } catch (e) {
        return { error: (e as Error).message };
      }
    };
    await assertCodec<R>({ encode: (m) => encode(m as Msg), decode: decodeResult, arbitrary: msgArb, isError: (r) => 'error' in r, runs: 50 });
    await expect(assertCodec({ ...good, path: '1:2' })).rejects.toThrow(CodecError);
    await expect(assertCodec({ ...good, only: 'nope' as 'split' })).rejects.toThrow(/no codec property "nope"/);
  });
});

describe('structArbitrary with assertCodec', () => {
  it.each(['<bBhHiIlLqQ', '@bxhxxiqP?', '!efd', '!c4s6p', '>Q*s'])('pack/unpack of %s round-trips every value drawn', async (format) => {
    const check = { encode: (v: StructValue[]) => pack(format, v), decode: (b: Uint8Array) => unpack(format, b), arbitrary: structArbitrary(format, { nonFinite: true }), runs: 200 };
    await assertCodec({ ...check, skip: format.includes('*') ? ['truncation'] : [] });
  });
});
