/**
 * The timeline of one scenario: sends, receives, half-closes, resets and the
 * program's console, stamped relative to the scenario's start, bounded in size.
 */
import type { TranscriptEntry } from './result.js';

/** Bytes of data kept per scenario; past it entries keep their length but not their bytes. */
export const TRANSCRIPT_BYTES = 1024 * 1024;
/** Entries kept per scenario. */
export const TRANSCRIPT_ENTRIES = 20_000;

export class Transcript {
  readonly entries: TranscriptEntry[] = [];
  readonly start = performance.now();
  #bytes = 0;
  #droppedEntries = 0;

  /** Milliseconds since the scenario began. */
  now(): number {
    return Math.round((performance.now() - this.start) * 10) / 10;
  }

  /** Add one event. */
  add(kind: TranscriptEntry['kind'], on?: string, data?: Uint8Array, detail?: string): void {
    if (this.entries.length >= TRANSCRIPT_ENTRIES) {
      this.#droppedEntries++;
      return;
    }
    const entry: TranscriptEntry = { t: this.now(), kind };
    if (on !== undefined) entry.on = on;
    if (data !== undefined) {
      const room = Math.max(0, TRANSCRIPT_BYTES - this.#bytes);
      const kept = data.length <= room ? data : data.subarray(0, room);
      this.#bytes += kept.length;
      entry.data = Uint8Array.from(kept);
      if (kept.length < data.length) detail = `${detail ? detail + '; ' : ''}${data.length} bytes, ${data.length - kept.length} not kept (transcript limit)`;
    }
    if (detail !== undefined) entry.detail = detail;
    this.entries.push(entry);
  }

  /** The entries, with a last note if some were dropped. */
  finish(): TranscriptEntry[] {
    if (this.#droppedEntries > 0) this.entries.push({ t: this.now(), kind: 'note', detail: `${this.#droppedEntries} more events not kept (transcript limit)` });
    return this.entries;
  }
}
