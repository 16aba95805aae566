import { describe, it, expect } from 'vitest';
import { CodecError } from './errors.js';
import { pack } from './struct.js';
import { matchStruct } from './struct-matcher.js';
import type { ValueSpec } from './types.js';

const at = (ms: number) => () => ms;
const NOW = 1_700_000_000_400; // ms

describe('matchStruct', () => {
  it('waits for calcsize bytes and checks every field', () => {
    const m = matchStruct('!IH', [{ now: 2 }, 7]);
    expect(m.description).toBe('a 6-byte "!IH" record (now ±2 s, 7)');
    const bytes = pack('!IH', [1_700_000_001, 7]);
    expect(m.test(bytes.subarray(0, 5), false, false, at(NOW))).toEqual({ status: 'more' });
    expect(m.test(bytes, false, false, at(NOW))).toEqual({ status: 'match', consumed: 6, detail: '1700000001, 7' });
  });

  it('names the field, its value and the expectation on a mismatch', () => {
    const r = matchStruct('!I', [{ now: 2 }]).test(pack('!I', [1_700_000_030]), true, true, at(NOW));
    expect(r).toMatchObject({ status: 'mismatch', at: 0, reason: 'field 0: 1700000030 is 29.6 s from now (allowed ±2 s)' });
    const late = matchStruct('!I', [{ now: 2, offset: 3600 }]).test(pack('!I', [1_700_000_000]), true, true, at(NOW));
    expect(late).toMatchObject({ reason: 'field 0: 1700000000 is -3600.4 s from now+3600 s (allowed ±2 s)' });
    const two = matchStruct('!HI', ['any', 9]).test(pack('!HI', [1, 8]), false, false, at(NOW));
    expect(two).toMatchObject({ status: 'mismatch', at: 2, reason: 'field 1: got 8, expected 9' });
  });

  it('checks ranges inclusively, with bigints for q and Q', () => {
    const m = (v: ValueSpec) => matchStruct('<q', [v]);
    expect(m({ min: 0, max: 10 }).test(pack('<q', [10n]), false, false, at(0)).status).toBe('match');
    expect(m({ min: 0, max: 10 }).test(pack('<q', [11n]), false, false, at(0))).toMatchObject({ reason: 'field 0: 11 is above the maximum 10 (expected 0..10)' });
    expect(m({ min: 0 }).test(pack('<q', [-1n]), false, false, at(0))).toMatchObject({ reason: 'field 0: -1 is below the minimum 0 (expected 0..∞)' });
    expect(m(2 ** 60).test(pack('<q', [2n ** 60n]), false, false, at(0)).status).toBe('match');
    expect(m(2 ** 60).test(pack('<q', [2n ** 60n + 1n]), false, false, at(0)).status).toBe('mismatch');
  });

  it('checks booleans as 0 and 1 and floats by value', () => {
    expect(matchStruct('?', [1]).test(Uint8Array.of(1), false, false, at(0)).status).toBe('match');
    expect(matchStruct('<d', [{ min: 0.5, max: 1.5 }]).test(pack('<d', [1.25]), false, false, at(0)).status).toBe('match');
  });

  it('needs the exact size as a datagram', () => {
    const m = matchStruct('!I', ['any']);
    expect(m.test(new Uint8Array(8), true, true, at(0))).toMatchObject({ status: 'mismatch', at: 4, reason: 'expected a 4-byte datagram, got 8 bytes' });
    expect(m.test(new Uint8Array(2), true, true, at(0))).toMatchObject({ status: 'mismatch', at: 2, reason: 'expected a 4-byte datagram, got 2 bytes' });
    expect(m.test(new Uint8Array(2), true, false, at(0))).toMatchObject({ status: 'mismatch', at: 2, reason: 'expected 4 bytes for "!I", got 2' });
  });

  it('refuses a bad format, a wrong count of checks, or a check a bytes field cannot take', () => {
    expect(() => matchStruct('!Z', [1])).toThrow(/bad char in struct format/);
    expect(() => matchStruct('!IH', [1])).toThrow(/"!IH" has 2 fields, so give 2 value checks, not 1/);
    expect(() => matchStruct('!4s', [3])).toThrow(/only "any"/);
    expect(() => matchStruct('!I', [{ now: 'soon' } as unknown as ValueSpec])).toThrow(CodecError);
    expect(() => matchStruct('!I', ['anything' as unknown as ValueSpec])).toThrow(/must be a number, "any"/);
    expect(matchStruct('!4s', ['any']).test(new Uint8Array(4), false, false, at(0))).toMatchObject({ status: 'match', detail: '4 bytes' });
  });
});
