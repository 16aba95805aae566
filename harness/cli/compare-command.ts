/**
 * `sockspec compare OLD.json NEW.json`: what changed between two runs, grouped, with a
 * one-line summary last (or as JSON with `--json`); exits 1 when something regressed,
 * so that CI can gate a change on it.
 */
import { compareRuns, type Comparison, type RequirementChange } from '../report/compare-runs.js';
import { makePrintableLine as shown } from '../report/printable-text.js';
import { readJsonReports } from '../report/read-json-report.js';
import type { RunResult } from '../run/result.js';
import type { Io, ParsedOptions } from './main.js';
import { reportDiagnostics } from './workspace.js';

class UsageError extends Error {
  readonly code = 'usage';
}

/** `n thing(s)`. */
function plural(n: number, thing: string): string {
  return `${n} ${thing}${n === 1 ? '' : 's'}`;
}

/** Changes of one kind: a heading, the word the summary counts them with, and their rows. */
interface Group {
  title: string;
  word: string;
  rows: [string, string][];
}

/** Each group that is not empty: its heading, then its rows with the left column padded to one width. */
function renderGroups(groups: Group[]): string[] {
  return groups.flatMap(({ title, rows }) => {
    const width = Math.max(0, ...rows.map(([l]) => l.length));
    return rows.length ? ['', `${title} (${rows.length}):`, ...rows.map(([l, r]) => `  ${l.padEnd(width)}  ${r}`)] : [];
  });
}

/** `what: 2 regressed, 1 added` over the groups that are not empty, or nothing. */
function summarise(what: string, groups: Group[]): string[] {
  const parts = groups.filter((g) => g.rows.length).map((g) => `${g.rows.length} ${g.word}`);
  return parts.length ? [`${what}: ${parts.join(', ')}`] : [];
}

/** The comparison as text: the runs, each non-empty group, then the summary line. */
export function renderComparison(c: Comparison, oldFile: string, newFile: string, old: RunResult, neu: RunResult): string {
  const several = c.targets.length > 1 || c.targetsAdded.length > 0 || c.targetsGone.length > 0;
  const lines = [`Comparing ${shown(oldFile)} (${plural(old.scenarios.length, 'scenario')}) with ${shown(newFile)} (${plural(neu.scenarios.length, 'scenario')})`];
  const pair = c.targets[0];
  if (!several && pair && pair.old !== pair.new) lines.push(`target ${shown(pair.old)} of ${shown(oldFile)} compared with ${shown(pair.new)} of ${shown(newFile)}`);
  if (c.targetsAdded.length) lines.push(`targets only in ${shown(newFile)}: ${c.targetsAdded.map(shown).join(', ')}`);
  if (c.targetsGone.length) lines.push(`targets only in ${shown(oldFile)}: ${c.targetsGone.map(shown).join(', ')}`);
  for (const [file, run] of [[oldFile, old], [newFile, neu]] as const) {
    if (run.interrupted) lines.push(`note: ${shown(file)} is of an interrupted run: the scenarios it left out read as added or gone`);
  }
  const cells = (changes: RequirementChange[]): [string, string][] => changes.map((q) => [`${shown(q.id)}${several ? ` [${shown(q.target)}]` : ''}`, `${q.level.padEnd(6)}  ${q.old} → ${q.new}`]);
  const moves = (changes: { id: string; old: string; new: string }[]): [string, string][] => changes.map((x) => [shown(x.id), `${x.old} → ${x.new}`]);
  const { requirements: r, scenarios: s } = c;
  const requirementGroups: Group[] = [
    { title: 'Requirements that regressed', word: 'regressed', rows: cells(r.regressed) },
    { title: 'Requirements fixed', word: 'fixed', rows: cells(r.fixed) },
    { title: 'Requirements otherwise changed', word: 'otherwise changed', rows: cells(r.changed) },
    { title: 'Requirements newly covered', word: 'newly covered', rows: cells(r.newlyCovered) },
    { title: 'Requirements no longer covered', word: 'no longer covered', rows: cells(r.noLongerCovered) },
  ];
  const scenarioGroups: Group[] = [
    { title: 'Scenarios that regressed', word: 'regressed', rows: moves(s.regressed) },
    { title: 'Scenarios fixed', word: 'fixed', rows: moves(s.fixed) },
    { title: 'Scenarios otherwise changed', word: 'otherwise changed', rows: moves(s.changed) },
    { title: 'Scenarios added', word: 'added', rows: s.added.map((x) => [shown(x.id), x.outcome]) },
    { title: 'Scenarios gone', word: 'gone', rows: s.gone.map((x) => [shown(x.id), `was ${x.outcome}`]) },
  ];
  lines.push(...renderGroups([...requirementGroups, ...scenarioGroups]));
  const summary = [...summarise('requirements', requirementGroups), ...summarise('scenarios', scenarioGroups)];
  lines.push('', `${c.regression ? 'regression' : 'no regression'}: ${summary.length ? summary.join('; ') : 'no change'}`);
  return `${lines.join('\n')}\n`;
}

/** Compare two JSON reports; resolves to 1 if something regressed, 0 if not, 2 on bad input. */
export async function compareCommand(args: string[], values: ParsedOptions, io: Io): Promise<number> {
  if (args.length !== 2) throw new UsageError('expected `sockspec compare OLD.json NEW.json` (two JSON reports: before, then after)');
  const [oldFile, newFile] = args as [string, string];
  const read = await readJsonReports([oldFile, newFile], io.cwd);
  if ('diagnostics' in read) {
    reportDiagnostics(read.diagnostics, io);
    return 2;
  }
  const [old, neu] = read.runs as [RunResult, RunResult];
  const c = compareRuns(old, neu);
  if (values.json) {
    const about = (file: string, run: RunResult) => ({ file, scenarios: run.scenarios.length, exitCode: run.exitCode, ...(run.interrupted ? { interrupted: true } : {}) });
    io.stdout.write(`${JSON.stringify({ old: about(oldFile, old), new: about(newFile, neu), ...c }, null, 2)}\n`);
  } else {
    io.stdout.write(renderComparison(c, oldFile, newFile, old, neu));
  }
  return c.regression ? 1 : 0;
}
