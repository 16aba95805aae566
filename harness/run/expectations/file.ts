/**
 * Expectation files: the known deviations of an implementation, each with the outcome
 * it gives now and why, so that a run stays green while they are being fixed and still
 * fails on any other. Reading and checking one file; every entry keeps its line, for
 * the messages that name it.
 *
 * ```yaml
 * - scenario: scenarios/echo-ack/server/large-payload.yaml   # as reports show it; `*` and `**` allowed
 *   requirement: ECHO-5                                      # optional: one id of that scenario
 *   target: mydaemon                                         # optional: one target of the run
 *   outcome: fail                                            # or a list: the usual outcome, then intermittent ones
 *   reason: reads are echoed only up to 1024 bytes
 *   link: https://example.org/issues/12                      # optional
 * ```
 */
import { stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { z } from 'zod';
import type { Catalogue } from '../../scenario/catalogue.js';
import { didYouMean, type Diagnostic } from '../../scenario/diagnostic.js';
import { readRegularFile } from '../../scenario/read-file.js';
import { describeIssue } from '../../scenario/schema-walk.js';
import { parseYamlSource, type DataPath } from '../../scenario/yaml-source.js';
import type { Outcome } from '../result.js';

/** Every outcome an entry may expect, in the order the README lists them. */
export const OUTCOMES: readonly Outcome[] = ['fail', 'non-strict', 'info', 'not-run', 'error', 'skip', 'pass'];

/** Keys of an entry, in the order a written entry has them. */
export const ENTRY_KEYS = ['scenario', 'requirement', 'target', 'outcome', 'reason', 'link'] as const;

const entrySchema = z.strictObject({
  scenario: z.string().min(1).optional(),
  requirement: z.string().min(1).optional(),
  target: z.string().min(1).optional(),
  // Checked one by one below, for a message naming the word that is not an outcome.
  outcome: z.union([z.string(), z.array(z.string()).min(1)]),
  reason: z.string(),
  link: z.url({ protocol: /^https?$/ }).optional(),
});

export interface ExpectationEntry {
  /** `file:line` of the entry, for messages. */
  source: string;
  line: number;
  /** As written: a scenario file relative to the file's base folder, `*` and `**` allowed. */
  scenario?: string;
  /** Tells whether an absolute scenario path is one `scenario` names. */
  matches?: (absFile: string) => boolean;
  /** The pattern is exact (no `*`): an entry naming one file outranks a pattern. */
  exact?: boolean;
  requirement?: string;
  target?: string;
  /** The usual outcome first, then any other the entry also accepts (a known intermittent one). */
  outcomes: Outcome[];
  reason: string;
  link?: string;
}

export interface ExpectationFile {
  /** As messages show it. */
  file: string;
  /** Absolute. */
  path: string;
  /** The folder `scenario:` paths are relative to: the working folder, or the config's for a target's file. */
  base: string;
  entries: ExpectationEntry[];
}

/** What an entry may name: the catalogue's ids and the run's targets, when known. */
export interface ExpectationContext {
  catalogue?: Catalogue;
  targets?: readonly string[];
}

/** `**` any characters, `*` any but `/`; the rest literally. */
function globRegex(abs: string): RegExp {
  const parts = abs.split(/(\*\*|\*)/).map((p) => (p === '**' ? '.*' : p === '*' ? '[^/]*' : p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${parts.join('')}$`);
}

/** The absolute form of a scenario path written in a file whose paths are relative to `base`. */
export function scenarioPattern(base: string, written: string): { matches: (abs: string) => boolean; exact: boolean; abs: string } {
  const abs = resolve(base, written).split(sep).join('/');
  if (!written.includes('*')) return { matches: (f) => f.split(sep).join('/') === abs, exact: true, abs };
  const re = globRegex(abs);
  return { matches: (f) => re.test(f.split(sep).join('/')), exact: false, abs };
}

/**
 * Read and check the expectation file `path` (shown as `shown`; `scenario:` paths relative
 * to `base`). With `optional`, a file that does not exist yet reads as one without entries.
 */
export async function readExpectationFile(shown: string, path: string, base: string, context: ExpectationContext, optional = false): Promise<{ file?: ExpectationFile; diagnostics: Diagnostic[] }> {
  const read = await readRegularFile(path);
  if ('problem' in read) {
    if (optional && read.problem.code === 'not-found') return { file: { file: shown, path, base, entries: [] }, diagnostics: [] };
    return { diagnostics: [{ file: shown, line: 0, col: 0, code: read.problem.code, message: read.problem.message, severity: 'error' }] };
  }
  const src = parseYamlSource(shown, read.text);
  if (src.diagnostics.length) return { diagnostics: src.diagnostics };
  const diagnostics: Diagnostic[] = [];
  const at = (p: DataPath, code: string, message: string, hint?: string, atKey = false) => diagnostics.push({ file: shown, ...src.locate(p, atKey), code, message, severity: 'error', ...(hint ? { hint } : {}) });
  const data = src.data ?? [];
  if (!Array.isArray(data)) {
    at([], 'invalid-type', 'an expectation file is a list of entries (`- scenario: …`, `outcome: …`, `reason: …`)');
    return { diagnostics };
  }
  const entries: ExpectationEntry[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < data.length; i++) {
    const entry = await checkEntry(data[i], i, at, context, base);
    if (!entry) continue;
    const line = src.locate([i]).line;
    const key = JSON.stringify([entry.scenario === undefined ? null : scenarioPattern(base, entry.scenario).abs, entry.requirement ?? null, entry.target ?? null]);
    const first = seen.get(key);
    if (first !== undefined) at([i], 'duplicate-entry', `the same scenario, requirement and target as the entry at line ${first}`, 'keep one entry');
    else seen.set(key, line);
    entries.push({ ...entry, source: `${shown}:${line}`, line });
  }
  diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
  return diagnostics.length ? { diagnostics } : { file: { file: shown, path, base, entries }, diagnostics };
}

type At = (p: DataPath, code: string, message: string, hint?: string, atKey?: boolean) => void;

/** One entry checked: its shape, its outcomes, and that what it names exists. */
async function checkEntry(raw: unknown, i: number, at: At, context: ExpectationContext, base: string): Promise<Omit<ExpectationEntry, 'source' | 'line'> | undefined> {
  const r = entrySchema.safeParse(raw, { reportInput: true });
  if (!r.success) {
    for (const issue of r.error.issues) {
      const p = [i, ...(issue.path as (string | number)[])];
      if (issue.code === 'unrecognized_keys') for (const k of issue.keys) at([...p, k], 'unknown-key', `\`${k}\` is not a key of an entry`, didYouMean(k, ENTRY_KEYS), true);
      else if (issue.code === 'invalid_format' && p.at(-1) === 'link') at(p, 'invalid-link', 'expected `link` to be an http or https URL');
      else {
        const { code, message } = describeIssue(issue, p);
        at(p, code, message);
      }
    }
    return undefined;
  }
  const e = r.data;
  let ok = true;
  const fail: At = (...args) => {
    ok = false;
    at(...args);
  };
  if (e.reason.trim() === '') fail([i, 'reason'], 'empty-reason', 'an entry says why, in a sentence');
  if (e.scenario === undefined && e.requirement === undefined) fail([i], 'missing-key', 'an entry names a `scenario:`, a `requirement:`, or both');
  const words = typeof e.outcome === 'string' ? [e.outcome] : e.outcome;
  words.forEach((w, j) => {
    const p = typeof e.outcome === 'string' ? [i, 'outcome'] : [i, 'outcome', j];
    if (!OUTCOMES.includes(w as Outcome)) fail(p, 'unknown-outcome', `\`${w}\` is not an outcome (${OUTCOMES.join(', ')})`, didYouMean(w, OUTCOMES));
    else if (words.indexOf(w) !== j) fail(p, 'duplicate-outcome', `\`${w}\` is listed twice`);
  });
  if (e.requirement !== undefined && context.catalogue && !context.catalogue.byId.has(e.requirement)) {
    fail([i, 'requirement'], 'unknown-requirement', `\`${e.requirement}\` is not in the requirement catalogue (${context.catalogue.file})`, didYouMean(e.requirement, [...context.catalogue.byId.keys()]));
  }
  if (e.target !== undefined && context.targets && !context.targets.includes(e.target)) {
    fail([i, 'target'], 'unknown-target', `\`${e.target}\` is not a target of this run (${context.targets.map((t) => `\`${t}\``).join(', ')})`, didYouMean(e.target, context.targets));
  }
  let pattern: ReturnType<typeof scenarioPattern> | undefined;
  if (e.scenario !== undefined) {
    pattern = scenarioPattern(base, e.scenario);
    // A pattern may match nothing today; a file named outright must exist (a typo would never match).
    if (pattern.exact && !(await stat(pattern.abs).then((s) => s.isFile(), () => false))) fail([i, 'scenario'], 'unknown-scenario', `no scenario file \`${e.scenario}\` (relative to ${base})`);
  }
  if (!ok) return undefined;
  return {
    ...(e.scenario !== undefined ? { scenario: e.scenario, matches: pattern!.matches, exact: pattern!.exact } : {}),
    ...(e.requirement !== undefined ? { requirement: e.requirement } : {}),
    ...(e.target !== undefined ? { target: e.target } : {}),
    outcomes: words as Outcome[],
    reason: e.reason.trim(),
    ...(e.link !== undefined ? { link: e.link } : {}),
  };
}
