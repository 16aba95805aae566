/**
 * Executing a scenario's steps against a running program, each by its verb's
 * definition (`harness/verbs/`), in order.
 */
import type { Step } from '../scenario/model.js';
import { verbDef } from '../verbs/index.js';
import { fail, NOT_RUN, StepFailure, type Context } from './context.js';

/** When the event loop last had a turn in `runSteps`. */
let lastYield = performance.now();
/** How long steps that finish at once (notes, repeats of them) may keep the event loop before yielding: 10 ms. */
const YIELD_EVERY_MS = 10;

/**
 * A turn of the event loop when steps have kept it for YIELD_EVERY_MS, so that timers,
 * I/O and signal handlers run (steps that need no I/O only ever await resolved
 * promises, and a long repeat of them would starve the scenario timeout and Ctrl-C);
 * otherwise undefined, and the step starts without an await of its own.
 */
function turnDue(): Promise<void> | undefined {
  if (performance.now() - lastYield < YIELD_EVERY_MS) return undefined;
  return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
    lastYield = performance.now();
  });
}

/**
 * Run steps in order. A SHOULD or INFO check that breaks is recorded and the steps go
 * on; throws StepFailure at the first failure that must end the scenario (a MUST, or
 * a step whose failure leaves nothing to check, such as a refused connect).
 */
export async function runSteps(steps: Step[], ctx: Context): Promise<void> {
  for (const step of steps) {
    const turn = turnDue();
    if (turn) await turn;
    if (ctx.signal.aborted) fail(step, 'aborted', 'interrupted (scenario timeout or Ctrl-C)');
    ctx.log.started(step, ctx.transcript.now());
    try {
      const ran = (await verbDef(step.action.verb).run(step.action, step, ctx, runSteps)) !== NOT_RUN;
      if (ran) ctx.log.ran(step);
      ctx.log.ended(step, ran ? 'pass' : 'not-run');
    } catch (e) {
      ctx.log.ended(step, 'fail');
      if (e instanceof StepFailure && ctx.log.recordIfRecoverable(e.miss, e.step)) {
        ctx.transcript.add('note', 'harness', undefined, `${e.step.label} failed (${e.miss.code}); a SHOULD/INFO check, so the scenario goes on`);
        continue;
      }
      throw e;
    }
  }
}
