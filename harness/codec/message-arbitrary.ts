/**
 * The arbitrary of a generated message: a value drawn for each field of a struct
 * layout (as `structArbitrary` draws them, or fixed, or within a range), packed.
 * Shrinking works on the field values, so a failing message shrinks field by field.
 */
import fc from 'fast-check';
import type { MessageStruct } from './generated.js';
import { structArbitrary } from './struct-arbitrary.js';
import { isIntegerField, structFields } from './struct-fields.js';
import { parseStructFormat } from './struct-format.js';
import { pack, type StructValue } from './struct.js';

/** Packed messages of `m.format`, each field drawn as `m.values` says (default: any value the field holds). */
export function messageArbitrary(m: MessageStruct): fc.Arbitrary<Uint8Array> {
  const fields = structFields(parseStructFormat(m.format));
  const given = fields.map((f, i): fc.Arbitrary<StructValue | undefined> => {
    const v = m.values?.[i];
    if (v === undefined || v === 'any') return fc.constant(undefined);
    const big = isIntegerField(f) && f.size === 8 && (f.code === 'q' || f.code === 'Q');
    if (typeof v === 'number') return fc.constant(big ? BigInt(v) : v);
    if (big) return fc.bigInt({ min: BigInt(v.min), max: BigInt(v.max) });
    return isIntegerField(f) ? fc.integer({ min: Math.ceil(v.min), max: Math.floor(v.max) }) : fc.double({ min: v.min, max: v.max, noNaN: true });
  });
  return fc.tuple(structArbitrary(m.format), fc.tuple(...given)).map(([drawn, fixed]) => pack(m.format, drawn.map((x, i) => fixed[i] ?? x)));
}
