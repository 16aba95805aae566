/**
 * Regular expressions from scenarios, matched so that no pattern can freeze the
 * harness. JavaScript's regex engines backtrack: `(a+)+$` against a long line of
 * `a`s takes exponential time, and a match runs on the event loop, so no timer,
 * timeout or signal handler would run until it ends.
 *
 * Two ways, chosen per pattern:
 * - On V8 (Node), a pattern its linear-time engine can run (no backreferences,
 *   lookarounds, `i` or `u` flag, small counted repeats) runs on this thread with
 *   V8's usual engine on texts up to MAIN_THREAD_MAX_CHARS; V8 switches to the
 *   linear-time engine once a match backtracks too much
 *   (`--enable-experimental-regexp-engine-on-excessive-backtracks`, set at load).
 *   Same results, fast in the common case, linear in the worst.
 * - Any other pattern, a longer text, or any pattern where V8's flags are not
 *   available (Bun, Deno)
 *   is matched in a worker thread with a deadline (`REGEX_BUDGET_MS` of matching):
 *   a match that takes longer is stopped (the worker is terminated) and reported
 *   as `regex-budget`, never an endless hang.
 */
import { createRequire } from 'node:module';
import { CodecError } from './errors.js';

/** How long one match of a pattern the linear-time engine cannot run may take: 1 s of the matching thread's CPU time (see waitForMatch). */
export const REGEX_BUDGET_MS = 1000;
/**
 * The longest text a linear-time pattern is matched against on this thread: 64 Ki
 * characters. Linear time is still ~1 µs a character once V8 falls back, so a longer
 * text goes to the worker and its budget, to keep the event loop free.
 */
export const MAIN_THREAD_MAX_CHARS = 64 * 1024;
/** How long a worker thread may take to start before a match gives up (a loaded machine can be slow). */
const WORKER_START_MS = 15_000;

/** The span of a match, in UTF-16 code units of the text. */
export interface RegexHit {
  index: number;
  end: number;
  /** The text matched. */
  text?: string;
  /** Groups 1, 2, … (undefined for one that took no part). */
  groups?: (string | undefined)[];
  /** Named groups. */
  named?: Record<string, string | undefined>;
}

/** A RegExp match as a RegexHit. */
function hitOf(m: RegExpExecArray): RegexHit {
  return { index: m.index, end: m.index + m[0].length, text: m[0], groups: m.slice(1), ...(m.groups ? { named: { ...m.groups } } : {}) };
}

/** A match that ran out of its budget: the pattern backtracks too much on this text. */
export class RegexBudgetError extends CodecError {
  constructor(message: string) {
    super('regex-budget', message);
  }
}

let linearEngine: boolean | undefined;

/** Whether V8's linear-time engine is on (flags set on first use; false on engines without them). */
export function hasLinearEngine(): boolean {
  if (linearEngine !== undefined) return linearEngine;
  linearEngine = false;
  try {
    const req = createRequire(import.meta.url);
    const v8 = req('node:v8') as { setFlagsFromString?: (flags: string) => void };
    if (typeof v8.setFlagsFromString === 'function' && !('bun' in process.versions)) {
      v8.setFlagsFromString('--enable-experimental-regexp-engine');
      v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
      // Both flags go through the same door: when `l` is accepted, the fallback is on too.
      new RegExp('a', 'l');
      linearEngine = true;
    }
  } catch {
    linearEngine = false;
  }
  return linearEngine;
}

/** Whether V8's linear-time engine can run `/source/flags`. */
function linearSafe(source: string, flags: string): boolean {
  if (!hasLinearEngine()) return false;
  try {
    new RegExp(source, flags.replace(/[gyl]/g, '') + 'l');
    return true;
  } catch {
    return false;
  }
}

/** What is wrong with `/source/flags` as a scenario regex (the message of \`bad-regex\`), or undefined. Starts no worker. */
export function regexProblem(source: string, flags = ''): string | undefined {
  try {
    if (flags.includes('l')) throw new SyntaxError(`Invalid flags supplied to RegExp constructor '${flags}'`);
    new RegExp(source, flags);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** A scenario's regular expression: `exec` never runs longer than its bound. */
export class SafeRegex {
  readonly source: string;
  readonly flags: string;
  /** True when matched on this thread with the linear-time fallback (texts up to MAIN_THREAD_MAX_CHARS); false when always matched in a worker with a deadline. */
  readonly linear: boolean;
  readonly #re: RegExp;
  readonly #budgetMs: number;

  constructor(source: string, flags = '', options: { budgetMs?: number } = {}) {
    const sticky = flags.includes('y');
    const own = flags.replace(/[gy]/g, '') + (sticky ? 'y' : 'g');
    let re: RegExp;
    try {
      re = new RegExp(source, own);
      if (flags.includes('l')) throw new SyntaxError(`Invalid flags supplied to RegExp constructor '${flags}'`);
    } catch (e) {
      throw new CodecError('bad-regex', `invalid regular expression /${source}/${flags}: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}; write it in JavaScript RegExp syntax`);
    }
    this.source = source;
    this.flags = flags;
    this.#re = re;
    this.#budgetMs = options.budgetMs ?? REGEX_BUDGET_MS;
    this.linear = linearSafe(source, flags);
    if (!this.linear) startWorker();
  }

  /**
   * The first match in `text` at or after `from` (at `from` exactly with the `y`
   * flag), or undefined. Throws RegexBudgetError when the match ran out of time.
   */
  exec(text: string, from = 0): RegexHit | undefined {
    if (this.linear && text.length - from <= MAIN_THREAD_MAX_CHARS) {
      this.#re.lastIndex = from;
      const m = this.#re.exec(text);
      return m ? hitOf(m) : undefined;
    }
    return execInWorker(this.source, this.#re.flags, text, from, this.#budgetMs);
  }

  toString(): string {
    return `/${this.source}/${this.flags}`;
  }
}

const compiled = new WeakMap<RegExp, SafeRegex>();

/** `re` as a SafeRegex (the same pattern and flags), compiled once per RegExp object. */
export function safeRegexOf(re: RegExp | SafeRegex): SafeRegex {
  if (re instanceof SafeRegex) return re;
  let s = compiled.get(re);
  if (!s) {
    s = new SafeRegex(re.source, re.flags);
    compiled.set(re, s);
  }
  return s;
}

// ---- The worker: one per process, started when a pattern needs it, replaced after a match runs out of time.

const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const ctl = new Int32Array(workerData.control);
const port = workerData.port;
// This thread's id, so that the matching thread can read how much CPU time a match took (Linux).
try { Atomics.store(ctl, 2, Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop())); } catch {}
const cache = new Map();
port.on('message', (q) => {
  Atomics.store(ctl, 1, q.seq);
  Atomics.notify(ctl, 1);
  let reply;
  try {
    const key = q.flags + '/' + q.source;
    let re = cache.get(key);
    if (!re) { re = new RegExp(q.source, q.flags); if (cache.size > 256) cache.clear(); cache.set(key, re); }
    re.lastIndex = q.from;
    const m = re.exec(q.text);
    reply = { seq: q.seq, hit: m ? [m.index, m.index + m[0].length, m[0], Array.from(m).slice(1), m.groups ? Object.assign({}, m.groups) : undefined] : null };
  } catch (e) {
    reply = { seq: q.seq, error: String(e && e.message || e) };
  }
  port.postMessage(reply);
  Atomics.store(ctl, 0, q.seq);
  Atomics.notify(ctl, 0);
});
`;

interface RegexWorker {
  worker: import('node:worker_threads').Worker;
  port: import('node:worker_threads').MessagePort;
  control: Int32Array;
  receive: typeof import('node:worker_threads').receiveMessageOnPort;
  seq: number;
}

let current: RegexWorker | undefined;

function startWorker(): RegexWorker {
  if (current) return current;
  const req = createRequire(import.meta.url);
  const wt = req('node:worker_threads') as typeof import('node:worker_threads');
  const control = new Int32Array(new SharedArrayBuffer(12));
  const { port1, port2 } = new wt.MessageChannel();
  const worker = new wt.Worker(WORKER_CODE, { eval: true, workerData: { control: control.buffer, port: port2 }, transferList: [port2] });
  worker.unref();
  port1.unref();
  // A worker that dies (out of memory, say) is replaced at the next match.
  worker.on('error', () => {});
  worker.on('exit', () => {
    if (current?.worker === worker) current = undefined;
  });
  current = { worker, port: port1, control, receive: wt.receiveMessageOnPort, seq: 0 };
  return current;
}

function stopWorker(w: RegexWorker): void {
  if (current === w) current = undefined;
  w.port.close();
  void w.worker.terminate();
}

/** Wait (blocking this thread) until `control[slot]` reaches `seq` or `ms` pass; whether it did. */
function waitFor(control: Int32Array, slot: number, seq: number, ms: number): boolean {
  const until = performance.now() + ms;
  for (;;) {
    const v = Atomics.load(control, slot);
    if (v >= seq) return true;
    const left = until - performance.now();
    if (left <= 0) return false;
    Atomics.wait(control, slot, v, left);
  }
}

/** The CPU time (ms) thread `tid` of this process has run, from /proc; undefined where it cannot be read. */
function threadCpuMs(tid: number): number | undefined {
  if (tid <= 0) return undefined;
  try {
    const req = createRequire(import.meta.url);
    const fs = req('node:fs') as typeof import('node:fs');
    return Number(fs.readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return undefined;
  }
}

/** How often the CPU time of a match is looked at, and how long a match may hold this thread whatever its CPU time. */
const CPU_LOOK_MS = 50;
const WALL_CAP_FACTOR = 5;

/**
 * Wait for match `seq` to end: `budgetMs` of the worker's own CPU time where /proc
 * tells it (a loaded machine does not make a match run out of budget), never more
 * than WALL_CAP_FACTOR times that of wall time; elsewhere `budgetMs` of wall time.
 */
function waitForMatch(w: RegexWorker, seq: number, budgetMs: number): boolean {
  const tid = Atomics.load(w.control, 2);
  const cpu0 = threadCpuMs(tid);
  if (cpu0 === undefined) return waitFor(w.control, 0, seq, budgetMs);
  const wallUntil = performance.now() + budgetMs * WALL_CAP_FACTOR;
  for (;;) {
    if (waitFor(w.control, 0, seq, Math.min(CPU_LOOK_MS, Math.max(0, wallUntil - performance.now())))) return true;
    const used = (threadCpuMs(tid) ?? Infinity) - cpu0;
    if (used >= budgetMs || performance.now() >= wallUntil) return false;
  }
}

function execInWorker(source: string, flags: string, text: string, from: number, budgetMs: number): RegexHit | undefined {
  const w = startWorker();
  const seq = ++w.seq;
  w.port.postMessage({ seq, source, flags, text, from });
  const shown = `/${source}/${flags.replace(/[gy]/g, '')}`;
  if (!waitFor(w.control, 1, seq, WORKER_START_MS)) {
    stopWorker(w);
    throw new RegexBudgetError(`matching ${shown} could not start: the regex worker thread did not answer within ${WORKER_START_MS} ms`);
  }
  if (!waitForMatch(w, seq, budgetMs)) {
    stopWorker(w);
    throw new RegexBudgetError(
      `matching ${shown} against ${text.length - from} characters took more than ${budgetMs} ms and was stopped: the pattern backtracks too much (nested repeats such as (a+)+, or alternatives that overlap, with a lookaround or backreference); make it simpler`,
    );
  }
  for (let r = w.receive(w.port); r; r = w.receive(w.port)) {
    const reply = r.message as { seq: number; hit?: [number, number, string, (string | undefined)[], Record<string, string | undefined> | undefined] | null; error?: string };
    if (reply.seq !== seq) continue;
    if (reply.error !== undefined) throw new CodecError('bad-regex', `invalid regular expression ${shown}: ${reply.error}`);
    if (!reply.hit) return undefined;
    const [index, end, text, groups, named] = reply.hit;
    return { index, end, text, groups, ...(named ? { named } : {}) };
  }
  stopWorker(w);
  throw new RegexBudgetError(`matching ${shown}: the regex worker thread gave no answer`);
}
