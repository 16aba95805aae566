import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { fromHalfBits } from './half-float.js';
import { calcSize, pack, unpack } from './struct.js';
import type { StructValue } from './struct.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

type Item = { text: string; values: StructValue[]; expected: StructValue[] };

const INT_CODES = 'bBhHiIlLqQ';

function intBounds(code: string, size: number): [bigint, bigint] {
  const bits = BigInt(size * 8);
  if (code === 'P') return [0n, (1n << bits) - 1n];
  return 'BHILQN'.includes(code) ? [0n, (1n << bits) - 1n] : [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n];
}

function intSize(code: string, native: boolean): number {
  const sizes: Record<string, number> = { b: 1, B: 1, h: 2, H: 2, i: 4, I: 4, l: native ? 8 : 4, L: native ? 8 : 4, q: 8, Q: 8, n: 8, N: 8, P: 8 };
  return sizes[code]!;
}

function valueArb(code: string, native: boolean): fc.Arbitrary<[StructValue, StructValue]> {
  const same = (a: fc.Arbitrary<StructValue>) => a.map((v): [StructValue, StructValue] => [v, v]);
  if (code === 'c') return same(fc.uint8Array({ minLength: 1, maxLength: 1 }));
  if (code === '?') return same(fc.boolean());
  if (code === 'd') return same(fc.double({ noNaN: true }));
  if (code === 'f') return same(fc.float({ noNaN: true }));
  if (code === 'e') return same(fc.integer({ min: 0, max: 0xffff }).filter((b) => (b & 0x7c00) !== 0x7c00 || (b & 0x3ff) === 0).map(fromHalfBits));
  const [min, max] = intBounds(code, intSize(code, native));
  return fc.bigInt(min, max).map((n): [StructValue, StructValue] => {
    if (code === 'q' || code === 'Q') return [n, n];
    const safe = n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER);
    return safe ? [Number(n), Number(n)] : [n, n];
  });
}

function itemArb(native: boolean): fc.Arbitrary<Item> {
  const codes = [...INT_CODES, 'c', '?', 'e', 'f', 'd', 's', 'p', 'x', ...(native ? ['n', 'N', 'P'] : [])];
  return fc.tuple(fc.constantFrom(...codes), fc.integer({ min: 0, max: 4 }), fc.boolean()).chain(([code, count, space]) => {
    const text = `${space ? ' ' : ''}${count === 1 && space ? '' : count}${code}`;
    const n = count === 1 && space ? 1 : count;
    if (code === 'x') return fc.constant({ text, values: [], expected: [] });
    if (code === 's') {
      return fc.uint8Array({ maxLength: 6 }).map((v) => {
        const e = new Uint8Array(n);
        e.set(v.subarray(0, n));
        return { text, values: [v], expected: [e] };
      });
    }
    if (code === 'p') {
      return fc.uint8Array({ maxLength: 6 }).map((v) => ({ text, values: [v], expected: [v.slice(0, Math.max(0, n - 1))] }));
    }
    return fc.array(valueArb(code, native), { minLength: n, maxLength: n }).map((pairs) => ({
      text,
      values: pairs.map((p) => p[0]),
      expected: pairs.map((p) => p[1]),
    }));
  });
}

const formatArb = fc.constantFrom('', '@', '=', '<', '>', '!').chain((order) =>
  fc.array(itemArb(order === '' || order === '@'), { maxLength: 6 }).map((items) => ({
    format: order + items.map((i) => i.text).join(''),
    values: items.flatMap((i) => i.values),
    expected: items.flatMap((i) => i.expected),
  })),
);

describe('struct properties', () => {
  it('unpack(pack(values)) gives the values back, for generated formats', () => {
    fc.assert(
      fc.property(formatArb, ({ format, values, expected }) => {
        const packed = pack(format, values);
        expect(packed.length).toBe(calcSize(format));
        expect(unpack(format, packed)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('pack(unpack(bytes)) gives the bytes back, for integer, char and string codes', () => {
    const arb = fc
      .tuple(fc.constantFrom('=', '<', '>', '!'), fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom(...INT_CODES, 'c', 's')), { maxLength: 5 }))
      .map(([order, items]) => order + items.map(([n, c]) => `${n}${c}`).join(''))
      .chain((format) => fc.uint8Array({ minLength: calcSize(format), maxLength: calcSize(format) }).map((b) => ({ format, b })));
    fc.assert(
      fc.property(arb, ({ format, b }) => {
        expect(hex(pack(format, unpack(format, b)))).toBe(hex(b));
      }),
      { numRuns: 200 },
    );
  });
});
