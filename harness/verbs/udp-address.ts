/**
 * UDP senders and destinations of `expect: { from }` and `send: { to }`: their schema,
 * their checks at validation, and their resolution at run time (a port may be a named value).
 */
import { z } from 'zod';
import type { UdpAddress, UdpFilter } from '../net/udp-peer.js';
import { fail, type Context } from '../run/context.js';
import { lookup, valueNumber } from '../run/values.js';
import type { Step, Transport } from '../scenario/model.js';
import type { DataPath } from '../scenario/yaml-source.js';
import { LOOPBACK } from './connection.js';
import type { ValidateCtx } from './types.js';

/** A port: a number, or `{ var: NAME }` (a value named in the scenario). */
const portSpec = z.union([z.number().int().min(1).max(65535), z.strictObject({ var: z.string().min(1) })]);
/** One UDP endpoint: a port and, optionally, an address (default: any address for `from`, 127.0.0.1 for `to`). */
const endpointSpec = z.strictObject({ port: portSpec, address: z.string().optional() });

/** A port as written: a number or a named value. */
export type PortSpec = z.infer<typeof portSpec>;
/** `from` of a UDP `expect`: `any`, or one sender. */
export type FromSpec = 'any' | { port: PortSpec; address?: string };
/** `to` of a UDP `send`: the last sender, or one endpoint. */
export type ToSpec = 'sender' | { port: PortSpec; address?: string };

/** `from` of `expect`. */
export const fromField = z
  .union([z.literal('any'), endpointSpec])
  .optional()
  .describe('UDP: whose datagrams are accepted: `any`, or `{ port, address? }` (default: the address/port sent to)');
/** `to` of `send`. */
export const toField = z
  .union([z.literal('sender'), endpointSpec])
  .optional()
  .describe('UDP: where the datagram goes: `sender` (of the last datagram received), or `{ port, address? }` (default: the connection’s destination)');

/** Check `from`/`to` (key `key`) of a step on transport `t`: `udp-only` on TCP, `not-loopback` for an address elsewhere. */
export function checkUdpEndpoint(v: ValidateCtx, spec: FromSpec | ToSpec | undefined, key: 'from' | 'to', path: DataPath, t: Transport | undefined): void {
  if (spec === undefined) return;
  if (t === 'tcp') v.error([...path, key], 'udp-only', `\`${key}\` applies to UDP sockets only`, 'a TCP connection has one peer', true);
  if (typeof spec === 'object' && spec.address !== undefined && !LOOPBACK.test(spec.address)) {
    v.error([...path, key, 'address'], 'not-loopback', `\`${spec.address}\` is not a loopback address`, 'sockspec only talks to 127.0.0.0/8 and ::1');
  }
}

/** The port `spec` names at run time: a number, or a value captured or defined so far in the scenario. */
export function resolvePort(spec: PortSpec, ctx: Context, step: Step): number {
  if (typeof spec === 'number') return spec;
  const v = valueNumber(lookup(ctx, step, spec.var));
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (n === undefined) fail(step, 'unknown-value', `no number named \`${spec.var}\` is known at this step`);
  if (!Number.isInteger(n) || n < 1 || n > 65535) fail(step, 'bad-port', `\`${spec.var}\` is ${n}, not a port (1–65535)`);
  return n;
}

/** The filter of an `expect: { from }` at run time. */
export function udpFilter(spec: FromSpec | undefined, ctx: Context, step: Step): UdpFilter {
  if (spec === undefined) return 'destination';
  if (spec === 'any') return 'any';
  return { port: resolvePort(spec.port, ctx, step), ...(spec.address !== undefined ? { address: spec.address } : {}) };
}

/** The destination of a `send: { to }` at run time (undefined: the connection's own). */
export function udpTarget(spec: ToSpec | undefined, ctx: Context, step: Step): UdpAddress | 'sender' | undefined {
  if (spec === undefined || spec === 'sender') return spec;
  return { port: resolvePort(spec.port, ctx, step), address: spec.address ?? '127.0.0.1' };
}
