/**
 * The `bytes` payload syntax: text in which backslash escapes stand for raw
 * bytes and every other character stands for its UTF-8.
 */
import { concatBytes, encodeUtf8 } from './bytes.js';
import { CodecError } from './errors.js';

/** The byte each single-character escape stands for. */
const ESCAPES: Readonly<Record<string, number>> = {
  '\\': 0x5c, n: 0x0a, r: 0x0d, t: 0x09, '0': 0x00, a: 0x07,
  b: 0x08, f: 0x0c, v: 0x0b, e: 0x1b, '"': 0x22, "'": 0x27,
};

const KNOWN = '\\\\ \\n \\r \\t \\0 \\a \\b \\f \\v \\e \\" \\\', \\xHH and \\u{HHHH}';

function isHexDigit(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}

/** Offset of UTF-16 index `i` counted in characters (code points), for messages. */
function characterOffset(text: string, i: number): number {
  return [...text.slice(0, i)].length;
}

/** What the escape at `i` is, as the message shows it (up to 4 characters, 10 for `\u{…}`). */
function showEscape(text: string, i: number): string {
  const c = text[i + 1];
  const rest = [...text.slice(i, i + 12)].slice(0, c === 'x' ? 4 : c === 'u' ? 10 : 2).join('');
  return JSON.stringify(rest);
}

/** The code point of the `\u{H…}` escape at `i` and the index after it, or undefined if it is broken. */
function readCodePointEscape(text: string, i: number): [cp: number, end: number] | undefined {
  const m = /^\\u\{([0-9a-fA-F]{1,6})\}/.exec(text.slice(i, i + 10));
  if (!m) return undefined;
  const cp = parseInt(m[1]!, 16);
  return cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? undefined : [cp, i + m[0].length];
}

/**
 * Bytes of a `bytes` payload: `\\ \n \r \t \0 \a \b \f \v \e \" \'`, `\xHH`
 * (a raw byte) and `\u{HHHH}` (the UTF-8 of a code point, 1 to 6 hex digits, as
 * renderings write hidden characters) are escapes, any other character is its UTF-8. Throws
 * `CodecError` `bad-escape` naming the offset of an unknown or broken escape.
 */
export function parseEscapedBytes(text: string): Uint8Array {
  const parts: Uint8Array[] = [];
  const raw: number[] = [];
  let runStart = 0;
  const flushText = (end: number) => {
    if (end > runStart) {
      if (raw.length) parts.push(Uint8Array.from(raw.splice(0)));
      parts.push(encodeUtf8(text.slice(runStart, end)));
    }
  };
  let i = text.indexOf('\\');
  while (i >= 0) {
    flushText(i);
    const c = text[i + 1];
    if (c === undefined) {
      throw new CodecError('bad-escape', `a lone backslash ends the text at offset ${characterOffset(text, i)}: write \\\\ for a backslash byte`);
    }
    if (c === 'x') {
      const h = text.slice(i + 2, i + 4);
      if (!isHexDigit(h[0]) || !isHexDigit(h[1])) {
        throw new CodecError('bad-escape', `bad escape ${showEscape(text, i)} at offset ${characterOffset(text, i)}: \\x takes exactly two hex digits, like \\x0a`);
      }
      raw.push(parseInt(h, 16));
      runStart = i + 4;
    } else if (c === 'u') {
      const esc = readCodePointEscape(text, i);
      if (!esc) {
        throw new CodecError('bad-escape', `bad escape ${showEscape(text, i)} at offset ${characterOffset(text, i)}: \\u takes a code point of 1 to 6 hex digits in braces, like \\u{200B}`);
      }
      raw.push(...encodeUtf8(String.fromCodePoint(esc[0])));
      runStart = esc[1];
    } else {
      const byte = ESCAPES[c];
      if (byte === undefined) {
        throw new CodecError('bad-escape', `unknown escape ${showEscape(text, i)} at offset ${characterOffset(text, i)}: the escapes are ${KNOWN}; write \\\\ for a backslash byte`);
      }
      raw.push(byte);
      runStart = i + 2;
    }
    i = text.indexOf('\\', runStart);
  }
  flushText(text.length);
  if (raw.length) parts.push(Uint8Array.from(raw));
  return parts.length === 1 ? parts[0]! : concatBytes(parts);
}
