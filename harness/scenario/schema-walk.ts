/**
 * Small readers over zod schemas and issues: the keys an object allows at a path,
 * and issue texts in the project's words.
 */
import { z } from 'zod';
import type { DataPath } from './yaml-source.js';

type Def = { type: string; getter?: () => z.ZodType; innerType?: z.ZodType; valueType?: z.ZodType; options?: z.ZodType[] };

/** Strip wrappers (optional, default, lazy, nullable) off a schema. */
function unwrap(schema: z.ZodType): z.ZodType {
  for (let i = 0; i < 20; i++) {
    const def = (schema as unknown as { _zod: { def: Def } })._zod.def;
    if (def.type === 'lazy' && def.getter) schema = def.getter();
    else if ((def.type === 'optional' || def.type === 'default' || def.type === 'nullable') && def.innerType) schema = def.innerType;
    else return schema;
  }
  return schema;
}

/** The object schema found at `path` inside `schema`, if any. */
function objectAt(schema: z.ZodType, path: DataPath): z.ZodObject | undefined {
  let s: z.ZodType | undefined = unwrap(schema);
  for (const seg of path) {
    if (!s) return undefined;
    if (s instanceof z.ZodUnion) s = (s.options as z.ZodType[]).map(unwrap).find((o) => o instanceof z.ZodObject || o instanceof z.ZodArray);
    if (s instanceof z.ZodObject) s = (s.shape as Record<string, z.ZodType>)[String(seg)];
    else if (s instanceof z.ZodArray) s = s.element as z.ZodType;
    else if (s instanceof z.ZodRecord) s = (s as unknown as { _zod: { def: Def } })._zod.def.valueType;
    else return undefined;
    s = s ? unwrap(s) : undefined;
  }
  if (s instanceof z.ZodUnion) s = (s.options as z.ZodType[]).map(unwrap).find((o) => o instanceof z.ZodObject);
  return s instanceof z.ZodObject ? s : undefined;
}

/** The keys allowed by the object schema at `path`. */
export function allowedKeys(schema: z.ZodType, path: DataPath): string[] {
  const o = objectAt(schema, path);
  return o ? Object.keys(o.shape) : [];
}

/** A short rendering of a user's value for a message. */
export function showValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  const t = Array.isArray(v) ? 'list' : v === null ? 'null' : typeof v;
  // Infinity and NaN (a YAML `1e999` or `.nan`) are numbers JSON cannot spell.
  const s = typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v) ?? String(v);
  return `\`${s.length > 40 ? s.slice(0, 37) + '...' : s}\` (${t})`;
}

/** Render a path as `steps[2].send.chunks[0]`. */
export function showPath(path: DataPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out || 'the scenario';
}

/** The code and message of a zod issue (not `unrecognized_keys`, handled by the caller). */
export function describeIssue(issue: z.core.$ZodIssue, path: DataPath): { code: string; message: string } {
  const where = `\`${showPath(path)}\``;
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return { code: 'missing-key', message: `${where} is required (${issue.expected})` };
      return { code: 'invalid-type', message: `expected ${where} to be ${article(issue.expected)}, got ${showValue(input)}` };
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? `at least ${issue.minimum}` : `at most ${issue.maximum}`;
      const what = issue.origin === 'array' ? `to have ${bound} items` : issue.origin === 'string' ? `to have ${bound} characters` : `to be ${bound}`;
      return { code: 'out-of-range', message: `expected ${where} ${what}, got ${showValue(input)}` };
    }
    case 'invalid_value':
      return { code: 'invalid-value', message: `expected ${where} to be one of ${issue.values.map((v) => `\`${String(v)}\``).join(', ')}, got ${showValue(input)}` };
    case 'invalid_format':
      return { code: 'invalid-value', message: `expected ${where} to be ${issue.message}, got ${showValue(input)}` };
    case 'invalid_union':
      return { code: 'invalid-value', message: `${where} has none of the allowed forms, got ${showValue(input)}` };
    default:
      return { code: 'invalid-value', message: `${where}: ${issue.message}` };
  }
}

function article(t: string): string {
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}
