/**
 * What stopping a program found wrong — it ignored SIGTERM, or left processes behind
 * outside its group — told to whoever runs the code that stopped it: a scenario
 * collects the problems of the programs it stopped, wherever in its steps, its
 * release or its start that happened (the stop runs in the scenario's async context).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface StopProblem {
  /** `leaked-process` (found outside the group after the stop, then killed), `ignored-sigterm`. */
  code: string;
  message: string;
}

const sink = new AsyncLocalStorage<StopProblem[]>();

/** Run `fn`, gathering the problems reported while it (and what it awaits) runs. */
export async function collectStopProblems<T>(fn: () => Promise<T>): Promise<{ value: T; problems: StopProblem[] }> {
  const problems: StopProblem[] = [];
  const value = await sink.run(problems, fn);
  return { value, problems };
}

/** Report a problem to the innermost collector, if any (else it is only returned by `stop`). */
export function reportStopProblem(problem: StopProblem): void {
  sink.getStore()?.push(problem);
}
