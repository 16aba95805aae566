/**
 * The program's stdout decoded as it arrives: a bounded window of text and of
 * bytes, addressed by absolute offsets that stay valid when old text is dropped.
 */
import { TextDecoder } from 'node:util';
import { safeRegexOf, type SafeRegex } from '../codec/safe-regex.js';

export class StdoutText {
  readonly limit: number;
  #decoder = new TextDecoder('utf-8');
  #text = '';
  /** Characters dropped from the front of the text window. */
  #dropped = 0;
  #bytes: Buffer[] = [];
  #byteCount = 0;

  constructor(limit: number) {
    this.limit = Math.max(1, limit);
  }

  /** Absolute offset of the end of the text: characters seen so far. */
  get length(): number {
    return this.#dropped + this.#text.length;
  }

  /** Absolute offset of the first character still kept (the last `limit` characters). */
  get start(): number {
    return this.#dropped + Math.max(0, this.#text.length - this.limit);
  }

  /** Index in #text of the first character of the window. */
  get #first(): number {
    return Math.max(0, this.#text.length - this.limit);
  }

  /** Take a chunk: decode it (characters split across chunks are joined) and trim to the limit. */
  add(chunk: Buffer): void {
    this.#text += this.#decoder.decode(chunk, { stream: true });
    // Trimmed only once it holds twice the limit: cutting it copies the whole window, and once
    // per chunk that made megabytes of garbage out of a program that prints a lot.
    if (this.#text.length > 2 * this.limit) {
      const excess = this.#text.length - this.limit;
      this.#text = this.#text.slice(excess);
      this.#dropped += excess;
    }
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
      const i = this.#text.indexOf(pattern, at);
      return i < 0 ? undefined : { start: this.#dropped + i, end: this.#dropped + i + pattern.length };
    }
    const re = safeRegexOf(pattern instanceof RegExp && /[gy]/.test(pattern.flags) ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')) : pattern);
    const m = re.exec(this.#text, at);
    return m ? { start: this.#dropped + m.index, end: this.#dropped + m.end } : undefined;
  }
}
