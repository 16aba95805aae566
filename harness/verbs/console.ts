/**
 * Verbs about the program's console: `answer` (prompts), `stdout`/`output` (what it
 * prints), `type` and `close-stdin` (its stdin), and `no-crash` (no stack trace, no
 * death by a signal it was not sent).
 */
import { z } from 'zod';
import { SafeRegex } from '../codec/safe-regex.js';
import { fail, deadline, type Context } from '../run/context.js';
import { interpolate } from '../run/values.js';
import { findCrashTrace } from '../run/crash.js';
import { findCtimes, offText, programTimeZone } from '../run/ctime.js';
import { describeExit } from '../run/program.js';
import { within } from '../scenario/fields.js';
import type { Step } from '../scenario/model.js';
import { defineVerb } from './types.js';

type AnswerAction = { verb: 'answer'; prompt?: string; regex?: string; line: string; once?: boolean };
type StdoutAction = {
  verb: 'stdout';
  contains?: string;
  regex?: string;
  equals?: string;
  'without-line-breaks'?: string;
  ctime?: number;
  within?: number;
  stream?: 'stdout' | 'stderr' | 'both';
};
type TypeAction = { verb: 'type'; line: string };
/** The actions of this family. */
export type ConsoleAction = AnswerAction | StdoutAction | TypeAction | { verb: 'close-stdin' } | { verb: 'no-crash' };

/** The console of the program, or a failure if the harness did not start it. */
function consoleOf(ctx: Context, step: Step) {
  const c = ctx.program.console;
  if (!c) fail(step, 'no-program', 'this step needs the program started by the harness (give --server CMD)');
  return c;
}

/** `answer`: from now on, type a line each time the program prints a prompt. */
export const answer = defineVerb({
  verb: 'answer',
  body: z.strictObject({
    prompt: z.string().optional().describe('text the program prints (no newline needed)'),
    regex: z.string().optional().describe('or a regular expression the prompt matches'),
    line: z.string().describe('the line typed each time the prompt appears'),
    once: z.boolean().optional().describe('answer only the first time (default: every time)'),
  }),
  kind: 'arrangement',
  normalize(s, v, path): AnswerAction {
    if ((s.prompt === undefined) === (s.regex === undefined)) v.error(path, 'missing-matcher', 'give one of `prompt` or `regex`');
    if (s.regex !== undefined) v.regex(s.regex, '', [...path, 'regex']);
    return { verb: 'answer', ...s };
  },
  run(a, step, ctx) {
    const con = consoleOf(ctx, step);
    const prompt = a.regex !== undefined ? new SafeRegex(a.regex) : a.prompt!;
    const typed = Buffer.from(`${a.line}\n`);
    const onAnswer = () => ctx.transcript.add('stdin', 'program', typed, `answered ${typeof prompt === 'string' ? JSON.stringify(prompt) : String(prompt)}`);
    const onError = (message: string) => ctx.notes.push(`answer ${String(prompt)} stopped: regex-budget: ${message}`);
    ctx.disposers.push(con.answer(prompt, a.line, { once: a.once ?? false, onAnswer, onError }));
  },
});

/** What a console expectation may look for; exactly one of the matchers. */
const outputMatchers = {
  contains: z.string().optional(),
  regex: z.string().optional(),
  equals: z.string().optional().describe('everything printed (since the scenario began) is exactly this, once the program has exited'),
  'without-line-breaks': z.string().optional().describe('everything printed, with \\r and \\n removed, is exactly this, once the program has exited'),
  ctime: z.number().nonnegative().optional().describe('a C ctime() local time (`Mon Aug  6 17:09:17 2012`) within this many seconds of now'),
  within,
};

/** `stdout`: the program prints this (or prints exactly this, or a ctime near now). */
export const stdout = defineVerb({
  verb: 'stdout',
  body: z.strictObject(outputMatchers),
  kind: 'check',
  recoverable: true,
  normalize(s, v, path): StdoutAction {
    const matchers = (['contains', 'regex', 'equals', 'without-line-breaks', 'ctime'] as const).filter((k) => s[k] !== undefined);
    if (matchers.length !== 1) v.error(path, matchers.length ? 'ambiguous-expect' : 'missing-matcher', matchers.length ? `one matcher per step, got ${matchers.map((k) => `\`${k}\``).join(', ')}` : 'give one of `contains`, `regex`, `equals`, `without-line-breaks` or `ctime`');
    if (s.regex !== undefined) v.regex(s.regex, '', [...path, 'regex']);
    return { ...s, verb: 'stdout' };
  },
  async run(a, step, ctx) {
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
  },
});

/** `stdout` on a stream of choice: its action is a `stdout` one. */
export const output = defineVerb({
  ...stdout,
  verb: 'output',
  body: z.strictObject({
    ...outputMatchers,
    stream: z.enum(['stdout', 'stderr', 'both']).optional().describe('default stdout'),
  }),
});

/** `type`: a line on the program's stdin. */
export const type = defineVerb({
  verb: 'type',
  body: z.string().describe('a line typed on the program’s stdin'),
  kind: 'action',
  normalize: (line): TypeAction => ({ verb: 'type', line }),
  run(a, step, ctx) {
    // A line typed ahead may still be unread when the scenario ends: the next scenario must not inherit it.
    ctx.program.tainted = true;
    ctx.transcript.add('stdin', 'program', Buffer.from(a.line + '\n'));
    consoleOf(ctx, step).type(a.line);
  },
});

/** `close-stdin`: close the program's stdin. */
export const closeStdin = defineVerb({
  verb: 'close-stdin',
  body: z.literal(true),
  kind: 'action',
  normalize: () => ({ verb: 'close-stdin' as const }),
  run(_a, step, ctx) {
    ctx.program.tainted = true;
    ctx.transcript.add('stdin', 'program', undefined, 'closed');
    consoleOf(ctx, step).closeStdin();
  },
});

/** `no-crash`: no stack trace on its stderr, no death by a signal the harness did not send. */
export const noCrash = defineVerb({
  verb: 'no-crash',
  body: z
    .literal(true)
    .describe('the program has not crashed so far: no stack trace of an interpreter or runtime (Python, Node, Java, Go, Rust, Ruby, sanitizers) on its stderr, and not killed by a signal it was not sent'),
  kind: 'check',
  recoverable: true,
  normalize: () => ({ verb: 'no-crash' as const }),
  run: (_a, step, ctx) => checkNoCrash(step, ctx),
});

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

/** Whole-output expectations: exactly this (with or without line breaks), or a ctime near now. */
async function expectOutput(step: Step, a: StdoutAction, ctx: Context): Promise<void> {
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

/** Why a program may have printed nothing although it ran: it buffers stdout on a pipe. */
function bufferingHint(ctx: Context, stream: string): string {
  if (stream === 'stderr' || ctx.program.target.tty) return '';
  return ' (if it buffers stdout when stdout is a pipe, as C stdio and Python 2 do, run it on a pseudo-terminal: `--tty`, or `tty: true` for the target)';
}
