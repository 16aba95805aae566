/**
 * The TLS options of `connect: { tls }` and `starttls`: their schema, their check at
 * validation (a CA file relative to the scenario must exist), and the options the
 * network layer takes at run time (the CA file read then).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import type { TlsClientOptions } from '../net/tls.js';
import { fail } from '../run/context.js';
import type { Step } from '../scenario/model.js';
import type { DataPath } from '../scenario/yaml-source.js';
import type { ValidateCtx } from './types.js';

/** How the harness, as a TLS client, checks the server: the keys of `starttls` and of `connect: { tls }`. */
export const tlsClientFields = {
  servername: z.string().min(1).optional().describe('the name checked against the certificate and sent as SNI; default: the host'),
  ca: z.string().min(1).optional().describe('PEM file of the CA certificates to trust, relative to the scenario file; default: the system’s'),
  insecure: z.literal(true).optional().describe('accept any certificate'),
};

/** `tls` of `connect`: `true` (the system's CAs, servername = host) or the options. */
export const tlsField = z
  .union([z.literal(true), z.strictObject({ ...tlsClientFields, alpn: z.array(z.string().min(1)).min(1).optional().describe('protocols offered by ALPN, in order of preference') })])
  .optional()
  .describe('TCP: speak TLS from the start');

/** TLS client options as normalised: the CA as an absolute path, read at run time. */
export type TlsSpec = { servername?: string; caPath?: string; insecure?: true; alpn?: string[] };

/** The options written at `path` (a `connect: { tls }` object, or a `starttls` body) as a TlsSpec; reports a CA file that does not exist. */
export function tlsSpec(v: ValidateCtx, o: { servername?: string; ca?: string; insecure?: true; alpn?: string[] }, path: DataPath): TlsSpec {
  const caPath = o.ca === undefined ? undefined : resolve(dirname(v.file), o.ca);
  if (caPath !== undefined && !existsSync(caPath)) v.error([...path, 'ca'], 'tls-ca-missing', `no CA file \`${o.ca}\` (looked for ${caPath})`, 'the path is relative to the scenario file', true);
  return {
    ...(o.servername !== undefined ? { servername: o.servername } : {}),
    ...(caPath !== undefined ? { caPath } : {}),
    ...(o.insecure ? { insecure: true as const } : {}),
    ...(o.alpn ? { alpn: o.alpn } : {}),
  };
}

/** The network layer's options for `spec`, the CA file read now (failing `step` with `tls-ca-missing` if it cannot be). */
export async function tlsOptions(spec: TlsSpec, step: Step): Promise<TlsClientOptions> {
  const { caPath, ...rest } = spec;
  if (caPath === undefined) return rest;
  try {
    return { ...rest, ca: await readFile(caPath) };
  } catch (e) {
    fail(step, 'tls-ca-missing', `cannot read the CA file ${caPath}: ${(e as Error).message}`);
  }
}
