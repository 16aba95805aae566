/**
 * Bytes and long texts as the HTML report shows them: escaped text broken after each
 * `\n`, hex, the first difference of two values marked, and whatever is long cut in
 * view (its full size said) with the rest behind a click, up to what the run kept.
 */
import { cutMark, escapeBytes, firstDifference, hexBytes } from '../codec/render.js';
import { escapeHtml, htmlLines } from './html-text.js';

/** Bytes of a transcript entry shown before the rest is folded away. */
export const VIEW_BYTES = 1024;
/** Bytes shown before and after the first difference of an expected or actual value before the rest is folded away. */
export const WINDOW_BEFORE = 256;
export const WINDOW_AFTER = 768;
/** Characters of a text (a message, a note, a detail) shown before the rest is folded away, and kept in all. */
export const VIEW_CHARS = 2000;
export const MAX_CHARS = 64 * 1024;

/** `n` with thousands separators. */
export function grouped(n: number): string {
  return n.toLocaleString('en-US');
}

/** `n bytes` (`1 byte`). */
export function byteCount(n: number): string {
  return `${grouped(n)} byte${n === 1 ? '' : 's'}`;
}

/** The start of the UTF-8 character holding byte `i`: back over at most three continuation bytes. */
function charStart(bytes: Uint8Array, i: number): number {
  let k = i;
  while (k > 0 && i - k < 3 && (bytes[k]! & 0xc0) === 0x80) k--;
  return (bytes[k]! & 0xc0) === 0x80 ? i : k;
}

/** The end of the UTF-8 character starting at byte `i`. */
function charEnd(bytes: Uint8Array, i: number): number {
  let k = i + 1;
  while (k < bytes.length && k - i < 4 && (bytes[k]! & 0xc0) === 0x80) k++;
  return k;
}

/** Escaped text of `bytes[from, to)` for HTML, a line break after each `\n` so that a program's lines read as lines. */
export function bytesText(bytes: Uint8Array, from = 0, to = bytes.length): string {
  let out = '';
  for (let i = from; i < to; ) {
    const nl = bytes.indexOf(10, i);
    const j = nl < 0 || nl >= to ? to : nl + 1;
    out += escapeHtml(escapeBytes(bytes.subarray(i, j)));
    if (j < to && bytes[j - 1] === 10) out += '\n';
    i = j;
  }
  return out;
}

/** Hex pairs of `bytes[from, to)`. */
function bytesHex(bytes: Uint8Array, from: number, to: number): string {
  return hexBytes(bytes.subarray(from, to));
}

function cut(count: number): string {
  return `<span class="cut">${escapeHtml(cutMark(count))}</span>`;
}

/** A transcript entry's data: the first VIEW_BYTES as text, the rest folded away with its size. */
export function bytesView(bytes: Uint8Array): string {
  if (bytes.length <= VIEW_BYTES) return `<span class="data">${bytesText(bytes)}</span>`;
  const at = charStart(bytes, VIEW_BYTES);
  const rest = bytes.length - at;
  return `<span class="data">${bytesText(bytes, 0, at)}</span>${cut(rest)}<details class="more"><summary>show the other ${byteCount(rest)} (${byteCount(bytes.length)} kept)</summary><span class="data">${bytesText(bytes, at)}</span></details>`;
}

/** `bytes[from, to)` rendered by `part`, with `<mark>` on `[markFrom, markTo)` (an empty mark at the end marks where the value ends). */
function marked(bytes: Uint8Array, from: number, to: number, mark: [number, number] | undefined, part: (b: Uint8Array, a: number, z: number) => string, sep: string): string {
  const pieces: string[] = [];
  if (from > 0) pieces.push(cut(from));
  if (!mark || mark[0] < from || mark[0] > to) {
    pieces.push(part(bytes, from, to));
  } else {
    const [a, z] = [mark[0], Math.min(mark[1], to)];
    if (a > from) pieces.push(part(bytes, from, a));
    pieces.push(a < z ? `<mark>${part(bytes, a, z)}</mark>` : '<mark class="end"></mark>');
    if (to > z) pieces.push(part(bytes, z, to));
  }
  if (to < bytes.length) pieces.push(cut(bytes.length - to));
  return pieces.join(sep);
}

/**
 * One side of a difference: its bytes as text and as hex, the character holding the
 * first difference (byte `at`) marked in both; around it a window, the rest of a long
 * value folded away whole.
 */
export function markedBytes(bytes: Uint8Array, at: number | undefined): string {
  const mark: [number, number] | undefined = at === undefined || at < 0 || at > bytes.length ? undefined : at === bytes.length ? [at, at] : [charStart(bytes, at), charEnd(bytes, charStart(bytes, at))];
  const centre = mark?.[0] ?? 0;
  const from = charStart(bytes, Math.max(0, centre - WINDOW_BEFORE));
  const to = Math.min(bytes.length, Math.max(centre, from) + WINDOW_AFTER);
  const view = (a: number, z: number) =>
    `<div class="bytes data">${marked(bytes, a, z, mark, bytesText, '')}</div><div class="bytes hex">${marked(bytes, a, z, mark, bytesHex, ' ')}</div>`;
  if (from === 0 && to === bytes.length) return view(0, bytes.length);
  return `${view(from, to)}<details class="more"><summary>all ${byteCount(bytes.length)}</summary>${view(0, bytes.length)}</details>`;
}

/** Where the shown expected and actual first differ: computed from both when both are there, else the failure's `at` moved into the window the failure kept. */
export function shownDifference(expected: Uint8Array | undefined, actual: Uint8Array | undefined, at: number | undefined, message: string): number | undefined {
  if (expected && actual) {
    const d = firstDifference(expected, actual);
    return d < 0 ? undefined : d;
  }
  if (at === undefined) return undefined;
  const shownFrom = /\(bytes shown from offset ([\d,]+), at most/.exec(message);
  return at - (shownFrom ? Number(shownFrom[1]!.replace(/,/g, '')) : 0);
}

/** A text of several lines (a message, a note, a detail), printable and escaped; past VIEW_CHARS folded away, past MAX_CHARS left out with its length said. */
export function longText(text: string): string {
  if (text.length <= VIEW_CHARS) return htmlLines(text);
  const split = (n: number) => (/[\uD800-\uDBFF]/.test(text[n - 1] ?? '') ? n - 1 : n);
  const head = split(VIEW_CHARS);
  const end = split(Math.min(text.length, MAX_CHARS));
  const left = text.length - end;
  const tail = left > 0 ? `<span class="cut"> … ${grouped(left)} more characters not kept</span>` : '';
  return `${htmlLines(text.slice(0, head))}<details class="more"><summary>show the other ${grouped(text.length - head)} characters (${grouped(text.length)} in all)</summary>${htmlLines(text.slice(head, end))}${tail}</details>`;
}
