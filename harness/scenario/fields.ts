/**
 * Schema pieces shared by the scenario's top level and the bodies of step verbs:
 * durations, connection names, and the ways a scenario spells bytes.
 */
import { z } from 'zod';

/** A duration in milliseconds, up to an hour. */
export const ms = z.number().int().nonnegative().max(3_600_000);
/** A connection's name. */
export const connName = z.string().regex(/^[A-Za-z_][\w-]*$/, 'a name of letters, digits, `_` or `-`');

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
};
/** The keys of `payloadFields`. */
export const payloadKeys = Object.keys(payloadFields) as (keyof typeof payloadFields)[];

/** A payload: one of `payloadFields`. */
export const payloadSchema = z.strictObject(payloadFields);

/** `on` of a step: the connection it acts on. */
export const on = connName.optional().describe('the connection; default: the last one opened');
/** `within` of a step: its deadline. */
export const within = ms.optional().describe('deadline in milliseconds; default: the scenario step-timeout');
