/**
 * The GitHub Actions report: workflow commands that put each broken check on the line
 * of its step in the scenario's file — an `::error` for a MUST (or what the harness
 * could not judge), a `::warning` for a SHOULD (an error in a strict run) — a
 * `::notice` for a deviation an expectation file expects, and an `::error` on the
 * entry of one that did not come. Escaped as GitHub documents, so no message can end
 * a command or start another.
 */
import { isAbsolute, relative, sep } from 'node:path';
import type { Failure, Outcome, RunResult, ScenarioResult } from '../run/result.js';
import { describeExpected, describeUnexpected, expectationEntry, expectationState } from './expectation-text.js';
import { makePrintableLine, shortenLine } from './printable-text.js';
import { describeFailure, describeNotes, describeOutcomes } from './problem-text.js';
import { failureLine, failureOutcome, failuresOf, isMainFailure, levelsOf, type Levels } from './scenario-failures.js';

/** A command's message: `%`, CR and LF percent-encoded, as GitHub decodes them; any other control character too (shown as such: no terminal sequence reaches the log). */
export function escapeCommandData(text: string): string {
  return text
    .replace(/%/g, '%25')
    .replace(/\r/g, '%0D')
    .replace(/\n/g, '%0A')
    .replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** A command's property value: as data, and `:` and `,` percent-encoded too. */
export function escapeCommandProperty(text: string): string {
  return escapeCommandData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::command key=value,…::message`, every part escaped. */
export function formatWorkflowCommand(command: string, properties: Record<string, string>, message: string): string {
  const props = Object.entries(properties)
    .map(([k, v]) => `${k}=${escapeCommandProperty(v)}`)
    .join(',');
  return `::${command}${props ? ` ${props}` : ''}::${escapeCommandData(message)}`;
}

export type AnnotationKind = 'error' | 'warning' | 'notice';

/** One annotation: where (`file`, `line` when known), its title and message. */
export interface Annotation {
  kind: AnnotationKind;
  file: string;
  line?: number;
  title: string;
  message: string;
}

/** How many annotations of each kind GitHub shows for one step (50 in all for a job); the rest are dropped without a word. */
export const ANNOTATIONS_SHOWN_PER_KIND = 10;

/** Notes an annotation shows at most: a scenario can leave millions. */
const NOTES_SHOWN = 20;

/** Longest title kept: GitHub shows it on one line above the message. */
const TITLE_CHARS = 160;

interface Context {
  strict: boolean;
  levels: Levels;
}

/** `fail ECHO-5: suite/large-payload.yaml [python]`: the scenario's id, so that the title names it wherever GitHub shows it. */
function scenarioTitle(r: Readonly<ScenarioResult>, what: string, ids: readonly string[]): string {
  return shortenLine(makePrintableLine(`${what}${ids.length ? ` ${ids.join(' ')}` : ''}: ${r.id}`), TITLE_CHARS);
}

/** `error` for a MUST that failed or what could not be judged, `warning` for a SHOULD (`error` when strict); none for the rest. */
function outcomeKind(outcome: Outcome, strict: boolean): AnnotationKind | undefined {
  if (outcome === 'fail' || outcome === 'error' || (outcome === 'non-strict' && strict)) return 'error';
  return outcome === 'non-strict' ? 'warning' : undefined;
}

/** The annotation of one broken check, on the line of its step; none for an INFO observation. */
function failureAnnotation(r: Readonly<ScenarioResult>, f: Readonly<Failure>, ctx: Context): Annotation | undefined {
  const outcome = failureOutcome(r, f, ctx.levels);
  const kind = outcomeKind(outcome, ctx.strict);
  if (!kind) return undefined;
  // The check that matters most also carries what the scenario as a whole has to say (each requirement's outcome, a counterexample, its first notes).
  const lines = [...describeFailure(f), ...(isMainFailure(r, f) ? [...describeOutcomes(r), ...describeNotes(r, NOTES_SHOWN)] : [])];
  return { kind, file: r.file, line: failureLine(f), title: scenarioTitle(r, outcome, f.requirements), message: lines.join('\n') };
}

/** The annotations of one scenario: one per broken check, or one for the scenario when nothing broke but it was not judged. */
export function scenarioAnnotations(r: Readonly<ScenarioResult>, ctx: Context): Annotation[] {
  const state = expectationState(r);
  const e = r.expectation;
  if (state === 'expected') {
    const [first] = failuresOf(r);
    const message = [describeExpected(r, e!), `entry: ${makePrintableLine(e!.source)}`, ...(first ? describeFailure(first) : [])].join('\n');
    return [{ kind: 'notice', file: r.file, line: failureLine(r.failure ?? first), title: scenarioTitle(r, `expected ${r.outcome}`, []), message }];
  }
  const out: Annotation[] = [];
  if (state === 'unexpected-pass' || state === 'unexpected-outcome') {
    // On the expectation file's entry: that is what has to change.
    const entry = expectationEntry(e!);
    out.push({ kind: 'error', file: entry.file, line: entry.line, title: scenarioTitle(r, state === 'unexpected-pass' ? 'unexpected pass' : 'unexpected outcome', []), message: `${makePrintableLine(r.id)}: ${describeUnexpected(r, e!)}` });
  }
  const checks = failuresOf(r).flatMap((f) => failureAnnotation(r, f, ctx) ?? []);
  if (checks.length) return [...out, ...checks];
  // Nothing broke that says where (a requirement no check reached, a result without its failures): the scenario as a whole.
  const kind = outcomeKind(r.outcome, ctx.strict) ?? (r.outcome === 'not-run' ? 'warning' : undefined);
  if (kind) out.push({ kind, file: r.file, line: failureLine(r.failure), title: scenarioTitle(r, r.outcome, []), message: [...failuresOf(r).flatMap(describeFailure), ...describeOutcomes(r), ...describeNotes(r, NOTES_SHOWN)].join('\n') || r.outcome });
  return out;
}

/** `file` relative to `cwd` with `/` when it lies inside it: GitHub places annotations by paths relative to the checkout. */
export function annotationPath(file: string, cwd: string | undefined): string {
  if (!cwd || !isAbsolute(file)) return file;
  const rel = relative(cwd, file);
  return rel && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel) ? rel.split(sep).join('/') : file;
}

/** The workflow command of `a`. */
export function formatAnnotation(a: Readonly<Annotation>, cwd?: string): string {
  const properties: Record<string, string> = { file: annotationPath(a.file, cwd) };
  if (a.line !== undefined) properties.line = String(a.line);
  properties.title = a.title;
  return formatWorkflowCommand(a.kind, properties, a.message);
}

/**
 * Every annotation of the run, one command per line. When there are more of a kind
 * than GitHub shows, a notice first says how many there are and where they all are.
 */
export function renderGithubCommands(run: Readonly<RunResult>, options: { cwd?: string } = {}): string {
  const ctx: Context = { strict: run.strict, levels: levelsOf(run) };
  const annotations = run.scenarios.flatMap((r) => scenarioAnnotations(r, ctx));
  const lines = annotations.map((a) => formatAnnotation(a, options.cwd));
  const count = (kind: AnnotationKind) => annotations.filter((a) => a.kind === kind).length;
  const counts = { error: count('error'), warning: count('warning'), notice: count('notice') };
  if (Object.values(counts).some((n) => n > ANNOTATIONS_SHOWN_PER_KIND)) {
    const parts = Object.entries(counts).map(([kind, n]) => `${n} ${kind}${n === 1 ? '' : 's'}`);
    const message = `${parts.join(', ')}: GitHub shows the first ${ANNOTATIONS_SHOWN_PER_KIND} of each kind per step; the step's log lists them all, and the markdown and junit reports have every scenario`;
    lines.unshift(formatWorkflowCommand('notice', { title: 'sockspec: more annotations than GitHub shows' }, message));
  }
  return lines.map((l) => `${l}\n`).join('');
}
