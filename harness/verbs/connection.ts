/**
 * Verbs that open and end connections: `connect`, `accept`, `shutdown`, `close`,
 * `reset`, and `occupy` (the harness holding the program's port itself).
 */
import { z } from 'zod';
import { holdPort } from '../net/probe.js';
import { TcpListener } from '../net/tcp-listener.js';
import { connectTcp, connectTls } from '../net/tcp-peer.js';
import { UdpPeer } from '../net/udp-peer.js';
import { conn, deadline, fail, type Conn, type Context } from '../run/context.js';
import { framedConn, type Framing } from '../run/framed.js';
import { describeExit } from '../run/program.js';
import { connName, on, within } from '../scenario/fields.js';
import type { Transport } from '../scenario/model.js';
import { escapeBytes } from '../codec/render.js';
import { tlsClientFields, tlsField, tlsOptions, tlsSpec, type TlsSpec } from './tls-options.js';
import { connectionFraming, framingSchema, type FramingInput } from './framing.js';
import { defineVerb, type Scope } from './types.js';

type ConnectAction = { verb: 'connect'; name: string; transport: Transport; host: string; port?: number; refused: boolean; within?: number; tls?: TlsSpec; framing?: Framing };
type AcceptAction = { verb: 'accept'; name: string; transport: Transport; within?: number; framing?: Framing };
type EndAction = { verb: 'shutdown' | 'close' | 'reset'; on?: string };
type OccupyAction = { verb: 'occupy'; transport: Transport };
type StartTlsAction = { verb: 'starttls'; on?: string; as: 'client' | 'server'; tls: TlsSpec };
/** The actions of this family. */
export type ConnectionAction = ConnectAction | AcceptAction | EndAction | OccupyAction | StartTlsAction;

/** Addresses the harness talks to. */
export const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;

/** A connection opened at validation: named in scope (with its framing), and the last one opened. */
function opened(scope: Scope, name: string, transport: Transport, framing: Framing | undefined): void {
  scope.conns.set(name, transport);
  scope.last = name;
  if (framing) scope.framings?.set(name, framing);
  else scope.framings?.delete(name);
}

/** A connection opened at run time: the current one, closed when the scenario ends. */
function openedAt(ctx: Context, name: string, c: Conn): void {
  ctx.opened.push(c);
  ctx.conns.set(name, c);
  ctx.last = name;
}

/** `connect`: open a TCP connection or a UDP socket (a check when it must be refused). */
export const connect = defineVerb({
  verb: 'connect',
  body: z.union([
    connName,
    z.strictObject({
      name: connName.optional(),
      transport: z.enum(['tcp', 'udp']).optional(),
      host: z.string().optional().describe('default 127.0.0.1; only loopback addresses are allowed'),
      port: z.number().int().min(1).max(65535).optional().describe('default: the program’s port'),
      expect: z.enum(['ok', 'refused']).optional().describe('`refused`: the connection must fail'),
      within,
      tls: tlsField,
      framing: framingSchema.optional(),
    }),
  ]),
  shorthand: 'name',
  kind: 'action',
  normalize(b, v, path, scope): ConnectAction {
    const c = b as Exclude<typeof b, string>;
    const name = c.name ?? `conn${scope.conns.size + 1}`;
    const host = c.host ?? '127.0.0.1';
    if (!LOOPBACK.test(host)) v.error([...path, 'host'], 'not-loopback', `\`${host}\` is not a loopback address`, 'sockspec only talks to 127.0.0.0/8 and ::1');
    const transport = c.transport ?? v.transport;
    if (c.tls !== undefined && transport === 'udp') v.error([...path, 'tls'], 'not-for-udp', '`tls` applies to TCP connections', undefined, true);
    const tls = c.tls === undefined ? undefined : tlsSpec(v, c.tls === true ? {} : c.tls, [...path, 'tls']);
    const framing = connectionFraming(v, c.framing, transport, [...path, 'framing']);
    opened(scope, name, transport, framing);
    return { verb: 'connect', name, transport, host, refused: c.expect === 'refused', ...(c.port ? { port: c.port } : {}), ...(c.within !== undefined ? { within: c.within } : {}), ...(tls ? { tls } : {}), ...(framing ? { framing } : {}) };
  },
  checks: (a) => a.refused,
  async run(a, step, ctx) {
    const rec = ctx.transcript;
    const port = a.port ?? ctx.port;
    if (a.transport === 'udp') {
      const peer = await UdpPeer.open(a.host, port, (k, d, detail) => rec.add(k, a.name, d, detail));
      openedAt(ctx, a.name, { kind: 'udp', peer });
      return;
    }
    const record = (k: Parameters<typeof rec.add>[0], d?: Uint8Array, detail?: string) => rec.add(k, a.name, d, detail);
    const r = a.tls ? await connectTls(a.host, port, await tlsOptions(a.tls, step), deadline(ctx, a.within), record, ctx.signal) : await connectTcp(a.host, port, deadline(ctx, a.within), record, ctx.signal);
    if (a.refused) {
      if (r.ok) {
        ctx.opened.push({ kind: 'tcp', peer: r.peer });
        fail(step, 'not-refused', `expected ${a.host}:${port} to refuse the connection, but it was accepted`);
      }
      if (r.code !== 'refused') fail(step, r.code, `expected a refusal from ${a.host}:${port}, got: ${r.message}`);
      rec.add('note', a.name, undefined, `refused, as expected: ${r.message}`);
      return;
    }
    if (!r.ok && r.code === 'tls-handshake') fail(step, r.code, `the TLS handshake with ${a.host}:${port} failed: ${r.message}`);
    if (!r.ok) fail(step, r.code === 'refused' ? 'connect-refused' : r.code, `cannot connect to ${a.host}:${port}: ${r.message}`);
    openedAt(ctx, a.name, { kind: 'tcp', peer: r.peer, ...framedConn(a.framing) });
  },
});

/** `accept`: the client under test connects to the harness (UDP: names the harness's bound socket). */
export const accept = defineVerb({
  verb: 'accept',
  body: z
    .union([connName, z.strictObject({ name: connName.optional(), within, framing: framingSchema.optional() })])
    .describe('client under test: take its next connection (TCP) or name the harness’s bound socket (UDP)'),
  kind: 'check',
  normalize(b, v, path, scope): AcceptAction {
    const a = typeof b === 'string' ? { name: b } : (b as { name?: string; within?: number; framing?: FramingInput });
    if (v.role !== 'client') v.error(path, 'not-for-server', '`accept` is for a client under test (`role: client`): the harness listens for it');
    const name = a.name ?? `conn${scope.conns.size + 1}`;
    const framing = connectionFraming(v, a.framing, v.transport, [...path, 'framing']);
    opened(scope, name, v.transport, framing);
    return { verb: 'accept', name, transport: v.transport, ...(a.within !== undefined ? { within: a.within } : {}), ...(framing ? { framing } : {}) };
  },
  async run(a, step, ctx) {
    const l = ctx.listener ?? fail(step, 'not-listening', 'the harness is not listening in this scenario (`listen: false`)');
    let c: Conn;
    if (l instanceof TcpListener) {
      const ms = deadline(ctx, a.within);
      const r = await l.accept(ms, (k, d, detail) => ctx.transcript.add(k, a.name, d, detail), ctx.signal);
      if (!r.done && r.reason === 'tls-handshake') fail(step, r.reason, `the client connected, but its TLS handshake failed: ${r.message}`);
      if (!r.done) fail(step, r.reason === 'aborted' ? 'aborted' : 'no-connection', r.reason === 'aborted' ? 'interrupted' : `the client did not connect to 127.0.0.1:${l.port} within ${ms} ms${exitedNote(ctx)}`);
      c = { kind: 'tcp', peer: r.value, ...framedConn(a.framing) };
    } else c = { kind: 'udp', peer: l };
    openedAt(ctx, a.name, c);
  },
});

/** ` (it exited with …)` when the program has ended, for messages about what it did not do. */
function exitedNote(ctx: Context): string {
  const e = ctx.program.exitInfo;
  return e ? ` (it ended: ${describeExit(e)})` : '';
}

/** `shutdown`, `close` or `reset` of a connection. */
function ending(verb: EndAction['verb']) {
  return defineVerb({
    verb,
    body: z.union([connName, z.strictObject({ on })]),
    shorthand: 'on',
    kind: 'action',
    normalize(b, v, path, scope): EndAction {
      const on = (b as { on?: string }).on;
      const t = v.connection(on, scope, path);
      if (t === 'udp' && verb !== 'close') v.error(path, 'not-for-udp', `\`${verb}\` applies to TCP connections only`);
      return { verb, ...(on ? { on } : {}) };
    },
    run(a, step, ctx) {
      const c = conn(ctx, step, a.on);
      if (c.kind === 'udp') c.peer.close();
      else if (a.verb === 'shutdown') c.peer.shutdown();
      else if (a.verb === 'close') c.peer.close();
      else c.peer.reset();
    },
  });
}
/** `shutdown`: half-close (FIN), `close`: close, `reset`: abort with RST. */
export const shutdown = ending('shutdown');
export const close = ending('close');
export const reset = ending('reset');

/** `occupy`: the harness holds the program's port itself until the scenario ends. */
export const occupy = defineVerb({
  verb: 'occupy',
  body: z
    .strictObject({ transport: z.enum(['tcp', 'udp']).optional() })
    .describe('the harness binds the program’s port on 127.0.0.1 itself and holds it to the end of the scenario'),
  kind: 'action',
  normalize: (b, v): OccupyAction => ({ verb: 'occupy', transport: b.transport ?? v.transport }),
  async run(a, step, ctx) {
    const held = await holdPort(ctx.port, a.transport);
    if (!held.ok) fail(step, 'occupy-failed', `the harness could not bind ${a.transport} port ${ctx.port} on 127.0.0.1 itself: ${held.problem}`);
    ctx.disposers.push(held.release);
    ctx.transcript.add('note', 'harness', undefined, `holding ${a.transport} port ${ctx.port} on 127.0.0.1`);
  },
});

/** `starttls`: upgrade a plain TCP connection to TLS in place, as the client (default) or as the server. */
export const starttls = defineVerb({
  verb: 'starttls',
  body: z.union([
    connName,
    z.strictObject({
      on,
      ...tlsClientFields,
      as: z.enum(['client', 'server']).optional().describe('the harness’s side of the handshake (default client); `server`: with the run’s certificate (`{tls-ca}`)'),
    }),
  ]),
  shorthand: 'on',
  kind: 'action',
  normalize(b, v, path, scope): StartTlsAction {
    const s = b as Exclude<typeof b, string>;
    const t = v.connection(s.on, scope, path);
    if (t === 'udp') v.error(path, 'not-for-udp', '`starttls` applies to TCP connections');
    const as = s.as ?? 'client';
    if (as === 'server' && v.role !== 'client') v.error([...path, 'as'], 'not-for-server', 'the harness serves TLS to a client under test (`role: client`)');
    if (as === 'server') for (const k of ['servername', 'ca', 'insecure'] as const) if (s[k] !== undefined) v.error([...path, k], 'not-for-tls-server', `\`${k}\` is how the harness checks a server; as the server it shows the run’s certificate`, undefined, true);
    return { verb: 'starttls', ...(s.on ? { on: s.on } : {}), as, tls: tlsSpec(v, s, path) };
  },
  async run(a, step, ctx) {
    const c = conn(ctx, step, a.on);
    if (c.kind === 'udp') fail(step, 'not-for-udp', '`starttls` applies to TCP connections');
    const ms = ctx.scenario.stepTimeoutMs;
    let r;
    if (a.as === 'server') {
      const serve = ctx.tlsServer ?? fail(step, 'no-certificate', 'the harness has no certificate to serve TLS with here');
      r = await c.peer.starttlsServer(await serve(), ms, ctx.signal);
    } else r = await c.peer.starttls(await tlsOptions(a.tls, step), ms, ctx.signal);
    const early = c.peer.plaintextBeforeTls;
    if (early) fail(step, 'tls-plaintext', `${early.length} plaintext byte${early.length === 1 ? '' : 's'} came before the TLS handshake and no expectation took them: "${escapeBytes(early, 80)}"`, { actual: Uint8Array.from(early) });
    if (!r.ok) fail(step, r.code, r.code === 'tls-handshake' ? `the TLS handshake failed: ${r.message}` : r.message);
  },
});
