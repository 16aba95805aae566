import { describe, expect, it } from 'vitest';
import { framedMatcher } from './framed-matcher.js';
import { continuedFramer } from './framer-continued.js';
import { lengthPrefixFramer } from './framer-length.js';
import { matchBytes } from './matchers.js';

const text = (b: Uint8Array) => Buffer.from(b).toString();
const smtp = continuedFramer({ delimiter: '\r\n', continued: /^\d{3}-/ });

describe('continuedFramer', () => {
  it('joins continued lines with the next, whatever pieces they come in', () => {
    const stream = Buffer.from('220 hi\r\n250-a\r\n250-b\r\n250 c\r\n221 bye\r\n');
    for (const piece of [1, 3, 7, stream.length]) {
      const d = smtp.decoder();
      const out: string[] = [];
      for (let at = 0; at < stream.length; at += piece) out.push(...d.push(stream.subarray(at, at + piece)).map(text));
      d.end();
      expect(out).toEqual(['220 hi', '250-a\r\n250-b\r\n250 c', '221 bye']);
    }
  });

  it('matches `continued` within the time bound of scenario regexes, however the peer writes its lines', () => {
    // Backtracking would take about 2^40 steps on this line; the bounded matcher answers at once.
    const d = continuedFramer({ delimiter: '\r\n', continued: /^(a+)+$/ }).decoder();
    const t0 = performance.now();
    expect(d.push(Buffer.from(`${'a'.repeat(40)}b\r\naaa\r\nz\r\n`)).map(text)).toEqual([`${'a'.repeat(40)}b`, 'aaa\r\nz']);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('refuses a stream ending after continued lines, and frames a message with one delimiter', () => {
    const d = smtp.decoder();
    expect(d.push(Buffer.from('250-a\r\n250-b\r\n'))).toEqual([]);
    expect(() => d.end()).toThrow(/2 continued lines and no last line/);
    expect(text(smtp.encode(Buffer.from('250-a\r\n250 b')))).toBe('250-a\r\n250 b\r\n');
  });
});

describe('a length prefix counting itself', () => {
  it('writes and reads the length with its own bytes, and refuses one shorter than itself', () => {
    const f = lengthPrefixFramer({ width: 2, countsPrefix: true });
    expect(Buffer.from(f.encode(Buffer.from('abc'))).toString('hex')).toBe('0005616263');
    expect(f.decoder().push(Buffer.from('0005616263', 'hex')).map(text)).toEqual(['abc']);
    expect(() => f.decoder().push(Buffer.from('0001', 'hex'))).toThrow(/less than its own 2 bytes/);
  });
});

describe('framedMatcher', () => {
  it('waits for the whole message, matches its content, and consumes its framing', () => {
    const m = framedMatcher(lengthPrefixFramer({ width: 1 }), matchBytes(Buffer.from('hey')), { overhead: 1 });
    const wire = Buffer.from('\x03hey\x01x');
    expect(m.test(wire.subarray(0, 2), false, false, Date.now)).toEqual({ status: 'more' });
    expect(m.test(wire, false, false, Date.now)).toEqual({ status: 'match', consumed: 4 });
  });

  it('says `framing:` for a stream ending inside a message', () => {
    const m = framedMatcher(lengthPrefixFramer({ width: 1 }), matchBytes(Buffer.from('hey')), { overhead: 1 });
    const r = m.test(Buffer.from('\x05he'), true, false, Date.now);
    expect(r).toMatchObject({ status: 'mismatch', reason: expect.stringMatching(/^framing: the stream ended inside a frame .*2 of the 5 bytes/) });
  });
});
