/**
 * Schema pieces shared by the scenario's top level and the bodies of step verbs:
 * durations, connection names, and the ways a scenario spells bytes.
 */
import { z } from 'zod';

/** A duration in milliseconds, up to an hour. */
export const ms = z.number().int().nonnegative().max(3_600_000);
/** A connection's name. */
export const connName = z.string().regex(/^[A-Za-z_][\w-]*$/, 'a name of letters, digits, `_` or `-`');

/** A value's name (a capture, a repeat index). */
export const valueName = z.string().regex(/^[A-Za-z_][\w-]*$/, 'a name of letters, digits, `_` or `-`');

const varRef = z.strictObject({ var: valueName.describe('a named value: a capture, a repeat index, a payload under `vars`') });
const bytesSpecs = [z.strictObject({ text: z.string() }), z.strictObject({ hex: z.string() }), z.strictObject({ bytes: z.string() })] as const;
const fieldRef = z.union([z.string(), z.number().int().nonnegative()]);

/** One value of a struct to send. */
export const structSendValue = z.union([
  z.number(),
  varRef,
  z.strictObject({ now: z.literal(true), offset: z.number().optional() }).describe('the current Unix time in seconds, + offset'),
  z.strictObject({ random: z.literal(true) }).describe('uniform over the field’s range'),
  z.strictObject({ 'length-of': z.union([fieldRef, z.array(fieldRef).min(1)]) }).describe('the byte length of these fields, or `rest`: of every field after this one'),
  ...bytesSpecs,
]);

/** A bound of a value check: a number, a named value or another field. */
const bound = z.union([z.number(), varRef, z.strictObject({ field: fieldRef })]);

/** A numeric value check (of a struct field or a regex group's decimal text). */
const numericChecks = [
  z.number(),
  z.literal('any'),
  varRef,
  z.strictObject({ min: bound.optional(), max: bound.optional() }),
  z.strictObject({
    now: z.number().nonnegative().describe('tolerance in seconds around the current time'),
    offset: z.number().optional().describe('seconds added to Unix time (2208988800 for RFC 868)'),
  }),
  z.strictObject({ bits: z.number().int().nonnegative(), equals: z.number().int().nonnegative() }).describe('(value & bits) == equals'),
] as const;

/** A check of one struct field. */
export const structCheck = z.union([...numericChecks, z.strictObject({ field: fieldRef }).describe('equal to another field'), ...bytesSpecs]);

/** A check of one regex group: numeric (its decimal text), or `{ text }`. */
export const groupCheck = z.union([...numericChecks, bytesSpecs[0]]);

/** `capture:` of a step: a name for the whole message, or names and their sources. */
export const captureField = z
  .union([valueName, z.record(valueName, z.union([z.string(), z.number().int().nonnegative()]))])
  .optional()
  .describe('NAME (the whole message) or { NAME: SOURCE }: `message`, a regex group, a struct field (name or index), `sender.port`, `sender.address`');

/** The ways a scenario spells bytes; exactly one is given. */
export const payloadFields = {
  text: z.string().optional().describe('UTF-8 text, sent as is'),
  bytes: z.string().optional().describe('text with escapes: \\n \\r \\t \\0 \\\\ and \\xHH for a raw byte'),
  hex: z.string().optional().describe('hex digit pairs; spaces and colons allowed between pairs'),
  fill: z
    .strictObject({
      size: z.number().int().nonnegative().max(16 * 1024 * 1024),
      pattern: z.string().min(1).optional(),
      random: z.number().int().optional(),
    })
    .optional()
    .describe('`size` bytes repeating `pattern`, or pseudo-random from the seed `random`'),
  var: z.string().optional().describe('a payload named under `vars`'),
  head: z
    .strictObject({ var: z.string(), size: z.number().int().nonnegative() })
    .optional()
    .describe('the first `size` bytes of a payload under `vars` or `generate` (all of it if shorter)'),
  concat: z
    .array(z.lazy((): z.ZodType => payloadSchema))
    .min(1)
    .optional()
    .describe('the payloads given, one after another'),
  struct: z
    .strictObject({
      format: z.string().describe('Python struct format, e.g. `!HH`; `*s` is a byte string of its value’s length'),
      names: z.array(valueName).optional().describe('a name for each field'),
      values: z.array(structSendValue).describe('one value per field'),
    })
    .optional()
    .describe('a message packed by a Python struct format'),
};
/** The keys of `payloadFields`. */
export const payloadKeys = Object.keys(payloadFields) as (keyof typeof payloadFields)[];

/** A payload: one of `payloadFields`. */
export const payloadSchema = z.strictObject(payloadFields);

/** `on` of a step: the connection it acts on. */
export const on = connName.optional().describe('the connection; default: the last one opened');
/** `within` of a step: its deadline. */
export const within = ms.optional().describe('deadline in milliseconds; default: the scenario step-timeout');
