/**
 * What one step verb is: the schema of its body, how a body is checked and normalised
 * into an action, how the action runs, and how it counts for its requirements.
 * A family of verbs is one module of such definitions; `index.ts` lists them all.
 */
import type { z } from 'zod';
import type { SplitValue } from '../codec/generated.js';
import type { Context, NOT_RUN } from '../run/context.js';
import type { Framing } from '../run/framed.js';
import type { Step, Transport } from '../scenario/model.js';
import type { DataPath } from '../scenario/yaml-source.js';
import type { BuildBytes, Built } from '../run/values.js';

/** Connection names open at a step while validating, and the last one opened. */
export interface Scope {
  conns: Map<string, Transport>;
  last?: string;
  /** The framing of each framed connection open here (absent: not known, as for a step a script gives). */
  framings?: Map<string, Framing>;
  /** Values defined before this step (captures, repeat indices); a `parallel` branch has its own copy. */
  values: Set<string>;
}

/** A payload as validation leaves it: its bytes (and a struct's fields), or how to build them when the step runs. */
export type Planned = { data: Uint8Array; struct?: Built['struct'] } | { build: BuildBytes };

/** What validation offers a verb: reporting problems in place, and what the scenario defines. */
export interface ValidateCtx {
  /** The scenario's file (paths in it are relative to its folder). */
  readonly file: string;
  /** The scenario's transport: the default of its connections. */
  readonly transport: Transport;
  readonly role: 'server' | 'client';
  /** The scenario's `framing`: the default of its TCP connections. */
  readonly framing?: Framing;
  /** Generated splits by name, for `send: { split }`. */
  readonly splits: ReadonlyMap<string, SplitValue>;
  /** The pieces each split gave the payload it was sent with (for reports). */
  readonly splitPieces: Map<string, number[]>;
  error(path: DataPath, code: string, message: string, hint?: string, atKey?: boolean): void;
  /** Validate `value` against `schema`; report every issue; the parsed value or undefined. */
  parse<T>(schema: z.ZodType<T>, value: unknown, base: DataPath): T | undefined;
  /** The bytes of the one payload key of `spec` (of `keys`), known before the run, or undefined after reporting why not. */
  payload(spec: Record<string, unknown>, path: DataPath, keys?: readonly string[]): Uint8Array | undefined;
  /** The one payload of `spec` (of `keys`): its bytes, or, when they use run-time values, how to build them; undefined after reporting why not. */
  plan(spec: Record<string, unknown>, path: DataPath, scope: Scope | undefined, keys?: readonly string[]): Planned | undefined;
  /** Report a use of value `name` at `path` that is not defined before it (`unknown-value`, `capture-before-use`). */
  refer(name: string, path: DataPath, scope: Scope | undefined): void;
  /** The transport of connection `on` (default: the last opened), or undefined after reporting it is not open. */
  connection(on: string | undefined, scope: Scope, path: DataPath): Transport | undefined;
  /** Report a regex that cannot be used. */
  regex(source: string, flags: string, path: DataPath): void;
  /** Report a `{ min, max }` whose min is above its max. */
  range(spec: unknown, path: DataPath): void;
  /** Validate nested steps. */
  steps(list: unknown[], base: DataPath, scope: Scope, defaultReq: string[]): Step[];
}

/** Runs a list of steps in a context (given to verbs whose steps hold steps). */
export type RunSteps = (steps: Step[], ctx: Context) => Promise<void>;

/** What a run returns: nothing, or NOT_RUN for a check it could not run (it then counts for nothing). */
export type RunResult = void | typeof NOT_RUN;

/**
 * How a step that held counts for its requirements: `check` (it judges the program),
 * `action` (it acts: connect, send, close…) or `arrangement` (it only arranges or
 * waits, and counts for nothing).
 */
export type VerbKind = 'check' | 'action' | 'arrangement';

/**
 * One step verb. `A` is the action it normalises to (its `verb` may be another's, as
 * `output` gives a `stdout` action: the action's verb chooses how it runs and counts).
 */
export interface VerbDef<V extends string = string, A extends { verb: string } = { verb: string }, B = unknown> {
  readonly verb: V;
  /**
   * The body's schema (its `.describe` texts go into the JSON Schema). Given as a
   * function of the schema of one step, the body holds steps: `normalize` then gets
   * it as written and checks it itself, so that each nested step is reported in place.
   */
  readonly body: z.ZodType<B> | ((step: () => z.ZodType) => z.ZodType);
  /** The body key a plain string stands for (`close: c` is `close: { on: c }`). */
  readonly shorthand?: string;
  readonly kind: VerbKind;
  /** For an action: whether this one counts as a check (a connect that must be refused). */
  checks?(action: A): boolean;
  /** A check whose failure leaves the scenario something to check: a SHOULD or INFO one is recorded and the scenario goes on. */
  readonly recoverable?: true;
  /** The checked body as an action, or undefined after reporting what is wrong. */
  normalize(body: B, v: ValidateCtx, path: DataPath, scope: Scope, req: string[]): A | undefined;
  /** Run the action of `step`; throws StepFailure when it does not hold. */
  run(action: A, step: Step, ctx: Context, runSteps: RunSteps): RunResult | Promise<RunResult>;
}

/** A verb definition, its types inferred from its body schema and its normalised action. */
export function defineVerb<const V extends string, A extends { verb: string }, B>(def: VerbDef<V, A, B>): VerbDef<V, A, B> {
  return def;
}
