/**
 * The byte queue behind the framers' decoders: bytes appended at the back,
 * frames taken off the front, in amortised constant time per byte.
 */

/** A growable queue of bytes. */
export class FrameBuffer {
  #bytes = new Uint8Array(0);
  #start = 0;
  #end = 0;

  /** The number of bytes queued. */
  get length(): number {
    return this.#end - this.#start;
  }

  /** Queue a copy of `bytes`. */
  append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.#end + bytes.length > this.#bytes.length) this.#makeRoom(bytes.length);
    this.#bytes.set(bytes, this.#end);
    this.#end += bytes.length;
  }

  /** The queued bytes: a view, valid until the queue next changes. */
  view(): Uint8Array {
    return this.#bytes.subarray(this.#start, this.#end);
  }

  /** Remove the first `n` queued bytes (all of them if fewer) and return a copy of them. */
  take(n: number): Uint8Array {
    const out = this.#bytes.slice(this.#start, Math.min(this.#start + n, this.#end));
    this.skip(n);
    return out;
  }

  /** Remove the first `n` queued bytes (all of them if fewer). */
  skip(n: number): void {
    this.#start = Math.min(this.#start + n, this.#end);
    if (this.#start === this.#end) this.#start = this.#end = 0;
  }

  /** Move the queue to the front when that frees half the space, else grow it to twice what is needed. */
  #makeRoom(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.#bytes.length / 2) {
      this.#bytes.copyWithin(0, this.#start, this.#end);
    } else {
      const grown = new Uint8Array(Math.max(64, 2 * needed));
      grown.set(this.view());
      this.#bytes = grown;
    }
    this.#end = this.length;
    this.#start = 0;
  }
}
