/**
 * The program's stdout decoded as it arrives: a bounded window of text and of
 * bytes, addressed by absolute offsets that stay valid when old text is dropped.
 */
import { TextDecoder } from 'node:util';
import { safeRegexOf, type SafeRegex } from '../codec/safe-regex.js';

export class StdoutText {
  readonly limit: number;
  #decoder = new TextDecoder('utf-8');
  /**
   * The text, in two parts: `#text`, settled, and the recent chunks, what came since, each a
   * string of its own. Appending to one long string makes V8 copy all of it at the next
   * search (it flattens the rope), so that a prompt answered after each of thousands of chunks
   * cost a copy of the whole window each time: the recent chunks are folded in only once they
   * are a quarter of the settled text, and a search joins only those it looks at (usually the
   * last one or two: what came since the last answer).
   */
  #text = '';
  #recent: string[] = [];
  #recentLength = 0;
  /** Characters dropped from the front of the text window. */
  #dropped = 0;
  #bytes: Buffer[] = [];
  #byteCount = 0;

  constructor(limit: number) {
    this.limit = Math.max(1, limit);
  }

  /** Absolute offset of the end of the text: characters seen so far. */
  get length(): number {
    return this.#dropped + this.#text.length + this.#recentLength;
  }

  /** Absolute offset of the first character still kept (the last `limit` characters). */
  get start(): number {
    return this.#dropped + this.#first;
  }

  /** Index in the text (settled then recent) of the first character of the window. */
  get #first(): number {
    return Math.max(0, this.#text.length + this.#recentLength - this.limit);
  }

  /** Fold the recent text into the settled text, and trim that to the limit. */
  #settle(): void {
    if (this.#recentLength > 0) {
      this.#text += this.#recent.length === 1 ? this.#recent[0]! : this.#recent.join('');
      this.#recent = [];
      this.#recentLength = 0;
    }
    // Trimmed only once it holds twice the limit: cutting it copies the whole window, and once
    // per chunk that made megabytes of garbage out of a program that prints a lot.
    if (this.#text.length > 2 * this.limit) {
      const excess = this.#text.length - this.limit;
      this.#text = this.#text.slice(excess);
      this.#dropped += excess;
    }
  }

  /** Take a chunk: decode it (characters split across chunks are joined) and trim to the limit. */
  add(chunk: Buffer): void {
    const text = this.#decoder.decode(chunk, { stream: true });
    if (text) {
      this.#recent.push(text);
      this.#recentLength += text.length;
    }
    if (this.#recentLength >= Math.max(1024, this.#text.length >> 2)) this.#settle();
    this.#bytes.push(chunk);
    this.#byteCount += chunk.length;
    while (this.#byteCount > this.limit) {
      const first = this.#bytes[0]!;
      const over = this.#byteCount - this.limit;
      if (first.length <= over) this.#bytes.shift();
      else this.#bytes[0] = first.subarray(over);
      this.#byteCount -= Math.min(first.length, over);
    }
  }

  /** The kept text, from absolute offset `from` (clamped to what is kept). */
  text(from = 0): string {
    this.#settle();
    return this.#text.slice(Math.max(this.#first, from - this.#dropped));
  }

  /** The last `limit` bytes at most. */
  bytes(): Buffer {
    return Buffer.concat(this.#bytes);
  }

  /**
   * Find `pattern` at or after absolute offset `from`; absolute `{ start, end }` or undefined.
   * A regex is matched as a SafeRegex (any `g` or `y` flag ignored): it throws RegexBudgetError
   * rather than backtrack without bound.
   */
  find(pattern: string | RegExp | SafeRegex, from: number): { start: number; end: number } | undefined {
    const at = Math.max(this.#first, from - this.#dropped);
    if (typeof pattern === 'string') {
      const i = this.#findString(pattern, at);
      return i < 0 ? undefined : { start: this.#dropped + i, end: this.#dropped + i + pattern.length };
    }
    // A regex may look behind `at`: it is given the whole text.
    this.#settle();
    const re = safeRegexOf(pattern instanceof RegExp && /[gy]/.test(pattern.flags) ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')) : pattern);
    const m = re.exec(this.#text, at);
    return m ? { start: this.#dropped + m.index, end: this.#dropped + m.end } : undefined;
  }

  /**
   * Index (in settled then recent text) of the first `pattern` at or after `at`, or -1:
   * searched in the settled text, then in what follows: its last characters (a pattern may
   * straddle the two parts) and the recent chunks from the one holding `at` on, joined (so
   * that only the text from `at` on is copied).
   */
  #findString(pattern: string, at: number): number {
    const settled = this.#text.length;
    if (this.#recentLength === 0) return this.#text.indexOf(pattern, at);
    if (at < settled) {
      const i = this.#text.indexOf(pattern, at);
      if (i >= 0) return i;
    }
    // Past the end is at the end, as for indexOf.
    const from = Math.min(Math.max(at, settled - Math.max(0, pattern.length - 1)), settled + this.#recentLength);
    // The first recent chunk to look at: the one holding `from` (the last, for `from` at the very end).
    let k = this.#recent.length - 1;
    let start = settled + this.#recentLength - this.#recent[k]!.length;
    while (k > 0 && start > from) start -= this.#recent[--k]!.length;
    const head = from < settled ? this.#text.slice(from) : '';
    const first = from > start ? this.#recent[k]!.slice(from - start) : this.#recent[k]!;
    const rest = k + 1 < this.#recent.length ? this.#recent.slice(k + 1).join('') : '';
    const i = (head + first + rest).indexOf(pattern);
    return i < 0 ? -1 : from + i;
  }
}
