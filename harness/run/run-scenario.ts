/**
 * One scenario against one program: take a program, run the steps (and the TS
 * script) under the scenario's time limit, release everything, judge the outcome.
 */
import type { Catalogue } from '../scenario/catalogue.js';
import type { Scenario, StepOutcome } from '../scenario/model.js';
import { validateStep } from '../scenario/validate.js';
import { CheckLog, failureOf } from './check-log.js';
import { StepFailure, type Context } from './context.js';
import { runSteps } from './execute.js';
import { scriptSite } from './script-site.js';
import type { TcpListener } from '../net/tcp-listener.js';
import type { TlsServer } from '../net/tls.js';
import type { UdpPeer } from '../net/udp-peer.js';
import { LightAbortController, onAbort } from '../net/waiter.js';
import { exitWithin, isEnding } from '../process/ending.js';
import { describeExit, type Program } from './program.js';
import type { Failure, Outcome, ScenarioResult } from './result.js';
import type { StopProblem } from '../process/stop-problems.js';
import { judge, levelOf } from './verdict.js';
import { boundFailure, Transcript } from './transcript.js';

/** A program lent to a scenario, and for a client under test the harness's listening socket. */
export interface Acquired {
  program: Program;
  listener?: TcpListener | UdpPeer;
  /** Where the scenario's view of stdout starts: 0 for a program started for it (what it printed before it was ready counts). */
  stdoutFrom?: number;
  /** Client under test: the run's TLS server side, made on first use. */
  tlsServer?: () => Promise<TlsServer>;
}

/** The scenario's time limit, stopped while it waits for something that is not its program (a fixed port others use). */
export interface ScenarioClock {
  /** Stop the clock; the returned function starts it again. */
  pause(): () => void;
}

/** Lends programs to scenarios and takes them back. */
export interface ProgramSource {
  /** `problems`: where what stopping a program finds wrong is told while it serves this scenario (stop-problems.ts). */
  acquire(scenario: Scenario, record: Transcript, signal: AbortSignal, clock?: ScenarioClock, problems?: StopProblem[]): Promise<Acquired | { error: Failure }>;
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
  /** What stopping the scenario's programs finds wrong (a daemon left behind, SIGTERM ignored), wherever in it they stop. */
  stopProblems?: StopProblem[];
}

class ScriptFailure extends Error {
  constructor(
    message: string,
    readonly requirements?: string[],
    /** `file:line` of the script where it failed. */
    readonly site?: string,
  ) {
    super(message);
  }
}

/** An error a TS scenario's script threw (not a failure it reported), with where it came from. */
class ScriptError extends Error {
  constructor(
    readonly error: unknown,
    readonly site: string | undefined,
  ) {
    super(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
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
  // Every pending wait of the scenario shares one listener on its signal (`onAbort`), however many there are.
  const limit = new LightAbortController();
  let timer = setTimeout(() => limit.abort(), scenario.timeoutMs);
  /** Time the scenario's clock ran before its latest start. */
  let spent = 0;
  let since = started;
  const clock: ScenarioClock = {
    pause() {
      clearTimeout(timer);
      spent += performance.now() - since;
      return () => {
        since = performance.now();
        timer = setTimeout(() => limit.abort(), Math.max(0, scenario.timeoutMs - spent));
      };
    },
  };
  const forgetOuter = onAbort(opts.signal, () => limit.abort());
  // A scenario handed an already-stopped run stops at once: 'abort' fired before anyone listened.
  if (opts.signal.aborted) limit.abort();
  let failure: Failure | undefined;
  let harnessError = false;
  const log = new CheckLog(scenario, (id) => levelOf(id, opts.catalogue));
  const got = await opts.source.acquire(scenario, transcript, limit.signal, clock, opts.stopProblems);
  if ('error' in got) {
    failure = opts.signal.aborted ? { code: 'interrupted', message: 'the run was interrupted while the program started', requirements: scenario.covers } : got.error;
    harnessError = true;
  } else {
    const program = got.program;
    const ctx: Context = {
      scenario,
      program,
      ...(got.listener ? { listener: got.listener } : {}),
      ...(got.tlsServer ? { tlsServer: got.tlsServer } : {}),
      port: program.port,
      transcript,
      signal: limit.signal,
      notes,
      conns: new Map(),
      opened: [],
      disposers: [],
      stdoutFrom: got.stdoutFrom ?? program.console?.length ?? 0,
      log,
      values: new Map(),
    };
    try {
      await runSteps(scenario.steps, ctx);
      if (scenario.script) {
        await scenario.script(scriptApi(ctx)).catch((e: unknown) => {
          throw e instanceof StepFailure || e instanceof ScriptFailure ? e : new ScriptError(e, scriptSite(e instanceof Error ? e.stack : undefined, scenario.file));
        });
        for (const id of scenario.covers) log.checks.set(id, (log.checks.get(id) ?? 0) + 1);
      }
    } catch (e) {
      failure = toFailure(e, scenario, limit.signal, opts.signal);
      harnessError = !(e instanceof StepFailure || e instanceof ScriptFailure) || failure.code === 'interrupted';
      if (!harnessError) failure = await withDeath(failure, program);
    } finally {
      for (const d of ctx.disposers) d();
      for (const c of ctx.opened) c.peer.close();
      got.listener?.close();
      await opts.source.release(program, scenario, failure === undefined && log.failures.length === 0);
    }
  }
  clearTimeout(timer);
  forgetOuter();
  const failures = (failure ? [...log.failures, failure] : log.failures).map((f) => boundFailure(f));
  const ended = failure && failures[failures.length - 1];
  const verdict = judge(scenario, { failures, ended, harnessError, checks: log.checks, actions: log.actions, unrun: log.unrun }, opts.catalogue);
  const shown = ended ?? failures[0];
  let reasons: Record<string, string> | undefined;
  for (const _ in verdict.reasons) {
    reasons = verdict.reasons;
    break;
  }
  // One literal with every field, in the order the reports have always listed them (an absent one is
  // undefined, which JSON leaves out): in Node 20, adding fields to an object made by a spread costs
  // microseconds each, and a result per scenario is made.
  return {
    id: base.id,
    file: base.file,
    name: base.name,
    target: base.target,
    covers: base.covers,
    notes,
    outcome: verdict.outcome,
    requirements: verdict.requirements,
    reasons,
    durationMs: Math.round(performance.now() - started),
    failure: shown,
    failures: failures.length ? failures : undefined,
    transcript: transcript.finish(),
    steps: scenario.steps.length || scenario.script ? log.stepRecords() : undefined,
  };
}

/** How long a failure waits to learn how a program that is dying ended. */
const DEATH_WAIT_MS = 1000;

/**
 * A failure while the program was dying or dead of a signal names it (`killed by
 * SIGSEGV`): a program seen ending (a zombie, or gone) is waited for briefly.
 */
async function withDeath(failure: Failure, program: Program): Promise<Failure> {
  const l = program.launched;
  if (!l || l.pid === 0) return failure;
  let exit = program.exitInfo;
  if (!exit && (await isEnding(l.pid))) exit = await exitWithin(l.exited, DEATH_WAIT_MS);
  // An exit status is the program's own word (checked by `exit` steps); a death by a signal is news for the failure.
  if (!exit?.signal) return failure;
  const how = describeExit(exit);
  return failure.message.includes(how) ? failure : { ...failure, message: `${failure.message} (the program ended: ${how})` };
}

function toFailure(e: unknown, scenario: Scenario, limit: AbortSignal, outer: AbortSignal): Failure {
  if (outer.aborted) return { code: 'interrupted', message: 'the run was interrupted', requirements: scenario.covers };
  if (e instanceof StepFailure) {
    const timedOut = e.miss.code === 'aborted' && limit.aborted;
    const f = failureOf(e.miss, e.step, scenario);
    return timedOut ? { ...f, code: 'scenario-timeout', message: `the scenario did not finish within ${scenario.timeoutMs} ms` } : f;
  }
  if (e instanceof ScriptFailure) return { code: 'script-failed', message: e.message, stepLabel: atSite('script', e.site), ...lineOf(e.site), requirements: e.requirements ?? scenario.covers };
  if (e instanceof ScriptError) return { code: 'harness-error', message: `the script threw ${e.message}${e.site ? ` at ${e.site}` : ''}`, stepLabel: atSite('script', e.site), ...lineOf(e.site), requirements: scenario.covers };
  return { code: 'harness-error', message: e instanceof Error ? e.message : String(e), requirements: scenario.covers };
}

/** The line of a script's `file:line` site, as a failure's `line`. */
function lineOf(site: string | undefined): { line?: number } {
  const m = site ? /:(\d+)$/.exec(site) : null;
  return m ? { line: Number(m[1]) } : {};
}

/** `what at file:line`, or `what` where the place is unknown. */
function atSite(what: string, site: string | undefined): string {
  return site ? `${what} at ${site}` : what;
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
      throw new ScriptFailure(message, requirements, scriptSite(new Error().stack, ctx.scenario.file));
    },
    async step(raw: Record<string, unknown>): Promise<StepOutcome> {
      const site = scriptSite(new Error().stack, ctx.scenario.file);
      const transports = new Map([...ctx.conns].map(([n, c]) => [n, c.kind]));
      const { step, diagnostics } = validateStep(raw, ctx.scenario.file, transports, ctx.scenario.transport, ctx.scenario.covers, ctx.scenario.role, ctx.values.keys());
      if (!step) throw new ScriptFailure(`invalid step: ${diagnostics.map((d) => `${d.code}: ${d.message}`).join('; ')}`, undefined, site);
      delete ctx.outcome;
      await runSteps([{ ...step, label: atSite(step.label, site), line: lineOf(site).line ?? step.line }], ctx);
      const outcome = ctx.outcome ?? { captures: {} };
      delete ctx.outcome;
      return outcome;
    },
  };
}
