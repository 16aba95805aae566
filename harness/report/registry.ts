/**
 * Reporters by name: `NAME` writes to standard output, `NAME=FILE` to a file
 * (relative to the working directory) written as the report is rendered. A mistyped
 * name gets a guess that counts a swap of neighbouring letters as one edit.
 */
import type { RunResult } from '../run/result.js';
import { createConsoleReporter } from './console-reporter.js';
import { renderGithubCommands } from './github-commands.js';
import { htmlReportChunks } from './html-report.js';
import { jsonReportChunks } from './json-report.js';
import { junitReportChunks } from './junit-report.js';
import { markdownReportChunks } from './markdown-report.js';
import { openFileOutput, openStdoutOutput, type ReportOutput } from './report-output.js';
import { ReportError, type Reporter, type ReporterEnv } from './reporter.js';

/** The names `createReporter` accepts, in the order help lists them. */
export const reporterNames = ['console', 'json', 'junit', 'github', 'markdown', 'html'] as const;
export type ReporterName = (typeof reporterNames)[number];

/** A parsed reporter spec. */
export interface ReporterSpec {
  name: ReporterName;
  file: string | undefined;
}

/** Edits (insert, delete, replace, swap of neighbours) between `a` and `b`. */
export function countEdits(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The one of `choices` closest to `word` if at most two edits (and less than half of it) away. */
export function guessNearMiss(word: string, choices: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestEdits = Infinity;
  for (const c of choices) {
    const edits = countEdits(w, c.toLowerCase());
    if (edits < bestEdits) [best, bestEdits] = [c, edits];
  }
  return best !== undefined && bestEdits <= 2 && bestEdits < Math.max(best.length, w.length) / 2 ? best : undefined;
}

function isReporterName(name: string): name is ReporterName {
  return (reporterNames as readonly string[]).includes(name);
}

/** Split `NAME` or `NAME=FILE` and check the name; throws `ReportError` on a bad spec. */
export function parseReporterSpec(spec: string): ReporterSpec {
  const eq = spec.indexOf('=');
  const name = (eq < 0 ? spec : spec.slice(0, eq)).trim();
  const file = eq < 0 ? undefined : spec.slice(eq + 1).trim();
  if (!isReporterName(name)) {
    const names = `reporters: ${reporterNames.join(', ')}`;
    const guess = guessNearMiss(name, reporterNames);
    throw new ReportError('unknown-reporter', `unknown reporter \`${name}\``, guess ? `did you mean \`${guess}\`? ${names}` : names);
  }
  if (file === '') throw new ReportError('missing-report-file', `no file after \`${name}=\``, `write \`${name}\` for standard output or \`${name}=FILE\``);
  return { name, file };
}

/** A reporter that renders the finished run piece by piece (a scenario at a time, never the whole report in one string) to `output`. */
function createEndOfRunReporter(output: ReportOutput, render: (run: Readonly<RunResult>) => Iterable<string>): Reporter {
  return {
    async onRunEnd(run) {
      for (const piece of render(run)) {
        output.write(piece);
        await output.drain();
      }
      await output.finish();
    },
  };
}

/** The reporter a `NAME` or `NAME=FILE` spec asks for; throws `ReportError` (`unknown-reporter`…) on a bad spec. */
export function createReporter(spec: string, env: ReporterEnv): Reporter {
  const { name, file } = parseReporterSpec(spec);
  const output = file === undefined ? openStdoutOutput(env.stdout) : openFileOutput(file, env.cwd);
  switch (name) {
    case 'console':
      return createConsoleReporter(output, env.color && file === undefined);
    case 'json':
      return createEndOfRunReporter(output, jsonReportChunks);
    case 'junit':
      return createEndOfRunReporter(output, junitReportChunks);
    case 'github':
      return createEndOfRunReporter(output, (run) => [renderGithubCommands(run, { cwd: env.cwd })]);
    case 'markdown':
      return createEndOfRunReporter(output, (run) => markdownReportChunks(run));
    case 'html':
      return createEndOfRunReporter(output, htmlReportChunks);
  }
}
