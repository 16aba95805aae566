import { describe, it, expect } from 'vitest';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { collectStopProblems, reportStopProblem } from './stop-problems.js';

/** Report `code` after `turns` turns of the event loop (an I/O callback's context, as a stop's is). */
async function stopLater(code: string, turns: number): Promise<void> {
  for (let i = 0; i < turns; i++) await nextTurn();
  await new Promise<void>((done) => setTimeout(done, 1));
  reportStopProblem({ code, message: code });
}

const codes = (r: { problems: { code: string }[] }) => r.problems.map((p) => p.code);

describe('stop problems', () => {
  it('land on the one collection under way, however late in what it awaits', async () => {
    const r = await collectStopProblems(async () => {
      await stopLater('a', 3);
      return 7;
    });
    expect(r.value).toBe(7);
    expect(codes(r)).toEqual(['a']);
  });

  it('land on their own collection when collections run side by side', async () => {
    // The first runs without a mark, the others with one; the reports interleave.
    const rs = await Promise.all(['a', 'b', 'c'].map((code, i) => collectStopProblems(() => Promise.all([stopLater(code, 3 - i), stopLater(`${code}2`, i + 1)]))));
    expect(rs.map(codes)).toEqual([
      ['a2', 'a'],
      ['b', 'b2'],
      ['c', 'c2'],
    ]);
    // Later collections, alone again, still get their own.
    expect(codes(await collectStopProblems(() => stopLater('d', 2)))).toEqual(['d']);
  });

  it('a collection that started alone keeps its problems when others start while it waits', async () => {
    let started!: () => void;
    const begun = new Promise<void>((ok) => (started = ok));
    const first = collectStopProblems(async () => {
      started();
      await stopLater('early', 4);
      await stopLater('late', 4);
    });
    await begun;
    const second = await collectStopProblems(() => stopLater('other', 2));
    expect(codes(second)).toEqual(['other']);
    expect(codes(await first)).toEqual(['early', 'late']);
  });

  it('a collection inside another takes what is reported inside it, the outer one the rest', async () => {
    for (const outerAlone of [true, false]) {
      const side = outerAlone ? undefined : collectStopProblems(() => stopLater('side', 6));
      const outer = await collectStopProblems(async () => {
        const inner = await collectStopProblems(() => stopLater('inner', 2));
        await stopLater('outer', 1);
        return inner;
      });
      expect(codes(outer.value)).toEqual(['inner']);
      expect(codes(outer)).toEqual(['outer']);
      if (side) expect(codes(await side)).toEqual(['side']);
    }
  });

  it('a report outside every collection goes nowhere', async () => {
    await stopLater('nobody', 1);
    expect(codes(await collectStopProblems(() => stopLater('mine', 1)))).toEqual(['mine']);
  });
});
