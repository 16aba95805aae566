/**
 * The timeline of one scenario: sends, receives, half-closes, resets and the
 * program's console, stamped relative to the scenario's start, bounded in size.
 *
 * A transcript keeps at most a fixed budget whatever the program does: the first
 * half of the budget (the beginning of the exchange) and the last half (how it
 * ended); what comes between is counted, not kept, and shows as one `elided` entry
 * saying how many bytes in how many entries between which times. A flood, an endless
 * line or a chatty program costs what a quiet one does.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Failure, TranscriptEntry } from './result.js';
import { firstDifference } from '../codec/render.js';

/** Bytes of data and detail text (and ENTRY_OVERHEAD per entry) kept per scenario when the run is small. */
export const TRANSCRIPT_BYTES = 64 * 1024;
/** Bytes per scenario never go below this, however large the run. */
export const MIN_TRANSCRIPT_BYTES = 8 * 1024;
/** Bytes of transcript data a whole run keeps: the per-scenario budget shrinks to fit it, down to MIN_TRANSCRIPT_BYTES. */
export const RUN_TRANSCRIPT_BYTES = 8 * 1024 * 1024;
/** Entries kept per scenario (half at the beginning, half at the end). */
export const TRANSCRIPT_ENTRIES = 2000;
/** Characters of one entry's detail text kept. */
export const DETAIL_CHARS = 2000;
/** Bytes of a failure's expected and actual kept (a window around the first difference). */
export const FAILURE_BYTES = 16 * 1024;

/** The per-scenario byte budget for a run of `scenarios` scenarios. */
export function transcriptBudget(scenarios: number): number {
  const share = Math.floor(RUN_TRANSCRIPT_BYTES / Math.max(1, scenarios));
  return Math.max(MIN_TRANSCRIPT_BYTES, Math.min(TRANSCRIPT_BYTES, share));
}

/** `n` with thousands separators, as the elided note shows counts. */
function grouped(n: number): string {
  return n.toLocaleString('en-US');
}

/** What an entry costs besides its data and detail (the object, its time and kind), counted against the budget. */
export const ENTRY_OVERHEAD = 64;

function sizeOf(e: TranscriptEntry): number {
  return ENTRY_OVERHEAD + (e.data?.length ?? 0) + (e.detail?.length ?? 0);
}

/**
 * An entry with the fields it has, made whole at once, in the order the reports have always
 * listed them: one object literal per combination, never a field added afterwards (which in
 * V8 gives the object a separate store for the added fields, kept as long as the result is).
 */
function entryOf(t: number, kind: TranscriptEntry['kind'], on: string | undefined, data: Uint8Array | undefined, detail: string | undefined): TranscriptEntry {
  if (on === undefined) {
    if (data === undefined) return detail === undefined ? { t, kind } : { t, kind, detail };
    return detail === undefined ? { t, kind, data } : { t, kind, data, detail };
  }
  if (data === undefined) return detail === undefined ? { t, kind, on } : { t, kind, on, detail };
  return detail === undefined ? { t, kind, on, data } : { t, kind, on, data, detail };
}

export class Transcript {
  readonly start = performance.now();
  /** Bytes of data and detail kept at each end. */
  readonly #headBytes: number;
  readonly #tailBytes: number;
  readonly #headEntries: number;
  readonly #tailEntries: number;
  readonly #head: TranscriptEntry[] = [];
  #headSize = 0;
  /** The last entries, oldest first; entries pushed out of it are counted as elided. */
  #tail: TranscriptEntry[] = [];
  #tailFirst = 0;
  #tailSize = 0;
  /** Entries at the end whose data lost its beginning: their length and detail before, said at `finish`. */
  #trimmed: Map<TranscriptEntry, { length: number; detail: string | undefined }> | undefined;
  /** The storage of data the end part forgot, reused for the next entry's. */
  #spare: Uint8Array | undefined;
  #elidedBytes = 0;
  #elidedEntries = 0;
  #elidedFrom = 0;
  #elidedTo = 0;

  /** Per connection, when asked for: what was received in all, whatever was kept (a differential run compares them). */
  readonly #digests: Map<string, { bytes: number; pieces: number; stream: Hash; framed: Hash }> | undefined;

  /** `budget`: bytes of data and detail kept in all (half at each end); `digests`: keep a digest of all a connection received. */
  constructor(budget = TRANSCRIPT_BYTES, entries = TRANSCRIPT_ENTRIES, digests = false) {
    this.#digests = digests ? new Map() : undefined;
    const bytes = Math.max(2, Math.floor(budget));
    this.#headBytes = Math.floor(bytes / 2);
    this.#tailBytes = bytes - this.#headBytes;
    this.#headEntries = Math.max(1, Math.floor(entries / 2));
    this.#tailEntries = Math.max(1, entries - this.#headEntries);
  }

  /** Milliseconds since the scenario began. */
  now(): number {
    return Math.round((performance.now() - this.start) * 10) / 10;
  }

  /** Bytes and entries counted but not kept so far. */
  get elided(): { bytes: number; entries: number } {
    return { bytes: this.#elidedBytes, entries: this.#elidedEntries };
  }

  /** Add one event; only what fits the budget is copied. */
  add(kind: TranscriptEntry['kind'], on?: string, data?: Uint8Array, detail?: string): void {
    const t = this.now();
    if (this.#digests && kind === 'recv' && data && on !== undefined && on !== 'program' && on !== 'harness') {
      const d = this.#digests.get(on) ?? this.#digests.set(on, { bytes: 0, pieces: 0, stream: createHash('sha256'), framed: createHash('sha256') }).get(on)!;
      d.bytes += data.length;
      d.pieces++;
      d.stream.update(data);
      const length = Buffer.alloc(4);
      length.writeUInt32BE(data.length);
      d.framed.update(length).update(data);
    }
    if (detail !== undefined && detail.length > DETAIL_CHARS) detail = `${detail.slice(0, DETAIL_CHARS)}… (${grouped(detail.length)} characters)`;
    const dataLength = data?.length ?? 0;
    const headRoom = this.#headBytes - this.#headSize - ENTRY_OVERHEAD - (detail?.length ?? 0);
    // Still at the beginning: keep as much of this entry's data as the head has room for.
    if (this.#elidedEntries === 0 && this.#tail.length === this.#tailFirst && this.#head.length < this.#headEntries && headRoom > 0) {
      let copy: Uint8Array | undefined;
      if (data !== undefined) {
        const kept = dataLength <= headRoom ? data : data.subarray(0, headRoom);
        copy = new Uint8Array(kept);
        if (kept.length < dataLength) {
          detail = `${detail ? detail + '; ' : ''}${grouped(dataLength)} bytes, the first ${grouped(kept.length)} kept (transcript limit)`;
          this.#countElided(dataLength - kept.length, 0, t);
        }
      }
      const entry = entryOf(t, kind, on, copy, detail);
      this.#head.push(entry);
      this.#headSize += sizeOf(entry);
      return;
    }
    // Past the beginning: the entry goes to the end part, which forgets its oldest entries.
    let copy: Uint8Array | undefined;
    let untrimmedLength = 0;
    if (data !== undefined) {
      const room = Math.max(0, this.#tailBytes - ENTRY_OVERHEAD - (detail?.length ?? 0));
      const kept = dataLength <= room ? data : data.subarray(dataLength - room);
      copy = this.#copy(kept);
      if (kept.length < dataLength) {
        untrimmedLength = dataLength;
        this.#countElided(dataLength - kept.length, 0, t);
      }
    }
    const entry = entryOf(t, kind, on, copy, detail);
    if (untrimmedLength > 0) this.#trimmedEntries().set(entry, { length: untrimmedLength, detail });
    this.#tail.push(entry);
    this.#tailSize += sizeOf(entry);
    while (this.#tail.length - this.#tailFirst > this.#tailEntries || (this.#tailSize > this.#tailBytes && this.#tail.length - this.#tailFirst > 1)) {
      const old = this.#tail[this.#tailFirst]!;
      const over = this.#tailSize - this.#tailBytes;
      if (this.#tail.length - this.#tailFirst <= this.#tailEntries && old.data && old.data.length > over) {
        // Over in bytes only: the oldest entry kept gives up the beginning of its data.
        const trimmed = this.#trimmedEntries();
        if (!trimmed.has(old)) trimmed.set(old, { length: old.data.length, detail: old.detail });
        old.data = old.data.subarray(over);
        this.#tailSize -= over;
        this.#countElided(over, 0, old.t);
        break;
      }
      this.#tailFirst++;
      this.#trimmed?.delete(old);
      if (old.data && old.data.buffer.byteLength >= (this.#spare?.length ?? 0)) this.#spare = new Uint8Array(old.data.buffer);
      this.#tailSize -= sizeOf(old);
      this.#countElided(old.data?.length ?? 0, 1, old.t);
    }
    // Forget dropped entries in batches, so that a flood of small entries is not quadratic.
    if (this.#tailFirst > 1024 && this.#tailFirst * 2 > this.#tail.length) {
      this.#tail = this.#tail.slice(this.#tailFirst);
      this.#tailFirst = 0;
    }
  }

  /** The entries at the end that lost the beginning of their data (made on the first: most transcripts have none). */
  #trimmedEntries(): Map<TranscriptEntry, { length: number; detail: string | undefined }> {
    this.#trimmed ??= new Map();
    return this.#trimmed;
  }

  /** A copy of `bytes` for the end part, in the storage of an entry it forgot when there is one (a flood then allocates nothing). */
  #copy(bytes: Uint8Array): Uint8Array {
    const spare = this.#spare;
    if (spare && spare.length >= bytes.length && bytes.length > 0) {
      this.#spare = undefined;
      spare.set(bytes);
      return spare.subarray(0, bytes.length);
    }
    return new Uint8Array(bytes);
  }

  #countElided(bytes: number, entries: number, t: number): void {
    if (this.#elidedBytes === 0 && this.#elidedEntries === 0) this.#elidedFrom = t;
    else this.#elidedFrom = Math.min(this.#elidedFrom, t);
    this.#elidedTo = Math.max(this.#elidedTo, t);
    this.#elidedBytes += bytes;
    this.#elidedEntries += entries;
  }

  /** The kept entries, with one `elided` entry where the middle was dropped. */
  finish(): TranscriptEntry[] {
    const out = [...this.#head];
    if (this.#elidedEntries > 0 || this.#elidedBytes > 0) {
      const what = this.#elidedEntries > 0 ? `${grouped(this.#elidedBytes)} bytes in ${grouped(this.#elidedEntries)} entries` : `${grouped(this.#elidedBytes)} bytes of the entries around it`;
      out.push({ t: this.#elidedFrom, kind: 'elided', detail: `${what} not kept, between t=${this.#elidedFrom} ms and t=${this.#elidedTo} ms (transcript limit)` });
    }
    for (let i = this.#tailFirst; i < this.#tail.length; i++) out.push(this.#tail[i]!);
    if (this.#digests && (this.#elidedEntries > 0 || this.#elidedBytes > 0)) {
      for (const [on, d] of this.#digests) out.push({ t: this.now(), kind: 'note', on, detail: digestNote(d.bytes, d.pieces, d.stream.digest('hex'), d.framed.digest('hex')) });
    }
    for (const [e, was] of this.#trimmed ?? []) {
      if (e.data) e.detail = `${was.detail ? was.detail + '; ' : ''}${grouped(was.length)} bytes, the last ${grouped(e.data.length)} kept (transcript limit)`;
    }
    return out;
  }
}

const DIGEST_NOTE = /^received ([\d,]+) bytes in ([\d,]+) pieces in all \(transcript limit\); sha256 of the stream ([0-9a-f]{64}), of the pieces ([0-9a-f]{64})$/;

function digestNote(bytes: number, pieces: number, stream: string, framed: string): string {
  return `received ${grouped(bytes)} bytes in ${grouped(pieces)} pieces in all (transcript limit); sha256 of the stream ${stream}, of the pieces ${framed}`;
}

/** What a digest note (written where a transcript with digests elided something) says. */
export function readDigestNote(detail: string | undefined): { bytes: number; pieces: number; stream: string; framed: string } | undefined {
  const m = detail === undefined ? null : DIGEST_NOTE.exec(detail);
  if (!m) return undefined;
  return { bytes: Number(m[1]!.replace(/,/g, '')), pieces: Number(m[2]!.replace(/,/g, '')), stream: m[3]!, framed: m[4]! };
}

/**
 * `failure` with its expected and actual bytes cut to FAILURE_BYTES each: a window
 * from shortly before the first difference (the same offset in both, so the
 * difference still shows), said in the message.
 */
export function boundFailure(failure: Failure, limit = FAILURE_BYTES): Failure {
  const { expected, actual } = failure;
  if ((expected?.length ?? 0) <= limit && (actual?.length ?? 0) <= limit) return failure;
  const differs = expected && actual ? firstDifference(expected, actual) : -1;
  const at = failure.at ?? (differs >= 0 ? differs : 0);
  const from = Math.max(0, at - Math.floor(limit / 4));
  const cut = (b: Uint8Array) => new Uint8Array(b.subarray(Math.min(from, b.length), Math.min(b.length, from + limit)));
  const sizes = [expected && `expected ${grouped(expected.length)}`, actual && `actual ${grouped(actual.length)}`].filter(Boolean).join(', ');
  return {
    ...failure,
    message: `${failure.message}\n(bytes shown from offset ${grouped(from)}, at most ${grouped(limit)} of each: ${sizes} bytes in all)`,
    ...(expected ? { expected: cut(expected) } : {}),
    ...(actual ? { actual: cut(actual) } : {}),
  };
}
