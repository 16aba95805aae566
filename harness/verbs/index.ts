/**
 * The table of step verbs. A verb is defined in its family's module (connection, data,
 * console, lifecycle, flow) and listed here; the schema, validation and the runner all
 * read it from this table.
 */
import { accept, close, connect, occupy, reset, shutdown, starttls, type ConnectionAction } from './connection.js';
import { answer, closeStdin, noCrash, output, stdout, type, type ConsoleAction } from './console.js';
import { expect, send, type DataAction } from './data.js';
import { exit, cpu, listener, restart, start, stop, type LifecycleAction } from './lifecycle.js';
import { note, parallel, repeat, wait, type FlowAction } from './flow.js';
import type { VerbDef } from './types.js';

/** Every step verb, in the order the JSON Schema and messages list them. */
export const VERBS = [
  connect,
  starttls,
  send,
  shutdown,
  close,
  reset,
  expect,
  wait,
  answer,
  stdout,
  output,
  accept,
  type,
  closeStdin,
  noCrash,
  exit,
  restart,
  stop,
  start,
  occupy,
  listener,
  cpu,
  note,
  parallel,
  repeat,
] as const;

/** A step's verb, as written in a scenario. */
export type StepVerb = (typeof VERBS)[number]['verb'];

/** What a step does, normalised: the action of one of the verbs. */
export type StepAction = ConnectionAction | DataAction | ConsoleAction | LifecycleAction | FlowAction;

const byVerb = new Map<string, VerbDef<string, StepAction>>(VERBS.map((d) => [d.verb, d]));

/** The definition of `verb`: of a step as written, or of an action (whose verb chooses how it runs and counts). */
export function verbDef(verb: StepVerb | StepAction['verb']): VerbDef<string, StepAction> {
  return byVerb.get(verb)!;
}
