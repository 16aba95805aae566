/**
 * `sockspec list`: each scenario with the ids it covers, then the catalogue ids
 * that no listed scenario covers.
 */
import { makePrintableLine as shown } from '../report/printable-text.js';
import type { Io, ParsedOptions } from './main.js';
import { loadWorkspace, reportDiagnostics } from './workspace.js';

/** List scenarios and uncovered requirement ids; 2 if a scenario does not load. */
export async function listCommand(paths: string[], values: ParsedOptions, io: Io): Promise<number> {
  const ws = await loadWorkspace(paths, values.config, io);
  const bad = reportDiagnostics(ws.diagnostics, io);
  const covered = new Set<string>();
  const width = Math.max(0, ...ws.loaded.map((l) => l.file.length));
  for (const l of ws.loaded) {
    if (!l.scenario) continue;
    l.scenario.covers.forEach((id) => covered.add(id));
    const skip = l.scenario.skip !== undefined ? ` (skipped: ${l.scenario.skip})` : '';
    io.stdout.write(`${shown(l.file.padEnd(width))}  ${shown(l.scenario.covers.join(' '))}  ${shown(l.scenario.name + skip)}\n`);
  }
  if (ws.catalogue) {
    const uncovered = ws.catalogue.requirements.filter((r) => !covered.has(r.id));
    io.stdout.write(`\n${ws.catalogue.requirements.length - uncovered.length} of ${ws.catalogue.requirements.length} catalogue ids covered\n`);
    if (uncovered.length) io.stdout.write(`uncovered: ${uncovered.map((r) => r.id).join(' ')}\n`);
  }
  return bad ? 2 : 0;
}
