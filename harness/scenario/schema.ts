/**
 * The one schema of a scenario file. YAML files and TypeScript objects validate
 * against it, and `scenarios/schema.json` is generated from it for editors.
 */
import { z } from 'zod';
import { VERBS, type StepVerb } from '../verbs/index.js';
import { framingSchema } from '../verbs/framing.js';
import { ms, payloadSchema } from './fields.js';

const reqIds = z.union([z.string(), z.array(z.string()).min(1)]);

/** Each step's body, by its verb (from the table of verbs). A step is a map with exactly one verb key. */
const step = (): z.ZodType => stepSchema;
export const stepBodies = Object.fromEntries(VERBS.map((d) => [d.verb, typeof d.body === 'function' ? d.body(step) : d.body])) as Record<StepVerb, z.ZodType>;
/** Every step verb, in the table's order. */
export const stepVerbs = Object.keys(stepBodies) as StepVerb[];

/** Keys every step may carry besides its verb. */
export const stepCommonFields = {
  req: reqIds.optional().describe('the requirement ids a failure of this step breaks'),
  level: z
    .enum(['MUST', 'SHOULD', 'INFO'])
    .optional()
    .describe('the level a failure of this step has, for a requirement that mixes levels (default: the catalogue’s)'),
};

export const stepSchema: z.ZodType = z.union(
  stepVerbs.map((verb) => z.strictObject({ [verb]: stepBodies[verb], ...stepCommonFields })) as unknown as [
    z.ZodType,
    z.ZodType,
  ],
);

/** How a generated value is drawn (exactly one kind). */
const sizeRange = { min: z.number().int().nonnegative().max(16 * 1024 * 1024).optional(), max: z.number().int().nonnegative().max(16 * 1024 * 1024).optional() };
export const generatorSchema = z.union([
  z.strictObject({
    bytes: z.strictObject({ ...sizeRange, alphabet: z.enum(['any', 'ascii', 'utf8', 'invalid-utf8']).optional().describe('default any') }),
  }),
  z.strictObject({ text: z.strictObject({ ...sizeRange, alphabet: z.enum(['ascii', 'utf8']).optional().describe('default ascii; never a line break') }) }),
  z.strictObject({ integer: z.strictObject({ min: z.number().int(), max: z.number().int() }) }),
  z.strictObject({
    message: z.strictObject({
      struct: z.strictObject({
        format: z.string().describe('Python struct format of the message, e.g. `!HI8s`'),
        values: z
          .array(z.union([z.literal('any'), z.number(), z.strictObject({ min: z.number(), max: z.number() })]))
          .optional()
          .describe('per field: `any` (default), a number, or `{ min, max }`'),
      }),
    }),
  }).describe('a message: a value drawn for each field of a struct layout, packed'),
  z.strictObject({
    split: z.strictObject({
      of: z.string().optional().describe('the generated payload it splits (a split cuts whatever it is sent with; `of` only checks the name)'),
      pieces: z.strictObject({ min: z.number().int().positive().optional(), max: z.number().int().positive().max(10_000).optional() }).optional(),
      pause: z.strictObject({ min: ms.optional(), max: ms.optional() }).optional().describe('milliseconds between pieces'),
    }),
  }),
]);

/** The top of a scenario file; `steps` are checked one by one against `stepBodies`. */
export const scenarioFields = {
  $schema: z.string().optional(),
  name: z.string().optional(),
  covers: z.array(z.string()).min(1).describe('requirement ids this scenario checks'),
  role: z.enum(['server', 'client']).optional().describe('the program under test (default server); for `client` the harness listens and plays the server'),
  listen: z.boolean().optional().describe('client role: whether the harness listens (default true); false to see the client fail to connect'),
  tls: z.literal(true).optional().describe('client role: the harness listens with TLS, with a certificate for localhost/127.0.0.1 made per run; `{tls-ca}` in the client’s command is its PEM file'),
  transport: z.enum(['tcp', 'udp', 'none']).optional().describe('what the program listens on, and the default of connections (default tcp); `none`: it does not listen, only runs'),
  process: z.enum(['fresh', 'reuse']).optional().describe('a fresh program for this scenario, or reuse a running one'),
  timeout: ms.optional().describe('limit for the whole scenario (default 30000), not counting the start of its program (bounded by the ready timeout) nor a wait for a fixed port'),
  'step-timeout': ms.optional().describe('default deadline of each step (default 5000)'),
  'default-port': z
    .number()
    .int()
    .min(1)
    .max(65535)
    .optional()
    .describe('start the program without a port ({port} words dropped, PORT unset) and expect it on this port'),
  skip: z.string().optional().describe('skip this scenario, saying why'),
  env: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name: letters, digits and `_`, not starting with a digit'), z.string())
    .optional()
    .describe('environment variables set for the program in this scenario (e.g. `TZ: Asia/Kolkata`): it gets a program started for it alone'),
  framing: framingSchema.optional().describe('the framing of every TCP connection (a `framing` on `connect`/`accept` overrides it)'),
  vars: z.record(z.string(), payloadSchema).optional(),
  generate: z
    .record(z.string().regex(/^[A-Za-z_][\w-]*$/), generatorSchema)
    .optional()
    .describe('property scenario: values generated for each run, usable as `var` payloads, `{name}` in text and `split` of sends'),
  runs: z.number().int().positive().max(1_000_000).optional().describe('property scenario: runs (default 100; `--runs` overrides)'),
  'time-limit': z.number().int().positive().max(3_600_000).optional().describe('property scenario: the longest all its runs and shrinking may take, in ms (default 120000)'),
  steps: z.array(stepSchema).min(1),
};

export const scenarioSchema = z.strictObject(scenarioFields);

/** A file that runs another scenario file (e.g. a shared listening check), under its own name and extra ids. */
export const includeSchema = z.strictObject({
  $schema: z.string().optional(),
  include: z.string().min(1).describe('path of a YAML scenario, relative to this file'),
  name: z.string().optional().describe('default: the included scenario’s name'),
  covers: z.array(z.string()).min(1).optional().describe('ids added to those the included scenario covers'),
});

/** What a scenario file may hold: a scenario, or an include of one. */
export const scenarioFileSchema = z.union([scenarioSchema, includeSchema]);

/** The top level as validated before the steps: steps are dispatched by verb. */
export const scenarioHeadSchema = z.strictObject({ ...scenarioFields, steps: z.array(z.unknown()).min(1) });

export type ScenarioInput = z.input<typeof scenarioSchema>;
