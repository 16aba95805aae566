import { describe, it, expect } from 'vitest';
import { CodecError } from './errors.js';
import { fillBytes } from './fill.js';
import { matchRounds } from './rounds-matcher.js';
import type { MatchResult } from './types.js';

const enc = (s: string) => new TextEncoder().encode(s);
const now = () => 0;
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const TRAILER = enc('\nI get it!\nok');

/** The stream of `data` cut at `cuts` (sorted, inside 1..n-1), each piece followed by `trailer`. */
function roundsStream(data: Uint8Array, trailer: Uint8Array, cuts: number[]): Uint8Array {
  const bounds = [0, ...cuts, data.length];
  return cat(...bounds.slice(1).flatMap((end, k) => [data.subarray(bounds[k], end), trailer]));
}

describe('matchRounds', () => {
  it('matches one or several rounds and says how many', () => {
    const m = () => matchRounds(enc('hello'), TRAILER);
    expect(m().test(enc('hello\nI get it!\nok'), false, false, now)).toEqual({ status: 'match', consumed: 18, detail: '1 round' });
    const three = enc('he\nI get it!\nok' + 'll\nI get it!\nok' + 'o\nI get it!\nokEXTRA');
    expect(m().test(three, false, false, now)).toEqual({ status: 'match', consumed: 3 * 13 + 5, detail: '3 rounds' });
  });

  it('waits while the stream can still become rounds', () => {
    const m = matchRounds(enc('hello'), TRAILER);
    for (const s of ['', 'h', 'hel', 'hel\nI g', 'hel\nI get it!\nok', 'hel\nI get it!\nokl']) {
      expect(m.test(enc(s), false, false, now)).toEqual({ status: 'more' });
    }
  });

  it('fails at the first impossible byte, saying what could come there', () => {
    const r = matchRounds(enc('hello'), TRAILER).test(enc('helXo'), false, false, now);
    expect(r).toMatchObject({ status: 'mismatch', at: 3 });
    if (r.status !== 'mismatch') return;
    expect(r.reason).toBe('byte 3: expected the echo to continue with "l" (6c) or the trailer "\\nI get it!\\nok", got "X" (58)');
    expect(new TextDecoder().decode(r.expected)).toBe('hello\nI get it!\nok');
    expect(new TextDecoder().decode(r.actual)).toBe('helXo');
  });

  it('refuses an empty echo, a trailer typo and an echo beyond the data', () => {
    const m = () => matchRounds(enc('hi'), enc('!'));
    expect(m().test(enc('!'), false, false, now)).toMatchObject({ status: 'mismatch', at: 0, reason: 'byte 0: expected the echo to start with "h" (68), got "!" (21)' });
    expect(m().test(enc('h!!'), false, false, now)).toMatchObject({ status: 'mismatch', at: 2, reason: 'byte 2: expected the next echo to start with "i" (69), got "!" (21)' });
    const typo = matchRounds(enc('hi'), enc('ok')).test(enc('hoX'), false, false, now);
    expect(typo).toMatchObject({ status: 'mismatch', at: 2, reason: 'byte 2: expected the trailer to continue with "k" (6b), got "X" (58)' });
    expect(m().test(enc('hix'), false, false, now)).toMatchObject({ status: 'mismatch', at: 2, reason: 'byte 2: expected the trailer "!" (21), got "x" (78)' });
  });

  it('fails at the end of the stream when rounds are incomplete', () => {
    const r = matchRounds(enc('hello'), TRAILER).test(enc('hel\nI g'), true, false, now);
    expect(r).toMatchObject({ status: 'mismatch', at: 7, reason: 'byte 7: expected the trailer to continue with "et it!\\nok", but the stream ended' });
    if (r.status === 'mismatch') expect(new TextDecoder().decode(r.expected)).toBe('hel\nI get it!\nok' + 'lo\nI get it!\nok');
  });

  it('matches at the earliest complete parse when several are possible', () => {
    // "ab" + "b" completes at 3; "a" + "b" + "b" + "b" would need a 4th byte.
    expect(matchRounds(enc('ab'), enc('b')).test(enc('abbb'), false, false, now)).toEqual({ status: 'match', consumed: 3, detail: '1 round' });
  });

  it('handles an empty trailer: the data in any pieces', () => {
    const m = matchRounds(enc('abc'), new Uint8Array(0));
    expect(m.test(enc('ab'), false, false, now)).toEqual({ status: 'more' });
    expect(m.test(enc('abcd'), false, false, now)).toEqual({ status: 'match', consumed: 3, detail: 'at least 1 round (the trailer is empty)' });
    expect(matchRounds(enc('abc'), new Uint8Array(0)).test(enc('ax'), false, false, now)).toMatchObject({ status: 'mismatch', at: 1 });
  });

  it('as a datagram must consume all of it', () => {
    const m = () => matchRounds(enc('hi'), enc('!'));
    expect(m().test(enc('hi!'), true, true, now)).toEqual({ status: 'match', consumed: 3, detail: '1 round' });
    expect(m().test(enc('hi!x'), true, true, now)).toMatchObject({ status: 'mismatch', at: 3, reason: '1 bytes after the last round: "x"' });
    expect(m().test(enc('hi'), true, true, now)).toMatchObject({ status: 'mismatch', at: 2, reason: 'byte 2: expected the trailer "!" (21), but the datagram ended' });
  });

  it('starts over when called with a buffer that does not extend the last one', () => {
    const m = matchRounds(enc('hi'), enc('!'));
    expect(m.test(enc('hX'), false, false, now)).toMatchObject({ status: 'mismatch', at: 1 });
    expect(m.test(enc('h'), false, false, now)).toEqual({ status: 'more' });
    expect(m.test(enc('hi!'), false, false, now)).toMatchObject({ status: 'match', consumed: 3 });
    expect(m.test(enc('x'), false, false, now)).toMatchObject({ status: 'mismatch', at: 0 });
  });

  it('refuses empty data at construction', () => {
    expect(() => matchRounds(new Uint8Array(0), TRAILER)).toThrow(CodecError);
  });

  it('matches 1 MiB in 4096-byte rounds in linear time, whole or in 1460-byte segments', () => {
    const data = fillBytes({ size: 1 << 20, random: 11 });
    const cuts = Array.from({ length: 255 }, (_, k) => (k + 1) * 4096);
    const stream = roundsStream(data, TRAILER, cuts);
    const m = matchRounds(data, TRAILER);
    m.test(stream.subarray(0, 100), false, false, now); // warm up
    // CPU time, not wall time: a loaded machine stretches the latter. About 45 ms each here; comparing the
    // whole prefix again at each of the 720 segments (380 MB) took 1.4 s.
    const cpuMs = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    const t0 = cpuMs();
    const whole = matchRounds(data, TRAILER).test(stream, false, false, now);
    const t1 = cpuMs();
    let r: MatchResult = { status: 'more' };
    // As an expectation calls it on a stream that grows: saying how much of it the last call saw.
    for (let end = 1460; r.status === 'more'; end += 1460) r = m.test(stream.subarray(0, Math.min(end, stream.length)), false, false, now, end - 1460);
    const t2 = cpuMs();
    expect(whole).toEqual({ status: 'match', consumed: stream.length, detail: '256 rounds' });
    expect(r).toEqual(whole);
    expect(t1 - t0).toBeLessThan(400);
    expect(t2 - t1).toBeLessThan(700);
  });
});

describe('matchRounds on data that repeats the trailer', () => {
  it('still judges 16 KiB made of the trailer, in 4096-byte rounds', () => {
    const data = fillBytes({ size: 16384, pattern: '\nI get it!\nok' });
    const stream = roundsStream(data, TRAILER, [4096, 8192, 12288]);
    expect(matchRounds(data, TRAILER).test(stream, false, false, now)).toEqual({ status: 'match', consumed: stream.length, detail: '4 rounds' });
  });

  it('gives up with a clear reason rather than hang when too many parses remain', () => {
    const data = new Uint8Array(40000).fill(97);
    const r = matchRounds(data, enc('a')).test(new Uint8Array(40001).fill(97), false, false, now);
    expect(r.status).toBe('mismatch');
    if (r.status === 'mismatch') expect(r.reason).toMatch(/cannot judge these rounds: .*use data that does not contain the trailer/);
  });
});
