/**
 * Finding scenario files and loading each (YAML or TypeScript) into a Scenario.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from './diagnostic.js';
import type { Scenario } from './model.js';
import { validateScenario } from './validate.js';
import { includeSchema } from './schema.js';
import { MAX_FILE_BYTES, parseYamlSource, type YamlSource } from './yaml-source.js';

const SCENARIO_EXT = new Set(['.yaml', '.yml', '.ts', '.mts']);
const NOT_SCENARIOS = new Set(['requirements.yaml', 'sockspec.config.yaml']);

export interface Loaded {
  file: string;
  scenario?: Scenario;
  diagnostics: Diagnostic[];
}

function isScenarioFile(name: string): boolean {
  return SCENARIO_EXT.has(extname(name)) && !NOT_SCENARIOS.has(name) && !/\.(test|d)\.m?ts$/.test(name);
}

/** Expand files and folders into the sorted list of scenario files below them. */
export async function findScenarioFiles(paths: readonly string[], cwd: string): Promise<{ files: string[]; diagnostics: Diagnostic[] }> {
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  async function walk(abs: string): Promise<void> {
    const entries = await readdir(abs, { withFileTypes: true });
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = join(abs, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && isScenarioFile(e.name)) files.push(p);
    }
  }
  for (const p of paths) {
    const abs = resolve(cwd, p);
    const s = await stat(abs).catch(() => undefined);
    if (!s) diagnostics.push({ file: p, line: 0, col: 0, code: 'not-found', message: 'no such file or folder', severity: 'error' });
    else if (s.isDirectory()) await walk(abs);
    else files.push(abs);
  }
  // Shown relative to the working folder when inside it, else as the absolute path.
  const shown = (f: string) => {
    const rel = relative(cwd, f);
    return rel === '' || rel.startsWith('..') ? f : rel;
  };
  return { files: [...new Set(files)].map(shown), diagnostics };
}

let tsImport: ((specifier: string, parent: string) => Promise<Record<string, unknown>>) | undefined;

/** Import a TS module through tsx, loading tsx only on first use. */
async function importTs(abs: string): Promise<Record<string, unknown>> {
  // Bun runs TypeScript itself (and has no module hooks for tsx to use).
  if (process.versions.bun) return (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  if (!tsImport) {
    const api = (await import('tsx/esm/api')) as unknown as { tsImport: typeof tsImport & object };
    tsImport = api.tsImport;
  }
  return tsImport(pathToFileURL(abs).href, import.meta.url);
}

/** Whether the TypeScript loader has been loaded in this process (it is, only once a `.ts` scenario is). */
export function isTsLoaderLoaded(): boolean {
  return tsImport !== undefined;
}

/** Load and validate one scenario file (path relative to `cwd` or absolute). */
export async function loadScenarioFile(file: string, cwd: string, requirementIds?: ReadonlySet<string>): Promise<Loaded> {
  const abs = resolve(cwd, file);
  const fail = (code: string, message: string): Loaded => ({ file, diagnostics: [{ file, line: 0, col: 0, code, message, severity: 'error' }] });
  if (extname(file) === '.ts' || extname(file) === '.mts') {
    let mod: Record<string, unknown>;
    try {
      mod = await importTs(abs);
    } catch (e) {
      return fail('ts-load', (e as Error).message.split('\n')[0] ?? 'cannot load');
    }
    let data = mod.default ?? mod.scenario;
    // Outside an ESM package tsx compiles to CommonJS: `default` is then the exports object holding `default`.
    if (typeof data === 'object' && data !== null && 'default' in data && !('covers' in data)) data = (data as { default: unknown }).default;
    // A CommonJS module's `default` is its exports object: not a scenario unless it looks like one.
    const looksLikeScenario = typeof data === 'object' && data !== null && ('covers' in data || 'steps' in data);
    if (!looksLikeScenario) {
      const names = Object.keys(mod).filter((k) => k !== 'default' && k !== '__esModule');
      return fail('ts-export', `a TS scenario exports the scenario as \`default\`${names.length ? ` (found: ${names.join(', ')})` : ''}`);
    }
    return { file, ...validateScenario(file, data, () => ({ line: 1, col: 1 }), requirementIds) };
  }
  let text: string;
  try {
    const s = await stat(abs);
    if (s.size > MAX_FILE_BYTES) return fail('too-large', `scenario files are limited to ${MAX_FILE_BYTES} bytes`);
    text = await readFile(abs, 'utf8');
  } catch (e) {
    return fail('unreadable', (e as Error).message);
  }
  const src = parseYamlSource(file, text);
  if (src.diagnostics.length) return { file, diagnostics: src.diagnostics };
  if (typeof src.data === 'object' && src.data !== null && 'include' in src.data) return loadInclude(file, abs, src, cwd, requirementIds);
  return { file, ...validateScenario(file, src.data, src.locate, requirementIds) };
}

/** A file of the form `include: PATH` (+ `name`, `covers`): the included YAML scenario, under this file's name. */
async function loadInclude(file: string, abs: string, src: YamlSource, cwd: string, requirementIds?: ReadonlySet<string>): Promise<Loaded> {
  const at = (path: (string | number)[], code: string, message: string, hint?: string): Loaded => ({ file, diagnostics: [{ file, ...src.locate(path, true), code, message, severity: 'error', ...(hint ? { hint } : {}) }] });
  const r = includeSchema.safeParse(src.data);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const key = issue.code === 'unrecognized_keys' ? issue.keys[0]! : String(issue.path[0] ?? 'include');
    return at([key], issue.code === 'unrecognized_keys' ? 'unknown-key' : 'invalid-include', issue.code === 'unrecognized_keys' ? `unknown key \`${key}\` beside \`include\`` : `\`${key}\`: ${issue.message}`, 'an include file holds `include`, and optionally `name` and `covers`');
  }
  const target = resolve(dirname(abs), r.data.include);
  if (!SCENARIO_EXT.has(extname(target)) || extname(target).endsWith('ts')) return at(['include'], 'invalid-include', 'only YAML scenario files can be included');
  const shownTarget = relative(cwd, target).startsWith('..') ? target : relative(cwd, target);
  let text: string;
  try {
    text = await readFile(target, 'utf8');
  } catch (e) {
    return at(['include'], 'unreadable', `cannot read the included file ${shownTarget}: ${(e as Error).message}`);
  }
  const inner = parseYamlSource(shownTarget, text);
  if (inner.diagnostics.length) return { file, diagnostics: inner.diagnostics };
  if (typeof inner.data === 'object' && inner.data !== null && 'include' in inner.data) return at(['include'], 'nested-include', `${shownTarget} is itself an include: includes do not nest`);
  const extra = r.data.covers ?? [];
  const unknown = requirementIds ? extra.filter((id) => !requirementIds.has(id)) : [];
  if (unknown.length) return at(['covers'], 'unknown-requirement', `not in the requirement catalogue: ${unknown.join(', ')}`);
  // The extra ids join `covers` before validation, so that every step without its own `req` counts against them too.
  const data = inner.data as Record<string, unknown>;
  const merged = Array.isArray(data.covers) ? { ...data, covers: [...new Set([...(data.covers as unknown[]), ...extra])] } : data;
  const v = validateScenario(shownTarget, merged, inner.locate, requirementIds);
  if (!v.scenario) return { file, diagnostics: v.diagnostics };
  return { file, scenario: { ...v.scenario, file, ...(r.data.name ? { name: r.data.name } : {}) }, diagnostics: v.diagnostics };
}
