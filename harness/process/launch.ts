/**
 * Start the program under test in its own process group, record its output and
 * its end, and take the whole group down on `stop` whatever state it is in.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Capture, DEFAULT_CAPTURE_LIMIT } from './capture.js';
import { describeSpawnError } from './spawn-error.js';
import { registerGroup, signalGroup, unregisterGroup } from './process-groups.js';
import { createStdin } from './stdin.js';
import { watchExit, type ExitInfo } from './exit-watch.js';

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
  /** SIGTERM the group, SIGKILL it after `graceMs`, and SIGKILL what the leader left behind. Idempotent. */
  stop(graceMs?: number): Promise<ExitInfo>;
}

/** How long `stop` waits for the leader after SIGKILL before reporting it as unkillable. */
const AFTER_KILL_MS = 5000;

/** Start `argv` (no shell) in a new process group with piped stdio; a failure to start becomes an `exited` value. */
export function launch(options: LaunchOptions): Launched {
  const { argv } = options;
  const name = options.name ?? argv[0] ?? '(empty command)';
  const startedAt = Date.now();
  const t0 = performance.now();
  const stdout = new Capture(options.captureLimit ?? DEFAULT_CAPTURE_LIMIT);
  const stderr = new Capture(options.captureLimit ?? DEFAULT_CAPTURE_LIMIT);
  const outListeners = new Set<(chunk: Buffer) => void>();
  const errListeners = new Set<(chunk: Buffer) => void>();
  const subscribe = (set: Set<(chunk: Buffer) => void>) => (listener: (chunk: Buffer) => void) => {
    set.add(listener);
    return () => void set.delete(listener);
  };
  const failed = (error: string): Launched => {
    const exited = Promise.resolve<ExitInfo>({ code: null, signal: null, durationMs: performance.now() - t0, error });
    const noop = () => () => {};
    return { pid: 0, name, startedAt, exited, stdout, stderr, onStdout: noop, onStderr: noop, write: () => false, closeStdin: () => {}, stop: () => exited };
  };
  if (argv.length === 0 || argv[0] === '') return failed('cannot start the program: the command is empty');

  let child: ChildProcessWithoutNullStreams;
  try {
    child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: 'pipe', shell: false, env: cleanEnv(options.env), ...(options.cwd ? { cwd: options.cwd } : {}) });
  } catch (e) {
    return failed(describeSpawnError(e, argv, options.cwd));
  }
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

  let stopping: Promise<ExitInfo> | undefined;
  const stop = (graceMs = 2000): Promise<ExitInfo> => {
    stopping ??= (async () => {
      if (pid === 0) return watch.exited;
      if (!watch.leaderExited()) {
        signalGroup(pid, 'SIGTERM');
        await watch.leaderExit(graceMs);
      }
      // Whether or not the leader went, take down everything left in its group.
      signalGroup(pid, 'SIGKILL');
      unregisterGroup(pid);
      stdin.close();
      return watch.settle(AFTER_KILL_MS);
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
  };
}

function cleanEnv(env: Record<string, string | undefined> | undefined): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env ?? process.env)) if (v !== undefined) out[k] = v;
  return out;
}
