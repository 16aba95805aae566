import { describe, it, expect } from 'vitest';
import { CodecError } from './errors.js';
import { hasLinearEngine, MAIN_THREAD_MAX_CHARS, regexProblem, RegexBudgetError, SafeRegex, safeRegexOf, type RegexHit } from './safe-regex.js';

/** The span of a hit (its groups are checked elsewhere). */
const span = (h: RegexHit | undefined) => h && { index: h.index, end: h.end };

const LONG = 'a'.repeat(50_000) + '!';

/** What plain RegExp finds, as a SafeRegex answers it. */
function plain(source: string, flags: string, text: string, from = 0): { index: number; end: number } | undefined {
  const re = new RegExp(source, flags.replace(/[gy]/g, '') + (flags.includes('y') ? 'y' : 'g'));
  re.lastIndex = from;
  const m = re.exec(text);
  return m ? { index: m.index, end: m.index + m[0].length } : undefined;
}

describe('SafeRegex', () => {
  it('on Node, runs patterns the linear-time engine supports on this thread, the rest in a worker', () => {
    expect(hasLinearEngine()).toBe(true);
    expect(new SafeRegex('(?:^|\\n)Hello, Michael!\\r?\\n').linear).toBe(true);
    expect(new SafeRegex('(a+)+$').linear).toBe(true);
    expect(new SafeRegex('^(?=[\\s\\S])').linear).toBe(false);
    expect(new SafeRegex('(a)\\1').linear).toBe(false);
    expect(new SafeRegex('a', 'i').linear).toBe(false);
  });

  it('finds what RegExp finds, from an offset, on either path', () => {
    const cases: [string, string, string, number][] = [
      ['wor.d', '', 'hello world!', 0],
      ['\\d+', '', 'a1 b22 c333', 3],
      ['^b', 'm', 'a\nb\nb', 2],
      ['(a)\\1', '', 'xaaya', 0],
      ['^(?=[\\s\\S])', '', 'x', 0],
      ['HELLO', 'i', 'oh hello', 0],
      ['a', 'y', 'xa', 0],
      ['a', 'y', 'xa', 1],
      ['😀', 'u', 'x😀y', 0],
      ['z', '', 'abc', 0],
    ];
    for (const [source, flags, text, from] of cases) expect(span(new SafeRegex(source, flags).exec(text, from)), `/${source}/${flags}`).toEqual(plain(source, flags, text, from));
  });

  it('ends `(a+)+$` against 50,000 characters quickly, without a match', () => {
    const re = new SafeRegex('(a+)+$');
    const t0 = performance.now();
    expect(re.exec(LONG)).toBeUndefined();
    // Exponential backtracking would take longer than the universe; linear time takes milliseconds.
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('stops a catastrophic match the linear-time engine cannot run after its budget, and the next match still works', () => {
    const re = new SafeRegex('(a+)+$', 'i', { budgetMs: 300 });
    expect(re.linear).toBe(false);
    re.exec('warm up the worker'); // the budget counts matching, not the worker's start
    const t0 = performance.now();
    expect(() => re.exec(LONG)).toThrow(RegexBudgetError);
    expect(performance.now() - t0).toBeLessThan(20_000);
    let error: unknown;
    try {
      re.exec(LONG);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RegexBudgetError);
    expect((error as RegexBudgetError).code).toBe('regex-budget');
    expect((error as Error).message).toMatch(/^matching \/\(a\+\)\+\$\/i against 50001 characters took more than 300 ms and was stopped: the pattern backtracks too much/);
    expect(re.exec('xAA')).toMatchObject({ index: 1, end: 3 });
  });

  it('matches a text longer than 64 Ki characters in the worker, within its budget', () => {
    const re = new SafeRegex('(a+)+$', '', { budgetMs: 300 });
    expect(re.linear).toBe(true);
    const long = 'a'.repeat(MAIN_THREAD_MAX_CHARS) + '!';
    expect(re.exec('x'.repeat(MAIN_THREAD_MAX_CHARS) + 'aa')).toMatchObject({ index: MAIN_THREAD_MAX_CHARS, end: MAIN_THREAD_MAX_CHARS + 2 });
    // The worker has V8's fallback too: no match, or stopped at the budget; never longer.
    const t0 = performance.now();
    let answer: unknown;
    try {
      answer = re.exec(long);
    } catch (e) {
      answer = (e as RegexBudgetError).code;
    }
    expect([undefined, 'regex-budget']).toContain(answer);
    expect(performance.now() - t0).toBeLessThan(20_000);
  });

  it('keeps timers running between matches: a long run of catastrophic matches does not starve a timer', async () => {
    const re = new SafeRegex('(a+)+$');
    const fired = new Promise<number>((resolve) => {
      const t0 = performance.now();
      setTimeout(() => resolve(performance.now() - t0), 10);
    });
    // Matches one event-loop turn apart, as chunks of data arrive.
    for (let i = 0; i < 5; i++) {
      expect(re.exec(LONG)).toBeUndefined();
      await new Promise((r) => setImmediate(r));
    }
    expect(await fired).toBeLessThan(30_000);
  });

  it('refuses an invalid pattern or flags with bad-regex', () => {
    expect(() => new SafeRegex('(')).toThrow(CodecError);
    expect(() => new SafeRegex('(')).toThrow(/invalid regular expression \/\(\//);
    expect(() => new SafeRegex('a', 'q')).toThrow(/invalid regular expression/);
    expect(() => new SafeRegex('a', 'l')).toThrow(/invalid regular expression/);
    expect(regexProblem('(')).toMatch(/Invalid regular expression/);
    expect(regexProblem('a', 'l')).toBeDefined();
    expect(regexProblem('(a+)+$', 'i')).toBeUndefined();
  });

  it('wraps a RegExp once, ignoring nothing of its source and flags', () => {
    const re = /b+/i;
    const s = safeRegexOf(re);
    expect(safeRegexOf(re)).toBe(s);
    expect(safeRegexOf(s)).toBe(s);
    expect(s.exec('aBBc')).toMatchObject({ index: 1, end: 3 });
    expect(String(s)).toBe('/b+/i');
  });
});

describe('SafeRegex groups', () => {
  it('gives the text, numbered and named groups, on either path', () => {
    const text = 'x'.repeat(MAIN_THREAD_MAX_CHARS) + 'id=42;';
    for (const t of ['id=42;', text]) expect(new SafeRegex('id=(?<n>\\d+)(;)').exec(t)).toMatchObject({ text: 'id=42;', groups: ['42', ';'], named: { n: '42' } });
  });
});
