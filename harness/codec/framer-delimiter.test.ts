import { describe, it, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { codecErrorOf, concat, decodePieces, encodableArb, expectCodecError, framerProperties, messageBytesArb, splitArb, splitBytes } from '../../test/codec-properties.js';
import { delimiterFramer } from './framer-delimiter.js';
import { DEFAULT_MAX_FRAME_LENGTH } from './framer.js';

const text = (s: string) => new TextEncoder().encode(s);

describe('delimiterFramer', () => {
  it('writes and reads lines', () => {
    const f = delimiterFramer({ delimiter: '\n' });
    expect(f.description).toBe('messages ending "\\n"');
    expect(f.encode(text('hello'))).toEqual(text('hello\n'));
    const d = f.decoder();
    expect(d.push(text('a\nb'))).toEqual([text('a')]);
    expect(d.pending).toBe(1);
    expect(d.push(text('c\n\n'))).toEqual([text('bc'), text('')]);
    expect(d.pending).toBe(0);
    d.end();
  });

  it('finds a delimiter split across pieces', () => {
    const f = delimiterFramer({ delimiter: '\r\n' });
    const d = f.decoder();
    expect(d.push(text('one\r'))).toEqual([]);
    expect(d.pending).toBe(4);
    expect(d.push(text('\ntwo\r'))).toEqual([text('one')]);
    expect(d.push(text('\r\n'))).toEqual([text('two\r')]);
    const long = delimiterFramer({ delimiter: Uint8Array.of(0xde, 0xad, 0xbe, 0xef) }).decoder();
    expect([0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe].flatMap((b) => long.push(Uint8Array.of(b)))).toEqual([new Uint8Array(0)]);
    expect(long.pending).toBe(3);
  });

  it('reads the first occurrence of a delimiter that overlaps itself', () => {
    const d = delimiterFramer({ delimiter: 'aab' }).decoder();
    expect(d.push(text('aa'))).toEqual([]);
    expect(d.push(text('ab'))).toEqual([text('a')]);
  });

  it('refuses to encode a message the delimiter would end early', () => {
    expectCodecError(() => delimiterFramer({ delimiter: '\n' }).encode(text('a\nb')), 'delimiter-in-message');
    expectCodecError(() => delimiterFramer({ delimiter: '\r\n' }).encode(text('a\r\nb')), 'delimiter-in-message');
    expect(delimiterFramer({ delimiter: '\r\n' }).encode(text('a\r'))).toEqual(text('a\r\r\n')); // read back whole
    const e = expectCodecError(() => delimiterFramer({ delimiter: 'aa' }).encode(text('ba')), 'delimiter-in-message');
    expect(e.message).toContain('would be read at byte 1');
  });

  it('refuses a message longer than maxLength, at once and keeping the messages before it', () => {
    const f = delimiterFramer({ delimiter: '\r\n', maxLength: 3 });
    expect(f.encode(text('abc'))).toEqual(text('abc\r\n'));
    expectCodecError(() => f.encode(text('abcd')), 'frame-too-long');
    const d = f.decoder();
    expect(d.push(text('abc\r'))).toEqual([]);
    expect(d.push(text('\nx\r\nabcd'))).toEqual([text('abc'), text('x')]);
    expect(d.pending).toBe(4);
    const error = codecErrorOf(() => d.push(text('\r')));
    expect(error).toMatchObject({ code: 'frame-too-long', frames: [] });
    expect(error!.message).toBe('a message of more than 3 bytes is longer than the maximum 3 (messages ending "\\r\\n")');
    const again = delimiterFramer({ delimiter: '\n', maxLength: 2 }).decoder();
    expect(codecErrorOf(() => again.push(text('a\nbcd\n')))).toMatchObject({ code: 'frame-too-long', frames: [text('a')] });
  });

  it('defaults to 1 MiB messages, and maxLength 0 allows only empty ones', () => {
    const f = delimiterFramer({ delimiter: '\n' });
    expect(f.encode(new Uint8Array(DEFAULT_MAX_FRAME_LENGTH)).length).toBe(DEFAULT_MAX_FRAME_LENGTH + 1);
    expectCodecError(() => f.encode(new Uint8Array(DEFAULT_MAX_FRAME_LENGTH + 1)), 'frame-too-long');
    const zero = delimiterFramer({ delimiter: '\n', maxLength: 0 });
    expect(zero.decoder().push(text('\n\n'))).toEqual([text(''), text('')]);
    expectCodecError(() => zero.decoder().push(text('a')), 'frame-too-long');
  });

  it('says what is left when the stream ends inside a message', () => {
    const d = delimiterFramer({ delimiter: '\r\n' }).decoder();
    d.push(text('ab\r'));
    const e = expectCodecError(() => d.end(), 'truncated-frame');
    expect(e.message).toBe('the stream ended inside a frame (messages ending "\\r\\n"): 3 bytes without the delimiter "\\r\\n"');
  });

  it('refuses options it cannot use', () => {
    for (const options of [{ delimiter: '' }, { delimiter: new Uint8Array(0) }, { delimiter: 10 }, {}, undefined, { delimiter: '\n', maxLength: -1 }, { delimiter: '\n', maxLength: 1.5 }]) {
      expectCodecError(() => delimiterFramer(options as never), 'bad-framer');
    }
  });

  it('keeps its own copy of the delimiter', () => {
    const delimiter = Uint8Array.of(10);
    const f = delimiterFramer({ delimiter });
    delimiter[0] = 0;
    expect(f.encode(text('a'))).toEqual(text('a\n'));
  });
});

const DELIMITERS = ['\n', '\r\n', '\0', 'aa', 'aba', '\r\n\r\n'].map(text);

const framerArb = fc
  .tuple(
    fc.oneof(fc.constantFrom(...DELIMITERS), fc.uint8Array({ minLength: 1, maxLength: 4 }).map((b) => b.map((x) => [0, 10, 13, 97][x % 4]!))),
    fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
  )
  .map(([delimiter, maxLength]) => ({ delimiter, framer: delimiterFramer({ delimiter, maxLength }), maxLength: maxLength ?? DEFAULT_MAX_FRAME_LENGTH }));

const casesArb = framerArb.chain(({ delimiter, framer, maxLength }) =>
  fc.array(encodableArb(framer, messageBytesArb([...delimiter, 0x62], Math.min(maxLength, 30))), { maxLength: 6 }).map((messages) => ({ framer, messages })),
);

describe('delimiterFramer properties', () => {
  framerProperties(casesArb);

  const junkArb = fc.tuple(framerArb, messageBytesArb([0, 10, 13, 97], 120), splitArb);
  test.prop([junkArb], { numRuns: 300 })('never buffers maxLength + delimiter bytes or more: frame-too-long comes first', ([{ delimiter, framer, maxLength }, junk, split]) => {
    const d = framer.decoder();
    for (const piece of splitBytes(junk, split)) {
      if (codecErrorOf(() => d.push(piece))) return;
      expect(d.pending).toBeLessThan(maxLength + delimiter.length);
    }
  });

  test.prop([framerArb, splitArb], { numRuns: 200 })('a message longer than maxLength without a delimiter is frame-too-long, whatever the split', ({ framer, maxLength }, split) => {
    fc.pre(maxLength <= 40);
    const stream = concat([framer.encode(new Uint8Array(0)), new Uint8Array(maxLength + 8).fill(0x62)]);
    expect(decodePieces(framer, splitBytes(stream, split))).toEqual({ messages: [new Uint8Array(0)], error: 'frame-too-long' });
  });
});
