import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  anyStructValueArb, BAD_FORMAT_CHARS, BYTE_ORDERS, codecErrorOf, expectCodecError, intBounds, isIntCode, NATIVE_ONLY_CODES, STRUCT_CODES,
  structCaseArb, wildFormatArb,
} from '../../test/codec-properties.js';
import { parseStructFormat } from './struct-format.js';
import { calcSize, pack, unpack, type StructValue } from './struct.js';

const native = (format: string) => !'=<>!'.includes(format[0] ?? '@');
const orderArb = fc.constantFrom(...BYTE_ORDERS);

/** A valid case with one more item appended: `code` and the value given for it. */
const withItem = (code: string, value: fc.Arbitrary<StructValue>) =>
  fc.tuple(structCaseArb, value).map(([c, v]) => ({ format: c.format + code, values: [...c.values, v] }));

describe('struct properties', () => {
  test.prop([structCaseArb], { numRuns: 500 })('unpack(pack(values)) gives the values back, for every byte order, code and count', ({ format, values, expected }) => {
    const packed = pack(format, values);
    expect(packed.length).toBe(calcSize(format));
    expect(unpack(format, packed)).toEqual(expected);
  });

  const bytesCaseArb = structCaseArb
    .map((c) => c.format)
    .filter((f) => calcSize(f) < 4096)
    .chain((format) => fc.uint8Array({ minLength: calcSize(format), maxLength: calcSize(format) }).map((bytes) => ({ format, bytes })));
  test.prop([bytesCaseArb], { numRuns: 300 })('unpack reads any bytes of the right size; pack(unpack(bytes)) keeps every integer, char and string byte', ({ format, bytes }) => {
    const layout = parseStructFormat(format);
    const repacked = pack(format, unpack(format, bytes));
    for (const it of layout.items) {
      if (!isIntCode(it.code) && it.code !== 'c' && it.code !== 's') continue;
      const span = [it.offset, it.offset + it.count * it.size] as const;
      expect(repacked.subarray(...span)).toEqual(bytes.subarray(...span));
    }
  });

  const badFormatArb = fc.oneof(
    fc.tuple(structCaseArb, fc.constantFrom(...BAD_FORMAT_CHARS), fc.nat()).map(([c, bad, at]) => {
      const i = at % (c.format.length + 1);
      return c.format.slice(0, i) + bad + c.format.slice(i);
    }),
    fc.tuple(structCaseArb, fc.constantFrom('@', '=', '<', '>', '!'), fc.nat()).map(([c, order, at]) => {
      const f = c.format || 'b';
      const i = 1 + (at % f.length);
      return f.slice(0, i) + order + f.slice(i);
    }),
    fc.tuple(structCaseArb, fc.integer({ min: 0, max: 99 })).map(([c, n]) => `${c.format}${n}`),
    fc.tuple(structCaseArb, fc.integer({ min: 0, max: 99 }), fc.constantFrom(' ', '\t')).map(([c, n, s]) => `${c.format}${n}${s}h`),
    fc.tuple(fc.constantFrom('=', '<', '>', '!'), fc.constantFrom(...NATIVE_ONLY_CODES)).map(([o, c]) => o + c),
  );
  test.prop([badFormatArb], { numRuns: 300 })('a bad format is bad-struct-format for calcSize, pack and unpack alike', (format) => {
    expectCodecError(() => calcSize(format), 'bad-struct-format');
    expectCodecError(() => pack(format, []), 'bad-struct-format');
    expectCodecError(() => unpack(format, new Uint8Array(0)), 'bad-struct-format');
  });

  const outOfRangeArb = fc
    .tuple(structCaseArb, fc.constantFrom(...'bBhHiIlLqQ'), fc.bigInt({ min: 1n, max: 2n ** 70n }), fc.boolean(), fc.boolean())
    .map(([c, code, k, above, asNumber]) => {
      const [min, max] = intBounds(code, native(c.format));
      const n = above ? max + k : min - k;
      return { format: c.format + code, values: [...c.values, asNumber && Number.isSafeInteger(Number(n)) ? Number(n) : n] };
    });
  test.prop([outOfRangeArb], { numRuns: 300 })('an integer out of its range is struct-range', ({ format, values }) => {
    expectCodecError(() => pack(format, values), 'struct-range');
  });

  const floatOverflowArb = fc.oneof(
    fc.tuple(fc.constantFrom('=', '<', '>', '!'), fc.double({ min: 3.4028235677973366e38, noNaN: true, noDefaultInfinity: true })).map(([o, x]) => ({ format: `${o}f`, x })),
    fc.tuple(orderArb, fc.double({ min: 65520, noNaN: true, noDefaultInfinity: true })).map(([o, x]) => ({ format: `${o}e`, x })),
  );
  test.prop([floatOverflowArb, fc.boolean()], { numRuns: 200 })('a finite float too large for f (standard sizes) or e is struct-range', ({ format, x }, negative) => {
    expectCodecError(() => pack(format, [negative ? -x : x]), 'struct-range');
  });

  test.prop([fc.double({ min: 3.4028235677973366e38, noNaN: true })], { numRuns: 100 })('native f stores infinity for a float too large, as CPython', (x) => {
    expect(unpack('@f', pack('@f', [x]))).toEqual([Infinity]);
  });

  const wrongTypeArb = fc.constantFrom(...STRUCT_CODES.filter((c) => c !== 'x' && c !== '?')).chain((code) => {
    const bytes = fc.uint8Array({ maxLength: 3 });
    const wrong: fc.Arbitrary<StructValue> = isIntCode(code)
      ? fc.oneof(bytes, fc.double().filter((x) => !Number.isInteger(x)))
      : 'efd'.includes(code)
        ? fc.oneof(bytes, fc.bigInt({ min: 2n ** 1024n, max: 2n ** 1100n }), fc.bigInt({ min: -(2n ** 1100n), max: -(2n ** 1024n) }))
        : code === 'c'
          ? fc.oneof(fc.uint8Array({ minLength: 2, maxLength: 4 }), fc.constant(new Uint8Array(0)), fc.integer(), fc.boolean())
          : fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.bigInt()); // s p
    return withItem(code, wrong);
  });
  test.prop([wrongTypeArb], { numRuns: 300 })('a value of the wrong type for its code is struct-type', ({ format, values }) => {
    expectCodecError(() => pack(format, values), 'struct-type');
  });

  test.prop([structCaseArb, fc.integer({ min: -3, max: 3 }).filter((d) => d !== 0), anyStructValueArb], { numRuns: 300 })('too many or too few values is struct-item-count', ({ format, values }, delta, extra) => {
    const wrong = delta > 0 ? [...values, ...Array<StructValue>(delta).fill(extra)] : values.slice(0, delta);
    fc.pre(wrong.length !== values.length);
    expectCodecError(() => pack(format, wrong), 'struct-item-count');
  });

  test.prop([structCaseArb, fc.integer({ min: -9, max: 9 }).filter((d) => d !== 0)], { numRuns: 300 })('a buffer of the wrong size is struct-buffer-size', ({ format }, delta) => {
    const size = calcSize(format) + delta;
    fc.pre(size >= 0);
    expectCodecError(() => unpack(format, new Uint8Array(size)), 'struct-buffer-size');
  });

  const fuzzArb = wildFormatArb(2).chain((format) => {
    const fields = codecErrorOf(() => calcSize(format)) ? undefined : parseStructFormat(format).fields;
    const exact = fields !== undefined && fields <= 24;
    return fc.record({
      format: fc.constant(format),
      values: fc.array(anyStructValueArb, exact ? { minLength: fields, maxLength: fields } : { maxLength: 4 }),
      bytes: fc.uint8Array({ maxLength: 24 }),
    });
  });
  test.prop([fuzzArb], { numRuns: 500 })('any format and values: pack and unpack give a result or a CodecError, nothing else', ({ format, values, bytes }) => {
    const size = codecErrorOf(() => calcSize(format)) ? undefined : calcSize(format);
    let packed: Uint8Array | undefined;
    const packError = codecErrorOf(() => (packed = pack(format, values)));
    if (packed) expect(packed.length).toBe(size);
    else expect(packError!.code).toMatch(/^(bad-struct-format|struct-(type|range|item-count))$/);
    const unpackError = codecErrorOf(() => unpack(format, bytes.length === size ? bytes : packed ?? bytes));
    if (unpackError) expect(unpackError.code).toMatch(/^(bad-struct-format|struct-buffer-size)$/);
  });

  test.prop([wildFormatArb(25)], { numRuns: 500 })('calcSize of any text is a whole number of bytes or bad-struct-format', (format) => {
    const error = codecErrorOf(() => calcSize(format));
    if (error) expect(error.code).toBe('bad-struct-format');
    else expect(Number.isSafeInteger(calcSize(format))).toBe(true);
  });
});
