/**
 * What stopping a program found wrong — it ignored SIGTERM, or left processes behind
 * outside its group — told to whoever runs the code that stopped it: a scenario
 * collects the problems of the programs it stopped, wherever in its steps, its
 * release or its start that happened (the stop runs in the scenario's async context).
 *
 * Following an async context costs a hook on every promise of the process while any
 * AsyncLocalStorage is in use (5–8 % of a run of short scenarios). So one collection
 * at a time goes without it: the "bare" collector, which takes every problem reported
 * outside any other collection's context. Only collections that overlap it (scenarios
 * run side by side, a collection inside another) mark their context; the hooks are
 * turned off again once none of those is under way. A run of one scenario at a time
 * never pays for them.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface StopProblem {
  /** `leaked-process` (found outside the group after the stop, then killed), `ignored-sigterm`. */
  code: string;
  message: string;
}

const sink = new AsyncLocalStorage<StopProblem[]>();
/** The collection that marks no context, if one is under way. */
let bare: StopProblem[] | undefined;
/** Collections under way that mark their context (the storage is disabled when this drops to 0). */
let marked = 0;

/** Run `fn`, gathering the problems reported while it (and what it awaits) runs. */
export async function collectStopProblems<T>(fn: () => Promise<T>): Promise<{ value: T; problems: StopProblem[] }> {
  const problems: StopProblem[] = [];
  // Outside every collection's context and with the bare place free: this one needs no mark.
  if (bare === undefined && sink.getStore() === undefined) {
    bare = problems;
    try {
      return { value: await fn(), problems };
    } finally {
      bare = undefined;
    }
  }
  marked++;
  try {
    return { value: await sink.run(problems, fn), problems };
  } finally {
    // With no marked collection left, stores left on resources are never read again: `run` marks afresh.
    if (--marked === 0) sink.disable();
  }
}

/** Report a problem to the innermost collector, if any (else it is only returned by `stop`). */
export function reportStopProblem(problem: StopProblem): void {
  (sink.getStore() ?? bare)?.push(problem);
}
