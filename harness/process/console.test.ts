import fc from 'fast-check';
import { describe, it, expect } from 'vitest';
import { ProgramConsole } from './console.js';
import { launch, type Launched } from './launch.js';
import { StdoutText } from './stdout-text.js';
import { expectNoLeaks } from '../../test/no-leaks.js';

const NODE = process.execPath;
const started: Launched[] = [];

function open(argv: string[], captureLimit?: number): { l: Launched; con: ProgramConsole } {
  const l = launch({ argv, env: { ...process.env, PYTHONUNBUFFERED: '1' }, ...(captureLimit ? { captureLimit } : {}) });
  started.push(l);
  return { l, con: new ProgramConsole(l) };
}

expectNoLeaks(started);

const PROMPT = "import sys; sys.stdout.write('input the word:'); sys.stdout.flush(); print('got', input())";

describe('ProgramConsole', () => {
  it('waits for a prompt that has no newline, then types the answer', async () => {
    const { l, con } = open(['python3', '-c', PROMPT]);
    const m = await con.waitFor('input the word:', { timeoutMs: 20_000 });
    expect(m).toEqual({ ok: true, start: 0, end: 15 });
    expect(con.type('bird')).toBe(true);
    const got = await con.waitFor(/got (\w+)\n/, { from: m.ok ? m.end : 0, timeoutMs: 20_000 });
    expect(got).toMatchObject({ ok: true, start: 15 });
    expect(con.text()).toBe('input the word:got bird\n');
    expect((await l.exited).code).toBe(0);
  });

  it('answers a prompt in the background, once per occurrence', async () => {
    const script = "import sys\nfor i in range(3):\n    sys.stdout.write(f'[{i}] input the word:'); sys.stdout.flush(); print('got', input())\nprint('done')";
    const { l, con } = open(['python3', '-c', script]);
    const responder = con.answer('input the word:', 'bird');
    expect((await con.waitFor('done\n', { timeoutMs: 20_000 })).ok).toBe(true);
    expect(responder.answered).toBe(3);
    expect(con.answered).toBe(3);
    expect(con.text()).toBe('[0] input the word:got bird\n[1] input the word:got bird\n[2] input the word:got bird\ndone\n');
    responder();
    expect((await l.exited).code).toBe(0);
  });

  it('answers a prompt printed before the responder was set up, and stops when disposed', async () => {
    // Between the two prompts the program waits for a plain line, so disposing in between is not a race.
    const script = "import sys\nsys.stdout.write('name?'); sys.stdout.flush(); print('hello', input())\ninput()\nsys.stdout.write('name?'); sys.stdout.flush(); print('bye', input())";
    const { con } = open(['python3', '-c', script]);
    const first = await con.waitFor('name?', { timeoutMs: 20_000 });
    expect(first.ok).toBe(true);
    const responder = con.answer(/name\?/, 'ada');
    const hello = await con.waitFor('hello ada\n', { timeoutMs: 20_000 });
    expect(hello.ok).toBe(true);
    responder();
    con.type('next');
    expect((await con.waitFor('name?', { from: hello.ok ? hello.end : 0, timeoutMs: 20_000 })).ok).toBe(true);
    con.type('bob');
    expect((await con.waitFor('bye bob', { timeoutMs: 20_000 })).ok).toBe(true);
    expect(responder.answered).toBe(1);
  });

  it('matches text split across chunks', async () => {
    // The program prints "sec" then, only after a line on stdin, "ret": two writes, two chunks.
    const script = "process.stdout.write('sec'); process.stdin.once('data', () => { process.stdout.write('ret!'); process.exit(0); })";
    const { con } = open([NODE, '-e', script]);
    const waiting = con.waitFor(/secret!/, { timeoutMs: 20_000 });
    expect((await con.waitFor('sec', { timeoutMs: 20_000 })).ok).toBe(true);
    con.type('go');
    expect(await waiting).toEqual({ ok: true, start: 0, end: 7 });
  });

  it('says exited when the program ends without printing it, and timeout or aborted otherwise', async () => {
    const quitter = open(['python3', '-c', "print('bye')"]);
    expect(await quitter.con.waitFor('never', { timeoutMs: 60_000 })).toEqual({ ok: false, code: 'exited' });
    expect(await quitter.con.waitFor('bye', { timeoutMs: 60_000 })).toMatchObject({ ok: true });

    const { con } = open(['sleep', '100']);
    expect(await con.waitFor('x', { timeoutMs: 200 })).toEqual({ ok: false, code: 'timeout' });
    const controller = new AbortController();
    const waiting = con.waitFor('x', { timeoutMs: 60_000, signal: controller.signal });
    controller.abort();
    expect(await waiting).toEqual({ ok: false, code: 'aborted' });
    expect(await con.waitFor('x', { timeoutMs: 60_000, signal: AbortSignal.abort() })).toEqual({ ok: false, code: 'aborted' });
  });

  it('closes stdin so the program reads end-of-file', async () => {
    const { l, con } = open(['python3', '-c', "import sys; print('read', len(sys.stdin.read()))"]);
    con.type('abc');
    con.closeStdin();
    expect((await con.waitFor('read 4\n', { timeoutMs: 20_000 })).ok).toBe(true);
    expect((await l.exited).code).toBe(0);
  });

  it('keeps a bounded window of a flood and still finds what comes last', async () => {
    const flood = "const b = Buffer.alloc(65536, 120); let n = 0; (function w() { while (n < 64) { n++; if (!process.stdout.write(b)) return process.stdout.once('drain', w); } process.stdout.write('END'); })()";
    const { l, con } = open([NODE, '-e', flood], 64 * 1024);
    const m = await con.waitFor('END', { timeoutMs: 30_000 });
    expect(m).toEqual({ ok: true, start: 64 * 65536, end: 64 * 65536 + 3 });
    expect(con.length).toBe(64 * 65536 + 3);
    expect(con.text().length).toBe(64 * 1024);
    expect(con.bytes().length).toBe(64 * 1024);
    expect((await l.exited).code).toBe(0);
  });
});

describe('StdoutText', () => {
  it('joins characters split across chunks and keeps absolute offsets when trimming', () => {
    const t = new StdoutText(4);
    const euro = Buffer.from('€');
    t.add(Buffer.from([0x61, euro[0]!]));
    t.add(Buffer.from([euro[1]!, euro[2]!, 0x62]));
    expect(t.text()).toBe('a€b');
    t.add(Buffer.from('cde'));
    expect(t.text()).toBe('bcde');
    expect(t.start).toBe(2);
    expect(t.length).toBe(6);
    expect(t.find('cd', 0)).toEqual({ start: 3, end: 5 });
    expect(t.find(/d./g, 0)).toEqual({ start: 4, end: 6 });
    expect(t.find(/c/y, 4)).toBeUndefined();
    expect(t.text(4)).toBe('de');
    expect(t.bytes().toString()).toBe('bcde');
  });

  it('finds a prompt after each of many chunks, across the part searched before and the new one', () => {
    const t = new StdoutText(4096);
    let all = '';
    let cursor = 0;
    for (let i = 0; i < 3000; i++) {
      // The prompt comes in two chunks every few rounds, so that some are cut where new text begins.
      const chunk = `round ${i} input the word:`;
      const cut = i % 3 === 0 ? chunk.length - 5 : chunk.length;
      t.add(Buffer.from(chunk.slice(0, cut)));
      if (cut < chunk.length) {
        expect(t.find('input the word:', cursor)).toBeUndefined();
        t.add(Buffer.from(chunk.slice(cut)));
      }
      all += chunk;
      const hit = t.find('input the word:', cursor);
      expect(hit).toEqual({ start: all.length - 15, end: all.length });
      cursor = hit!.end;
      expect(t.find('input the word:', cursor)).toBeUndefined();
    }
    expect(t.length).toBe(all.length);
    expect(t.text(t.start)).toBe(all.slice(-4096));
    expect(t.find('', all.length + 5)).toEqual({ start: all.length, end: all.length });
  });

  it('finds, after any chunks, what indexOf finds in the text kept, from any offset', () => {
    // Text of few letters (so that patterns recur) and a three-byte character, cut into chunks at any byte.
    const letter = fc.constantFrom('a', 'b', 'c', '€', '\n');
    const text = fc.array(letter, { maxLength: 400 }).map((cs) => cs.join(''));
    const pattern = fc.array(fc.constantFrom('a', 'b', '€'), { maxLength: 4 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 30 }), fc.array(fc.tuple(pattern, fc.integer({ min: -10, max: 40 })), { minLength: 1, maxLength: 5 }), fc.integer({ min: 8, max: 300 }), (all, cuts, searches, limit) => {
        const bytes = Buffer.from(all);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const t = new StdoutText(limit);
        let seen = '';
        let at = 0;
        for (const p of [...points, bytes.length]) {
          t.add(bytes.subarray(at, p));
          seen = new TextDecoder().decode(bytes.subarray(0, p), { stream: true });
          at = p;
          // Searches from just before the end of what came (as a prompt's cursor) and from anywhere before.
          for (const [pat, back] of searches) {
            const from = Math.max(0, seen.length - back);
            const kept = Math.max(0, seen.length - limit);
            const i = seen.indexOf(pat, Math.max(kept, from));
            expect(t.find(pat, from)).toEqual(i < 0 ? undefined : { start: i, end: i + pat.length });
          }
        }
        expect(t.length).toBe(all.length);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
