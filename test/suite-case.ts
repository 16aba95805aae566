/**
 * A suite written once and run against each implementation: it must pass on every
 * reference and catch each faulty fixture on the requirement that fixture breaks.
 * Each `test/suites/*.test.ts` file declares one case.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../harness/scenario/model.js';
import { brokenIds, explain, loadSuite, runAgainst } from './helpers.js';

export interface SuiteCase {
  /** Under `scenarios/` (and `fixtures/`), e.g. `echo-ack/server`. */
  suite: string;
  /** name → command line run from the project root. */
  references: Record<string, string>;
  /**
   * Fixture file under `fixtures/<suite>/` → the requirement it must break and how
   * (`fail` for a MUST, `non-strict` for a SHOULD); a third element overrides the
   * command (default `python3 fixtures/<suite>/<file> {port}`).
   */
  faulty: Record<string, [string, 'fail' | 'non-strict'] | [string, 'fail' | 'non-strict', string]>;
  /** Scenarios run at once (default 4: a faulty program's run mostly waits out its steps' deadlines). */
  jobs?: number;
}

/** The scenarios whose outcome can decide requirement `id`: those covering it, and those with a step that names it. */
function checking(scenarios: Scenario[], id: string): Scenario[] {
  const found = scenarios.filter((s) => s.covers.includes(id) || s.steps.some((step) => step.req.includes(id)));
  if (found.length === 0) throw new Error(`no scenario of the suite checks ${id}`);
  return found;
}

/** Declare the tests of one suite case. */
export function checkSuite(c: SuiteCase): void {
  // The implementations are checked side by side: each run mostly waits on its programs, and each has ports of its own.
  describe.concurrent(`scenarios/${c.suite}`, async () => {
    const scenarios = await loadSuite(`scenarios/${c.suite}`);
    const jobs = c.jobs ?? 4;

    for (const [name, command] of Object.entries(c.references)) {
      it(`passes on the ${name} reference`, { timeout: 180_000 }, async () => {
        const run = await runAgainst(scenarios, command, { name, jobs });
        expect(explain(run)).toBe('');
        expect(run.exitCode).toBe(0);
        expect(run.counts.pass).toBe(scenarios.length);
      });
    }

    for (const [fixture, [id, outcome, command]] of Object.entries(c.faulty)) {
      // A faulty program costs its scenarios' own timeouts (and a property's shrinking): more than vitest's default.
      it(`catches ${fixture} on ${id}`, { timeout: 180_000 }, async () => {
        // A MUST it fails is judged by the scenarios that check it alone (their `covers`, or a step's `req:`): the
        // others are not run. One that must fail only a SHOULD runs the whole suite, whose exit 0 says nothing else failed.
        const run = await runAgainst(outcome === 'fail' ? checking(scenarios, id) : scenarios, command ?? `python3 fixtures/${c.suite}/${fixture} {port}`, { name: fixture, jobs });
        expect(brokenIds(run)[id], explain(run)).toBe(outcome);
        expect(run.exitCode).toBe(outcome === 'fail' ? 1 : 0);
      });
    }
  });
}
