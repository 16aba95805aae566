/**
 * `sockspec validate`: check scenario files and report every problem at once.
 */
import type { Io, ParsedOptions } from './main.js';
import { loadWorkspace, reportDiagnostics } from './workspace.js';

/** Validate the scenarios under `paths`; 0 if all are valid, 2 otherwise. */
export async function validateCommand(paths: string[], values: ParsedOptions, io: Io): Promise<number> {
  const ws = await loadWorkspace(paths, values.config, io);
  const bad = reportDiagnostics(ws.diagnostics, io);
  const errors = ws.diagnostics.filter((d) => d.severity === 'error').length;
  const files = ws.loaded.length;
  if (bad) {
    io.stderr.write(`${errors} problem${errors === 1 ? '' : 's'} in ${new Set(ws.diagnostics.map((d) => d.file)).size} of ${files} file${files === 1 ? '' : 's'}\n`);
    return 2;
  }
  io.stdout.write(`${files} scenario file${files === 1 ? '' : 's'} valid\n`);
  return 0;
}
