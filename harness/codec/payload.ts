/**
 * Payloads: the bytes a scenario spells as `text`, `bytes`, `hex`, `fill` or `var`.
 */
import { parseEscapedBytes } from './byte-escapes.js';
import { concatBytes, encodeUtf8 } from './bytes.js';
import { CodecError } from './errors.js';
import { checkFill, fillBytes } from './fill.js';
import { parseHex } from './hex-text.js';
import type { PayloadSpec } from './types.js';

const KINDS = ['text', 'bytes', 'hex', 'fill', 'var', 'concat', 'head'] as const;

function kindOf(spec: PayloadSpec): (typeof KINDS)[number] {
  const given = KINDS.filter((k) => spec !== null && typeof spec === 'object' && (spec as Record<string, unknown>)[k] !== undefined);
  if (given.length !== 1) {
    throw new CodecError('bad-payload', given.length ? `give one of ${given.join(', ')}, not several` : `give the bytes as one of ${KINDS.join(', ')}`);
  }
  return given[0]!;
}

function requireString(value: unknown, kind: string): string {
  if (typeof value !== 'string') throw new CodecError('bad-payload', `\`${kind}\` must be a string, got ${typeof value}`);
  return value;
}

/**
 * The bytes of a payload spec, taking `var` payloads from `vars`. Throws
 * `CodecError` (`bad-payload`, `bad-escape`, `bad-hex`, `bad-fill`, `unknown-var`).
 */
export function encodePayload(spec: PayloadSpec, vars?: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const kind = kindOf(spec);
  switch (kind) {
    case 'text':
      return encodeUtf8(requireString((spec as { text: unknown }).text, kind));
    case 'bytes':
      return parseEscapedBytes(requireString((spec as { bytes: unknown }).bytes, kind));
    case 'hex':
      return parseHex(requireString((spec as { hex: unknown }).hex, kind));
    case 'fill':
      return fillBytes((spec as { fill: Parameters<typeof fillBytes>[0] }).fill);
    case 'var': {
      const name = requireString((spec as { var: unknown }).var, kind);
      const value = vars?.get(name);
      if (value === undefined) {
        const known = vars && vars.size ? `; the names are ${[...vars.keys()].join(', ')}` : '; declare it under `vars`';
        throw new CodecError('unknown-var', `no payload named "${name}"${known}`);
      }
      return value;
    }
    case 'head': {
      const h = (spec as { head: { var: string; size: number } }).head;
      return encodePayload({ var: h.var }, vars).subarray(0, h.size);
    }
    case 'concat': {
      const parts = (spec as { concat: unknown }).concat;
      if (!Array.isArray(parts) || parts.length === 0) throw new CodecError('bad-payload', '`concat` must be a list of payloads');
      return concatBytes(parts.map((p) => encodePayload(p as PayloadSpec, vars)));
    }
  }
}

/**
 * The problem with a payload spec, or undefined when it encodes; for reporting at
 * load time. A `var` name is not looked up here (the caller knows the vars).
 */
export function checkPayload(spec: PayloadSpec): string | undefined {
  try {
    const kind = kindOf(spec);
    if (kind === 'fill') {
      const fill = (spec as { fill: unknown }).fill;
      if (fill === null || typeof fill !== 'object') return '`fill` must be a map with `size` and optionally `pattern` or `random`';
      return checkFill(fill as Parameters<typeof checkFill>[0]);
    }
    if (kind === 'var') {
      const name = requireString((spec as { var: unknown }).var, kind);
      return name === '' ? '`var` must name a payload under `vars`' : undefined;
    }
    if (kind === 'head') {
      const h = (spec as { head: unknown }).head as { var?: unknown; size?: unknown } | null;
      if (!h || typeof h.var !== 'string' || !Number.isInteger(h.size) || (h.size as number) < 0) return '`head` takes `var` (a name) and `size` (bytes)';
      return undefined;
    }
    if (kind === 'concat') {
      const parts = (spec as { concat: unknown }).concat;
      if (!Array.isArray(parts) || parts.length === 0) return '`concat` must be a list of payloads';
      for (const [i, p] of parts.entries()) {
        const problem = checkPayload(p as PayloadSpec);
        if (problem) return `in \`concat[${i}]\`: ${problem}`;
      }
      return undefined;
    }
    encodePayload(spec);
    return undefined;
  } catch (e) {
    if (e instanceof CodecError) return e.message;
    throw e;
  }
}
