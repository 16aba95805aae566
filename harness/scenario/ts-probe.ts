/**
 * A TypeScript scenario is run once in a worker thread before it is imported for
 * real, so that a module that throws, rejects, loops, never settles its top-level
 * await, leaves a timer running or calls `process.exit` at import is reported as a
 * scenario error instead of ending, crashing or hanging the harness.
 *
 * The file is compiled with esbuild into one ES module (ts-bundle.ts) and evaluated
 * in a worker under a deadline. The module must evaluate and then leave nothing
 * behind: a timer, socket or pending promise still active once it has evaluated is
 * an error too (`ts-pending`), because in the harness it would run during the
 * scenarios and keep the process alive after them. Only a module that passes is
 * imported into the harness: the same compiled code.
 */
import { readFileSync } from 'node:fs';
import type { SourceMap } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { selfExport } from './self-import.js';
import { compileTs, loadEsbuild, type CompiledTs, type TsProblem } from './ts-bundle.js';

/**
 * How long a module's own code may run, or sleep, while it evaluates, once the packages
 * it imports are loaded. On Linux both are read from the worker thread's schedstat, so
 * the time it waits for a CPU on a loaded machine does not count: a module that spins
 * or waits at import is stopped after about this long, whatever the load, and a quick
 * one is never stopped because the machine is busy. Elsewhere it is wall time.
 */
export const TS_PROBE_DEADLINE_MS = 1000;
/** Of which CPU time: a module's own top-level code needs a few milliseconds; one that spins is stopped sooner. */
const TS_PROBE_CPU_MS = 500;
/** The same budget for starting the worker and loading the packages the module imports (sockspec itself, typically). */
export const TS_PROBE_START_MS = 15_000;
/** Wall time after which a probe ends whatever its thread's times say. */
const TS_PROBE_WALL_MS = 60_000;

/** Nanoseconds thread `tid` of this process has run, and waited to run, or undefined. */
function threadTimes(tid: number): { run: number; wait: number } | undefined {
  if (!tid) return undefined;
  try {
    const [run, wait] = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
    return run !== undefined && wait !== undefined && Number.isFinite(run) && Number.isFinite(wait) ? { run, wait } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the thread, since `from`, has run or slept more than `budgetMs` (wall time when its times cannot be read). */
function spent(tid: number, from: { at: number; times: { run: number; wait: number } | undefined }, budgetMs: number, cpuMs = budgetMs): boolean {
  const wall = performance.now() - from.at;
  if (wall > TS_PROBE_WALL_MS) return true;
  const now = threadTimes(tid);
  // The thread has ended: its exit, on its way, tells what happened.
  if (!now && from.times) return false;
  if (!now || !from.times) return wall > budgetMs;
  const run = (now.run - from.times.run) / 1e6;
  const wait = (now.wait - from.times.wait) / 1e6;
  const slept = wall - run - wait;
  return run > cpuMs || slept > budgetMs;
}
/** Workers evaluating modules at once. */
const MAX_PROBES = 4;

export type ProbeProblem = TsProblem;

// The worker: each module's code as a data: URL, one after another; process.exit and friends recorded in
// shared memory. Once a module has evaluated, the worker's event loop must empty by itself (`beforeExit`):
// only then is the module clean, and the worker ready for the next one. Anything unusual (an exit
// requested, a `beforeExit` listener of the module's own, an exit code set, a global the probe relies on
// replaced) leaves the worker to end, and its end tells what happened.
const WORKER = `
// Whether Node reads this as CommonJS or as an ES module (--input-type, --experimental-default-type), the same code.
(async () => {
const { workerData, parentPort } = await import('node:worker_threads');
const { readlinkSync } = await import('node:fs');
const flag = new Int32Array(workerData.shared);
// The thread's id, for the harness to read its CPU and sleep time (Linux; 0 elsewhere).
try { Atomics.store(flag, 4, Number(readlinkSync('/proc/thread-self').split('/').pop()) || 0); } catch {}
const record = (what, code) => { Atomics.store(flag, 0, what); Atomics.store(flag, 1, Number(code) || 0); };
const exit = process.exit.bind(process);
process.exit = (code) => { record(1, code ?? process.exitCode ?? 0); exit(code); };
process.abort = () => { record(2, 0); exit(134); };
const kill = process.kill.bind(process);
process.kill = (pid, sig) => {
  if (Number(pid) === process.pid || Number(pid) <= 0) { record(3, 0); exit(137); }
  return kill(pid, sig);
};
const text = (e) => (e instanceof Error ? { message: String(e.message), stack: String(e.stack) } : { message: String(e), stack: '' });
// What the probe of the next module relies on: a module that replaced any of it leaves the worker to end.
const kept = [[process, 'exit'], [process, 'abort'], [process, 'kill'], [process, 'on'], [process, 'emit'], [process, 'listenerCount'], [process, 'getActiveResourcesInfo'], [globalThis, 'setTimeout'], [globalThis, 'setInterval'], [globalThis, 'setImmediate'], [globalThis, 'Promise'], [Promise.prototype, 'then'], [globalThis, 'Error'], [Error, 'prepareStackTrace'], [globalThis, 'Atomics'], [Atomics, 'load'], [Atomics, 'store'], [parentPort, 'postMessage'], [parentPort, 'ref'], [parentPort, 'unref']].map(([o, k]) => [o, k, o[k]]);
const untouched = () => {
  for (const [o, k, v] of kept) if (o[k] !== v) return false;
  return true;
};
let probing = false;
process.on('beforeExit', () => {
  if (!probing || !Atomics.load(flag, 3) || Atomics.load(flag, 0) || process.exitCode || process.listenerCount('beforeExit') !== 1 || !untouched()) return;
  probing = false;
  parentPort.ref();
  parentPort.postMessage({ type: 'drained' });
});
// sockspec, which nearly every scenario imports, is loaded while the first module is being compiled.
const preloaded = Promise.all(workerData.preload.map((p) => import(p).catch(() => undefined)));
parentPort.on('message', async ({ url, packages }) => {
  // While a module is probed, only what it started keeps the thread alive.
  parentPort.unref();
  await preloaded;
  for (const i of [0, 1, 2, 3, 5]) Atomics.store(flag, i, 0);
  probing = true;
  // The packages first (their loading time does not count against the module), then the module itself.
  for (const p of packages) {
    try {
      await import(p);
    } catch (e) {
      parentPort.postMessage({ type: 'package', url: p, ...text(e) });
      return;
    }
  }
  Atomics.store(flag, 2, 1);
  parentPort.postMessage({ type: 'packages-loaded' });
  try {
    await import(url);
  } catch (e) {
    parentPort.postMessage({ type: 'threw', ...text(e) });
    return;
  }
  Atomics.store(flag, 3, 1);
  setImmediate(() => {
    Atomics.store(flag, 5, 1);
    parentPort.postMessage({ type: 'evaluated', resources: process.getActiveResourcesInfo() });
  });
});
})();
`;

let running = 0;
const queue: (() => void)[] = [];
async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_PROBES) await new Promise<void>((r) => queue.push(r));
  running++;
  try {
    return await work();
  } finally {
    running--;
    queue.shift()?.();
  }
}

/** Where in `abs` a stack trace of the compiled module points first, if anywhere. */
function positionIn(stack: string, map: SourceMap, abs: string): { line: number; col: number } {
  const name = abs.replace(/^\/+/, '');
  for (const m of stack.matchAll(/data:text\/javascript;base64,[A-Za-z0-9+/=]*:(\d+):(\d+)/g)) {
    const e = map.findEntry(Number(m[1]) - 1, Number(m[2]) - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
    if (e.originalSource !== undefined && e.originalSource.replace(/^[./]+/, '').endsWith(name.replace(/^[./]+/, '')) && e.originalLine !== undefined) {
      return { line: e.originalLine + 1, col: (e.originalColumn ?? 0) + 1 };
    }
  }
  return { line: 0, col: 0 };
}

/** The message of a module that exports no scenario (a helper, unless named as a scenario). */
export function noScenarioExport(names: readonly string[]): string {
  return `a TS scenario exports the scenario as \`default\`${names.length ? ` (found: ${names.join(', ')})` : ''}`;
}

/** First line of an error message, with Node's long explanation of unhandled rejections cut to the reason. */
function firstLine(message: string): string {
  const reason = /The promise rejected with the reason "([^]*)"\.?$/.exec(message);
  return (reason ? reason[1]! : message).split('\n')[0]!.slice(0, 500);
}

/**
 * Compile the TS scenario `abs` and evaluate it in a worker: the compiled module when it evaluated cleanly, else
 * what went wrong. A module that exports neither `default` nor `scenario` is a helper: `ts-export`, not evaluated.
 */
export async function probeTsScenario(abs: string): Promise<{ compiled: CompiledTs } | { problem: ProbeProblem }> {
  compiling++;
  const compiled = await compileTs(abs).finally(() => compiling--);
  if ('problem' in compiled) return compiled;
  if (!compiled.exports.includes('default') && !compiled.exports.includes('scenario')) return { problem: { code: 'ts-export', message: noScenarioExport(compiled.exports), line: 0, col: 0 } };
  const job: Job = { abs, code: compiled.code, map: compiled.sourceMap, packages: compiled.packages };
  // Modules are evaluated one after another in one worker, which starts once (loading sockspec and the
  // packages is most of the cost). A module found faulty in a worker that evaluated others before it
  // is evaluated again in a fresh worker, which alone decides: another module never causes a problem.
  const shared = await takeShared();
  const first = shared.probed === 0;
  const r = await shared.probe(job);
  giveBack(shared, r.reusable);
  const problem = r.problem && !first ? await slot(() => alone(job)) : r.problem;
  return problem ? { problem } : { compiled };
}

interface Job {
  abs: string;
  code: string;
  map: SourceMap;
  packages: string[];
}

/** How long an idle worker waits for another module before it ends. */
const IDLE_MS = 1000;
/** Modules being compiled: the worker waits for them whatever the time (a busy machine compiles slowly). */
let compiling = 0;

let sharedWorker: ProbeWorker | undefined;
let sharedBusy = false;
const waiting: ((w: ProbeWorker) => void)[] = [];
let idleTimer: NodeJS.Timeout | undefined;

/**
 * Start the worker (and esbuild) ahead of the first module, once a TS scenario is in sight: it loads
 * sockspec meanwhile, which is most of its cost. It ends if no module comes.
 */
export function prepareProbe(): void {
  void loadEsbuild().then(
    (e) => e.transform('', {}),
    () => undefined,
  );
  if (sharedBusy || (sharedWorker && sharedWorker.exited === undefined)) return;
  sharedWorker = new ProbeWorker();
  rest(sharedWorker, 3 * IDLE_MS);
}

function takeShared(): Promise<ProbeWorker> {
  if (!sharedBusy) {
    sharedBusy = true;
    clearTimeout(idleTimer);
    if (sharedWorker?.exited !== undefined) sharedWorker = undefined;
    sharedWorker ??= new ProbeWorker();
    return Promise.resolve(sharedWorker);
  }
  return new Promise((r) => waiting.push(r));
}

function giveBack(w: ProbeWorker, reusable: boolean): void {
  if (!reusable) {
    w.end();
    sharedWorker = undefined;
  }
  const next = waiting.shift();
  if (next) {
    next((sharedWorker ??= new ProbeWorker()));
    return;
  }
  sharedBusy = false;
  if (sharedWorker) rest(sharedWorker);
}

/** An idle worker keeps nothing alive, and ends unless another module comes soon. */
function rest(idle: ProbeWorker, ms = IDLE_MS): void {
  idle.idle();
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    if (compiling > 0) rest(idle, ms);
    else if (sharedWorker === idle && !sharedBusy) {
      idle.end();
      sharedWorker = undefined;
    }
  }, ms).unref();
}

async function alone(job: Job): Promise<ProbeProblem | undefined> {
  const w = new ProbeWorker();
  const r = await w.probe(job);
  w.end();
  return r.problem;
}

let started = 0;

/** Probe workers started so far in this process (one for a suite whose TS scenarios are all clean). */
export function probeWorkersStarted(): number {
  return started;
}

/** A worker thread evaluating modules one at a time; `probe` resolves when the module is found clean or faulty. */
class ProbeWorker {
  /** 0-1: exit requested and its code, 2: packages loaded, 3: module evaluated, 4: thread id, 5: 'evaluated' sent. */
  readonly flag = new Int32Array(new SharedArrayBuffer(24));
  readonly worker: Worker;
  /** Modules evaluated (or being evaluated) in this worker. */
  probed = 0;
  private current: ((event: { type: 'message'; m: Message } | { type: 'error'; e: Error & { code?: string } } | { type: 'exit'; code: number }) => void) | undefined;
  /** The worker's exit code, once it has ended. */
  exited: number | undefined;

  constructor() {
    started++;
    this.worker = new Worker(WORKER, {
      eval: true,
      workerData: { shared: this.flag.buffer, preload: [pathToFileURL(selfExport('sockspec')!).href] },
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: 256, stackSizeMb: 4 },
    });
    // What a module prints at import is not shown.
    this.worker.stdout.resume();
    this.worker.stderr.resume();
    this.worker.on('message', (m: Message) => this.current?.({ type: 'message', m }));
    this.worker.on('error', (e: Error & { code?: string }) => this.current?.({ type: 'error', e }));
    this.worker.once('exit', (code) => {
      this.exited = code;
      this.current?.({ type: 'exit', code });
    });
  }

  idle(): void {
    this.worker.unref();
  }

  end(): void {
    void this.worker.terminate();
  }

  probe(job: Job): Promise<{ problem?: ProbeProblem; reusable: boolean }> {
    const { flag, worker } = this;
    worker.ref();
    this.probed++;
    return new Promise((resolve) => {
      let result: ProbeProblem | undefined;
      let evaluated = false;
      const finish = (reusable: boolean) => {
        clearInterval(timer);
        this.current = undefined;
        resolve({ ...(result ? { problem: result } : {}), reusable });
      };
      const problem = (p: ProbeProblem) => {
        result ??= p;
        void worker.terminate();
      };
      // Checked every 100 ms against the thread's times; whether the module evaluated is read from
      // shared memory, which a busy harness cannot deliver late.
      let phase: { what: 'start' | 'evaluate'; budget: number; from: { at: number; times: ReturnType<typeof threadTimes> } } | undefined;
      const begin = (what: 'start' | 'evaluate', budget: number) => {
        phase = { what, budget, from: { at: performance.now(), times: threadTimes(Atomics.load(flag, 4)) } };
      };
      begin('start', TS_PROBE_START_MS);
      const timer = setInterval(() => {
        if (!phase || result) return;
        const tid = Atomics.load(flag, 4);
        // The start phase began before the thread's id was known: measure from the first reading.
        if (!phase.from.times && tid) phase.from.times = threadTimes(tid);
        if (!spent(tid, phase.from, phase.budget, phase.what === 'evaluate' ? TS_PROBE_CPU_MS : phase.budget)) return;
        if (phase.what === 'start' && Atomics.load(flag, 2)) return;
        // Done in the worker but not yet heard of here (the harness is busy): wait for the message.
        if (!evaluated && Atomics.load(flag, 3)) return;
        const ms = phase.budget;
        problem(
          evaluated
            ? { code: 'ts-pending', message: `the module still had work pending ${ms} ms after it was evaluated (a timer, socket or promise it started)`, line: 0, col: 0 }
            : phase.what === 'start'
              ? { code: 'ts-hang', message: `the packages the module imports did not load within ${ms} ms`, line: 0, col: 0 }
              : { code: 'ts-hang', message: `the module did not finish evaluating: it ran ${TS_PROBE_CPU_MS} ms of CPU or waited ${ms} ms (an endless loop, or a top-level await that does not settle)`, line: 0, col: 0 },
        );
      }, 100);
      let late: (Error & { code?: string }) | undefined;
      const failed = (e: Error & { code?: string }) => {
        if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') problem({ code: 'ts-memory', message: 'the module ran out of memory when imported', line: 0, col: 0 });
        else problem({ code: evaluated ? 'ts-uncaught' : 'ts-throw', message: `${evaluated ? 'an error escapes the module after its import' : 'the module throws when imported'}: ${firstLine(e.message)}`, ...positionIn(e.stack ?? '', job.map, job.abs) });
      };
      const onExit = (exitCode: number) => {
        if (late && !evaluated) failed(late);
        const what = Atomics.load(flag, 0);
        if (!result && what) {
          const how = what === 1 ? `calls process.exit(${Atomics.load(flag, 1)})` : what === 2 ? 'calls process.abort()' : 'kills its own process';
          result = { code: 'ts-exit', message: `the module ${how} when imported`, line: 0, col: 0 };
        }
        if (!result && !evaluated) result = { code: 'ts-hang', message: 'the module never finished evaluating (a top-level await that never settles)', line: 0, col: 0 };
        if (!result && exitCode !== 0) result = { code: 'ts-exit', message: `the module ended its thread with status ${exitCode}`, line: 0, col: 0 };
        finish(false);
      };
      this.current = (ev) => {
        if (ev.type === 'exit') return onExit(ev.code);
        if (ev.type === 'error') {
          // Errors come on a channel of their own: one thrown after the worker said the module evaluated
          // may overtake that message, which is then judged first, as it came first.
          if (!evaluated && Atomics.load(flag, 5)) late = ev.e;
          else failed(ev.e);
          return;
        }
        const m = ev.m;
        if (m.type === 'packages-loaded') begin('evaluate', TS_PROBE_DEADLINE_MS);
        else if (m.type === 'package') problem({ code: 'ts-load', message: `a package it imports fails to load: ${firstLine(m.message ?? '')}`, line: 0, col: 0 });
        else if (m.type === 'threw') problem({ code: 'ts-throw', message: `the module throws when imported: ${firstLine(m.message ?? '')}`, ...positionIn(m.stack ?? '', job.map, job.abs) });
        else if (m.type === 'evaluated') {
          evaluated = true;
          // The worker's loop should now empty by itself; if it does not, something the resources did not show keeps it.
          begin('evaluate', TS_PROBE_DEADLINE_MS);
          const left = (m.resources ?? []).filter((r) => r !== 'MessagePort');
          if (left.length) problem({ code: 'ts-pending', message: `the module leaves work running after its import: ${[...new Set(left)].join(', ')} (start timers and sockets in \`script\`, not at import)`, line: 0, col: 0 });
          if (late) failed(late);
        } else if (m.type === 'drained' && evaluated && !result) finish(true);
      };
      // The count keeps each module's URL its own: one evaluated before in this worker is evaluated again.
      const url = `data:text/javascript;base64,${Buffer.from(`${job.code}\n// ${this.probed}\n`).toString('base64')}`;
      worker.postMessage({ url, packages: job.packages });
    });
  }
}

type Message = { type: string; message?: string; stack?: string; resources?: string[] };
