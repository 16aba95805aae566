/**
 * The program's console as an operator uses it: wait for something to be
 * printed, type a line, answer a prompt whenever it shows. Driven by stdout data.
 */
import { RegexBudgetError, type SafeRegex } from '../codec/safe-regex.js';
import type { Launched } from './launch.js';
import { StdoutText } from './stdout-text.js';
import { startWaitLimit } from './wait-limit.js';

/** Which output a wait looks at: stdout offsets are absolute; stderr is searched from the program's start. */
export type OutputStream = 'stdout' | 'stderr' | 'both';

export type ConsoleMatch =
  | { ok: true; start: number; end: number }
  | { ok: false; code: 'timeout' | 'exited' | 'aborted' }
  /** The pattern backtracked past its budget (see SafeRegex): the wait ends at once. */
  | { ok: false; code: 'regex-budget'; message: string };

/** A background responder: call it to stop; `answered` counts its answers. */
export type Responder = (() => void) & { readonly answered: number };

export class ProgramConsole {
  readonly #launched: Launched;
  readonly #out: StdoutText;
  readonly #err: StdoutText;
  readonly #changes = new Set<() => void>();
  /** Stdout offset when stdin was last written: prompts before it are taken as answered. */
  #inputAt = 0;
  #answered = 0;

  constructor(launched: Launched) {
    this.#launched = launched;
    this.#out = new StdoutText(launched.stdout.limit);
    this.#err = new StdoutText(launched.stderr.limit);
    launched.onStdout((chunk) => {
      this.#out.add(chunk);
      for (const wake of [...this.#changes]) wake();
    });
    launched.onStderr((chunk) => {
      this.#err.add(chunk);
      for (const wake of [...this.#changes]) wake();
    });
  }

  /** Stdout text kept so far (the last `limit` characters), from absolute offset `from`. */
  text(from = 0): string {
    return this.#out.text(from);
  }

  /** Stderr text kept so far (the last `limit` characters). */
  errorText(): string {
    return this.#err.text(0);
  }

  /** Stdout bytes kept so far (the last `limit` bytes). */
  bytes(): Buffer {
    return this.#out.bytes();
  }

  /** Absolute offset of the end of stdout: use it as `from` for what comes next. */
  get length(): number {
    return this.#out.length;
  }

  /** Answers given by every responder. */
  get answered(): number {
    return this.#answered;
  }

  /** Wait until stdout, from offset `from` (default 0), contains `pattern`; chunk boundaries do not matter. */
  waitFor(pattern: string | RegExp | SafeRegex, options: { from?: number; timeoutMs: number; signal?: AbortSignal; stream?: OutputStream }): Promise<ConsoleMatch> {
    const from = options.from ?? 0;
    const stream = options.stream ?? 'stdout';
    let outOfBudget: string | undefined;
    const find = (p: string | RegExp | SafeRegex, f: number) => {
      if (outOfBudget !== undefined) return undefined;
      try {
        return (stream !== 'stderr' ? this.#out.find(p, f) : undefined) ?? (stream !== 'stdout' ? this.#err.find(p, 0) : undefined);
      } catch (e) {
        if (!(e instanceof RegexBudgetError)) throw e;
        outOfBudget = e.message;
        return undefined;
      }
    };
    const found = find(pattern, from);
    if (found) return Promise.resolve({ ok: true, ...found });
    if (outOfBudget !== undefined) return Promise.resolve({ ok: false, code: 'regex-budget', message: outOfBudget });
    const limit = startWaitLimit({ timeoutMs: options.timeoutMs, signal: options.signal, exited: this.#launched.exited });
    return new Promise((resolve) => {
      const finish = (m: ConsoleMatch) => {
        this.#changes.delete(check);
        limit.dispose();
        resolve(m);
      };
      const check = () => {
        const hit = find(pattern, from);
        if (hit) finish({ ok: true, ...hit });
        else if (outOfBudget !== undefined) finish({ ok: false, code: 'regex-budget', message: outOfBudget });
      };
      this.#changes.add(check);
      void limit.over.then((reason) => {
        const hit = find(pattern, from); // output read before the exit still counts
        finish(hit ? { ok: true, ...hit } : outOfBudget !== undefined ? { ok: false, code: 'regex-budget', message: outOfBudget } : { ok: false, code: reason.code });
      });
    });
  }

  /**
   * Run `check` now and after every chunk of output until it returns a value, the
   * program exits (checked once more then, with `exited` true), or time runs out.
   */
  watch<T>(check: (exited: boolean) => T | undefined, options: { timeoutMs: number; signal?: AbortSignal }): Promise<{ ok: true; value: T } | { ok: false; code: 'timeout' | 'exited' | 'aborted' }> {
    const first = check(false);
    if (first !== undefined) return Promise.resolve({ ok: true, value: first });
    const limit = startWaitLimit({ timeoutMs: options.timeoutMs, signal: options.signal, exited: this.#launched.exited });
    return new Promise((resolve) => {
      const finish = (r: { ok: true; value: T } | { ok: false; code: 'timeout' | 'exited' | 'aborted' }) => {
        this.#changes.delete(onChange);
        limit.dispose();
        resolve(r);
      };
      const onChange = () => {
        const v = check(false);
        if (v !== undefined) finish({ ok: true, value: v });
      };
      this.#changes.add(onChange);
      void limit.over.then((reason) => {
        const v = reason.code === 'exited' ? check(true) : undefined;
        finish(v !== undefined ? { ok: true, value: v } : { ok: false, code: reason.code });
      });
    });
  }

  /** Type `line` and Enter. False when stdin is closed. */
  type(line: string): boolean {
    this.#inputAt = this.#out.length;
    return this.#launched.write(line + '\n');
  }

  /** Close stdin: the program reads end-of-file. */
  closeStdin(): void {
    this.#launched.closeStdin();
  }

  /**
   * Answer each new occurrence of `prompt` once with `line`, in the background,
   * looking from `from` (default: where stdout was when stdin was last written).
   */
  answer(
    prompt: string | RegExp | SafeRegex,
    line: string,
    options: { from?: number; once?: boolean; onAnswer?: () => void; onError?: (message: string) => void } = {},
  ): Responder {
    let cursor = options.from ?? this.#inputAt;
    let answered = 0;
    // A prompt pattern that runs out of its budget stops the responder (and says so).
    const find = (): { start: number; end: number } | undefined => {
      try {
        return this.#out.find(prompt, cursor);
      } catch (e) {
        if (!(e instanceof RegexBudgetError)) throw e;
        dispose();
        options.onError?.(e.message);
        return undefined;
      }
    };
    const check = () => {
      for (let hit = find(); hit; hit = find()) {
        if (options.once && answered > 0) return;
        cursor = Math.max(hit.end, hit.start + 1); // an empty match must not answer the same spot twice
        answered++;
        this.#answered++;
        options.onAnswer?.();
        this.type(line);
      }
    };
    const dispose = () => void this.#changes.delete(check);
    this.#changes.add(check);
    check();
    return Object.defineProperty(dispose, 'answered', { get: () => answered }) as Responder;
  }
}
