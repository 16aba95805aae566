import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { expectCodecError } from '../../test/codec-properties.js';
import { assertValueChecks, checkStructValues, type ValueCheck } from './struct-checks.js';
import { parseStructFormat } from './struct-format.js';
import { pack, unpack } from './struct.js';

const NAMES = ['id', 'flags', 'len', 'body'];
const FORMAT = '!HHH*s';
const decoded = (values: (number | Uint8Array)[]) => unpack(FORMAT, pack(FORMAT, values));
const check = (checks: ValueCheck[], values: (number | Uint8Array)[], now = () => 0) => checkStructValues(FORMAT, NAMES, checks, decoded(values), now).map((m) => m.message);

describe('struct value checks', () => {
  test('each kind of check holds or names the field, what was expected and what came', () => {
    const body = new TextEncoder().encode('hi');
    const values = [0x1a2c, 0x8100, 2, body];
    expect(check([0x1a2c, { bits: 0x8000, equals: 0x8000 }, { min: 0, max: { field: 'id' } }, { text: 'hi' }], values)).toEqual([]);
    expect(check([0x1a2b, 'any', 'any', 'any'], values)).toEqual(['field id (0): expected 6699 (0x1a2b), got 6700 (0x1a2c)']);
    expect(check(['any', { bits: 0x7800, equals: 0x800 }, 'any', 'any'], values)).toEqual(['field flags (1): expected bits 30720 (0x7800) to be 2048 (0x800), got 0, the field is 33024 (0x8100)'.replace(', the field', ' (the field') + ')']);
    expect(check(['any', 'any', { field: 'id' }, { hex: '6869 00' }], values)).toEqual([
      'field len (2): expected 6700 (0x1a2c) (field id (0)), got 2',
      'field body (3): expected "hi\\0" (68 69 00), got "hi" (68 69)',
    ]);
    expect(check(['any', 'any', { min: 3 }, { equals: new Uint8Array([0x68, 0x69]) }], values)).toEqual(['field len (2): 2 is below the minimum 3 (expected 3..∞)']);
    expect(check([{ equals: 2n ** 60n }, 'any', { max: 1 }, { bytes: 'hi' }], values)).toEqual([
      'field id (0): expected 1152921504606846976 (0x1000000000000000), got 6700 (0x1a2c)',
      'field len (2): 2 is above the maximum 1 (expected -∞..1)',
    ]);
    expect(check([{ now: 5, offset: 6000 }, 'any', 'any', 'any'], values, () => 700_000)).toEqual([]);
    expect(check([{ now: 5 }, 'any', 'any', 'any'], values)[0]).toMatch(/^field id \(0\): 6700 is 6700 s from now/);
  });

  test.prop([fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff })])('bits checks agree with the mask arithmetic', (v, mask, eq) => {
    const got = checkStructValues('!H', undefined, [{ bits: mask, equals: eq }], [v]);
    expect(got.length === 0).toBe((v & mask) === eq);
  });

  test('checks that cannot fit the layout are refused with a code', () => {
    const layout = parseStructFormat(FORMAT);
    expectCodecError(() => assertValueChecks(layout, NAMES, [1, 2, 3]), 'struct-values');
    expectCodecError(() => assertValueChecks(layout, NAMES, [1, 2, 3, 4]), 'struct-value-type');
    expectCodecError(() => assertValueChecks(layout, NAMES, [{ text: 'x' }, 2, 3, 'any']), 'struct-value-type');
    expectCodecError(() => assertValueChecks(parseStructFormat('!f'), undefined, [{ bits: 1, equals: 1 }]), 'struct-value-type');
    expect(expectCodecError(() => assertValueChecks(layout, NAMES, [{ field: 'idd' }, 2, 3, 'any']), 'struct-unknown-field').message).toContain('id, flags, len, body');
    expectCodecError(() => assertValueChecks(layout, NAMES, [{ min: { field: 9 } }, 2, 3, 'any']), 'struct-unknown-field');
    expectCodecError(() => assertValueChecks(layout, NAMES, [{ lo: 1 } as unknown as ValueCheck, 2, 3, 'any']), 'bad-struct-values');
    expectCodecError(() => assertValueChecks(layout, ['a', 'a', 'b', 'c'], [1, 2, 3, 'any']), 'struct-names');
    expect(assertValueChecks(layout, undefined, [1, { field: 0 }, 'any', { hex: '00' }]).map((f) => f.label)).toEqual(['0', '1', '2', '3']);
  });
});
