/**
 * Reading a JSON report (`--reporter json=FILE`) back into the run it describes, for
 * the commands that work on finished runs (`sockspec compare`, `sockspec merge`):
 * checked against the report's schema, every byte string rebuilt exactly from its
 * `hex`, and every problem given as `file:line:col: code: message`.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import type { RunResult } from '../run/result.js';
import type { Diagnostic } from '../scenario/diagnostic.js';
import { readRegularFile } from '../scenario/read-file.js';
import { describeIssue, showPath } from '../scenario/schema-walk.js';
import { JSON_SCHEMA_VERSION } from './json-report.js';
import { findJsonSyntaxError, lineColOf, offsetOfPath } from './json-position.js';

/** Reports are larger than scenario files: a long run with its transcripts. */
export const MAX_REPORT_BYTES = 256 * 1024 * 1024;

/** Problems shown per report: the first ones say what is wrong. */
const MAX_PROBLEMS = 10;

const OUTCOMES = ['pass', 'fail', 'non-strict', 'info', 'not-run', 'skip', 'error'] as const;
const TRANSCRIPT_KINDS = ['start', 'ready', 'connect', 'send', 'recv', 'shutdown', 'close', 'reset', 'eof', 'error', 'stdout', 'stderr', 'stdin', 'exit', 'note', 'elided'] as const;

/** The bytes `hex` (`65 6c 73`) spells, if it spells exactly `length` bytes. */
function bytesOfHex(hex: string, length: number): Uint8Array | undefined {
  if (hex.length !== (length === 0 ? 0 : length * 3 - 1)) return undefined;
  for (let i = 0; i < hex.length; i++) {
    const c = hex.charCodeAt(i);
    const ok = i % 3 === 2 ? c === 0x20 : (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
    if (!ok) return undefined;
  }
  const b = Buffer.from(hex.replaceAll(' ', ''), 'hex');
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

const count = z.number().int().min(0);
const outcome = z.enum(OUTCOMES);
const level = z.enum(['MUST', 'SHOULD', 'INFO']);
/** `{ text, hex, length }` as the bytes themselves; `text` is only for reading, the bytes come from `hex`. */
const bytes = z.object({ text: z.string(), hex: z.string(), length: count }).transform((b, ctx) => {
  const out = bytesOfHex(b.hex, b.length);
  if (!out) ctx.addIssue({ code: 'custom', path: ['hex'], input: b.hex, message: `${b.length === 1 ? '1 byte' : `${b.length} bytes`} (\`length\`) as two hex digits each, separated by spaces` });
  return out ?? new Uint8Array();
});
const failure = z.object({
  code: z.string(),
  message: z.string(),
  step: count.optional(),
  stepLabel: z.string().optional(),
  requirements: z.array(z.string()),
  level: level.optional(),
  expected: bytes.optional(),
  actual: bytes.optional(),
  at: count.optional(),
  line: count.optional(),
});
const scenario = z.object({
  id: z.string(),
  file: z.string(),
  name: z.string(),
  target: z.string(),
  covers: z.array(z.string()),
  outcome,
  requirements: z.record(z.string(), outcome),
  reasons: z.record(z.string(), z.string()).optional(),
  durationMs: z.number().min(0),
  failure: failure.optional(),
  failures: z.array(failure).optional(),
  skipReason: z.string().optional(),
  notes: z.array(z.string()),
  // Reports write these two whole: fields a later version adds are kept.
  property: z.looseObject({ seed: z.number(), runs: count, shrinks: count }).optional(),
  expectation: z.looseObject({ reason: z.string(), source: z.string(), met: z.boolean(), outcome: outcome.optional(), requirements: z.record(z.string(), outcome).optional() }).optional(),
  problems: z.array(z.object({ code: z.string(), message: z.string() })).optional(),
  steps: z.array(z.object({ label: z.string(), line: count, outcome: z.enum(['pass', 'fail', 'not-run']), t: z.number().optional(), runs: count.optional() })).optional(),
  transcript: z.array(z.object({ t: z.number(), kind: z.enum(TRANSCRIPT_KINDS), on: z.string().optional(), data: bytes.optional(), detail: z.string().optional() })),
});
const report = z.object({
  startedAt: z.iso.datetime({ error: 'an ISO 8601 date and time' }),
  durationMs: z.number().min(0),
  strict: z.boolean(),
  seed: z.number().int().optional(),
  interrupted: z.boolean().optional(),
  shard: z
    .object({ index: count.min(1), count: count.min(1), planned: count })
    .refine((s) => s.index <= s.count, { message: 'at most `shard.count`', path: ['index'] })
    .optional(),
  scenarios: z.array(scenario),
  requirements: z.array(z.object({ id: z.string(), level, text: z.string(), outcome: z.enum([...OUTCOMES, 'uncovered']), scenarios: z.array(z.string()) })),
  // `matrix` is left out: it is made from the scenarios whenever a report is written.
  expectations: z.looseObject({ files: z.array(z.string()), met: count, unexpected: z.array(z.object({ id: z.string(), message: z.string() })), unused: z.array(z.string()) }).optional(),
  exitCode: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  counts: z.record(outcome, count),
});

/** A report read back, or why it could not be. */
export type ReadReport = { run: RunResult } | { diagnostics: Diagnostic[] };

function problem(file: string, code: string, message: string, where?: { line: number; col: number }): Diagnostic {
  return { file, line: where?.line ?? 0, col: where?.col ?? 0, code, message, severity: 'error' };
}

/** The run the report `text` (read from `file`) describes, checked. */
export function parseJsonReport(file: string, text: string): ReadReport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const found = findJsonSyntaxError(text) ?? { offset: 0, message: (e as Error).message };
    return { diagnostics: [problem(file, 'bad-json', `not JSON: ${found.message}`, lineColOf(text, found.offset))] };
  }
  const at = (path: PropertyKey[]) => lineColOf(text, offsetOfPath(text, path));
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { diagnostics: [problem(file, 'not-a-report', 'expected a sockspec JSON report (an object with `schemaVersion`)', at([]))] };
  const version = (data as { schemaVersion?: unknown }).schemaVersion;
  if (version === undefined) return { diagnostics: [problem(file, 'not-a-report', 'expected a sockspec JSON report: it has no `schemaVersion`', at([]))] };
  if (version !== JSON_SCHEMA_VERSION) {
    return { diagnostics: [problem(file, 'unsupported-schema', `a report of schemaVersion ${JSON.stringify(version)}; this sockspec reads schemaVersion ${JSON_SCHEMA_VERSION} (write the report again with it)`, at(['schemaVersion']))] };
  }
  const r = report.safeParse(data, { reportInput: true });
  if (r.success) return { run: r.data as RunResult };
  const issues = r.error.issues;
  const diagnostics = issues.slice(0, MAX_PROBLEMS).map((issue) => {
    const path = issue.path as (string | number)[];
    const { code, message } = issue.code === 'custom' ? { code: 'invalid-value', message: `expected \`${showPath(path)}\` to be ${issue.message}` } : describeIssue(issue, path);
    return problem(file, code, message, at(path));
  });
  if (issues.length > MAX_PROBLEMS) diagnostics.push(problem(file, 'more-problems', `${issues.length - MAX_PROBLEMS} more problems not shown`));
  return { diagnostics };
}

/** Read the JSON report `file` (relative to `cwd`): a regular file only, never waited on (a FIFO is refused). */
export async function readJsonReport(file: string, cwd: string): Promise<ReadReport> {
  const read = await readRegularFile(resolve(cwd, file), MAX_REPORT_BYTES);
  if ('problem' in read) {
    const message = read.problem.code === 'too-large' ? `it has more than ${MAX_REPORT_BYTES} bytes, the most a report is read with` : read.problem.message;
    return { diagnostics: [problem(file, read.problem.code, message)] };
  }
  return parseJsonReport(file, read.text);
}

/** Read every report of `files`: the runs in order, or every problem of every file. */
export async function readJsonReports(files: readonly string[], cwd: string): Promise<{ runs: RunResult[] } | { diagnostics: Diagnostic[] }> {
  const read = await Promise.all(files.map((f) => readJsonReport(f, cwd)));
  const diagnostics = read.flatMap((r) => ('diagnostics' in r ? r.diagnostics : []));
  return diagnostics.length ? { diagnostics } : { runs: read.map((r) => (r as { run: RunResult }).run) };
}
