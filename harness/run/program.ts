/**
 * The program under test as a scenario sees it: started on a port, ready when it
 * listens, stopped (with its whole process group) and restarted on demand.
 */
import { readdirSync } from 'node:fs';
import { readProcText } from '../process/proc-read.js';
import { resolve } from 'node:path';
import { fillTemplate, splitCommand } from '../process/command.js';
import { ProgramConsole } from '../process/console.js';
import { launchAsync, type ExitInfo, type Launched } from '../process/launch.js';
import { waitUntilListening } from '../process/readiness.js';
import { isDeadState, parseStat, programSockets, socketLinks, socketLinksNow, waitReleased, type Released } from '../process/socket-owner.js';
import type { Scenario, Transport } from '../scenario/model.js';
import { PACKAGE_ROOT } from '../package-root.js';
import type { StopProblem } from '../process/stop-problems.js';
import { makeProgramFolder, removeFolder } from './program-files.js';

/** The pseudo-terminal relay, shipped beside the compiled code's sources. */
const PTY_RUN = resolve(PACKAGE_ROOT, 'harness/process/pty-run.py');

/** The implementation a run checks: a command line and how it is told its port. */
export interface Target {
  name: string;
  /** Command template; `{port}` is replaced by the port. Absent: a program already running on `fixedPort`. */
  command?: string;
  /** A port the program always uses (it cannot be told one). */
  fixedPort?: number;
  /**
   * Without `command`: the server running on `fixedPort` serves many clients at once and
   * keeps nothing between them, so scenarios against it run side by side instead of
   * taking turns on the port. Ignored for a program the harness starts.
   */
  concurrent?: boolean;
  /** Run it on a pseudo-terminal (for programs that buffer stdout on a pipe); needs python3. */
  tty?: boolean;
  cwd: string;
  env?: Record<string, string>;
  readyTimeoutMs: number;
  /** Files written to a fresh folder at each start (name → text); `{port}` and `{dir}` in them, and `{dir}` in the command, are replaced. */
  files?: Readonly<Record<string, string>>;
}

export type StartResult =
  | { ok: true; afterMs: number; addresses: string[] }
  /** `portTaken`: it exited before listening while another program held its port, or connections of one were still on it (perhaps why it exited). */
  | { ok: false; code: string; message: string; portTaken?: boolean };

export type ConsoleRecorder = (kind: 'stdout' | 'stderr' | 'stdin' | 'exit' | 'start' | 'ready', data?: Uint8Array, detail?: string) => void;

/** How long `stop` waits, after the group was killed, for its last process to go and its port to be free. */
const RELEASE_MS = 5000;

/** How many bytes of stderr an error message quotes. */
const STDERR_TAIL = 1024;

/** Describe an exit for a message: `exit status 1` / `killed by SIGKILL`. */
export function describeExit(exit: ExitInfo): string {
  if (exit.error) return exit.error;
  return exit.signal ? `killed by ${exit.signal}` : `exit status ${exit.code}`;
}

export class Program {
  launched?: Launched;
  console?: ProgramConsole;
  /** Set when a scenario left the program in a state the next one must not inherit. */
  tainted = false;
  /** The property scenario whose case a kept program served last (the next case goes at once). */
  servedLast: Scenario | undefined;
  #record: ConsoleRecorder = () => {};
  /** The inodes of the sockets the program was found ready with. */
  #readyInodes: string[] = [];
  /** Every socket the program's leader held once ready (`socket:[inode]`), its standard streams included. */
  #readySockets: Set<string> | undefined;
  /** The folder of the target's files for the current start (`{dir}`), until the program stops. */
  #dir: string | undefined;
  /** The launch `stop` was last called for: the next `start` need not stop it again. */
  #stopped: Launched | undefined;
  /** Client under test: the PEM file of the certificate the harness serves TLS with (`{tls-ca}` in the command). */
  tlsCa?: string;
  /**
   * Where what its stops find wrong is told (stop-problems.ts): the problems of the scenario
   * it serves, set by the pool as it lends, starts or stops it; nowhere while unset.
   */
  problemsTo: StopProblem[] | undefined;

  constructor(
    readonly target: Target,
    readonly port: number,
    readonly transport: Transport,
    /** Start without a port: `{port}` words dropped and PORT unset. */
    readonly portless = false,
    /** False for a program that does not listen: it is ready once launched. */
    readonly listens = true,
    /** The scenario's own environment variables, over the target's. */
    readonly scenarioEnv: Readonly<Record<string, string>> = {},
  ) {}

  /** Route console events to the current scenario's transcript. */
  setRecorder(record: ConsoleRecorder): void {
    this.#record = record;
  }

  get alive(): boolean {
    return this.launched !== undefined && this.exitInfo === undefined;
  }

  /**
   * Whether the leader is still running right now, read from /proc (true where it cannot
   * be read): `alive` learns of an exit only when its event has been handled, and a
   * program about to be lent again must not have died a moment before.
   */
  runningNow(): boolean {
    const pid = this.launched?.pid;
    if (!pid || !this.alive) return false;
    try {
      const stat = parseStat(pid, readProcText(`/proc/${pid}/stat`));
      return stat === undefined || !isDeadState(stat.state);
    } catch (e) {
      return (e as NodeJS.ErrnoException).code !== 'ENOENT';
    }
  }

  exitInfo?: ExitInfo;

  argv(): string[] {
    const words = splitCommand(this.target.command ?? '');
    const kept = this.portless ? words.filter((w) => !w.includes('{port}')) : words;
    const argv = fillTemplate(kept, { port: String(this.port), ...(this.#dir ? { dir: this.#dir } : {}), ...(this.tlsCa ? { 'tls-ca': this.tlsCa } : {}) });
    return this.target.tty ? ['python3', PTY_RUN, ...argv] : argv;
  }

  /** Launch and wait until the port is bound; on failure the message says why, with stderr's tail. */
  async start(signal?: AbortSignal, readyTimeoutMs = this.target.readyTimeoutMs, waitReady = this.listens): Promise<StartResult> {
    if (this.target.command === undefined) return this.attach(signal, readyTimeoutMs);
    // A launch that ended on its own (a scenario's `exit` step, then `start`) is still to be stopped: what it left
    // in its group is killed and told, and its group is no longer the harness's to kill once its pid is reused.
    if (this.launched !== undefined && this.#stopped !== this.launched) await this.#stop();
    this.#removeFolder();
    if (this.target.files || this.target.command.includes('{dir}')) {
      try {
        this.#dir = makeProgramFolder(this.target.files ?? {}, String(this.port));
      } catch (e) {
        return { ok: false, code: 'files-failed', message: `cannot write the target's files: ${(e as Error).message}` };
      }
    }
    let argv: string[];
    try {
      argv = this.argv();
    } catch (e) {
      this.#removeFolder();
      return { ok: false, code: 'bad-command', message: (e as Error).message };
    }
    const env: Record<string, string | undefined> = { ...process.env, PYTHONUNBUFFERED: '1', ...this.target.env, ...this.scenarioEnv, PORT: String(this.port) };
    if (this.portless) delete env.PORT;
    this.exitInfo = undefined;
    this.#readyInodes = [];
    this.#readySockets = undefined;
    const launched = await launchAsync({ argv, env, cwd: this.target.cwd, name: this.target.name });
    this.launched = launched;
    this.console = new ProgramConsole(launched);
    this.#record('start', undefined, argv.join(' '));
    launched.onStdout((chunk) => this.#record('stdout', chunk));
    launched.onStderr((chunk) => this.#record('stderr', chunk));
    void launched.exited.then((exit) => {
      if (this.launched === launched) this.exitInfo = exit;
      this.#record('exit', undefined, describeExit(exit));
    });
    if (!waitReady) return { ok: true, afterMs: 0, addresses: [] };
    const ready = await waitUntilListening({ port: this.port, transport: this.transport, exited: launched.exited, timeoutMs: readyTimeoutMs, owner: launched.pid, descendants: this.target.tty === true, ...(signal ? { signal } : {}) });
    if (ready.ok) {
      this.#readyInodes = ready.addresses.flatMap((a) => a.inodes);
      this.#readySockets = await socketLinks(launched.pid);
      this.#record('ready', undefined, `listening on ${ready.addresses.map((a) => a.address).join(', ')} port ${this.port} after ${Math.round(ready.afterMs)} ms${ready.note ? ` (${ready.note})` : ''}`);
      return { ok: true, afterMs: ready.afterMs, addresses: ready.addresses.map((a) => a.address) };
    }
    const tail = launched.stderr.tail(STDERR_TAIL).trim();
    const stderr = `${ready.note ? `; ${ready.note}` : ''}${tail ? `; stderr: ${tail}` : '; stderr was empty'}`;
    if (ready.code === 'exited') {
      const message = `the program exited before listening on ${this.transport} port ${this.port} (${describeExit(ready.exit!)})${stderr}`;
      // A program that exits 0 did not fail for want of its port: it may have left a daemon holding it (not to be started again).
      return { ok: false, code: 'exited-early', message, ...(ready.takenByOther && ready.exit?.code !== 0 ? { portTaken: true } : {}) };
    }
    if (ready.code === 'aborted') return { ok: false, code: 'aborted', message: 'the run was interrupted while the program started' };
    return { ok: false, code: 'not-ready', message: `the program did not listen on ${this.transport} port ${this.port} within ${readyTimeoutMs} ms${stderr}` };
  }

  /**
   * Whether the program holds no socket but those it held once ready (its listeners,
   * and its standard streams, which are sockets too) and has started no process: then
   * no connection of an earlier scenario is left in it. False when it holds more, or
   * when that cannot be read (not Linux). A few reads of /proc/<pid>, where the
   * kernel's socket tables hold a row for every connection of the machine, TIME_WAIT
   * ones included.
   */
  holdsNoNewSocket(): boolean {
    const pid = this.launched?.pid;
    const ready = this.#readySockets;
    if (!pid || !this.alive || ready === undefined) return false;
    // Read at once: a few dozen small reads of /proc, each far cheaper than a trip through the thread pool.
    try {
      for (const tid of readdirSync(`/proc/${pid}/task`)) if (readProcText(`/proc/${pid}/task/${tid}/children`).trim() !== '') return false;
      const now = socketLinksNow(pid);
      return now !== undefined && [...now].every((link) => ready.has(link));
    } catch {
      return false; // gone meanwhile, or not readable
    }
  }

  /**
   * Which of the sockets `inodes` the program's own process holds now (all of them when
   * its files cannot be read: it may).
   */
  heldOf(inodes: readonly string[]): string[] {
    const pid = this.launched?.pid;
    if (!pid || !this.alive) return [];
    const now = socketLinksNow(pid);
    return now === undefined ? [...inodes] : inodes.filter((inode) => now.has(`socket:[${inode}]`));
  }

  /**
   * The sockets the program holds now are what it holds between scenarios: called once
   * the socket tables showed none of them a connection to its port (a program may open
   * one of its own after it was ready).
   */
  rememberSockets(): void {
    const pid = this.launched?.pid;
    if (!pid || this.#readySockets === undefined) return;
    try {
      for (const link of socketLinksNow(pid) ?? []) this.#readySockets.add(link);
    } catch {
      // gone meanwhile: the next look finds out
    }
  }

  /** For a program started elsewhere: only check that it listens. */
  private async attach(signal: AbortSignal | undefined, timeoutMs: number): Promise<StartResult> {
    const never = new Promise<ExitInfo>(() => {});
    const ready = await waitUntilListening({ port: this.port, transport: this.transport, exited: never, timeoutMs, ...(signal ? { signal } : {}) });
    if (ready.ok) return { ok: true, afterMs: ready.afterMs, addresses: ready.addresses.map((a) => a.address) };
    return { ok: false, code: ready.code === 'aborted' ? 'aborted' : 'not-ready', message: `nothing listens on ${this.transport} port ${this.port}` };
  }

  /**
   * Stop the program and everything it started; resolves once its process group is
   * empty and, on a fixed port, none of the sockets it held there is bound any more,
   * so the port is free for the next program (TIME_WAIT aside). See `released`.
   */
  async stop(graceMs?: number): Promise<ExitInfo | undefined> {
    try {
      return await this.#stop(graceMs);
    } finally {
      this.#removeFolder();
    }
  }

  #removeFolder(): void {
    if (this.#dir !== undefined) removeFolder(this.#dir);
    this.#dir = undefined;
  }

  async #stop(graceMs?: number): Promise<ExitInfo | undefined> {
    const l = this.launched;
    if (!l) return undefined;
    // A launch is stopped once (its stop is idempotent): a second call tells none of its problems again.
    const first = this.#stopped !== l;
    this.#stopped = l;
    // On a fixed port, which sockets are the program's, asked while it still holds them: the next program needs them closed.
    // (A free port is handed out only once it binds, so never while something holds it; a client's port is the harness's.)
    const shared = this.listens && (this.portless || this.target.fixedPort !== undefined);
    // Those found at readiness too: a process that left the group may hold them after the leader died.
    const ours = l.pid > 0 && shared ? [...new Set([...this.#readyInodes, ...(await programSockets(l.pid, this.port).catch(() => [] as string[]))])] : [];
    const exit = await l.stop(graceMs);
    if (first) for (const p of exit.problems ?? []) this.problemsTo?.push(p);
    this.exitInfo = exit;
    if (l.pid > 0) this.released = await waitReleased(l.pid, this.port, ours, RELEASE_MS);
    for (const h of this.released?.killed ?? []) {
      this.problemsTo?.push({ code: 'leaked-process', message: `pid ${h.pid} (${h.comm}), outside the program's process group, still held its port ${this.port} after the stop: killed` });
    }
    if (this.released && !this.released.ok && this.released.left) this.problemsTo?.push({ code: 'port-not-released', message: this.released.left });
    return exit;
  }

  /** After `stop`: whether the group emptied and the port was given back, and who was killed for holding it. */
  released?: Released;
}
