/**
 * One scenario against one program: take a program, run the steps (and the TS
 * script) under the scenario's time limit, release everything, judge the outcome.
 */
import { setMaxListeners } from 'node:events';
import type { Catalogue } from '../scenario/catalogue.js';
import type { Scenario } from '../scenario/model.js';
import { validateStep } from '../scenario/validate.js';
import { runSteps, StepFailure, type Context } from './execute.js';
import type { TcpListener } from '../net/tcp-listener.js';
import type { UdpPeer } from '../net/udp-peer.js';
import type { Program } from './program.js';
import type { Failure, Outcome, ScenarioResult } from './result.js';
import { judge } from './verdict.js';
import { boundFailure, Transcript } from './transcript.js';

/** A program lent to a scenario, and for a client under test the harness's listening socket. */
export interface Acquired {
  program: Program;
  listener?: TcpListener | UdpPeer;
}

/** Lends programs to scenarios and takes them back. */
export interface ProgramSource {
  acquire(scenario: Scenario, record: Transcript, signal: AbortSignal): Promise<Acquired | { error: Failure }>;
  release(program: Program, scenario: Scenario, passed: boolean): Promise<void>;
}

export interface ScenarioRunOptions {
  id: string;
  target: string;
  catalogue?: Catalogue;
  source: ProgramSource;
  signal: AbortSignal;
  /** Bytes of transcript kept for this scenario (default TRANSCRIPT_BYTES; a large run gives less). */
  transcriptBytes?: number;
  /** Keep a digest of all each connection received, for comparing with a reference beyond what the transcript keeps. */
  transcriptDigests?: boolean;
}

class ScriptFailure extends Error {
  constructor(
    message: string,
    readonly requirements?: string[],
  ) {
    super(message);
  }
}

/** Run `scenario` and return its result; never throws for anything the program does. */
export async function runScenario(scenario: Scenario, opts: ScenarioRunOptions): Promise<ScenarioResult> {
  const transcript = new Transcript(opts.transcriptBytes, undefined, opts.transcriptDigests);
  const notes: string[] = [];
  const base = { id: opts.id, file: scenario.file, name: scenario.name, target: opts.target, covers: scenario.covers, notes };
  if (scenario.skip !== undefined) {
    return { ...base, outcome: 'skip', skipReason: scenario.skip, requirements: Object.fromEntries(scenario.covers.map((id) => [id, 'skip' as Outcome])), durationMs: 0, transcript: [] };
  }
  const started = performance.now();
  const limit = new AbortController();
  // Every pending wait of a scenario listens on its signal; `repeat: { parallel: true }` may have hundreds at once.
  setMaxListeners(0, limit.signal);
  const timer = setTimeout(() => limit.abort(), scenario.timeoutMs);
  const onOuterAbort = () => limit.abort();
  opts.signal.addEventListener('abort', onOuterAbort, { once: true });
  let failure: Failure | undefined;
  let harnessError = false;
  const got = await opts.source.acquire(scenario, transcript, limit.signal);
  if ('error' in got) {
    failure = opts.signal.aborted ? { code: 'interrupted', message: 'the run was interrupted while the program started', requirements: scenario.covers } : got.error;
    harnessError = true;
  } else {
    const program = got.program;
    const ctx: Context = {
      scenario,
      program,
      ...(got.listener ? { listener: got.listener } : {}),
      port: program.port,
      transcript,
      signal: limit.signal,
      notes,
      conns: new Map(),
      opened: [],
      disposers: [],
      stdoutFrom: program.console?.length ?? 0,
    };
    try {
      await runSteps(scenario.steps, ctx);
      if (scenario.script) await scenario.script(scriptApi(ctx));
    } catch (e) {
      failure = toFailure(e, scenario, limit.signal, opts.signal);
      harnessError = !(e instanceof StepFailure || e instanceof ScriptFailure) || failure.code === 'interrupted';
    } finally {
      for (const d of ctx.disposers) d();
      for (const c of ctx.opened) c.peer.close();
      got.listener?.close();
      await opts.source.release(program, scenario, failure === undefined);
    }
  }
  clearTimeout(timer);
  opts.signal.removeEventListener('abort', onOuterAbort);
  const verdict = judge(scenario, failure, harnessError, opts.catalogue);
  return { ...base, ...verdict, durationMs: Math.round(performance.now() - started), ...(failure ? { failure: boundFailure(failure) } : {}), transcript: transcript.finish() };
}

function toFailure(e: unknown, scenario: Scenario, limit: AbortSignal, outer: AbortSignal): Failure {
  if (outer.aborted) return { code: 'interrupted', message: 'the run was interrupted', requirements: scenario.covers };
  if (e instanceof StepFailure) {
    const { miss, step } = e;
    const timedOut = miss.code === 'aborted' && limit.aborted;
    return {
      code: timedOut ? 'scenario-timeout' : miss.code,
      message: timedOut ? `the scenario did not finish within ${scenario.timeoutMs} ms` : miss.message,
      step: scenario.steps.indexOf(step) >= 0 ? scenario.steps.indexOf(step) : undefined,
      stepLabel: `${step.label}${step.line ? ` (line ${step.line})` : ''}`,
      requirements: step.req,
      ...(step.level ? { level: step.level } : {}),
      ...(miss.expected ? { expected: miss.expected } : {}),
      ...(miss.actual ? { actual: miss.actual } : {}),
      ...(miss.at !== undefined ? { at: miss.at } : {}),
    } as Failure;
  }
  if (e instanceof ScriptFailure) return { code: 'script-failed', message: e.message, stepLabel: 'script', requirements: e.requirements ?? scenario.covers };
  return { code: 'harness-error', message: e instanceof Error ? e.message : String(e), requirements: scenario.covers };
}

/** The API a TS scenario's script is given. */
function scriptApi(ctx: Context) {
  return {
    port: ctx.port,
    values: ctx.scenario.values ?? {},
    note: (text: string) => void ctx.notes.push(text),
    output: (stream: 'stdout' | 'stderr' = 'stdout') => {
      const con = ctx.program.console;
      if (!con) return '';
      return stream === 'stderr' ? con.errorText() : con.text(ctx.stdoutFrom);
    },
    fail(message: string, requirements?: string[]): never {
      throw new ScriptFailure(message, requirements);
    },
    async step(raw: Record<string, unknown>): Promise<void> {
      const transports = new Map([...ctx.conns].map(([n, c]) => [n, c.kind]));
      const { step, diagnostics } = validateStep(raw, ctx.scenario.file, transports, ctx.scenario.transport, ctx.scenario.covers, ctx.scenario.role);
      if (!step) throw new ScriptFailure(`invalid step: ${diagnostics.map((d) => `${d.code}: ${d.message}`).join('; ')}`);
      await runSteps([step], ctx);
    },
  };
}
