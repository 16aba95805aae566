/**
 * Executing a scenario's steps against a running program: connections, sends,
 * expectations, the program's console, its lifecycle and concurrency.
 */
import { setMaxListeners } from 'node:events';
import { existsSync } from 'node:fs';
import { SafeRegex } from '../codec/safe-regex.js';
import { measureGroupBusy } from '../process/cpu.js';
import { exitWithin, isEnding } from '../process/ending.js';
import { listeningSockets } from '../process/readiness.js';
import { TcpListener } from '../net/tcp-listener.js';
import { connectTcp, type TcpPeer } from '../net/tcp-peer.js';
import { UdpPeer } from '../net/udp-peer.js';
import { bindsAlongside, holdPort, isLoopback, isWildcard } from '../net/probe.js';
import { pause } from '../net/waiter.js';
import type { Expectation, Scenario, Step, StepAction } from '../scenario/model.js';
import type { CheckLog } from './check-log.js';
import { findCrashTrace } from './crash.js';
import { expectEndSkippingData, expectTcp, expectUdp, type Miss } from './expectation.js';
import { describeExit, type Program } from './program.js';
import type { Transcript } from './transcript.js';

export type Conn = { kind: 'tcp'; peer: TcpPeer } | { kind: 'udp'; peer: UdpPeer };

/** A step that did not hold. */
export class StepFailure extends Error {
  constructor(
    readonly miss: Miss,
    readonly step: Step,
  ) {
    super(miss.message);
  }
}

/** Everything a running scenario holds; all of it is released by `release`. */
export interface Context {
  scenario: Scenario;
  program: Program;
  port: number;
  transcript: Transcript;
  signal: AbortSignal;
  notes: string[];
  conns: Map<string, Conn>;
  last?: string;
  /** Every connection opened, in any branch, for cleanup. */
  opened: Conn[];
  disposers: (() => void)[];
  /** Offset of the program's stdout where this scenario began. */
  stdoutFrom: number;
  /** Client under test: the harness's listening TCP socket, or its bound UDP socket. */
  listener?: TcpListener | UdpPeer;
  /** What the checks found so far, shared by every branch. */
  log: CheckLog;
}

function fail(step: Step, code: string, message: string, extra: Partial<Miss> = {}): never {
  throw new StepFailure({ code, message, ...extra }, step);
}

/** The console of the program, or a failure if the harness did not start it. */
function consoleOf(ctx: Context, step: Step) {
  const c = ctx.program.console;
  if (!c) fail(step, 'no-program', 'this step needs the program started by the harness (give --server CMD)');
  return c;
}

function conn(ctx: Context, step: Step, on: string | undefined): Conn {
  const name = on ?? ctx.last;
  const c = name === undefined ? undefined : ctx.conns.get(name);
  if (!c) fail(step, 'no-connection', `no open connection named \`${name ?? '?'}\``);
  return c;
}

/** Replace `{port}`, `{NAME.port}` and `{NAME.address}` with this run's values. */
export function interpolate(text: string, ctx: Context): string {
  return text.replace(/\{(\w[\w-]*)(?:\.(port|address))?\}/g, (whole, name: string, field?: string) => {
    if (!field) return name === 'port' ? String(ctx.port) : whole;
    const c = ctx.conns.get(name);
    if (!c) return whole;
    return field === 'port' ? String(c.peer.localPort) : c.kind === 'tcp' ? c.peer.localAddress : '127.0.0.1';
  });
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** When the event loop last had a turn in `runSteps`. */
let lastYield = performance.now();
/** How long steps that finish at once (notes, repeats of them) may keep the event loop before yielding: 10 ms. */
const YIELD_EVERY_MS = 10;

/**
 * Let timers, I/O and signal handlers run when steps have kept the event loop for
 * YIELD_EVERY_MS: steps that need no I/O only ever await resolved promises, so a
 * long repeat of them would starve the scenario timeout and Ctrl-C.
 */
async function yieldSometimes(): Promise<void> {
  if (performance.now() - lastYield < YIELD_EVERY_MS) return;
  await new Promise<void>((resolve) => setImmediate(resolve));
  lastYield = performance.now();
}

/**
 * Run steps in order. A SHOULD or INFO check that breaks is recorded and the steps go
 * on; throws StepFailure at the first failure that must end the scenario (a MUST, or
 * a step whose failure leaves nothing to check, such as a refused connect).
 */
export async function runSteps(steps: Step[], ctx: Context): Promise<void> {
  for (const step of steps) {
    await yieldSometimes();
    if (ctx.signal.aborted) fail(step, 'aborted', 'interrupted (scenario timeout or Ctrl-C)');
    try {
      if ((await runStep(step, ctx)) !== NOT_RUN) ctx.log.ran(step);
    } catch (e) {
      if (e instanceof StepFailure && ctx.log.recordIfRecoverable(e.miss, e.step)) {
        ctx.transcript.add('note', 'harness', undefined, `${e.step.label} failed (${e.miss.code}); a SHOULD/INFO check, so the scenario goes on`);
        continue;
      }
      throw e;
    }
  }
}

/** What `runStep` returns for a check it could not run (it then counts for nothing). */
const NOT_RUN = Symbol('not-run');

function deadline(ctx: Context, within: number | undefined): number {
  return within ?? ctx.scenario.stepTimeoutMs;
}

async function runStep(step: Step, ctx: Context): Promise<void | typeof NOT_RUN> {
  const a: StepAction = step.action;
  const rec = ctx.transcript;
  switch (a.verb) {
    case 'connect': {
      const port = a.port ?? ctx.port;
      if (a.transport === 'udp') {
        const peer = await UdpPeer.open(a.host, port, (k, d, detail) => rec.add(k, a.name, d, detail));
        const c: Conn = { kind: 'udp', peer };
        ctx.opened.push(c);
        ctx.conns.set(a.name, c);
        ctx.last = a.name;
        return;
      }
      const r = await connectTcp(a.host, port, deadline(ctx, a.within), (k, d, detail) => rec.add(k, a.name, d, detail), ctx.signal);
      if (a.refused) {
        if (r.ok) {
          ctx.opened.push({ kind: 'tcp', peer: r.peer });
          fail(step, 'not-refused', `expected ${a.host}:${port} to refuse the connection, but it was accepted`);
        }
        if (r.code !== 'refused') fail(step, r.code, `expected a refusal from ${a.host}:${port}, got: ${r.message}`);
        rec.add('note', a.name, undefined, `refused, as expected: ${r.message}`);
        return;
      }
      if (!r.ok) fail(step, r.code === 'refused' ? 'connect-refused' : r.code, `cannot connect to ${a.host}:${port}: ${r.message}`);
      const c: Conn = { kind: 'tcp', peer: r.peer };
      ctx.opened.push(c);
      ctx.conns.set(a.name, c);
      ctx.last = a.name;
      return;
    }
    case 'send': {
      const c = conn(ctx, step, a.on);
      if (c.kind === 'tcp' && a.stall !== undefined) return sendMoving(step, c.peer, a, a.stall, ctx);
      const problem =
        c.kind === 'udp'
          ? await c.peer.send(a.data)
          : await c.peer.send(a.data, a.chunks ?? (a.chunk ? Array(Math.ceil(a.data.length / a.chunk)).fill(a.chunk) : []), a.pause, ctx.signal);
      if (problem === 'aborted') fail(step, 'aborted', 'interrupted');
      if (problem) fail(step, 'send-failed', problem);
      return;
    }
    case 'shutdown':
    case 'close':
    case 'reset': {
      const c = conn(ctx, step, a.on);
      if (c.kind === 'udp') c.peer.close();
      else if (a.verb === 'shutdown') c.peer.shutdown();
      else if (a.verb === 'close') c.peer.close();
      else c.peer.reset();
      return;
    }
    case 'expect': {
      const c = conn(ctx, step, a.on);
      const ms = deadline(ctx, a.within);
      const t0 = performance.now();
      if (c.kind === 'tcp' && ctx.log.outOfStep.has(c.peer)) {
        // An earlier check on this stream broke: where its bytes end is unknown. How the stream ends is still judged.
        if (!endsStream(a.expectation)) {
          const why = `the stream of \`${a.on ?? ctx.last}\` lost its place when an earlier check on it failed`;
          ctx.log.notRun(step, why);
          rec.add('note', a.on ?? ctx.last, undefined, `${step.label} not run: ${why}`);
          return NOT_RUN;
        }
        const miss = await expectEndSkippingData(c.peer, a.expectation, ms, ctx.signal);
        if (miss) throw new StepFailure(miss, step);
        return;
      }
      const miss = c.kind === 'tcp' ? await expectTcp(c.peer, a.expectation, ms, ctx.signal, a.stall) : await expectUdp(c.peer, a.expectation, ms, ctx.signal);
      if (miss) {
        if (c.kind === 'tcp' && miss.code !== 'aborted' && (miss.code !== 'timeout' || c.peer.buffer.length > 0)) {
          // The bytes this check looked at are dropped; later checks of the stream's content cannot know where they start.
          ctx.log.outOfStep.add(c.peer);
          c.peer.consume(c.peer.buffer.length);
        }
        if (c.kind === 'tcp' && (c.peer.ended || c.peer.resetByPeer)) await learnEnd(ctx);
        throw new StepFailure(miss, step);
      }
      if (a.measure !== undefined) ctx.notes.push(`${a.measure}: ${Math.round(performance.now() - t0)} ms`);
      return;
    }
    case 'wait':
      if (!(await pause(a.ms, ctx.signal))) fail(step, 'aborted', 'interrupted');
      return;
    case 'answer': {
      const con = consoleOf(ctx, step);
      const prompt = a.regex !== undefined ? new SafeRegex(a.regex) : a.prompt!;
      const typed = Buffer.from(`${a.line}\n`);
      const onAnswer = () => rec.add('stdin', 'program', typed, `answered ${typeof prompt === 'string' ? JSON.stringify(prompt) : String(prompt)}`);
      const onError = (message: string) => ctx.notes.push(`answer ${String(prompt)} stopped: regex-budget: ${message}`);
      ctx.disposers.push(con.answer(prompt, a.line, { once: a.once ?? false, onAnswer, onError }));
      return;
    }
    case 'accept': {
      const l = ctx.listener ?? fail(step, 'not-listening', 'the harness is not listening in this scenario (`listen: false`)');
      let c: Conn;
      if (l instanceof TcpListener) {
        const ms = deadline(ctx, a.within);
        const r = await l.accept(ms, (k, d, detail) => rec.add(k, a.name, d, detail), ctx.signal);
        if (!r.done) fail(step, r.reason === 'aborted' ? 'aborted' : 'no-connection', r.reason === 'aborted' ? 'interrupted' : `the client did not connect to 127.0.0.1:${l.port} within ${ms} ms${exitedNote(ctx)}`);
        c = { kind: 'tcp', peer: r.value };
      } else c = { kind: 'udp', peer: l };
      ctx.opened.push(c);
      ctx.conns.set(a.name, c);
      ctx.last = a.name;
      return;
    }
    case 'stdout': {
      if (a.equals !== undefined || a['without-line-breaks'] !== undefined || a.ctime !== undefined) return expectOutput(step, a, ctx);
      const con = consoleOf(ctx, step);
      const pattern = a.regex !== undefined ? new SafeRegex(interpolate(a.regex, ctx)) : interpolate(a.contains!, ctx);
      const ms = deadline(ctx, a.within);
      const stream = a.stream ?? 'stdout';
      const r = await con.waitFor(pattern, { from: ctx.stdoutFrom, timeoutMs: ms, signal: ctx.signal, stream });
      if (!r.ok && r.code === 'regex-budget') fail(step, 'regex-budget', r.message);
      if (!r.ok) {
        const shown = typeof pattern === 'string' ? JSON.stringify(pattern) : String(pattern);
        const printed = [stream !== 'stderr' ? con.text(ctx.stdoutFrom) : '', stream !== 'stdout' ? con.errorText() : ''].join('');
        const tail = printed.slice(-300);
        const where = stream === 'both' ? 'on stdout or stderr' : `on ${stream}`;
        fail(step, r.code === 'timeout' ? 'stdout-timeout' : `stdout-${r.code}`, `expected the program to print ${shown} ${where} within ${ms} ms${r.code === 'exited' ? ' (it exited)' : ''}; it printed ${tail ? JSON.stringify(tail) : `nothing${bufferingHint(ctx, stream)}`}`);
      }
      return;
    }
    case 'type':
      rec.add('stdin', 'program', Buffer.from(a.line + '\n'));
      consoleOf(ctx, step).type(a.line);
      return;
    case 'close-stdin':
      rec.add('stdin', 'program', undefined, 'closed');
      consoleOf(ctx, step).closeStdin();
      return;
    case 'no-crash':
      return checkNoCrash(step, ctx);
    case 'exit': {
      const l = ctx.program.launched ?? fail(step, 'no-program', 'this step needs the program started by the harness (give --server CMD)');
      const ms = deadline(ctx, a.within);
      const exit = await Promise.race([l.exited, pause(ms, ctx.signal).then(() => undefined)]);
      if (!exit) fail(step, 'no-exit', `expected the program to exit within ${ms} ms; it is still running`);
      if (a.code === 'nonzero' && !(typeof exit.code === 'number' && exit.code !== 0)) fail(step, 'exit-status', `expected a non-zero exit status, got ${describeExit(exit)}`);
      if (typeof a.code === 'number' && exit.code !== a.code) fail(step, 'exit-status', `expected exit status ${a.code}, got ${describeExit(exit)}`);
      if (a.signal !== undefined && exit.signal !== a.signal) fail(step, 'exit-signal', `expected the program to be killed by ${a.signal}, got ${describeExit(exit)}`);
      return;
    }
    case 'stop':
      ctx.program.tainted = true;
      await ctx.program.stop();
      return;
    case 'restart':
    case 'start': {
      ctx.program.tainted = true;
      if (a.verb === 'restart') await ctx.program.stop();
      else if (ctx.program.alive) fail(step, 'still-running', 'the program is still running: `stop` it before `start`');
      const r = await ctx.program.start(ctx.signal, deadline(ctx, a.within), a.ready !== false);
      ctx.stdoutFrom = 0;
      if (!r.ok) fail(step, r.code, `on ${a.verb}: ${r.message}`);
      return;
    }
    case 'occupy': {
      const held = await holdPort(ctx.port, a.transport);
      if (!held.ok) fail(step, 'occupy-failed', `the harness could not bind ${a.transport} port ${ctx.port} on 127.0.0.1 itself: ${held.problem}`);
      ctx.disposers.push(held.release);
      rec.add('note', 'harness', undefined, `holding ${a.transport} port ${ctx.port} on 127.0.0.1`);
      return;
    }
    case 'listener':
      return checkListener(step, a, ctx);
    case 'cpu': {
      const pid = (ctx.program.launched ?? fail(step, 'no-program', 'this step needs the program started by the harness')).pid;
      const m = await measureGroupBusy(pid, a.for, (ms) => pause(ms, ctx.signal));
      if (!m.ok && m.code === 'aborted') fail(step, 'aborted', 'interrupted');
      if (!m.ok) {
        ctx.notes.push('CPU use not measurable on this platform');
        return;
      }
      const pct = m.percent.toFixed(0);
      // Runnable time (on a core or waiting for one) does not shrink when the machine is busy; CPU time does.
      const what = m.measure === 'runnable' ? `was runnable ${pct}% of the time` : `used ${pct}% of a core (CPU time: lower on a busy machine)`;
      ctx.notes.push(`over ${a.for} ms the program ${what}`);
      if (m.percent > a.below) fail(step, 'cpu-busy', `over ${a.for} ms the program ${what} (allowed below ${a.below}%): it does not sleep while it has nothing to do`);
      return;
    }
    case 'note':
      ctx.notes.push(interpolate(a.text, ctx));
      return;
    case 'parallel':
      return runBranches(a.branches, ctx);
    case 'repeat':
      if (a.parallel) return runBranches(Array.from({ length: a.times }, () => a.steps), ctx);
      for (let i = 0; i < a.times; i++) {
        if (ctx.signal.aborted) fail(step, 'aborted', `interrupted (scenario timeout or Ctrl-C) in round ${i + 1} of ${a.times}`);
        await runSteps(a.steps, { ...ctx, conns: new Map(ctx.conns) });
      }
      return;
  }
}

/** How long a failure on a stream the program ended waits to learn whether the program itself ended (four times that when /proc shows it ending). */
const LEARN_END_MS = 300;

/** A connection the program ended may mean the program died: wait briefly (bounded, on its exit event) so the failure can say how. */
async function learnEnd(ctx: Context): Promise<void> {
  const l = ctx.program.launched;
  if (!l || ctx.program.exitInfo) return;
  await exitWithin(l.exited, (await isEnding(l.pid)) ? LEARN_END_MS * 4 : LEARN_END_MS);
}

/** Whether `e` is only about how a stream ends (end of stream, reset, the rest up to the end). */
function endsStream(e: Expectation): boolean {
  if (e.kind === 'one-of') return e.alternatives.every(endsStream);
  return e.kind === 'eof' || e.kind === 'reset' || e.kind === 'rest';
}

/** The program has not crashed: no stack trace on its stderr, no death by a signal the harness did not send. */
function checkNoCrash(step: Step, ctx: Context): void {
  const con = consoleOf(ctx, step);
  // Runtimes print their traces on stderr; with --tty stderr shares the terminal with stdout. Stdout may hold
  // data (a client copying what it received), so it is read only then.
  const trace = findCrashTrace(con.errorText()) ?? (ctx.program.target.tty ? findCrashTrace(con.text(ctx.stdoutFrom)) : undefined);
  if (trace) fail(step, 'crashed', `the program crashed: a ${trace.runtime} on its stderr:\n${trace.excerpt}`);
  const exit = ctx.program.exitInfo;
  // A program the scenario stopped or restarted was sent its signal by the harness.
  if (exit?.signal && !ctx.program.tainted) fail(step, 'crashed', `the program crashed: ${describeExit(exit)}`);
}

/** The largest piece a stall-timed send hands over at once: the peer must take one within the stall timeout. */
const STALL_PIECE = 64 * 1024;

/** Send in pieces (at most 64 KiB), failing only when the peer takes none for `stallMs`. */
async function sendMoving(step: Step, peer: TcpPeer, a: Extract<StepAction, { verb: 'send' }>, stallMs: number, ctx: Context): Promise<void> {
  const sizes = a.chunks ?? (a.chunk ? Array<number>(Math.ceil(a.data.length / a.chunk)).fill(a.chunk) : []);
  const given: Uint8Array[] = [];
  let at = 0;
  for (const n of sizes) {
    if (at >= a.data.length) break;
    given.push(a.data.subarray(at, at + n));
    at += n;
  }
  if (at < a.data.length || given.length === 0) given.push(a.data.subarray(at));
  let sent = 0;
  for (let i = 0; i < given.length; i++) {
    if (i > 0 && a.pause > 0 && !(await pause(a.pause, ctx.signal))) fail(step, 'aborted', 'interrupted');
    const piece = given[i]!;
    for (let from = 0; from < piece.length || (from === 0 && piece.length === 0); from += STALL_PIECE) {
      const part = piece.subarray(from, from + STALL_PIECE);
      const stalled = new AbortController();
      const timer = setTimeout(() => stalled.abort(), stallMs);
      const problem = await peer.send(part, [], 0, AbortSignal.any([ctx.signal, stalled.signal]));
      clearTimeout(timer);
      if (problem === 'aborted' && ctx.signal.aborted) fail(step, 'aborted', 'interrupted');
      if (problem === 'aborted') fail(step, 'stalled', `the peer took no data for ${stallMs} ms after ${sent} of ${a.data.length} bytes`);
      if (problem) fail(step, 'send-failed', problem);
      sent += part.length;
      if (part.length === 0) break;
    }
  }
}

/** ` (it exited with …)` when the program has ended, for messages about what it did not do. */
function exitedNote(ctx: Context): string {
  const e = ctx.program.exitInfo;
  return e ? ` (it ended: ${describeExit(e)})` : '';
}

/** Why a program may have printed nothing although it ran: it buffers stdout on a pipe. */
function bufferingHint(ctx: Context, stream: string): string {
  if (stream === 'stderr' || ctx.program.target.tty) return '';
  return ' (if it buffers stdout when stdout is a pipe, as C stdio and Python 2 do, run it on a pseudo-terminal: `--tty`, or `tty: true` for the target)';
}

const CTIME = /\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\d{4})\b/g;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Every C `ctime` local time in `text`, as epoch milliseconds: read as a wall-clock
 * time in `timeZone` (an IANA name, the program's TZ), or in the harness's own time
 * zone when none is given.
 */
export function findCtimes(text: string, timeZone?: string): { text: string; ms: number }[] {
  return [...text.matchAll(CTIME)].map((m) => {
    const fields = [Number(m[7]), MONTHS.indexOf(m[2]!), Number(m[3]!.trim()), Number(m[4]), Number(m[5]), Number(m[6])] as const;
    return { text: m[0], ms: timeZone === undefined ? new Date(...fields).getTime() : zonedMs(fields, timeZone) };
  });
}

/** Epoch milliseconds of a wall-clock time in `timeZone` (the later reading where a clock change makes it ambiguous). */
function zonedMs(f: readonly [number, number, number, number, number, number], timeZone: string): number {
  const asUtc = Date.UTC(...f);
  const first = asUtc - zoneOffsetMs(timeZone, asUtc);
  const second = asUtc - zoneOffsetMs(timeZone, first);
  return second;
}

/** How far `timeZone`'s wall clock is ahead of UTC at `ms`. */
function zoneOffsetMs(timeZone: string, ms: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(ms);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * The time zone in `env.TZ` (what the program was given), to read the local time it
 * prints; undefined when TZ is unset or empty: the harness's own, as for the program.
 * Throws (a harness error, not a verdict) for a zone the harness or the machine lacks.
 */
export function programTimeZone(env: Readonly<Record<string, string | undefined>>, zoneinfo = '/usr/share/zoneinfo'): string | undefined {
  const tz = env.TZ?.replace(/^:/, '');
  if (tz === undefined || tz === '') return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new Error(`TZ=${tz} is not a time zone the harness can read local times in: give an IANA name such as Asia/Kolkata`);
  }
  // A C library (Python's time, C's ctime) silently falls back to UTC for a zone it cannot find.
  const dir = env.TZDIR ?? zoneinfo;
  if (process.platform === 'linux' && !/^(UTC|GMT|Etc\/UTC)$/.test(tz) && existsSync(dir) && !existsSync(`${dir}/${tz}`)) {
    throw new Error(`TZ=${tz} is not installed on this machine (${dir}/${tz} is missing; install tzdata): a program would print UTC`);
  }
  if (process.platform === 'linux' && !existsSync(dir)) throw new Error(`TZ=${tz} cannot be honoured: ${dir} is missing (install tzdata), so a program would print UTC`);
  return tz;
}

/** `5 s from now`, or for a time zone mistake `19800 s (5 h 30 min) from now`. */
function offText(seconds: number): string {
  const s = Math.round(seconds);
  if (Math.abs(s) < 3600) return `${s} s from now`;
  const m = Math.round(Math.abs(s) / 60);
  return `${s} s (${s < 0 ? '-' : ''}${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}) from now`;
}

/** Whole-output expectations: exactly this (with or without line breaks), or a ctime near now. */
async function expectOutput(step: Step, a: Extract<StepAction, { verb: 'stdout' }>, ctx: Context): Promise<void> {
  const con = consoleOf(ctx, step);
  const ms = deadline(ctx, a.within);
  const stream = a.stream === 'stderr' ? 'stderr' : 'stdout';
  const printed = () => (stream === 'stderr' ? con.errorText() : con.text(ctx.stdoutFrom));
  if (a.ctime !== undefined) {
    const tolerance = a.ctime;
    const program = ctx.program;
    // Only a TZ the harness gives the program differs from its own (which the program inherits otherwise).
    const given = { ...program.target.env, ...program.scenarioEnv };
    const timeZone = given.TZ === undefined ? undefined : programTimeZone({ ...process.env, ...given });
    const r = await con.watch(() => findCtimes(printed(), timeZone).find((t) => Math.abs(t.ms - Date.now()) <= tolerance * 1000 + 999), { timeoutMs: ms, signal: ctx.signal });
    if (r.ok) return;
    const seen = findCtimes(printed(), timeZone);
    const got = seen.length ? `it printed ${seen.map((t) => `\`${t.text}\``).join(', ')}, ${offText((seen[0]!.ms - Date.now()) / 1000)}` : `it printed ${JSON.stringify(printed().slice(-200)) || 'nothing'}`;
    const zone = timeZone ? ` (the program's time zone: TZ=${timeZone})` : '';
    fail(step, r.code === 'aborted' ? 'aborted' : 'stdout-time', `expected a ctime-formatted local time${zone} within ${tolerance} s of now on ${stream}; ${got}`);
  }
  const strip = a['without-line-breaks'] !== undefined;
  const want = interpolate((a.equals ?? a['without-line-breaks'])!, ctx);
  const norm = (t: string) => (strip ? t.replace(/[\r\n]/g, '') : t);
  // Fails as soon as what was printed stops being a beginning of what is expected.
  const r = await con.watch((exited) => {
    const got = norm(printed());
    if (!want.startsWith(got)) return 'differs' as const;
    return exited ? (got === want ? ('same' as const) : ('short' as const)) : undefined;
  }, { timeoutMs: ms, signal: ctx.signal });
  if (r.ok && r.value === 'same') return;
  if (!r.ok && r.code === 'aborted') fail(step, 'aborted', 'interrupted');
  const got = norm(printed());
  const what = strip ? `its ${stream} without line breaks` : `its ${stream}`;
  const why = !r.ok ? (r.code === 'timeout' ? ` (it was still running after ${ms} ms)` : '') : r.value === 'short' ? ' (it exited before printing the rest)' : '';
  fail(step, 'stdout-mismatch', `expected ${what} to be ${JSON.stringify(want)}; it is ${got ? JSON.stringify(got.slice(-300)) : `empty${bufferingHint(ctx, stream)}`}${why}`, { expected: Buffer.from(want), actual: Buffer.from(got) });
}

/** Run branches side by side, each with its own connection names; the first failure stops the others. */
async function runBranches(branches: Step[][], ctx: Context): Promise<void> {
  const inner = new AbortController();
  // Each branch's pending waits listen on it: `repeat: { times: 50, parallel: true }` has dozens at once.
  setMaxListeners(0, inner.signal);
  const onAbort = () => inner.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const results = await Promise.allSettled(
      branches.map(async (steps) => {
        try {
          await runSteps(steps, { ...ctx, conns: new Map(ctx.conns), signal: inner.signal });
        } catch (e) {
          inner.abort();
          throw e;
        }
      }),
    );
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    const first = failures.find((f) => !(f instanceof StepFailure && f.miss.code === 'aborted')) ?? failures[0];
    if (first) throw first;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

async function checkListener(step: Step, a: Extract<StepAction, { verb: 'listener' }>, ctx: Context): Promise<void> {
  const transport = ctx.program.transport;
  const sockets = await listeningSockets(ctx.port, transport);
  const addrs = sockets.map((s) => s.address);
  ctx.notes.push(`${transport} port ${ctx.port} bound on ${addrs.join(', ') || 'nothing'}`);
  if (addrs.length === 0) fail(step, 'not-listening', `nothing is bound to ${transport} port ${ctx.port}`);
  if (a.address !== undefined) {
    const ok =
      a.address === 'any' ? addrs.some(isWildcard) : a.address === 'loopback' ? addrs.every(isLoopback) : addrs.includes(a.address);
    const want = a.address === 'any' ? 'all interfaces (0.0.0.0 or ::)' : a.address === 'loopback' ? 'loopback addresses only' : a.address;
    if (!ok) fail(step, 'wrong-address', `expected ${transport} port ${ctx.port} bound on ${want}, found ${addrs.join(', ')}`);
  }
  if (a.reuseaddr !== undefined) {
    if (transport !== 'udp') fail(step, 'not-observable', 'SO_REUSEADDR of a TCP listener cannot be observed from outside; use a `restart` step');
    const shared = await bindsAlongside(addrs[0]!, ctx.port);
    ctx.notes.push(`SO_REUSEADDR on udp port ${ctx.port}: ${shared ? 'set' : 'not set'}`);
    if (shared !== a.reuseaddr) fail(step, 'reuseaddr', `expected SO_REUSEADDR ${a.reuseaddr ? 'set' : 'not set'} on the program's UDP socket; a second socket with SO_REUSEADDR ${shared ? 'could' : 'could not'} bind beside it`);
  }
}
