/**
 * The expectation files of `sockspec run`: `--expectations FILE` for every target, else
 * each config target's `expectations:`; read and checked before the run, and rewritten
 * from its outcomes after it with `--update-expectations`.
 */
import { writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import type { ExpectationPlan } from '../run/expectations/apply.js';
import { readExpectationFile, type ExpectationFile } from '../run/expectations/file.js';
import { TODO_REASON, updateExpectations } from '../run/expectations/update.js';
import type { RunResult } from '../run/result.js';
import type { PlanItem } from '../run/run-plan.js';
import { readRegularFile } from '../scenario/read-file.js';
import type { Diagnostic } from '../scenario/diagnostic.js';
import { makePrintableLine } from '../report/printable-text.js';
import type { Io } from './main.js';
import type { CliWorkspace } from './workspace.js';

const usage = (message: string) => Object.assign(new Error(message), { code: 'usage' });

/**
 * The run's expectation plan (none when no file applies). `option`: the `--expectations`
 * file (relative to the working folder, as its `scenario:` paths are); else each target's
 * own (its paths relative to the config's folder). With `update`, a file may not exist yet.
 */
export async function loadExpectations(option: string | undefined, update: boolean, ws: CliWorkspace, planned: readonly PlanItem[], io: Io): Promise<{ plan?: ExpectationPlan; diagnostics: Diagnostic[] }> {
  const sources = new Map<string, { shown: string; base: string; items: PlanItem[] }>();
  for (const item of planned) {
    const path = option !== undefined ? resolve(io.cwd, option) : ws.expectations.get(item.target);
    if (path === undefined) continue;
    const source = sources.get(path) ?? { shown: option ?? (relative(io.cwd, path) || path), base: option !== undefined ? io.cwd : ws.config.root, items: [] };
    sources.set(path, source);
    source.items.push(item);
  }
  if (update && sources.size === 0) throw usage('--update-expectations rewrites the file of --expectations FILE, or of the targets with `expectations:` in the config: give one');
  if (sources.size === 0) return { diagnostics: [] };
  const fileOf = new Map<string, ExpectationFile>();
  const files: ExpectationFile[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const [path, s] of sources) {
    const targets = [...new Set(s.items.map((i) => i.target.name))];
    const read = await readExpectationFile(s.shown, path, s.base, { targets, ...(ws.catalogue ? { catalogue: ws.catalogue } : {}) }, update);
    diagnostics.push(...read.diagnostics);
    if (!read.file) continue;
    files.push(read.file);
    for (const i of s.items) fileOf.set(i.id, read.file);
  }
  if (diagnostics.length) return { diagnostics };
  return { plan: { files, fileOf: (r) => fileOf.get(r.id), cwd: io.cwd }, diagnostics };
}

/** `--update-expectations`: each file of the plan rewritten from the run, and a line on stderr saying what was written. */
export async function writeExpectationUpdates(plan: ExpectationPlan, run: RunResult, io: Io): Promise<void> {
  for (const file of plan.files) {
    const read = await readRegularFile(file.path);
    const update = updateExpectations('text' in read ? read.text : undefined, file, run.scenarios.filter((r) => plan.fileOf(r) === file), plan.cwd);
    try {
      await writeFile(file.path, update.text);
    } catch (e) {
      throw Object.assign(new Error(`cannot write ${file.file}: ${(e as Error).message}`), { code: 'write-failed' });
    }
    const todo = update.added ? ` (reason: "${TODO_REASON}")` : '';
    io.stderr.write(`sockspec: wrote ${makePrintableLine(file.file)}: ${update.entries} entr${update.entries === 1 ? 'y' : 'ies'}, ${update.added} new${todo}, ${update.dropped} dropped\n`);
  }
}
