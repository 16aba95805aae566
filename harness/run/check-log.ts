/**
 * What a running scenario's checks found: the failures that did not end it (SHOULD
 * and INFO checks), how many checks of each requirement ran, and which checks could
 * not run. Shared by every branch of a scenario; read by `judge` at its end.
 */
import type { Scenario, Step } from '../scenario/model.js';
import { verbDef } from '../verbs/index.js';
import type { Miss } from './expectation.js';
import type { Failure, Level, StepRecord } from './result.js';

/** Whether a step that held counts as a check of its requirements (the others act: connect, send, close…, or only arrange). */
export function isCheck(step: Step): boolean {
  const def = verbDef(step.action.verb);
  return def.kind === 'check' || (def.checks?.(step.action) ?? false);
}

/** `steps[3] expect (line 12)`; a step a TS script ran already names its `file:line`. */
function placeOf(step: Step): string {
  return step.line && !step.label.endsWith(`:${step.line}`) ? `${step.label} (line ${step.line})` : step.label;
}

/** A step's miss as a failure of the scenario: where, what, and the requirements it breaks. */
export function failureOf(miss: Miss, step: Step, scenario: Pick<Scenario, 'steps'>): Failure {
  const index = scenario.steps.indexOf(step);
  return {
    code: miss.code,
    message: miss.message,
    ...(index >= 0 ? { step: index } : {}),
    stepLabel: placeOf(step),
    ...(step.line ? { line: step.line } : {}),
    requirements: step.req,
    ...(step.level ? { level: step.level } : {}),
    ...(miss.expected ? { expected: miss.expected } : {}),
    ...(miss.actual ? { actual: miss.actual } : {}),
    ...(miss.at !== undefined ? { at: miss.at } : {}),
  };
}

/** Steps whose outcome a scenario's result lists at most. */
const MAX_STEP_RECORDS = 1000;

export class CheckLog {
  /** Failures that did not end the scenario, in order. */
  readonly failures: Failure[] = [];
  readonly checks = new Map<string, number>();
  /** Per requirement id: how many of its other steps (connect, send, close…) were done. */
  readonly actions = new Map<string, number>();
  readonly unrun = new Map<string, string>();
  /** TCP peers whose stream lost its place when a check on them failed. */
  readonly outOfStep = new WeakSet<object>();
  /** How each step went, in the order steps first started. */
  readonly #steps = new Map<Step, StepRecord>();

  constructor(
    private readonly scenario: Pick<Scenario, 'steps'>,
    private readonly levelOf: (id: string) => Level,
  ) {}

  /** A step held (or broke): count it for its requirements, as a check or as an action. */
  ran(step: Step): void {
    const into = isCheck(step) ? this.checks : verbDef(step.action.verb).kind === 'arrangement' ? undefined : this.actions;
    if (into) for (const id of step.req) into.set(id, (into.get(id) ?? 0) + 1);
  }

  /** `step` starts, `t` ms into the scenario (again, in a repeat). */
  started(step: Step, t: number): void {
    const r = this.#steps.get(step);
    if (r) r.runs = (r.runs ?? 1) + 1;
    // A script that builds its steps in a loop makes a new step each time: the report keeps the first ones.
    else if (this.#steps.size < MAX_STEP_RECORDS) this.#steps.set(step, { label: step.label, line: step.line, outcome: 'pass', t });
  }

  /** `step` ended: it held, broke or could not run (a break in any of its runs stays). */
  ended(step: Step, outcome: StepRecord['outcome']): void {
    const r = this.#steps.get(step);
    if (r && r.outcome !== 'fail') r.outcome = outcome;
  }

  /** Every step that started, in that order, then the scenario's own steps never reached. */
  stepRecords(): StepRecord[] {
    const unreached = this.scenario.steps.filter((s) => !this.#steps.has(s)).map((s): StepRecord => ({ label: s.label, line: s.line, outcome: 'not-run' }));
    return [...this.#steps.values(), ...unreached];
  }

  /** A check that could not run although the scenario went on. */
  notRun(step: Step, why: string): void {
    for (const id of step.req) if (!this.unrun.has(id)) this.unrun.set(id, `${placeOf(step)} did not run: ${why}`);
  }

  /**
   * Record `miss` of `step` if it need not end the scenario (a SHOULD or INFO check
   * that left something to check); false when it must end it (a MUST, an action
   * such as a refused connect, an interruption).
   */
  recordIfRecoverable(miss: Miss, step: Step): boolean {
    if (miss.code === 'aborted' || !verbDef(step.action.verb).recoverable || step.req.length === 0) return false;
    if (step.req.some((id) => (step.level ?? this.levelOf(id)) === 'MUST')) return false;
    this.failures.push(failureOf(miss, step, this.scenario));
    this.ran(step);
    return true;
  }
}
