/**
 * The one schema of a scenario file. YAML files and TypeScript objects validate
 * against it, and `scenarios/schema.json` is generated from it for editors.
 */
import { z } from 'zod';

const ms = z.number().int().nonnegative().max(3_600_000);
const connName = z.string().regex(/^[A-Za-z_][\w-]*$/, 'a name of letters, digits, `_` or `-`');
const reqIds = z.union([z.string(), z.array(z.string()).min(1)]);

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
export const payloadKeys = Object.keys(payloadFields) as (keyof typeof payloadFields)[];

export const payloadSchema = z.strictObject(payloadFields);

const valueSpec = z.union([
  z.number(),
  z.literal('any'),
  z.strictObject({ min: z.number().optional(), max: z.number().optional() }),
  z.strictObject({
    now: z.number().nonnegative().describe('tolerance in seconds around the current time'),
    offset: z.number().optional().describe('seconds added to Unix time (2208988800 for RFC 868)'),
  }),
]);

const structSpec = z.strictObject({
  format: z.string().describe('Python struct format, e.g. `!I`'),
  values: z.array(valueSpec).describe('one check per field'),
});

const roundsSpec = z.strictObject({
  data: payloadSchema.describe('what the echoes must concatenate to'),
  trailer: payloadSchema.describe('what follows each echo'),
});

/** The matcher keys of `expect`; exactly one is given. */
export const expectFields = {
  ...payloadFields,
  regex: z.string().optional().describe('a JavaScript regular expression over the UTF-8 text received'),
  flags: z.string().regex(/^[imsu]*$/).optional().describe('flags for `regex`'),
  struct: structSpec.optional(),
  rounds: roundsSpec.optional().describe('segmentation-insensitive echo rounds: echo_k + trailer, echoes concatenating to data'),
  size: z.number().int().nonnegative().optional().describe('any bytes of this length (a datagram of this length)'),
  eof: z.literal(true).optional().describe('the peer closed its write side'),
  reset: z.literal(true).optional().describe('the peer reset the connection'),
  silence: ms.optional().describe('no data (no datagram) for this many milliseconds'),
  rest: z.literal(true).optional().describe('whatever arrives until the peer ends the stream (TCP), or the next datagram whatever it holds (UDP): to record it, e.g. for --reference'),
  'one-of': z
    .array(z.lazy((): z.ZodType => alternativeSchema))
    .min(2)
    .optional()
    .describe('TCP: holds as soon as one of these expectations holds; fails when none can'),
};
/** Keys of `expect` that qualify the matcher rather than choose it. */
export const expectOptionKeys = ['flags', 'measure'];
export const expectMatcherKeys = Object.keys(expectFields).filter((k) => !expectOptionKeys.includes(k));

/** One alternative of `one-of`: an expectation without its own options. */
const { silence: _silence, 'one-of': _oneOf, ...alternativeFields } = expectFields;
const alternativeSchema: z.ZodType = z.strictObject(alternativeFields);

const on = connName.optional().describe('the connection; default: the last one opened');
const within = ms.optional().describe('deadline in milliseconds; default: the scenario step-timeout');

const connectBody = z.strictObject({
  name: connName.optional(),
  transport: z.enum(['tcp', 'udp']).optional(),
  host: z.string().optional().describe('default 127.0.0.1; only loopback addresses are allowed'),
  port: z.number().int().min(1).max(65535).optional().describe('default: the program’s port'),
  expect: z.enum(['ok', 'refused']).optional().describe('`refused`: the connection must fail'),
  within,
});
const onBody = z.strictObject({ on });

/** What a console expectation may look for; exactly one of the matchers. */
const outputMatchers = {
  contains: z.string().optional(),
  regex: z.string().optional(),
  equals: z.string().optional().describe('everything printed (since the scenario began) is exactly this, once the program has exited'),
  'without-line-breaks': z.string().optional().describe('everything printed, with \\r and \\n removed, is exactly this, once the program has exited'),
  ctime: z.number().nonnegative().optional().describe('a C ctime() local time (`Mon Aug  6 17:09:17 2012`) within this many seconds of now'),
  within,
};

/** Each step's body, by its verb. A step is a map with exactly one verb key. */
export const stepBodies = {
  connect: z.union([connName, connectBody]),
  send: z.strictObject({
    on,
    ...payloadFields,
    chunks: z.array(z.number().int().positive()).min(1).optional().describe('sizes of the pieces; the rest goes last'),
    chunk: z.number().int().positive().optional().describe('send in pieces of this size'),
    split: z.string().optional().describe('a generated `split` (under `generate`): its pieces and pause'),
    pause: ms.optional().describe('milliseconds between pieces'),
    stall: ms
      .optional()
      .describe('TCP: a stall timeout: the send fails only if the peer takes none of the data (a piece of at most 64 KiB) for this many milliseconds, however long the whole takes'),
  }),
  shutdown: z.union([connName, onBody]),
  close: z.union([connName, onBody]),
  reset: z.union([connName, onBody]),
  expect: z.strictObject({
    on,
    within,
    stall: ms
      .optional()
      .describe('TCP: a stall timeout: `within` is then the deadline for the first byte, and after each byte received the expectation fails only if no byte comes for this many milliseconds (for large transfers, whose speed the spec does not set)'),
    ...expectFields,
    measure: z.string().min(1).optional().describe('record in the report how long the expectation took, under this label'),
  }),
  wait: ms.describe('a deliberate pause of the client, in milliseconds'),
  answer: z.strictObject({
    prompt: z.string().optional().describe('text the program prints (no newline needed)'),
    regex: z.string().optional().describe('or a regular expression the prompt matches'),
    line: z.string().describe('the line typed each time the prompt appears'),
    once: z.boolean().optional().describe('answer only the first time (default: every time)'),
  }),
  stdout: z.strictObject(outputMatchers),
  output: z.strictObject({
    ...outputMatchers,
    stream: z.enum(['stdout', 'stderr', 'both']).optional().describe('default stdout'),
  }),
  accept: z
    .union([connName, z.strictObject({ name: connName.optional(), within })])
    .describe('client under test: take its next connection (TCP) or name the harness’s bound socket (UDP)'),
  type: z.string().describe('a line typed on the program’s stdin'),
  'close-stdin': z.literal(true),
  'no-crash': z
    .literal(true)
    .describe('the program has not crashed so far: no stack trace of an interpreter or runtime (Python, Node, Java, Go, Rust, Ruby, sanitizers) on its stderr, and not killed by a signal it was not sent'),
  exit: z.strictObject({
    code: z.union([z.number().int(), z.literal('nonzero')]).optional().describe('the exit status, or `nonzero`'),
    signal: z.string().optional(),
    within,
  }),
  restart: z.strictObject({ within }).describe('stop the program (SIGTERM) and start it again on the same port'),
  stop: z.strictObject({}).describe('stop the program (SIGTERM, then SIGKILL) and wait for it to end'),
  start: z
    .strictObject({ within, ready: z.literal(false).optional().describe('launch without waiting for it to listen (e.g. to see it fail)') })
    .describe('start the stopped program again on the same port; `within`: how soon it must listen'),
  occupy: z
    .strictObject({ transport: z.enum(['tcp', 'udp']).optional() })
    .describe('the harness binds the program’s port on 127.0.0.1 itself and holds it to the end of the scenario'),
  listener: z.strictObject({
    address: z.string().optional().describe('`any`, `loopback` or an exact address'),
    reuseaddr: z.boolean().optional().describe('UDP: whether SO_REUSEADDR is set (Linux)'),
  }),
  cpu: z.strictObject({
    below: z.number().positive().max(1000).describe('percent of the window the program’s threads may be runnable (on a core or waiting for one), summed over its threads'),
    for: ms.describe('the window measured'),
  }),
  note: z.string().describe('record a line in the report'),
  parallel: z.array(z.array(z.lazy((): z.ZodType => stepSchema))).min(1),
  repeat: z.strictObject({
    times: z.number().int().positive().max(10_000),
    parallel: z.boolean().optional(),
    steps: z.array(z.lazy((): z.ZodType => stepSchema)).min(1),
  }),
};
export type StepVerb = keyof typeof stepBodies;
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
  transport: z.enum(['tcp', 'udp', 'none']).optional().describe('what the program listens on, and the default of connections (default tcp); `none`: it does not listen, only runs'),
  process: z.enum(['fresh', 'reuse']).optional().describe('a fresh program for this scenario, or reuse a running one'),
  timeout: ms.optional().describe('limit for the whole scenario (default 30000)'),
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
