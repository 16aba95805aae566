/**
 * Verbs about the program's life: `exit`, `stop`, `start`, `restart`, and what it
 * holds while it runs: `listener` (the address of its port) and `cpu` (whether it sleeps).
 */
import { z } from 'zod';
import { bindsAlongside, isLoopback, isWildcard } from '../net/probe.js';
import { pause } from '../net/waiter.js';
import { measureGroupBusy } from '../process/cpu.js';
import { listeningSocketsSeen } from '../process/proc-net.js';
import { deadline, fail, type Context } from '../run/context.js';
import { describeExit } from '../run/program.js';
import { ms, within } from '../scenario/fields.js';
import type { Step } from '../scenario/model.js';
import { defineVerb } from './types.js';

type ExitAction = { verb: 'exit'; code?: number | 'nonzero'; signal?: string; within?: number };
type StartAction = { verb: 'restart' | 'start'; within?: number; ready?: false };
type ListenerAction = { verb: 'listener'; address?: string; reuseaddr?: boolean };
type CpuAction = { verb: 'cpu'; below: number; for: number };
/** The actions of this family. */
export type LifecycleAction = ExitAction | StartAction | { verb: 'stop' } | ListenerAction | CpuAction;

/** `exit`: the program exits so within the deadline. */
export const exit = defineVerb({
  verb: 'exit',
  body: z.strictObject({
    code: z.union([z.number().int(), z.literal('nonzero')]).optional().describe('the exit status, or `nonzero`'),
    signal: z.string().optional(),
    within,
  }),
  kind: 'check',
  recoverable: true,
  normalize: (b): ExitAction => ({ verb: 'exit', ...b }),
  async run(a, step, ctx) {
    const l = ctx.program.launched ?? fail(step, 'no-program', 'this step needs the program started by the harness (give --server CMD)');
    const ms = deadline(ctx, a.within);
    const exit = await Promise.race([l.exited, pause(ms, ctx.signal).then(() => undefined)]);
    if (!exit) fail(step, 'no-exit', `expected the program to exit within ${ms} ms; it is still running`);
    if (a.code === 'nonzero' && !(typeof exit.code === 'number' && exit.code !== 0)) fail(step, 'exit-status', `expected a non-zero exit status, got ${describeExit(exit)}`);
    if (typeof a.code === 'number' && exit.code !== a.code) fail(step, 'exit-status', `expected exit status ${a.code}, got ${describeExit(exit)}`);
    if (a.signal !== undefined && exit.signal !== a.signal) fail(step, 'exit-signal', `expected the program to be killed by ${a.signal}, got ${describeExit(exit)}`);
  },
});

/** `restart` (stop, then start) or `start` (of a stopped program): a check that it listens again, unless `ready: false`. */
function starting(verb: StartAction['verb'], body: z.ZodType<{ within?: number; ready?: false }>) {
  return defineVerb({
    verb,
    body,
    kind: 'action',
    normalize: (b): StartAction => ({ verb, ...b }),
    checks: (a) => a.ready !== false,
    async run(a, step, ctx) {
      ctx.program.tainted = true;
      if (a.verb === 'restart') await ctx.program.stop();
      else if (ctx.program.alive) fail(step, 'still-running', 'the program is still running: `stop` it before `start`');
      const r = await ctx.program.start(ctx.signal, deadline(ctx, a.within), a.ready !== false);
      ctx.stdoutFrom = 0;
      if (!r.ok) fail(step, r.code, `on ${a.verb}: ${r.message}`);
    },
  });
}
/** `restart`: stop the program and start it again; `start`: start the stopped program again. */
export const restart = starting('restart', z.strictObject({ within }).describe('stop the program (SIGTERM) and start it again on the same port'));
export const start = starting(
  'start',
  z
    .strictObject({ within, ready: z.literal(false).optional().describe('launch without waiting for it to listen (e.g. to see it fail)') })
    .describe('start the stopped program again on the same port; `within`: how soon it must listen'),
);

/** `stop`: stop the program and wait for it to end. */
export const stop = defineVerb({
  verb: 'stop',
  body: z.strictObject({}).describe('stop the program (SIGTERM, then SIGKILL) and wait for it to end'),
  kind: 'action',
  normalize: () => ({ verb: 'stop' as const }),
  async run(_a, _step, ctx) {
    ctx.program.tainted = true;
    await ctx.program.stop();
  },
});

/** `listener`: the addresses the program's port is bound to (and for UDP its SO_REUSEADDR). */
export const listener = defineVerb({
  verb: 'listener',
  body: z.strictObject({
    address: z.string().optional().describe('`any`, `loopback` or an exact address'),
    reuseaddr: z.boolean().optional().describe('UDP: whether SO_REUSEADDR is set (Linux)'),
  }),
  kind: 'check',
  recoverable: true,
  normalize: (b): ListenerAction => ({ verb: 'listener', ...b }),
  run: (a, step, ctx) => checkListener(step, a, ctx),
});

/** `cpu`: the program sleeps while it has nothing to do. */
export const cpu = defineVerb({
  verb: 'cpu',
  body: z.strictObject({
    below: z.number().positive().max(1000).describe('percent of the window the program’s threads may be runnable (on a core or waiting for one), summed over its threads'),
    for: ms.describe('the window measured'),
  }),
  kind: 'check',
  recoverable: true,
  normalize: (b): CpuAction => ({ verb: 'cpu', ...b }),
  async run(a, step, ctx) {
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
  },
});

/** The port's bound addresses (and for UDP its SO_REUSEADDR) are as the step says. */
async function checkListener(step: Step, a: ListenerAction, ctx: Context): Promise<void> {
  const transport = ctx.program.transport;
  // Several reads: one read of a table that changes meanwhile can miss the program's row.
  const sockets = await listeningSocketsSeen(ctx.port, transport);
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
