/**
 * Programs for one target: a fresh one per scenario, or a running one lent again
 * to scenarios that allow reuse. Scenarios on one fixed port take turns, and a
 * program on a fixed port is never kept between them.
 */
import { makeCertificate, type RunCertificate } from '../net/certificate.js';
import { TcpListener } from '../net/tcp-listener.js';
import { tlsServer, type TlsServer } from '../net/tls.js';
import { UdpPeer } from '../net/udp-peer.js';
import { onAbort } from '../net/waiter.js';
import { freePort } from '../process/free-port.js';
import { openConnectionInodes } from '../process/proc-net.js';
import { lockMachineWide, portLockName, portReservationName, reserveMachineWide } from '../process/machine-lock.js';
import type { Scenario } from '../scenario/model.js';
import type { Acquired, ProgramSource, ScenarioClock } from './run-scenario.js';
import { Program, type Target } from './program.js';
import type { Failure } from './result.js';
import type { StopProblem } from '../process/stop-problems.js';
import type { Transcript } from './transcript.js';

/** Serialises users of one port. */
class PortLocks {
  #tails = new Map<number, Promise<void>>();
  /** Machine-wide locks held by this process, kept to the end of the event-loop turn after their last user lets go. */
  #machine = new Map<number, { unlock: () => void; contended: () => boolean; users: number }>();

  /** Every port taken as a fixed one in this run: never handed out as a free one. */
  readonly fixed = new Set<number>();

  /**
   * Wait for `port` (here, then in every other sockspec process), then hold it until the
   * returned release is called; undefined when `signal` aborted the wait, or when it
   * lasted PORT_WAIT_MS. The time spent waiting for others is not the scenario's own:
   * `clock` is paused meanwhile.
   */
  async acquire(port: number, signal: AbortSignal, clock?: ScenarioClock): Promise<(() => void) | undefined> {
    // Nobody here before us and the machine-wide lock ours already (scenarios one after another): no wait to time.
    const held = this.#machine.get(port);
    if (!this.#tails.has(port) && held && !held.contended() && !signal.aborted) return this.#takeFree(port, held);
    const resume = clock?.pause();
    const limit = new AbortController();
    const timer = setTimeout(() => limit.abort(), PORT_WAIT_MS);
    const forget = onAbort(signal, () => limit.abort());
    if (signal.aborted) limit.abort();
    try {
      return await this.#acquire(port, limit.signal);
    } finally {
      clearTimeout(timer);
      forget();
      resume?.();
    }
  }

  /** The port is free here and the machine-wide lock ours: take it at once (later users wait for the returned release). */
  #takeFree(port: number, held: { users: number }): () => void {
    held.users++;
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    this.#tails.set(port, mine);
    return () => {
      this.#letGoMachine(port);
      if (this.#tails.get(port) === mine) this.#tails.delete(port);
      release();
    };
  }

  async #acquire(port: number, signal: AbortSignal): Promise<(() => void) | undefined> {
    this.fixed.add(port);
    const before = this.#tails.get(port);
    const prev = before ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = prev.then(() => mine);
    this.#tails.set(port, tail);
    // Whoever comes after still waits for `prev`: giving up only lets them through earlier.
    const done = () => {
      if (this.#tails.get(port) === tail) this.#tails.delete(port);
      release();
    };
    // Nobody before us (scenarios one after another): no wait, and no listener on the signal for it.
    const ours = before === undefined ? !signal?.aborted : await untilOrAbort(prev, signal);
    if (!ours || !(await this.#holdMachine(port, signal))) {
      done();
      return undefined;
    }
    return () => {
      this.#letGoMachine(port);
      done();
    };
  }

  async #holdMachine(port: number, signal?: AbortSignal): Promise<boolean> {
    const held = this.#machine.get(port);
    if (held && !held.contended()) {
      held.users++;
      return true;
    }
    if (held) {
      // Another sockspec process waits for this port: hand it over rather than keep it.
      this.#machine.delete(port);
      held.unlock();
    }
    let lock = { unlock: () => {}, contended: () => false };
    try {
      const unlock = await lockMachineWide(portLockName(port), signal);
      lock = { unlock, contended: unlock.contended };
    } catch (e) {
      if ((e as { code?: string }).code === 'aborted') return false;
      // No local sockets here: scenarios still take turns within this process.
    }
    this.#machine.set(port, { ...lock, users: 1 });
    return true;
  }

  /** The next scenario on the port, started at once, keeps the lock (unless another process waits); otherwise it goes after this turn of the event loop. */
  #letGoMachine(port: number): void {
    const held = this.#machine.get(port);
    if (!held || --held.users > 0) return;
    setImmediate(() => {
      if (held.users > 0 || this.#machine.get(port) !== held) return;
      this.#machine.delete(port);
      held.unlock();
    });
  }
}

/** True once `p` settles, false if `signal` aborts first. */
function untilOrAbort(p: Promise<void>, signal?: AbortSignal): Promise<boolean> {
  if (!signal) return p.then(() => true);
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    void p.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    });
  });
}

/** One lock table for the whole run: two targets on one fixed port must take turns too. */
const portLocks = new PortLocks();

/**
 * For the length of a run: the fixed ports its plan uses (`--port`, a target's `port:`, a
 * scenario's `default-port`) are never handed out as free ones, by this process or by any
 * other sockspec process on the machine, so that no program started on a free port holds
 * one when its scenario comes. Returns the release, which resolves once all is let go.
 */
export function reserveFixedPorts(ports: Iterable<number>): () => Promise<void> {
  const releases: (() => Promise<void>)[] = [];
  for (const port of new Set(ports)) {
    portLocks.fixed.add(port);
    releases.push(reserveMachineWide(portReservationName(port)));
  }
  return async () => {
    await Promise.all(releases.map((r) => r()));
  };
}

/** How long a scenario waits for its fixed port while others (of this run or another sockspec process) use it. */
const PORT_WAIT_MS = 5 * 60_000;

/** The run was interrupted, or PORT_WAIT_MS passed, while the scenario waited for its fixed port. */
function waitedTooLong(scenario: Scenario, port: number, signal: AbortSignal): Failure {
  const why = signal.aborted ? 'the run was interrupted' : `${PORT_WAIT_MS / 60_000} minutes passed`;
  return { code: 'port-busy', message: `${why} while the scenario waited for port ${port}, which other scenarios (of this run or another sockspec process) were using`, requirements: scenario.covers };
}

/** How many times a program that exited because another program took its free port is started again on a new one. */
const PORT_RETRIES = 2;

/** How many free ports to pass over because scenarios of this run use them as fixed ports. */
const FIXED_SKIPS = 20;

/** A free port that no scenario of this run uses as its fixed port (it may be free only between two of them). */
async function freeNotFixed(transport: 'tcp' | 'udp' | 'both'): Promise<number> {
  for (let i = 0; ; i++) {
    const port = await freePort(transport);
    if (!portLocks.fixed.has(port) || i >= FIXED_SKIPS) return port;
  }
}

/**
 * Start a program for a scenario with the scenario's clock stopped: how long an interpreter
 * takes to start on a loaded machine is no part of what the scenario checks, and the start
 * has a bound of its own (the target's ready timeout). Ctrl-C still stops it.
 */
async function startUnclocked(program: Program, signal: AbortSignal, clock: ScenarioClock | undefined): ReturnType<Program['start']> {
  const resume = clock?.pause();
  try {
    return await program.start(signal);
  } finally {
    resume?.();
  }
}

export class ProgramPool implements ProgramSource {
  readonly #idle: Program[] = [];
  readonly #held = new Map<Program, () => void>();
  /** Set by `close`: nothing more is started, and what is handed back is stopped. */
  #closed = false;
  /** For a program started elsewhere (no command): the transport/port pairs already seen listening. */
  readonly #attached = new Set<string>();
  /** The certificate clients under test are served TLS with, made on first use and removed by `close`. */
  #tls?: Promise<{ certificate: RunCertificate; server: TlsServer }>;

  constructor(readonly target: Target) {}

  /** The run's certificate and the TLS server side made of it (made once, on first use). */
  #runTls(): Promise<{ certificate: RunCertificate; server: TlsServer }> {
    this.#tls ??= makeCertificate().then((certificate) => ({ certificate, server: tlsServer(certificate) }));
    return this.#tls;
  }

  /** The port a scenario runs on, and whether it is shared (needs the lock). */
  private async portFor(scenario: Scenario): Promise<{ port: number; fixed: boolean; portless: boolean }> {
    if (scenario.defaultPort !== undefined) {
      return { port: this.target.fixedPort ?? scenario.defaultPort, fixed: true, portless: this.target.fixedPort === undefined };
    }
    if (this.target.fixedPort !== undefined) return { port: this.target.fixedPort, fixed: true, portless: false };
    // Free on both transports: a server may bind UDP and TCP of one port (the inetd services do).
    return { port: await freeNotFixed('both'), fixed: false, portless: false };
  }

  /** Whether a running program is idle that `acquire` may lend to `scenario` (it may yet find the program unfit). */
  hasIdle(scenario: Scenario): boolean {
    return !this.#closed && this.#idle.some((p) => fits(p, scenario));
  }

  async acquire(scenario: Scenario, transcript: Transcript, signal: AbortSignal, clock?: ScenarioClock, problems?: StopProblem[]): Promise<Acquired | { error: Failure }> {
    const record = (kind: Parameters<Parameters<Program['setRecorder']>[0]>[0], data?: Uint8Array, detail?: string) => transcript.add(kind, 'program', data, detail);
    if (this.#closed) return this.#refuse(scenario);
    if (scenario.role === 'client') return this.acquireForClient(scenario, transcript, record, signal, clock, problems);
    // The condition the scenario makes (e.g. a time zone) would be assumed, not made.
    if (this.target.command === undefined && scenario.env) {
      return { error: { code: 'env-not-applied', message: `this scenario runs the program with ${Object.keys(scenario.env).map((k) => `${k}=${scenario.env![k]}`).join(' ')}, which cannot be given to a program the harness did not start: give its command`, requirements: scenario.covers } };
    }
    const reusable = scenario.process === 'reuse' && scenario.defaultPort === undefined;
    if (reusable && this.target.fixedPort === undefined) {
      for (;;) {
        const i = this.#idle.findIndex((p) => fits(p, scenario));
        if (i < 0) break;
        const [p] = this.#idle.splice(i, 1) as [Program];
        // Its stop, here or once the scenario is over, is the scenario's to tell.
        p.problemsTo = problems;
        // The cases of one property scenario follow one another as parts of one scenario: its next case goes at once.
        const nextCase = scenario.caseOf !== undefined && p.servedLast === scenario.caseOf;
        // (Its exit, if seen, still counts; the next case is not kept waiting for a read of /proc.)
        const left = nextCase ? (p.alive ? undefined : 'it has exited') : !p.runningNow() ? 'it has exited' : await leftBehind(p);
        if (left !== undefined) {
          // Whatever an earlier scenario left in it is not this one's to inherit: a fresh program serves it.
          transcript.add('note', 'program', undefined, `not reusing the program on port ${p.port}: ${left}`);
          await p.stop();
          continue;
        }
        p.setRecorder(record);
        transcript.add('note', 'program', undefined, `reusing the running program on port ${p.port}`);
        // What it printed for earlier scenarios is not this one's to see.
        return { program: p, stdoutFrom: p.console?.length ?? 0 };
      }
    }
    const picked = await this.portFor(scenario);
    const { fixed, portless } = picked;
    let port = picked.port;
    // A running server that serves clients side by side is not the harness's to start or stop: no turn to take.
    const shared = this.target.command === undefined && this.target.concurrent === true;
    const unlock = fixed && !shared ? await portLocks.acquire(port, signal, clock) : () => {};
    if (!unlock) return { error: waitedTooLong(scenario, port, signal) };
    for (let attempt = 0; ; attempt++) {
      const program = new Program(this.target, port, scenario.transport, portless, scenario.listens, scenario.env);
      program.setRecorder(record);
      program.problemsTo = problems;
      // A program started elsewhere is checked once; later scenarios find out by connecting if it went away.
      const key = `${scenario.transport}/${port}`;
      const seen = this.target.command === undefined && this.#attached.has(key);
      const started = seen ? ({ ok: true } as const) : await startUnclocked(program, signal, clock);
      if (started.ok && this.target.command === undefined) this.#attached.add(key);
      if (!started.ok) {
        await program.stop();
        // A port picked for it can be taken by someone else before the program binds it, or still hold an earlier
        // program's connections (TIME_WAIT) that a program without SO_REUSEADDR cannot bind past: not its fault.
        if (!fixed && started.portTaken && attempt < PORT_RETRIES && !signal.aborted && !this.#closed) {
          transcript.add('note', 'program', undefined, `port ${port} was not free when the program came to bind it, through no doing of its own (${started.message}): starting it again on another port`);
          port = await freeNotFixed('both');
          continue;
        }
        unlock();
        return { error: { code: started.code, message: started.message, requirements: scenario.covers } };
      }
      // The run ended while this program started: it must not outlive the run.
      if (this.#closed) return this.#refuse(scenario, { program, unlock });
      this.#held.set(program, unlock);
      // Started for this scenario: everything it printed, before it was ready too, is the scenario's to see.
      return { program, stdoutFrom: 0 };
    }
  }

  /** After `close`: stop what was just started, and say that the run is over. */
  async #refuse(scenario: Scenario, started?: { program: Program; unlock: () => void }): Promise<{ error: Failure }> {
    await started?.program.stop();
    started?.unlock();
    return { error: { code: 'interrupted', message: 'the run is over: no program is started any more', requirements: scenario.covers } };
  }

  /** A client under test: the harness listens first (on loopback), then starts the client towards it. */
  private async acquireForClient(scenario: Scenario, transcript: Transcript, record: Parameters<Program['setRecorder']>[0], signal: AbortSignal, clock?: ScenarioClock, problems?: StopProblem[]): Promise<Acquired | { error: Failure }> {
    const fixedPort = this.target.fixedPort ?? scenario.defaultPort;
    const unlock = fixedPort !== undefined ? await portLocks.acquire(fixedPort, signal, clock) : () => {};
    if (!unlock) return { error: waitedTooLong(scenario, fixedPort!, signal) };
    let listener: TcpListener | UdpPeer | undefined;
    let port = fixedPort ?? 0;
    const net = (kind: Parameters<Transcript['add']>[0], data?: Uint8Array, detail?: string) => transcript.add(kind, 'harness', data, detail);
    let tls: { certificate: RunCertificate; server: TlsServer } | undefined;
    try {
      if (scenario.tls || this.target.command?.includes('{tls-ca}')) tls = await this.#runTls();
    } catch (e) {
      unlock();
      return { error: { code: 'tls-certificate', message: (e as Error).message, requirements: scenario.covers } };
    }
    try {
      if (scenario.listen) {
        listener = scenario.transport === 'udp' ? await UdpPeer.serve('127.0.0.1', port, net) : await TcpListener.open('127.0.0.1', port, scenario.tls ? tls!.server : undefined);
        port = listener instanceof TcpListener ? listener.port : listener.localPort;
        transcript.add('note', 'harness', undefined, `${scenario.transport === 'udp' ? 'bound' : 'listening on'} ${scenario.transport} 127.0.0.1:${port}`);
      } else if (port === 0) {
        port = await freeNotFixed(scenario.transport);
        transcript.add('note', 'harness', undefined, `not listening: ${scenario.transport} port ${port} on 127.0.0.1 is left closed`);
      }
    } catch (e) {
      unlock();
      return { error: { code: 'listen-failed', message: `the harness could not listen on 127.0.0.1:${port}: ${(e as Error).message}`, requirements: scenario.covers } };
    }
    const portless = scenario.defaultPort !== undefined && this.target.fixedPort === undefined;
    const program = new Program(this.target, port, scenario.transport, portless, false, scenario.env);
    if (tls) program.tlsCa = tls.certificate.certPath;
    program.setRecorder(record);
    program.problemsTo = problems;
    const started = await startUnclocked(program, signal, clock);
    if (!started.ok) {
      listener?.close();
      await program.stop();
      unlock();
      return { error: { code: started.code, message: started.message, requirements: scenario.covers } };
    }
    // The run ended while this program started: it must not outlive the run.
    if (this.#closed) {
      listener?.close();
      return this.#refuse(scenario, { program, unlock });
    }
    this.#held.set(program, unlock);
    return { program, stdoutFrom: 0, ...(listener ? { listener } : {}), tlsServer: async () => (await this.#runTls()).server };
  }

  async release(program: Program, scenario: Scenario, passed: boolean): Promise<void> {
    program.setRecorder(() => {});
    // Only programs on ports of their own are kept: a fixed port is handed on free.
    const keep = !this.#closed && scenario.role === 'server' && scenario.process === 'reuse' && passed && program.alive && this.target.fixedPort === undefined && !program.portless && !program.tainted;
    if (keep) {
      program.servedLast = scenario.caseOf;
      // Whoever stops it next (a scenario it is not fit for, the end of the run) is told.
      program.problemsTo = undefined;
      this.#idle.push(program);
    } else await program.stop();
    const unlock = this.#held.get(program);
    this.#held.delete(program);
    unlock?.();
  }

  /** Stop every program still running; what their stops find wrong goes to `problems`. */
  async close(problems?: StopProblem[]): Promise<void> {
    this.#closed = true;
    const all = [...this.#idle, ...this.#held.keys()];
    this.#idle.length = 0;
    for (const p of all) p.problemsTo = problems;
    await Promise.all(all.map((p) => p.stop()));
    await this.#tls?.then((t) => t.certificate.close(), () => {});
  }
}

/** How long a program lent again may take to close the connections of the scenario it served before. */
const SETTLE_MS = 200;

/**
 * What an earlier scenario left in a running program that the next one would inherit,
 * or undefined when there is nothing: connections to its port it has not closed yet
 * (given SETTLE_MS to close them: the scenario may have ended a moment ago). Usually
 * told by the program's own open files (no socket it did not hold once ready); the
 * machine's socket tables, dear to read (a walk of every connection of the machine,
 * TIME_WAIT ones included), settle the rest. Once they showed connections the program
 * holds itself, its files tell when it let go of them: the tables are read again then,
 * or at the end of the wait, not at every look.
 */
async function leftBehind(p: Program): Promise<string | undefined> {
  if (p.transport !== 'tcp') return undefined;
  const until = performance.now() + SETTLE_MS;
  /** The connections to its port the tables last showed open, and those of them the program itself holds (inodes). */
  let open: string[] | undefined;
  let held: string[] = [];
  for (let pause = 0.5; ; pause = Math.min(pause * 2, 50)) {
    if (p.holdsNoNewSocket()) return undefined;
    const rest = until - performance.now();
    // Of the connections the program held at the last read, those it still holds (its files tell; an inode is not reused while held).
    const still = held.length > 0 ? p.heldOf(held) : [];
    if (rest <= 0 && open !== undefined && held.length > 0 && still.length === held.length) return stillHolds(open.length);
    // A program closing a connection just now is seen in its files at the next look; the tables are for one that is slow to, or holds other sockets.
    if (rest <= 0 || (held.length > 0 ? still.length === 0 : pause >= 8)) {
      // Until the end of the wait, what is open is all that is asked: the first read to show a connection is enough.
      open = await openConnectionInodes(p.port, undefined, undefined, rest > 0);
      if (open === undefined) return 'its connections cannot be seen here (no /proc/net)';
      if (open.length === 0) {
        // Whatever else it holds is no connection to its port: the next look at its files takes it as its own.
        p.rememberSockets();
        return undefined;
      }
      if (rest <= 0) return stillHolds(open.length);
      // Those it holds itself are watched in its files, the tables read again once it let go of them all; without any (not accepted yet,
      // or held by a process it started), the tables are read at each look, as they are for a program whose files do not tell.
      held = p.heldOf(open.filter((inode) => inode !== '0'));
    }
    // A program that just read the end of the stream closes its side within a turn of its event loop or two.
    await new Promise((r) => (pause < 1 ? setImmediate(r) : setTimeout(r, Math.min(pause, Math.max(rest, 1)))));
  }
}

const stillHolds = (n: number) => `it still holds ${n} connection${n === 1 ? '' : 's'} of an earlier scenario`;

/** Whether a program may be lent to `scenario`: the same transport and environment. */
function fits(p: Program, scenario: Scenario): boolean {
  return p.transport === scenario.transport && sameEnv(p.scenarioEnv, scenario.env);
}

/** Whether a running program was started with the environment a scenario asks for (a program is only lent again under the same one). */
function sameEnv(started: Readonly<Record<string, string>>, wanted: Readonly<Record<string, string>> = {}): boolean {
  const a = Object.keys(started);
  return a.length === Object.keys(wanted).length && a.every((k) => wanted[k] === started[k]);
}
