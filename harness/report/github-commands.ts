/**
 * The GitHub Actions report: an `::error` workflow command per failed or unjudged
 * scenario and a `::warning` per unmet SHOULD (an error in a strict run), escaped as
 * GitHub documents so no message can end a command or start another.
 */
import type { RunResult, ScenarioResult } from '../run/result.js';
import { makePrintableLine } from './printable-text.js';
import { describeProblem } from './problem-text.js';

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

/** The command for one scenario, or undefined when it passed, was skipped or only noted. */
export function formatScenarioAnnotation(r: Readonly<ScenarioResult>, strict: boolean): string | undefined {
  const command = r.outcome === 'fail' || r.outcome === 'error' || (r.outcome === 'non-strict' && strict) ? 'error' : r.outcome === 'non-strict' || r.outcome === 'not-run' ? 'warning' : undefined;
  if (!command) return undefined;
  const title = makePrintableLine(`${r.outcome}: ${r.id}`);
  const message = describeProblem(r).join('\n') || r.outcome;
  return formatWorkflowCommand(command, { file: r.file, title }, message);
}

/** Every annotation of the run, one command per line. */
export function renderGithubCommands(run: Readonly<RunResult>): string {
  const lines = run.scenarios.flatMap((r) => formatScenarioAnnotation(r, run.strict) ?? []);
  return lines.map((l) => `${l}\n`).join('');
}
