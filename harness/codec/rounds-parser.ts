/**
 * The parse states of a "rounds" stream, `echo_1 trailer echo_2 trailer …`
 * where the non-empty echoes concatenate to `data`, as an NFA fed one byte at a
 * time. A state is (i, j): `i` bytes of data echoed so far and `j` the place in
 * the current round: 0 inside an echo (at least one byte of it seen), 1..t-1
 * inside the trailer, t at the start of a round (t = trailer length).
 *
 * Trailer steps do not depend on `i`, so the states inside the trailer move as
 * groups (one per `j`, shared arrays, never copied); only echo states are
 * stepped one by one, kept sorted by `i` so that merging drops duplicates.
 * Usually there are one or two states. Data that repeats the trailer can make
 * many parses possible at once (up to about i/t): `budget` bounds the total work.
 */

import { stepEchoStates } from './rounds-echo.js';

/** What feeding one byte did. `ambiguous`: the work budget ran out before a verdict. */
export type FeedResult = 'live' | 'accept' | 'dead' | 'ambiguous';

/** One parse state: data bytes echoed, place in the round. */
export interface RoundsState {
  i: number;
  j: number;
}

/** The states inside the trailer, `j` bytes of it seen; `items` sorted by `i`. */
interface Group {
  j: number;
  items: Int32Array;
}

const EMPTY = new Int32Array(0);

/** The NFA over a rounds stream for one `data` and `trailer`. */
export class RoundsParser {
  // Echo states (i, 0) sorted, in a reused buffer: the first `echoLen` entries.
  private echo: Int32Array = new Int32Array(4);
  private echoLen = 0;
  private spare: Int32Array = new Int32Array(4);
  /** States (i, t): a trailer just ended, sorted. */
  private start: Int32Array = new Int32Array(1);
  private groups: Group[] = [];
  private fed = 0;
  private work = 0;

  constructor(
    readonly data: Uint8Array,
    readonly trailer: Uint8Array,
    /** The most echo-state steps to spend; beyond it, `feed` answers `ambiguous`. */
    readonly budget = Infinity,
  ) {}

  /** Bytes fed so far. */
  get position(): number {
    return this.fed;
  }

  /** The live states (those before the byte that ended the parse, after `dead`). */
  get states(): RoundsState[] {
    const t = this.trailer.length;
    const out = [...this.start].map((i) => ({ i, j: t }));
    for (const i of this.echo.subarray(0, this.echoLen)) out.push({ i, j: 0 });
    for (const g of this.groups) for (const i of g.items) out.push({ i, j: g.j });
    return out;
  }

  /**
   * Feed byte `b`. `accept`: some parse just completed (data fully echoed, last
   * trailer done); `dead`: no parse can continue (`b` counts as fed, the states
   * stay those before it).
   */
  feed(b: number): FeedResult {
    const { data, trailer, groups } = this;
    const n = data.length;
    const t = trailer.length;
    this.work += this.echoLen + this.start.length + groups.length;
    if (this.work > this.budget) return 'ambiguous';
    this.fed++;
    const need = this.echoLen + this.start.length;
    if (this.spare.length < need) this.spare = new Int32Array(2 * need);
    const nextLen = stepEchoStates(data, this.echo, this.echoLen, this.start, b, this.spare);
    let completed: Int32Array = EMPTY;
    let moved = 0;
    for (const g of groups) {
      if (trailer[g.j] !== b) continue;
      if (g.j + 1 < t) moved++;
      else completed = g.items;
    }
    const starts = t > 0 && trailer[0] === b && this.echoLen > 0;
    if (starts && t === 1) completed = this.echo.slice(0, this.echoLen);
    // An empty trailer ends every round at once: reaching i = n completes.
    if (t === 0 && nextLen && this.spare[nextLen - 1] === n) return this.finish();
    if (completed.length && completed[completed.length - 1] === n) return this.finish();
    if (!nextLen && !moved && !(starts && t > 1) && !completed.length) return 'dead';
    // Commit: trailer groups advance in place, a new one starts from the echo states.
    if (groups.length) {
      let kept = 0;
      for (const g of groups) {
        if (trailer[g.j] === b && g.j + 1 < t) groups[kept++] = { j: g.j + 1, items: g.items };
      }
      if (kept < groups.length) groups.length = kept;
    }
    if (starts && t > 1) groups.push({ j: 1, items: this.echo.slice(0, this.echoLen) });
    const old = this.echo;
    this.echo = this.spare;
    this.spare = old;
    this.echoLen = nextLen;
    this.start = completed;
    return 'live';
  }

  /**
   * Feed `bytes[from..to)` until a verdict: the result of the last byte fed
   * (`live` when all were fed). `position` tells how far it went.
   */
  feedAll(bytes: Uint8Array, from: number, to: number): FeedResult {
    const { data, trailer } = this;
    const n = data.length;
    const t0 = trailer.length ? trailer[0]! : -1;
    let p = from;
    while (p < to) {
      // One echo state and nothing else: follow the data while no trailer can start.
      if (this.echoLen === 1 && this.start.length === 0 && this.groups.length === 0 && t0 >= 0) {
        let i = this.echo[0]!;
        const begin = p;
        const end = Math.min(to, p + n - i, p + Math.max(0, this.budget - this.work));
        while (p < end && data[i] === bytes[p] && bytes[p] !== t0) {
          i++;
          p++;
        }
        this.echo[0] = i;
        this.fed += p - begin;
        this.work += p - begin;
        if (p >= to) break;
      }
      const r = this.feed(bytes[p]!);
      p++;
      if (r !== 'live') return r;
    }
    return 'live';
  }

  private finish(): FeedResult {
    this.echoLen = 0;
    this.start = EMPTY;
    this.groups = [];
    return 'accept';
  }
}
