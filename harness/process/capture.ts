/**
 * A bounded record of one output stream: the first half of the limit and the
 * last half are kept, the middle is counted and dropped.
 */

/** 1 MiB per stream unless told otherwise. */
export const DEFAULT_CAPTURE_LIMIT = 1024 * 1024;

export class Capture {
  readonly limit: number;
  /** Bytes dropped between the kept head and the kept tail. */
  truncated = 0;
  #head: Buffer[] = [];
  #headSize = 0;
  #tail: Buffer[] = [];
  #tailSize = 0;

  constructor(limit = DEFAULT_CAPTURE_LIMIT) {
    this.limit = Math.max(2, Math.floor(limit));
  }

  get #half(): number {
    return Math.floor(this.limit / 2);
  }

  /** Bytes seen in all, kept or not. */
  get total(): number {
    return this.#headSize + this.truncated + this.#tailSize;
  }

  /** Bytes kept (never more than `limit`). */
  get size(): number {
    return this.#headSize + this.#tailSize;
  }

  /** Record a chunk. */
  add(chunk: Buffer): void {
    let rest = chunk;
    const room = this.#half - this.#headSize;
    if (room > 0 && this.truncated === 0 && this.#tailSize === 0) {
      const kept = rest.subarray(0, room);
      this.#head.push(Buffer.from(kept));
      this.#headSize += kept.length;
      rest = rest.subarray(kept.length);
    }
    if (rest.length === 0) return;
    const half = this.limit - this.#half;
    if (rest.length >= half) {
      this.truncated += this.#tailSize + rest.length - half;
      this.#tail = [Buffer.from(rest.subarray(rest.length - half))];
      this.#tailSize = half;
      return;
    }
    this.#tail.push(Buffer.from(rest));
    this.#tailSize += rest.length;
    while (this.#tailSize > half) {
      const first = this.#tail[0]!;
      const over = this.#tailSize - half;
      if (first.length <= over) {
        this.#tail.shift();
        this.#tailSize -= first.length;
        this.truncated += first.length;
      } else {
        this.#tail[0] = first.subarray(over);
        this.#tailSize -= over;
        this.truncated += over;
      }
    }
  }

  /** The kept bytes: head then tail (a gap between them when `truncated > 0`). */
  bytes(): Buffer {
    return Buffer.concat([...this.#head, ...this.#tail]);
  }

  /** The kept output as UTF-8 text, with a marker where bytes were dropped. */
  text(): string {
    const head = Buffer.concat(this.#head).toString('utf8');
    const tail = Buffer.concat(this.#tail);
    if (this.truncated === 0) return Buffer.concat([...this.#head, tail]).toString('utf8');
    return `${head}\n[… ${this.truncated} bytes not kept …]\n${decodeFrom(tail, 0)}`;
  }

  /** The last `n` bytes seen (as far as kept), as UTF-8 text that never starts mid-character. */
  tail(n: number): string {
    const all = this.truncated === 0 ? this.bytes() : Buffer.concat(this.#tail);
    return decodeFrom(all, Math.max(0, all.length - Math.max(0, Math.floor(n))));
  }
}

/** Decode from `start`, skipping UTF-8 continuation bytes so the text begins on a character. */
function decodeFrom(buf: Buffer, start: number): string {
  let i = start;
  while (i < buf.length && i < start + 3 && (buf[i]! & 0xc0) === 0x80) i++;
  return buf.subarray(i).toString('utf8');
}
