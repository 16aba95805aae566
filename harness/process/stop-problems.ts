/**
 * What stopping a program found wrong — it ignored SIGTERM, left processes behind
 * outside its group, died of a signal before the stop — told to whoever the program
 * serves (`Program.problemsTo`): the scenario it is lent to, which the pool names when
 * it lends, starts or stops the program for a scenario; or the run, for a program
 * stopped once no scenario is left for it. A `Launched`'s own stop returns them.
 *
 * Said explicitly rather than followed through the async context (AsyncLocalStorage),
 * which put a hook on every promise of the process whenever scenarios ran side by side.
 */

export interface StopProblem {
  /** `leaked-process` (found outside the group after the stop, then killed), `ignored-sigterm`, `killed-by-signal`, `port-not-released`. */
  code: string;
  message: string;
}
