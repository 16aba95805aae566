/**
 * Programs started by a small helper process (`spawner.mjs`) rather than by the harness
 * itself. libuv forks in the calling thread: the fork copies the page tables of the
 * whole process (a harness of 150–250 MiB pays 5–8 ms for each), every page the
 * harness writes to afterwards that the fork left shared costs it a fault, and the
 * main thread is held until the child has exec'd, which on a busy machine is most of
 * the time. The helper forks from a few dozen MiB, its answers come as events, and the
 * harness gets the program's pipe ends, passed over the IPC channel, as its own.
 *
 * Only under Node on Linux (the pipe ends are taken from Node's own child streams; Bun
 * and Deno start programs directly, as does a harness whose helper could not be started,
 * kept dying, or did not answer). One helper per harness process at a time, started at
 * the first program, in a process group of its own without the harness's mark; it exits
 * when the harness does, however. Neither it nor its channel keeps the harness alive
 * while no program of it runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';
import { resolve } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';
import { helperEnv } from './owner-marker.js';

/** The helper's script, shipped beside the compiled code's sources. */
export const SPAWNER_SCRIPT = resolve(PACKAGE_ROOT, 'harness/process/spawner.mjs');

/** What `launch` uses of a child process: its pid, its three pipe ends, `exit`, `close` and `error`. */
export interface SpawnedChild extends EventEmitter {
  readonly pid: number | undefined;
  readonly stdin: Socket;
  readonly stdout: Socket;
  readonly stderr: Socket;
}

type Reply = { id: number; pid?: number; fd?: number; exit?: [number | null, string | null]; error?: { code?: string; errno?: number; syscall?: string; path?: string; message: string }; unsupported?: string };

/**
 * How long a start waits for the spawner's answer before the spawner is taken for
 * broken (stopped, or wedged): it is killed, and the program started by the harness
 * itself. Far above what a start takes on the busiest machine: it bounds a wait, it
 * does not pace one.
 */
let answerMs = 30_000;

/** For tests: a shorter wait for the spawner's answer; returns the one before. */
export function setSpawnerAnswerMs(ms: number): number {
  const before = answerMs;
  answerMs = ms;
  return before;
}

/** A program the helper started: an EventEmitter shaped as much like a ChildProcess as `launch` needs. */
class RemoteChild extends EventEmitter implements SpawnedChild {
  pid: number | undefined;
  readonly ends: (Socket | undefined)[] = [];
  #exit: [number | null, string | null] | undefined;
  #open = 2;

  get stdin(): Socket {
    return this.ends[0]!;
  }
  get stdout(): Socket {
    return this.ends[1]!;
  }
  get stderr(): Socket {
    return this.ends[2]!;
  }

  /** A pipe end arrived; the reading ones count towards `close`. */
  end(fd: number, socket: Socket): void {
    this.ends[fd] = socket;
    if (fd === 0) return;
    socket.once('close', () => {
      this.#open--;
      this.#maybeClose();
    });
  }

  exited(code: number | null, signal: string | null): void {
    if (this.#exit) return;
    this.#exit = [code, signal];
    this.emit('exit', code, signal);
    this.#maybeClose();
  }

  #maybeClose(): void {
    if (this.#exit && this.#open === 0) this.emit('close', ...this.#exit);
  }
}

interface Pending {
  child: RemoteChild;
  /** Settles once the pid and the three pipe ends arrived, or the start failed. */
  settle: (ok: boolean) => void;
  error?: Reply['error'];
}

interface Helper {
  process: ChildProcess;
  pending: Map<number, Pending>;
  /** Programs started and not yet exited, by request id: while there are any, the channel keeps us alive. */
  running: Map<number, RemoteChild>;
  usage?: { userUs: number; systemUs: number };
}

/** Undefined until the first program; null when it cannot be used (we start programs ourselves). */
let helper: Helper | null | undefined;
let nextId = 0;
/** Set when a spawner said it cannot pass pipes on under this Node: none is started again. */
let unusable = false;
/** Spawners that died or were given up on in this process, and how many of those end the attempts. */
let deaths = 0;
const MAX_DEATHS = 3;

function usable(): boolean {
  const versions = process.versions as Record<string, string | undefined>;
  return !unusable && process.platform === 'linux' && versions.bun === undefined && versions.deno === undefined && process.env.SOCKSPEC_SPAWNER !== '0';
}

/** Give up on helper `h`: killed, and what it was starting or had started settled as by its death. */
function abandon(h: Helper): void {
  try {
    h.process.kill('SIGKILL');
  } catch {
    // gone already
  }
  h.process.emit('disconnect');
}

function channelRef(h: Helper, on: boolean): void {
  const channel = (h.process as unknown as { channel?: { ref(): void; unref(): void } }).channel;
  if (on) channel?.ref();
  else channel?.unref();
}

function startHelper(): Helper | null {
  if (!usable()) return null;
  const env = helperEnv();
  // Nor does it write coverage meant for the programs.
  delete env.NODE_V8_COVERAGE;
  let child: ChildProcess;
  try {
    // A young generation of 1 MiB semi-spaces: the garbage of each start is small, and a spawner whose heap grew to
    // V8's default (16 MiB semi-spaces) would fork from 90 MiB after a few thousand starts instead of 60.
    child = spawn(process.execPath, ['--max-semi-space-size=1', SPAWNER_SCRIPT], { detached: true, stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env });
  } catch {
    return null;
  }
  const h: Helper = { process: child, pending: new Map(), running: new Map() };
  child.on('message', (m: Reply & { usage?: Helper['usage'] }, handle: unknown) => onReply(h, m, handle));
  const gone = () => {
    // The next program gets a new spawner, unless they keep dying: after a few, the harness starts its programs itself.
    if (helper === h) helper = ++deaths < MAX_DEATHS ? undefined : null;
    // What it had started is no longer followed: say so as an exit of unknown status (its pipes still end as they do).
    for (const p of h.pending.values()) p.settle(false);
    h.pending.clear();
    for (const c of h.running.values()) c.exited(null, null);
    h.running.clear();
  };
  child.on('error', gone);
  child.on('exit', gone);
  child.on('disconnect', gone);
  child.unref();
  channelRef(h, false);
  return h;
}

function onReply(h: Helper, m: Reply & { usage?: Helper['usage'] }, handle: unknown): void {
  if (m.usage) {
    h.usage = m.usage;
    return;
  }
  const p = h.pending.get(m.id);
  // A pipe end of a start given up on meanwhile: ours to close, or its descriptor stays open in this process.
  if (!p && handle) (handle as { close?: () => void }).close?.();
  if (p) {
    if (m.unsupported !== undefined) {
      // Not to be asked again: this harness starts its programs itself from now on.
      unusable = true;
      abandon(h);
      return;
    }
    if (m.error) {
      p.error = m.error;
      h.pending.delete(m.id);
      p.settle(false);
      return;
    }
    if (m.pid !== undefined) p.child.pid = m.pid;
    if (m.fd !== undefined && handle) {
      p.child.end(m.fd, new Socket({ handle, readable: m.fd > 0, writable: m.fd === 0 } as ConstructorParameters<typeof Socket>[0]));
      if (p.child.ends.filter(Boolean).length === 3) {
        h.pending.delete(m.id);
        h.running.set(m.id, p.child);
        p.settle(true);
      }
    }
  }
  if (m.exit) {
    // Always after the pid and pipe ends: the helper sends them first, and messages keep their order.
    const c = h.running.get(m.id);
    h.running.delete(m.id);
    c?.exited(m.exit[0], m.exit[1]);
    if (h.running.size === 0 && h.pending.size === 0) channelRef(h, false);
  }
}

/** A start the helper could not make: what `spawn` would have thrown or emitted. */
export class RemoteSpawnError extends Error {
  constructor(
    readonly code: string | undefined,
    message: string,
    readonly errno?: number,
    readonly syscall?: string,
    readonly path?: string,
  ) {
    super(message);
  }
}

/**
 * Start `file args` through the helper: the child, once its pid and pipe ends are
 * ours; a `RemoteSpawnError` when it could not be started; `'no-spawner'` when there
 * is no helper to ask, `'abandoned'` when the helper died or was given up on during
 * the start (it may have started the program all the same: what carries its mark is
 * the caller's to kill). Either way, start it yourself.
 */
export async function spawnRemote(file: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string }): Promise<SpawnedChild | RemoteSpawnError | 'no-spawner' | 'abandoned'> {
  if (helper === undefined) helper = startHelper();
  const h = helper;
  if (!h || !h.process.connected) return 'no-spawner';
  const id = ++nextId;
  const child = new RemoteChild();
  const started = new Promise<boolean>((settle) => h.pending.set(id, { child, settle }));
  const pending = h.pending.get(id)!;
  channelRef(h, true);
  try {
    h.process.send({ id, file, args, env: options.env, ...(options.cwd ? { cwd: options.cwd } : {}) });
  } catch {
    h.pending.delete(id);
    return 'no-spawner';
  }
  let timer: NodeJS.Timeout | undefined;
  const ok = await Promise.race([
    started,
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => {
        // No answer in all that time: a spawner stopped or wedged. Whatever it was starting is settled by `gone`.
        abandon(h);
        resolve(false);
      }, answerMs);
    }),
  ]);
  clearTimeout(timer);
  if (h.running.size === 0 && h.pending.size === 0) channelRef(h, false);
  if (ok) return child;
  for (const s of child.ends) s?.destroy();
  if (pending.error) return new RemoteSpawnError(pending.error.code, pending.error.message, pending.error.errno, pending.error.syscall, pending.error.path);
  return 'abandoned';
}

/** The helper's pid, or undefined when none runs (for tests). */
export function spawnerPid(): number | undefined {
  return helper ? helper.process.pid : undefined;
}

/**
 * Let the helper go and wait (at most `ms`) until it has, its own CPU time asked of it
 * first (added up under SPAWNER_USAGE). After this, a later program starts a new helper.
 */
export async function closeSpawner(ms = 2000): Promise<void> {
  const h = helper;
  helper = undefined;
  if (!h) return;
  const done = new Promise<void>((r) => {
    if (h.process.exitCode !== null || h.process.signalCode !== null) r();
    else h.process.once('exit', () => r());
  });
  channelRef(h, true);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((r) => (timer = setTimeout(r, ms)));
  try {
    if (h.process.connected) {
      const usage = new Promise<void>((r) => {
        const check = () => (h.usage ? r() : undefined);
        h.process.on('message', check);
        h.process.send({ bye: true });
      });
      await Promise.race([usage, late]);
      if (h.process.connected) h.process.disconnect();
    }
    await Promise.race([done, late]);
    if (h.process.exitCode === null && h.process.signalCode === null) h.process.kill('SIGKILL');
  } finally {
    clearTimeout(timer);
  }
  if (h.usage) {
    // For a probe that measures the run from outside its modules (the bench's): the helper is the harness's work.
    const g = globalThis as Record<symbol, unknown>;
    const sum = (g[SPAWNER_USAGE] as { userUs: number; systemUs: number } | undefined) ?? { userUs: 0, systemUs: 0 };
    g[SPAWNER_USAGE] = { userUs: sum.userUs + h.usage.userUs, systemUs: sum.systemUs + h.usage.systemUs };
  }
}

/** Where `closeSpawner` adds up the CPU time of the helpers it closed, on `globalThis`. */
export const SPAWNER_USAGE = Symbol.for('sockspec.spawner-usage');
