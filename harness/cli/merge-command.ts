/**
 * `sockspec merge OUT.json SHARD.json…`: the JSON reports of a run's shards, run apart,
 * merged into the report of the whole run, written to OUT.json and through any other
 * reporter asked for; exits as the merged run would have.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatCounts } from '../report/console-text.js';
import { makePrintableLine } from '../report/printable-text.js';
import { readJsonReports } from '../report/read-json-report.js';
import { createReporter } from '../report/registry.js';
import { mergeRuns } from '../run/merge-runs.js';
import type { RunResult } from '../run/result.js';
import { formatDiagnostic } from '../scenario/diagnostic.js';
import type { Io, ParsedOptions } from './main.js';
import { reportDiagnostics } from './workspace.js';

class UsageError extends Error {
  readonly code = 'usage';
}

/** Tell `reporters` of `run` as a run tells them: its start, each scenario, its end. */
async function replay(run: RunResult, specs: string[], io: Io): Promise<void> {
  const color = Boolean(io.stdout.isTTY) && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
  const reporters = specs.map((spec) => createReporter(spec, { stdout: io.stdout, cwd: io.cwd, color }));
  const info = { scenarios: run.scenarios.length, targets: [...new Set(run.scenarios.map((r) => r.target))], startedAt: run.startedAt };
  for (const r of reporters) await r.onRunStart?.(info);
  for (const result of run.scenarios) {
    for (const r of reporters) await r.onScenarioStart?.(result.id);
    for (const r of reporters) await r.onScenarioEnd?.(result);
  }
  for (const r of reporters) await r.onRunEnd?.(run);
}

/** Merge shard reports; resolves to the merged run's exit status, 2 on bad input. */
export async function mergeCommand(args: string[], values: ParsedOptions, io: Io): Promise<number> {
  const [out, ...files] = args;
  if (out === undefined || files.length === 0) throw new UsageError('expected `sockspec merge OUT.json SHARD.json…` (the report to write, then the shards\' reports)');
  if (files.some((f) => resolve(io.cwd, f) === resolve(io.cwd, out))) throw new UsageError(`${out} is both the report to write and a shard to read: the first argument is the merged report`);
  const read = await readJsonReports(files, io.cwd);
  if ('diagnostics' in read) {
    reportDiagnostics(read.diagnostics, io);
    return 2;
  }
  const merged = mergeRuns(files.map((file, i) => ({ file, run: read.runs[i]! })));
  if ('problems' in merged) {
    for (const p of merged.problems) io.stderr.write(`${p.file === undefined ? `sockspec: ${p.code}: ${makePrintableLine(p.message)}` : formatDiagnostic({ file: p.file, line: 0, col: 0, code: p.code, message: p.message, severity: 'error' })}\n`);
    // `merge s1.json s2.json s3.json` takes s1.json for the report to write.
    if (merged.problems.some((p) => p.code === 'missing-shard') && existsSync(resolve(io.cwd, out))) io.stderr.write(`sockspec: note: ${makePrintableLine(out)}, the first argument, is the merged report to write, not a shard\n`);
    return 2;
  }
  for (const w of merged.warnings) io.stderr.write(`sockspec: warning: ${makePrintableLine(w)}\n`);
  const { run } = merged;
  // Every reporter is made (a mistyped name refused) before any of them writes.
  await replay(run, [`json=${out}`, ...(values.reporter ?? [])], io);
  const sources = files.length === 1 ? '1 report' : `${files.length} shards`;
  io.stderr.write(`sockspec: merged ${sources} into ${makePrintableLine(out)}: ${run.scenarios.length} scenarios, ${formatCounts(run.counts)}${run.interrupted ? ' (interrupted)' : ''}\n`);
  return run.exitCode;
}
