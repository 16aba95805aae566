/**
 * A TypeScript scenario is run once in a worker thread before it is imported for
 * real, so that a module that throws, rejects, loops, never settles its top-level
 * await, leaves a timer running or calls `process.exit` at import is reported as a
 * scenario error instead of ending, crashing or hanging the harness.
 *
 * The file is compiled with esbuild into one ES module (its relative imports bundled
 * in, packages imported from where they are installed, `import.meta` pointing at the
 * file) and evaluated in a fresh worker under a deadline. The module must evaluate
 * and then leave nothing behind: a timer, socket or pending promise still active once
 * it has evaluated is an error too (`ts-pending`), because in the harness it would
 * run during the scenarios and keep the process alive after them. Only a module that
 * passes is imported into the harness.
 */
import { readFileSync } from 'node:fs';
import { builtinModules, SourceMap } from 'node:module';
import { isAbsolute, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { selfExport } from './self-import.js';

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

export interface ProbeProblem {
  code: 'ts-export' | 'ts-syntax' | 'ts-load' | 'ts-throw' | 'ts-uncaught' | 'ts-exit' | 'ts-hang' | 'ts-pending' | 'ts-memory';
  message: string;
  /** 1-based; 0 when no place in the file is known. */
  line: number;
  col: number;
}

type EsbuildMessage = { text: string; location: { file: string; line: number; column: number } | null };
type Esbuild = {
  build(options: object): Promise<{ outputFiles: { path: string; text: string }[]; metafile: { outputs: Record<string, { exports: string[] }> } }>;
};

/** Compile `abs` and its relative imports into one ES module, or the first compile error. */
async function bundle(abs: string): Promise<{ code: string; map: SourceMap | undefined; packages: string[]; exports: string[] } | { problem: ProbeProblem }> {
  const esbuild = (await import('esbuild')) as unknown as Esbuild;
  const builtins = new Set(builtinModules);
  const packages = new Set<string>();
  const url = pathToFileURL(abs).href;
  try {
    const out = await esbuild.build({
      entryPoints: [abs],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'external',
      outfile: '/sockspec-probe.js',
      sourcesContent: false,
      metafile: true,
      logLevel: 'silent',
      absWorkingDir: '/',
      define: {
        'import.meta.url': JSON.stringify(url),
        'import.meta.filename': JSON.stringify(abs),
        'import.meta.dirname': JSON.stringify(abs.replace(/\/[^/]*$/, '') || '/'),
        // As tsx gives them to a module it compiles to CommonJS (outside an ESM package).
        __filename: JSON.stringify(abs),
        __dirname: JSON.stringify(abs.replace(/\/[^/]*$/, '') || '/'),
      },
      plugins: [
        {
          name: 'packages-where-installed',
          setup(build: { onResolve: Function; resolve: Function }) {
            build.onResolve({ filter: /^[^./]/ }, async (args: { path: string; kind: string; resolveDir: string; pluginData?: unknown }) => {
              if (args.pluginData === 'inner') return undefined;
              if (args.path.startsWith('node:') || builtins.has(args.path)) return { path: args.path, external: true };
              // sockspec itself is the running one, wherever the scenario is.
              const self = selfExport(args.path);
              if (self) {
                const href = pathToFileURL(self).href;
                packages.add(href);
                return { path: href, external: true };
              }
              const r = (await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'inner' })) as { path: string; errors: EsbuildMessage[] };
              if (r.errors.length || !isAbsolute(r.path)) return { errors: r.errors };
              const href = pathToFileURL(r.path).href;
              packages.add(href);
              return { path: href, external: true };
            });
          },
        },
      ],
    });
    const js = out.outputFiles.find((f) => f.path.endsWith('.js'))!;
    const map = out.outputFiles.find((f) => f.path.endsWith('.map'));
    const exports = Object.values(out.metafile.outputs).flatMap((o) => o.exports);
    return { code: js.text, map: map ? new SourceMap(JSON.parse(map.text) as ConstructorParameters<typeof SourceMap>[0]) : undefined, packages: [...packages], exports };
  } catch (e) {
    const first = (e as { errors?: EsbuildMessage[] }).errors?.[0];
    if (!first) return { problem: { code: 'ts-load', message: (e as Error).message.split('\n')[0] ?? 'cannot compile', line: 0, col: 0 } };
    const loc = first.location;
    const inFile = loc && ('/' + loc.file.replace(/^\/+/, '') === abs || loc.file === relative('/', abs));
    const code = /could not resolve|no matching export|cannot find/i.test(first.text) ? 'ts-load' : 'ts-syntax';
    if (loc && inFile) return { problem: { code, message: first.text, line: loc.line, col: loc.column + 1 } };
    return { problem: { code, message: loc ? `${first.text} (in /${loc.file.replace(/^\/+/, '')}:${loc.line}:${loc.column + 1})` : first.text, line: 0, col: 0 } };
  }
}

// The worker: module code as a data: URL; process.exit and friends recorded in shared memory.
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const flag = new Int32Array(workerData.shared);
// The thread's id, for the harness to read its CPU and sleep time (Linux; 0 elsewhere).
try { Atomics.store(flag, 4, Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop()) || 0); } catch {}
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
(async () => {
  // The packages first (their loading time does not count against the module), then the module itself.
  for (const p of workerData.packages) {
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
    await import(workerData.url);
  } catch (e) {
    parentPort.postMessage({ type: 'threw', ...text(e) });
    return;
  }
  Atomics.store(flag, 3, 1);
  setImmediate(() => parentPort.postMessage({ type: 'evaluated', resources: process.getActiveResourcesInfo() }));
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
function positionIn(stack: string, map: SourceMap | undefined, abs: string): { line: number; col: number } {
  if (!map) return { line: 0, col: 0 };
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
 * Evaluate the TS scenario `abs` in a worker: undefined when it evaluated cleanly, else what went wrong.
 * A module that exports neither `default` nor `scenario` is a helper: `ts-export`, and it is not evaluated.
 */
export function probeTsScenario(abs: string): Promise<ProbeProblem | undefined> {
  return slot(async () => {
    const compiled = await bundle(abs);
    if ('problem' in compiled) return compiled.problem;
    if (!compiled.exports.includes('default') && !compiled.exports.includes('scenario')) return { code: 'ts-export', message: noScenarioExport(compiled.exports), line: 0, col: 0 };
    return evaluate(abs, compiled.code, compiled.map, compiled.packages);
  });
}

function evaluate(abs: string, code: string, map: SourceMap | undefined, packages: string[]): Promise<ProbeProblem | undefined> {
  const shared = new SharedArrayBuffer(20);
  const flag = new Int32Array(shared);
  const url = `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`;
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { url, shared, packages },
    stdout: true,
    stderr: true,
    resourceLimits: { maxOldGenerationSizeMb: 256, stackSizeMb: 4 },
  });
  // What the module prints at import is not shown.
  worker.stdout.resume();
  worker.stderr.resume();
  return new Promise((resolve) => {
    let result: ProbeProblem | undefined;
    let evaluated = false;
    let settled = false;
    let timer: NodeJS.Timeout | undefined = undefined;
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
    timer = setInterval(() => {
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
    worker.on('message', (m: { type: string; message?: string; stack?: string; resources?: string[] }) => {
      if (m.type === 'packages-loaded') begin('evaluate', TS_PROBE_DEADLINE_MS); else if (m.type === 'package') problem({ code: 'ts-load', message: `a package it imports fails to load: ${firstLine(m.message ?? '')}`, line: 0, col: 0 });
      else if (m.type === 'threw') problem({ code: 'ts-throw', message: `the module throws when imported: ${firstLine(m.message ?? '')}`, ...positionIn(m.stack ?? '', map, abs) });
      else if (m.type === 'evaluated') {
        evaluated = true;
        // The worker should now end by itself; if it does not, something the resources did not show keeps it.
        begin('evaluate', TS_PROBE_DEADLINE_MS);
        const left = (m.resources ?? []).filter((r) => r !== 'MessagePort');
        if (left.length) problem({ code: 'ts-pending', message: `the module leaves work running after its import: ${[...new Set(left)].join(', ')} (start timers and sockets in \`script\`, not at import)`, line: 0, col: 0 });
      }
    });
    worker.on('error', (e: Error & { code?: string }) => {
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') problem({ code: 'ts-memory', message: 'the module ran out of memory when imported', line: 0, col: 0 });
      else problem({ code: evaluated ? 'ts-uncaught' : 'ts-throw', message: `${evaluated ? 'an error escapes the module after its import' : 'the module throws when imported'}: ${firstLine(e.message)}`, ...positionIn(e.stack ?? '', map, abs) });
    });
    worker.once('exit', (exitCode) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      const what = Atomics.load(flag, 0);
      if (!result && what) {
        const how = what === 1 ? `calls process.exit(${Atomics.load(flag, 1)})` : what === 2 ? 'calls process.abort()' : 'kills its own process';
        result = { code: 'ts-exit', message: `the module ${how} when imported`, line: 0, col: 0 };
      }
      if (!result && !evaluated) result = { code: 'ts-hang', message: 'the module never finished evaluating (a top-level await that never settles)', line: 0, col: 0 };
      if (!result && exitCode !== 0) result = { code: 'ts-exit', message: `the module ended its thread with status ${exitCode}`, line: 0, col: 0 };
      resolve(result);
    });
  });
}
