/**
 * `sockspec run`: scenarios × targets into a plan, reporters from the options,
 * Ctrl-C turned into an orderly stop, and the run's exit status.
 */
import { basename } from 'node:path';
import { installCleanup, killAllNow } from '../process/launch.js';
import { closeSpawner } from '../process/spawner.js';
import { createReporter } from '../report/index.js';
import { makePrintableLine } from '../report/printable-text.js';
import { ImplCoverage } from '../run/impl-coverage.js';
import type { Target } from '../run/program.js';
import { planIds, runPlan, type PlanItem } from '../run/run-plan.js';
import type { Io, ParsedOptions } from './main.js';
import { programTarget } from '../suite/workspace.js';
import { loadWorkspace, readFileOptions, reportDiagnostics } from './workspace.js';
import { loadExpectations, writeExpectationUpdates } from './expectations.js';

/** After the first Ctrl-C or SIGTERM: every program group is SIGKILLed after this long… */
const HURRY_MS = 300;
/** …and the process exits 130 after this long whatever still runs (unless reports are being written). */
const EXIT_WITHIN_MS = 1900;

class UsageError extends Error {
  readonly code = 'usage';
}

function int(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`expected --${name} to be an integer from ${min} to ${max}, got \`${value}\``);
  return n;
}

function shard(value: string | undefined): [number, number] | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(value);
  const [k, n] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (!m || n < 1 || k < 1 || k > n) throw new UsageError(`expected --shard K/N with 1 <= K <= N, got \`${value}\``);
  return [k, n];
}

/** A short name for a command line: its first argument that is not an option (the script), else the program. */
function nameOf(command: string): string {
  const words = command.split(/\s+/);
  return basename(words.find((w, i) => i > 0 && !w.startsWith('-')) ?? words[0] ?? command);
}

/** Run scenarios; resolves to the exit status. */
export async function runCommand(paths: string[], values: ParsedOptions, io: Io): Promise<number> {
  const port = int(values.port, 'port', 1, 65535);
  const jobsOpt = int(values.jobs, 'jobs', 1, 64);
  const timeout = int(values.timeout, 'timeout', 1, 3_600_000);
  const readyTimeoutMs = int(values['ready-timeout'], 'ready-timeout', 1, 600_000) ?? 10_000;
  const shardOpt = shard(values.shard);
  const seed = int(values.seed, 'seed', -0x80000000, 0x7fffffff);
  const runs = int(values.runs, 'runs', 1, 10_000_000);
  if (values.path !== undefined && seed === undefined) throw new UsageError('--path replays a case of a given seed: give --seed too');
  if (values.path !== undefined && !/^\d+(:\d+)*$/.test(values.path)) throw new UsageError(`expected --path to be a fast-check path such as 12:0:3, got \`${values.path}\``);
  if (values.server !== undefined && values.client !== undefined) throw new UsageError('give --server or --client, not both');
  const command = values.server ?? values.client;
  const role = values.client !== undefined ? 'client' : 'server';
  const direct = command !== undefined || port !== undefined;
  if (direct && paths.length === 0) throw new UsageError(`with --${role} or --port, name the scenario files or folders to run (e.g. scenarios/echo-ack/${role})`);
  if (values.client === undefined && values.server === undefined && values.tty) throw new UsageError('--tty goes with --server or --client');
  if (values.concurrent && (port === undefined || command !== undefined)) throw new UsageError('--concurrent is for a server already running on --port N: not with --server or --client, whose programs the harness starts (on ports of their own, scenarios already run side by side)');
  if (direct && values.target?.length) throw new UsageError('--target chooses among the config\'s targets: not with --server, --client or --port');

  const controller = new AbortController();
  let interrupted = false;
  /** Set once the reporters write the run's reports, and once they are done. */
  let reporting = false;
  let reported = false;
  installCleanup();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      // The second signal: every program dies now, and so do we.
      killAllNow();
      process.exit(130);
    }
    interrupted = true;
    io.stderr.write(`\nsockspec: ${signal === 'SIGINT' ? 'interrupted' : `got ${signal}`}; stopping the programs under test and writing the reports (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again to stop at once)\n`);
    // No scenario starts any more; those running end, their programs get SIGTERM (run-plan.ts).
    controller.abort();
    // A program that ignores SIGTERM must not hold the run past the 2 s it has to stop.
    setTimeout(() => killAllNow(), HURRY_MS).unref();
    // Whatever still runs after that (a stop that hangs, a lock never released) does not keep us: reports
    // being written get a few seconds more, then we go, programs killed.
    let extra = 0;
    const deadline = () => {
      if (reporting && !reported && extra++ < 3) return void setTimeout(deadline, 1000).unref();
      killAllNow();
      process.exit(130);
    };
    setTimeout(deadline, EXIT_WITHIN_MS).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // From here on a signal ends the run: while the scenarios load (a stuck TS scenario included) as while they run.
  try {
    if (values.file?.length && !direct) throw new UsageError('--file gives files to the program of --server or --client (a config target has `files:`)');
    const files = values.file?.length ? await readFileOptions(values.file, io.cwd) : undefined;
    // --port without a command: a server already running on that port (stop, start and console steps cannot be used).
    const program = direct
      ? programTarget({ name: command === undefined ? `port ${port}` : nameOf(command), role, cwd: io.cwd, readyTimeoutMs, ...(command !== undefined ? { command } : {}), ...(port ? { port } : {}), ...(values.concurrent ? { concurrent: true } : {}), ...(values.tty ? { tty: true } : {}), ...(files ? { files } : {}) })
      : undefined;
    const ws = await loadWorkspace(paths, values.config, io, { readyTimeoutMs, ...(program ? { program } : {}) });
    if (reportDiagnostics(ws.diagnostics, io)) return 2;
    const items: Omit<PlanItem, 'id'>[] = [];
    let referenceTarget: Target | undefined;
    if (values.reference !== undefined && !direct) throw new UsageError('--reference compares with the program given by --server or --client');
    if (values.reference !== undefined) referenceTarget = { name: `reference ${nameOf(values.reference)}`, command: values.reference, cwd: io.cwd, readyTimeoutMs, ...(port ? { fixedPort: port } : {}) };
    const names = [...new Set(ws.suites.flatMap((s) => s.targets.map((t) => t.target.name)))];
    const unknown = values.target?.find((n) => !names.includes(n));
    if (unknown !== undefined) throw new UsageError(`no target is named \`${unknown}\` (the targets: ${names.join(', ') || 'none'})`);
    const coverage = values.coverage ? new ImplCoverage(io.cwd, (line) => io.stderr.write(`sockspec: ${makePrintableLine(line)}\n`)) : undefined;
    for (const suite of ws.suites) {
      if (suite.targets.length === 0) throw new UsageError(`no suite of the config runs ${suite.loaded[0]?.file ?? suite.root}: give --${suite.loaded[0]?.scenario?.role ?? 'server'} CMD`);
      const targets = values.target?.length ? suite.targets.filter((t) => values.target!.includes(t.target.name)) : suite.targets;
      for (const l of suite.loaded) {
        const scenario = timeout ? { ...l.scenario!, timeoutMs: timeout } : l.scenario!;
        for (const t of targets) if (t.role === scenario.role) items.push({ scenario, target: coverage?.instrument(t.target) ?? t.target });
      }
    }
    // A server is checked by the server scenarios of the paths given, a client by the client ones.
    if (direct && items.length === 0 && ws.loaded.length > 0) throw new UsageError(`none of these scenarios is for a ${role} under test (they are for a ${role === 'server' ? 'client: use --client' : 'server: use --server'})`);
    if (items.length === 0) throw new UsageError('no scenarios to run');
    const planned = planIds(items);
    const update = Boolean(values['update-expectations']);
    const { plan: expectations, diagnostics } = await loadExpectations(values.expectations, update, ws, planned, io);
    if (reportDiagnostics(diagnostics, io)) return 2;

    const color = Boolean(io.stdout.isTTY) && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
    const specs = values.reporter?.length ? values.reporter : ws.config.reporters;
    const reporters = specs.map((spec) => createReporter(spec, { stdout: io.stdout, cwd: io.cwd, color }));

    // Interrupted while loading: the run starts no scenario and its reports say so.
    const reportingStarts = {
      onRunEnd: () => {
        reporting = true;
      },
    };
    const run = await runPlan(planned, {
      jobs: jobsOpt ?? ws.config.jobs,
      strict: Boolean(values.strict),
      observers: [reportingStarts, ...reporters],
      signal: controller.signal,
      ...(ws.catalogue ? { catalogue: ws.catalogue } : {}),
      ...(shardOpt ? { shard: shardOpt } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(runs !== undefined ? { runs } : {}),
      ...(values.path !== undefined ? { path: values.path } : {}),
      ...(referenceTarget ? { reference: referenceTarget } : {}),
      ...(expectations ? { expectations } : {}),
    });
    reported = true;
    // Interrupted: what is still being stopped in the background is killed now, the reports being written.
    // (An interrupted run says nothing of what it did not run: no coverage is reported, no expectation file is rewritten from it.)
    if (interrupted) {
      killAllNow();
      if (coverage) io.stderr.write(`sockspec: coverage was not reported: the run was interrupted\n`);
      return 130;
    }
    if (coverage) for (const s of await coverage.report()) io.stderr.write(`sockspec: ${makePrintableLine(coverage.describe(s))}\n`);
    if (update && expectations) {
      await writeExpectationUpdates(expectations, run, io);
      return 0;
    }
    return run.exitCode;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    // The process that started the programs goes with the run, and is reaped by it.
    await closeSpawner();
  }
}
