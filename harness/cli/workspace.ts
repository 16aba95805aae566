/**
 * What a command works on: the config, the catalogue and the scenario files named
 * on the command line or by the config's suites, loaded and checked.
 */
import { relative, resolve, sep } from 'node:path';
import { loadCatalogue, type Catalogue } from '../scenario/catalogue.js';
import { formatDiagnostic, type Diagnostic } from '../scenario/diagnostic.js';
import { findScenarioFiles, loadScenarioFile, type Loaded } from '../scenario/load.js';
import { loadConfig, type Config } from './config.js';
import type { Io } from './main.js';

export interface Workspace {
  config: Config;
  catalogue?: Catalogue;
  loaded: Loaded[];
  diagnostics: Diagnostic[];
}

/** Whether `file` (absolute) lies inside `folder` (absolute). */
export function isInside(file: string, folder: string): boolean {
  const rel = relative(folder, file);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !rel.includes(`..${sep}`));
}

/** Load the config, catalogue and scenarios for `paths` (default: the config's suites, else `scenarios/`). */
export async function loadWorkspace(paths: string[], configFile: string | undefined, io: Io): Promise<Workspace> {
  const { config, diagnostics } = await loadConfig(io.cwd, configFile);
  if (!config) return { config: { root: io.cwd, requirements: '', reporters: [], jobs: 1, suites: [] }, loaded: [], diagnostics };
  const cat = await loadCatalogue(config.requirements, io.cwd);
  diagnostics.push(...cat.diagnostics);
  const roots = paths.length ? paths : config.suites.length ? config.suites.map((s) => relative(io.cwd, s.scenarios) || '.') : ['scenarios'];
  const found = await findScenarioFiles(roots, io.cwd);
  diagnostics.push(...found.diagnostics);
  const ids = cat.catalogue ? new Set(cat.catalogue.byId.keys()) : undefined;
  const loaded = await Promise.all(found.files.map((f) => loadScenarioFile(f, io.cwd, ids)));
  for (const l of loaded) diagnostics.push(...l.diagnostics);
  return { config, ...(cat.catalogue ? { catalogue: cat.catalogue } : {}), loaded, diagnostics };
}

/** Print diagnostics to stderr, one per line; true if any is an error. */
export function reportDiagnostics(diagnostics: Diagnostic[], io: Io): boolean {
  for (const d of diagnostics) io.stderr.write(`${formatDiagnostic(d)}\n`);
  return diagnostics.some((d) => d.severity === 'error');
}

/** The absolute path of a loaded scenario. */
export function absoluteOf(l: Loaded, io: Io): string {
  return resolve(io.cwd, l.file);
}
