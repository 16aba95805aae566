/**
 * Start the program under test in its own process group, record its output and
 * its end, and take the whole group down on `stop` whatever state it is in.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Capture, DEFAULT_CAPTURE_LIMIT } from './capture.js';
import { describeSpawnError } from './spawn-error.js';
import { isRegistered, registerGroup, signalGroup, unregisterGroup } from './process-groups.js';
import { createStdin } from './stdin.js';
import { watchExit, type ExitInfo } from './exit-watch.js';
import { markedProcesses, nextOwnerMark, OWNER_VAR, pidPoint, type MarkedProcess, type PidPoint } from './owner-marker.js';
import { RemoteSpawnError, spawnRemote, type SpawnedChild } from './spawner.js';
import type { StopProblem } from './stop-problems.js';

export { installCleanup, killAllNow, listGroups } from './process-groups.js';
export type { ExitInfo } from './exit-watch.js';

export interface LaunchOptions {
  argv: string[];
  /** The whole environment of the program (undefined values are left out); default: ours. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** For messages; default: the first word of argv. */
  name?: string;
  /** Bytes kept per output stream; default 1 MiB (first half and last half). */
  captureLimit?: number;
}

export interface Launched {
  /** The leader's pid, which is also the group id; 0 when the program could not be started. */
  readonly pid: number;
  readonly name: string;
  /** Epoch milliseconds at launch. */
  readonly startedAt: number;
  /** Resolves once the leader exited and its output was read; never rejects. */
  readonly exited: Promise<ExitInfo>;
  readonly stdout: Capture;
  readonly stderr: Capture;
  /** Listen to stdout chunks as they arrive; returns an unsubscriber. */
  onStdout(listener: (chunk: Buffer) => void): () => void;
  /** Listen to stderr chunks as they arrive; returns an unsubscriber. */
  onStderr(listener: (chunk: Buffer) => void): () => void;
  /** Write to stdin; false when it is closed or the program is gone. Never throws. */
  write(data: string | Uint8Array): boolean;
  /** End stdin (the program reads EOF). Never throws. */
  closeStdin(): void;
  /**
   * SIGTERM the group, SIGKILL it after `graceMs`, and SIGKILL what the leader left
   * behind, in its group or out of it (found by its mark). Idempotent. What went wrong
   * (`ignored-sigterm`, `leaked-process`, `killed-by-signal`) is in the result's
   * `problems`, the same for every call.
   */
  stop(graceMs?: number): Promise<ExitInfo & { problems?: StopProblem[] }>;
  /** The value of SOCKSPEC_OWNER in its environment (empty when it was not started). */
  readonly mark: string;
}

/** How long `stop` waits for the leader after SIGKILL before reporting it as unkillable. */
const AFTER_KILL_MS = 5000;

/** What a launch starts from: the time, the captures, and a way to report a failure to start. */
interface Beginning {
  name: string;
  startedAt: number;
  t0: number;
  stdout: Capture;
  stderr: Capture;
  failed(error: string): Launched;
}

function begin(options: LaunchOptions): Beginning {
  const name = options.name ?? options.argv[0] ?? '(empty command)';
  const startedAt = Date.now();
  const t0 = performance.now();
  const stdout = new Capture(options.captureLimit ?? DEFAULT_CAPTURE_LIMIT);
  const stderr = new Capture(options.captureLimit ?? DEFAULT_CAPTURE_LIMIT);
  const failed = (error: string): Launched => {
    const exited = Promise.resolve<ExitInfo>({ code: null, signal: null, durationMs: performance.now() - t0, error });
    const noop = () => () => {};
    return { pid: 0, name, startedAt, exited, stdout, stderr, onStdout: noop, onStderr: noop, write: () => false, closeStdin: () => {}, stop: () => exited, mark: '' };
  };
  return { name, startedAt, t0, stdout, stderr, failed };
}

const EMPTY_COMMAND = 'cannot start the program: the command is empty';

/** Start `argv` (no shell) in a new process group with piped stdio; a failure to start becomes an `exited` value. */
export function launch(options: LaunchOptions): Launched {
  const { argv } = options;
  const b = begin(options);
  if (argv.length === 0 || argv[0] === '') return b.failed(EMPTY_COMMAND);
  // Whatever the program starts gets a pid handed out after this point: its stop looks at those only.
  return launchWith(options, b, nextOwnerMark(), pidPoint());
}

/** `launch` from what it began with: the harness forks. */
function launchWith(options: LaunchOptions, b: Beginning, mark: string, since: PidPoint | undefined): Launched {
  const { argv } = options;
  let child: ChildProcessWithoutNullStreams;
  try {
    child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: 'pipe', shell: false, env: programEnv(options, mark), ...(options.cwd ? { cwd: options.cwd } : {}) });
  } catch (e) {
    return b.failed(describeSpawnError(e, argv, options.cwd));
  }
  return follow(child, options, b, mark, since);
}

/**
 * `launch`, with the program started by the spawner (spawner.ts) where there is one:
 * the harness neither forks nor waits for the exec. Resolves once the program runs
 * (its pid known and its pipes ours) or could not be started.
 */
export async function launchAsync(options: LaunchOptions): Promise<Launched> {
  const { argv } = options;
  if (argv.length === 0 || argv[0] === '') return launch(options);
  const b = begin(options);
  const mark = nextOwnerMark();
  const since = pidPoint();
  const child = await spawnRemote(argv[0]!, argv.slice(1), { env: programEnv(options, mark), ...(options.cwd ? { cwd: options.cwd } : {}) });
  if (child === 'no-spawner') return launchWith(options, b, mark, since);
  if (child === 'abandoned') {
    // The spawner may have started it before it went: nothing of that start (found by its mark, the leader and all it
    // started) runs on beside the one we make now.
    for (const p of markedProcesses((m) => m === mark, since)) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    return launch(options);
  }
  if (child instanceof RemoteSpawnError) return b.failed(describeSpawnError(child, argv, options.cwd));
  return follow(child, options, b, mark, since);
}

function programEnv(options: LaunchOptions, mark: string): NodeJS.ProcessEnv {
  return { ...cleanEnv(options.env), [OWNER_VAR]: mark };
}

/** Everything after the start: the group registered, output captured, the exit watched, and the stop. */
function follow(child: SpawnedChild | ChildProcessWithoutNullStreams, options: LaunchOptions, b: Beginning, mark: string, since: PidPoint | undefined): Launched {
  const { argv } = options;
  const { name, startedAt, t0, stdout, stderr } = b;
  const outListeners = new Set<(chunk: Buffer) => void>();
  const errListeners = new Set<(chunk: Buffer) => void>();
  const subscribe = (set: Set<(chunk: Buffer) => void>) => (listener: (chunk: Buffer) => void) => {
    set.add(listener);
    return () => void set.delete(listener);
  };
  const pid = child.pid ?? 0;
  registerGroup(pid, name);
  const deliver = (capture: Capture, set: Set<(chunk: Buffer) => void>) => (chunk: Buffer) => {
    capture.add(chunk);
    for (const l of [...set]) l(chunk);
  };
  child.stdout.on('data', deliver(stdout, outListeners));
  child.stderr.on('data', deliver(stderr, errListeners));
  // A read error on a pipe only ends that stream; the exit is still reported by `exited`.
  child.stdout.on('error', () => {});
  child.stderr.on('error', () => {});
  const stdin = createStdin(child.stdin);
  const watch = watchExit(child, t0, (e) => describeSpawnError(e, argv, options.cwd));

  let stopping: Promise<ExitInfo & { problems?: StopProblem[] }> | undefined;
  const stop = (graceMs = 2000) => {
    stopping ??= (async () => {
      if (pid === 0) return watch.exited;
      const problems: StopProblem[] = [];
      let sent: string | undefined;
      if (!watch.leaderExited()) {
        const t = performance.now();
        sent = 'SIGTERM';
        signalGroup(pid, 'SIGTERM');
        if (!(await watch.leaderExit(graceMs))) {
          problems.push({ code: 'ignored-sigterm', message: `${name} (pid ${pid}) did not exit within ${graceMs} ms of SIGTERM: killed with SIGKILL` });
        } else {
          const stayed = await lingering(pid, mark, since, graceMs - (performance.now() - t));
          if (stayed.length > 0) problems.push({ code: 'ignored-sigterm', message: `${stayed.length === 1 ? 'a process' : `${stayed.length} processes`} of the group of ${name} did not exit within ${graceMs} ms of SIGTERM: killed with SIGKILL: ${stayed.map(describe).join('; ')}` });
        }
      }
      // A signal we did not send (SIGSEGV, or SIGKILL while the group was still ours to kill) is the program's own end.
      const own = watch.leaderInfo()?.signal;
      if (own && own !== sent && (own !== 'SIGKILL' || isRegistered(pid))) problems.push({ code: 'killed-by-signal', message: `${name} (pid ${pid}) died of ${own} before the harness stopped it` });
      // Whether or not the leader went, take down everything left in its group…
      signalGroup(pid, 'SIGKILL');
      unregisterGroup(pid);
      stdin.close();
      // …and whatever it started that left the group (a daemon), found by its mark.
      for (const p of killEscapees(pid, mark, since)) problems.push({ code: 'leaked-process', message: `${describe(p)} was still running after ${name} (pid ${pid}) was stopped, outside its process group: killed with SIGKILL` });
      const info = await watch.settle(AFTER_KILL_MS);
      return problems.length > 0 ? { ...info, problems } : info;
    })();
    return stopping;
  };
  return {
    pid,
    name,
    startedAt,
    exited: watch.exited,
    stdout,
    stderr,
    onStdout: subscribe(outListeners),
    onStderr: subscribe(errListeners),
    write: stdin.write,
    closeStdin: stdin.close,
    stop,
    mark,
  };
}

/** `pid 12 (sleep 300)`. */
function describe(p: MarkedProcess): string {
  return `pid ${p.pid} (${p.command || '?'})`;
}

/**
 * Processes of group `pgid` still running `ms` after its leader went on SIGTERM (they
 * ignore it): waits for them up to `ms`, looking with growing pauses; [] once the group is empty.
 */
async function lingering(pgid: number, mark: string, since: PidPoint | undefined, ms: number): Promise<MarkedProcess[]> {
  const until = performance.now() + Math.max(0, ms);
  for (let pause = 1; ; pause = Math.min(50, pause * 2)) {
    // Signal 0 only asks whether anyone (a zombie included) is left: the usual answer, no, costs no look at /proc.
    if (!signalGroup(pgid, 0)) return [];
    const members = markedProcesses((m) => m === mark, since).filter((p) => p.pgid === pgid);
    if (members.length === 0 || performance.now() >= until) return members;
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, Math.max(1, until - performance.now()))));
  }
}

/** SIGKILL the processes carrying `mark` outside group `pgid`, looking again while new ones appear (bounded); returns them. */
function killEscapees(pgid: number, mark: string, since: PidPoint | undefined): MarkedProcess[] {
  const found = new Map<number, MarkedProcess>();
  for (let pass = 0; pass < 5; pass++) {
    const fresh = markedProcesses((m) => m === mark, since).filter((p) => p.pgid !== pgid && !found.has(p.pid));
    if (fresh.length === 0) break;
    for (const p of fresh) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
      if (!found.has(p.pid)) found.set(p.pid, p);
    }
  }
  return [...found.values()];
}

function cleanEnv(env: Record<string, string | undefined> | undefined): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env ?? process.env)) if (v !== undefined) out[k] = v;
  return out;
}
