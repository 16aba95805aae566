/**
 * Verbs that shape the flow of steps: `wait`, `note`, and those holding steps,
 * `parallel` (branches side by side) and `repeat` (rounds, in turn or side by side).
 */
import { z } from 'zod';
import { LightAbortController, onAbort, pause } from '../net/waiter.js';
import { fail, StepFailure, type Context } from '../run/context.js';
import { ms, valueName } from '../scenario/fields.js';
import { interpolate, type Value } from '../run/values.js';
import type { Step } from '../scenario/model.js';
import type { DataPath } from '../scenario/yaml-source.js';
import { defineVerb, type RunSteps, type Scope, type ValidateCtx } from './types.js';

type ParallelAction = { verb: 'parallel'; branches: Step[][] };
type RepeatAction = { verb: 'repeat'; times: number; parallel: boolean; steps: Step[]; as?: string; from: number };
/** The actions of this family. */
export type FlowAction = { verb: 'wait'; ms: number } | { verb: 'note'; text: string } | ParallelAction | RepeatAction;

/** `wait`: a deliberate pause of the client. */
export const wait = defineVerb({
  verb: 'wait',
  body: ms.describe('a deliberate pause of the client, in milliseconds'),
  kind: 'arrangement',
  normalize: (ms) => ({ verb: 'wait' as const, ms }),
  async run(a, step, ctx) {
    if (!(await pause(a.ms, ctx.signal))) fail(step, 'aborted', 'interrupted');
  },
});

/** `note`: a line in the report. */
export const note = defineVerb({
  verb: 'note',
  body: z.string().describe('record a line in the report'),
  kind: 'arrangement',
  normalize: (text) => ({ verb: 'note' as const, text }),
  run(a, _step, ctx) {
    ctx.notes.push(interpolate(a.text, ctx));
  },
});

/** `parallel`: branches side by side, each with its own connection names. */
export const parallel = defineVerb({
  verb: 'parallel',
  body: (step) => z.array(z.array(z.lazy(step))).min(1),
  kind: 'arrangement',
  normalize(body: unknown, v, path, scope, req): ParallelAction | undefined {
    if (!Array.isArray(body) || body.length === 0 || !body.every(Array.isArray)) {
      v.error(path, 'invalid-type', '`parallel` takes a list of branches, each a list of steps');
      return undefined;
    }
    const branches = (body as unknown[][]).map((branch, i) => v.steps(branch, [...path, i], branchScope(scope), req));
    return { verb: 'parallel', branches };
  },
  run: (a, _step, ctx, runSteps) => runBranches(a.branches, ctx, runSteps),
});

const repeatHead = z.strictObject({
  times: z.number().int().positive().max(10_000),
  parallel: z.boolean().optional(),
  as: valueName.optional().describe('a name for the round number, usable as `{NAME}` and `{ var: NAME }`'),
  from: z.number().int().optional().describe('the number of the first round (default 0)'),
});

/** `repeat`: the same steps a number of times, in turn or side by side. */
export const repeat = defineVerb({
  verb: 'repeat',
  body: (step) => repeatHead.extend({ steps: z.array(z.lazy(step)).min(1) }),
  kind: 'arrangement',
  normalize(body: unknown, v, path, scope, req): RepeatAction | undefined {
    if (!isObj(body) || !Array.isArray(body.steps)) {
      v.error(path, 'invalid-type', '`repeat` takes `times`, `steps` and optionally `parallel`');
      return undefined;
    }
    const { steps: rawSteps, ...head } = body;
    const h = v.parse(repeatHead, head, path);
    if (typeof head.as === 'string') scope.values.add(head.as);
    // Captures of a round are seen after the repeat; side by side, each round has its own.
    const steps = v.steps(rawSteps, [...path, 'steps'], h?.parallel ? branchScope(scope) : { ...branchScope(scope), values: scope.values }, req);
    if (!h) return undefined;
    const action: RepeatAction = { verb: 'repeat', times: h.times, parallel: h.parallel ?? false, steps, ...(h.as !== undefined ? { as: h.as } : {}), from: h.from ?? 0 };
    // Report a nesting that expands too far at the outermost repeat that crosses the cap.
    const inner = { steps: expandedSteps(steps), branches: concurrentBranches(steps) };
    if (inner.steps <= MAX_EXPANDED_STEPS && inner.branches <= MAX_CONCURRENT_BRANCHES) loopCaps(v, [{ action } as Step], path);
    return action;
  },
  async run(a, step, ctx, runSteps) {
    const round = (values: Map<string, Value>, i: number) => a.as !== undefined && values.set(a.as, a.from + i);
    if (a.parallel) return runBranches(Array.from({ length: a.times }, () => a.steps), ctx, runSteps, round);
    for (let i = 0; i < a.times; i++) {
      if (ctx.signal.aborted) fail(step, 'aborted', `interrupted (scenario timeout or Ctrl-C) in round ${i + 1} of ${a.times}`);
      round(ctx.values, i);
      await runSteps(a.steps, { ...ctx, conns: new Map(ctx.conns) });
    }
  },
});

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An error at `path` when `steps` expand past MAX_EXPANDED_STEPS or run more than MAX_CONCURRENT_BRANCHES at once. */
export function loopCaps(v: ValidateCtx, steps: Step[], path: DataPath): void {
  const total = expandedSteps(steps);
  if (total > MAX_EXPANDED_STEPS) v.error(path, 'too-many-steps', `these repeats expand to ${total.toExponential(2)} steps; at most ${MAX_EXPANDED_STEPS.toExponential(0)} (repeats nested multiply)`);
  const branches = concurrentBranches(steps);
  if (branches > MAX_CONCURRENT_BRANCHES) v.error(path, 'too-many-branches', `these parallel repeats run ${branches.toExponential(2)} branches at once; at most ${MAX_CONCURRENT_BRANCHES} (parallel repeats nested multiply)`);
}

/** The most steps a scenario may expand to, repeats unrolled: 10^7. */
const MAX_EXPANDED_STEPS = 10_000_000;
/** The most branches a scenario may run side by side (`parallel`, `repeat: { parallel: true }`): 10^4. */
const MAX_CONCURRENT_BRANCHES = 10_000;

/** How many steps `steps` run, repeats unrolled (counting the steps inside a repeat or parallel, not the step itself). */
function expandedSteps(steps: Step[]): number {
  let n = 0;
  for (const s of steps) {
    const a = s.action;
    if (a.verb === 'repeat') n += a.times * expandedSteps(a.steps);
    else if (a.verb === 'parallel') n += a.branches.reduce((k, b) => k + expandedSteps(b), 0);
    else n += 1;
  }
  return n;
}

/** How many branches `steps` can run at once. */
function concurrentBranches(steps: Step[]): number {
  let most = 1;
  for (const s of steps) {
    const a = s.action;
    if (a.verb === 'repeat') most = Math.max(most, (a.parallel ? a.times : 1) * concurrentBranches(a.steps));
    else if (a.verb === 'parallel') most = Math.max(most, a.branches.reduce((k, b) => k + concurrentBranches(b), 0));
  }
  return most;
}

/** The scope of a branch: the connections open and values defined where it begins, its own names after. */
function branchScope(scope: Scope): Scope {
  return { conns: new Map(scope.conns), ...(scope.last ? { last: scope.last } : {}), ...(scope.framings ? { framings: new Map(scope.framings) } : {}), values: new Set(scope.values) };
}

/**
 * Run branches side by side, each with its own connection names and copy of the
 * values (`prepare` sets a branch's own, e.g. its round number); the first failure
 * stops the others.
 */
async function runBranches(branches: Step[][], ctx: Context, runSteps: RunSteps, prepare?: (values: Map<string, Value>, branch: number) => void): Promise<void> {
  const inner = new LightAbortController();
  // The branches' pending waits share one listener on each signal (`onAbort`), however many there are.
  const forget = onAbort(ctx.signal, () => inner.abort());
  if (ctx.signal.aborted) inner.abort();
  try {
    const results = await Promise.allSettled(
      branches.map(async (steps, i) => {
        const values = new Map(ctx.values);
        prepare?.(values, i);
        try {
          await runSteps(steps, { ...ctx, conns: new Map(ctx.conns), values, signal: inner.signal });
        } catch (e) {
          inner.abort();
          throw e;
        }
      }),
    );
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    const first = failures.find((f) => !(f instanceof StepFailure && f.miss.code === 'aborted')) ?? failures[0];
    if (first) throw first;
  } finally {
    forget();
  }
}
