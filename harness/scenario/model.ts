/**
 * The normalised scenario: what the runner executes, whatever file it came from.
 * Plain data (plus, for TS scenarios, an optional script function).
 */
import type { GeneratedValue, GeneratorSpec } from '../codec/generated.js';
import type { Matcher } from '../codec/types.js';
import type { ValueCheck } from '../codec/struct-checks.js';
import type { BuildBytes, GroupCheck, Value, VarRef } from '../run/values.js';
import type { StepAction } from '../verbs/index.js';

export type Transport = 'tcp' | 'udp';

/** What an `expect` step waits for. */
export type Expectation =
  | { kind: 'bytes'; data: Uint8Array; build?: BuildBytes }
  | { kind: 'regex'; source: string; flags: string; groups?: Record<string, GroupCheck | VarRef> }
  | { kind: 'struct'; format: string; names?: string[]; values: (ValueCheck | VarRef)[] }
  | { kind: 'rounds'; data: Uint8Array; trailer: Uint8Array }
  | { kind: 'size'; size: number }
  | { kind: 'eof' }
  | { kind: 'reset' }
  | { kind: 'silence'; ms: number }
  | { kind: 'rest' }
  | { kind: 'one-of'; alternatives: Expectation[] }
  /** Made at run time on a framed connection: the next whole message, matched by its content. */
  | { kind: 'message'; matcher: Matcher; of: Expectation };

/** What a step does, normalised; each verb's module declares its actions. */
export type { StepAction } from '../verbs/index.js';

export interface Step {
  action: StepAction;
  /** Requirement ids a failure of this step breaks (default: the scenario's `covers`). */
  req: string[];
  /** The level of a failure here, where the requirement mixes a MUST and a SHOULD (default: the catalogue's). */
  level?: 'MUST' | 'SHOULD' | 'INFO';
  /** `steps[3]` or `steps[2].parallel[1][0]`, plus the verb. */
  label: string;
  line: number;
  col: number;
}

/** The harness API a TS scenario script receives. */
export interface ScriptApi {
  /**
   * Run one step, written as in YAML. Resolves to what an `expect` received (the
   * bytes it matched) and the values the step captured (also usable by later steps
   * as `{NAME}` and `{ var: NAME }`).
   */
  step(step: Record<string, unknown>): Promise<StepOutcome>;
  /** The program's port. */
  readonly port: number;
  /** A property scenario's generated values for this run (bytes, text, integers, splits). */
  readonly values: Readonly<Record<string, GeneratedValue>>;
  /** What the program has printed so far on a stream (since it last started). */
  output(stream?: 'stdout' | 'stderr'): string;
  note(text: string): void;
  fail(message: string, requirements?: string[]): never;
}

/** What one step run by a script gave: the bytes an `expect` matched, and the values captured. */
export interface StepOutcome {
  received?: Uint8Array;
  captures: Record<string, Value>;
}

export interface Scenario {
  file: string;
  name: string;
  covers: string[];
  /** The program under test: a server (the harness connects) or a client (the harness listens). */
  role: 'server' | 'client';
  /** Client role: whether the harness listens for it (false: the client must meet a refusal). */
  listen: boolean;
  /** Client role: the harness listens with TLS, with the run's certificate (`{tls-ca}`). */
  tls?: true;
  transport: Transport;
  /** False for `transport: none`: the program is not waited on to listen. */
  listens: boolean;
  process: 'fresh' | 'reuse';
  timeoutMs: number;
  stepTimeoutMs: number;
  defaultPort?: number;
  skip?: string;
  /** Environment variables set for the program in this scenario (over the target's). */
  env?: Record<string, string>;
  steps: Step[];
  script?: (api: ScriptApi) => Promise<void>;
  /** A property scenario: values generated per run, and the scenario rebuilt from them. */
  property?: Property;
  /** One case of a property scenario: that scenario (a program it kept goes on to its next case at once). */
  caseOf?: Scenario;
  /** The values this instance was built from (a property's run). */
  values?: Record<string, GeneratedValue>;
  /** The piece sizes each generated split gave the payload it was sent with. */
  splitPieces?: Record<string, number[]>;
}

export interface Property {
  generate: Record<string, GeneratorSpec>;
  /** Runs asked for by the scenario (the CLI's `--runs` overrides). */
  runs?: number;
  /** The longest all runs and shrinking may take, in ms. */
  timeLimitMs?: number;
  /**
   * The first top-level step that names a generated value (the number of steps when none
   * does): a case that fails only before it fails alike whatever its values, and is not
   * shrunk. Absent when it is not known.
   */
  firstUse?: number;
  /** The scenario with these values in its steps, or the problems they cause. */
  materialize(values: Record<string, GeneratedValue>): { scenario?: Scenario; diagnostics: { code: string; message: string }[] };
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_STEP_TIMEOUT_MS = 5_000;
