/**
 * Finding scenario files and loading each (YAML or TypeScript) into a Scenario.
 */
import { readdir, stat } from 'node:fs/promises';
import { dirname, extname, join, relative, resolve } from 'node:path';
import type { Diagnostic } from './diagnostic.js';
import type { Scenario } from './model.js';
import { validateScenario } from './validate.js';
import { includeSchema } from './schema.js';
import { readRegularFile } from './read-file.js';
import { isEsbuildLoaded, type CompiledTs } from './ts-bundle.js';
import { ExitAtImport, importCompiled, importTsNatively } from './ts-import.js';
import { noScenarioExport, prepareProbe, probeTsScenario } from './ts-probe.js';
import { checkShape, parseYamlSource, type YamlSource } from './yaml-source.js';

const SCENARIO_EXT = new Set(['.yaml', '.yml', '.ts', '.mts']);
const NOT_SCENARIOS = new Set(['requirements.yaml', 'sockspec.config.yaml']);

export interface Loaded {
  file: string;
  scenario?: Scenario;
  diagnostics: Diagnostic[];
  /** A `.ts` module without a default export: a helper, not a scenario (an error only when named as a scenario). */
  helper?: true;
}

/** Whether TS scenarios are first evaluated in a worker (not under Bun or Deno, which load TS their own way). */
const PROBE_TS = !process.versions.bun && !(process.versions as { deno?: string }).deno;

/** Folders whose files are never scenarios (modules and data the scenarios use). */
const HELPER_FOLDERS = new Set(['lib', 'helpers']);

function isTsFile(name: string): boolean {
  return extname(name) === '.ts' || extname(name) === '.mts';
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
      if (e.isDirectory() && !HELPER_FOLDERS.has(e.name)) await walk(p);
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
  if (PROBE_TS && files.some(isTsFile)) prepareProbe();
  // Shown relative to the working folder when inside it, else as the absolute path.
  const shown = (f: string) => {
    const rel = relative(cwd, f);
    return rel === '' || rel.startsWith('..') ? f : rel;
  };
  return { files: [...new Set(files)].map(shown), diagnostics };
}

/** The diagnostic of a compile error in a message of tsx (Deno; `file:line:col: ERROR: text`), if it holds one. */
function compileError(message: string): { line: number; col: number; message: string } | undefined {
  const m = /:(\d+):(\d+): ERROR: (.*)$/m.exec(message);
  return m ? { line: Number(m[1]), col: Number(m[2]) + 1, message: m[3]! } : undefined;
}

/** Whether the TypeScript compiler has been loaded in this process (it is, only once a `.ts` scenario is). */
export function isTsLoaderLoaded(): boolean {
  return isEsbuildLoaded();
}

/** Load and validate one scenario file (path relative to `cwd` or absolute). */
export async function loadScenarioFile(file: string, cwd: string, requirementIds?: ReadonlySet<string>): Promise<Loaded> {
  const abs = resolve(cwd, file);
  const fail = (code: string, message: string): Loaded => ({ file, diagnostics: [{ file, line: 0, col: 0, code, message, severity: 'error' }] });
  if (isTsFile(file)) {
    // A FIFO, a device or a file too large is refused before any compiler opens it.
    const r = await readRegularFile(abs);
    if ('problem' in r) return fail(r.problem.code, r.problem.message);
    let compiled: CompiledTs | undefined;
    if (PROBE_TS) {
      const probed = await probeTsScenario(abs);
      if ('problem' in probed) {
        const p = probed.problem;
        if (p.code === 'ts-export') return { ...fail(p.code, p.message), helper: true };
        return { file, diagnostics: [{ file, line: p.line, col: p.col, code: p.code, message: p.message, severity: 'error' }] };
      }
      compiled = probed.compiled;
    }
    let mod: Record<string, unknown>;
    try {
      mod = compiled ? await importCompiled(abs, compiled) : await importTsNatively(abs);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (e instanceof ExitAtImport) return fail('ts-exit', message);
      const c = compileError(message);
      if (c) return { file, diagnostics: [{ file, line: c.line, col: c.col, code: 'ts-syntax', message: c.message, severity: 'error' }] };
      return fail('ts-load', message.split('\n')[0] || 'cannot load');
    }
    let data = mod.default ?? mod.scenario;
    // Outside an ESM package tsx (Deno) compiles to CommonJS: `default` is then the exports object holding `default`.
    if (typeof data === 'object' && data !== null && 'default' in data && !('covers' in data)) data = (data as { default: unknown }).default;
    // A CommonJS module's `default` is its exports object: not a scenario unless it looks like one.
    const looksLikeScenario = typeof data === 'object' && data !== null && ('covers' in data || 'steps' in data);
    if (!looksLikeScenario) {
      const names = Object.keys(mod).filter((k) => k !== 'default' && k !== '__esModule');
      return { ...fail('ts-export', noScenarioExport(names)), ...(mod.default === undefined && mod.scenario === undefined ? { helper: true as const } : {}) };
    }
    const bad = checkShape(data);
    if (bad) return fail(bad.code, `${bad.message} (at ${bad.path.join('.') || 'the top'})`);
    return { file, ...validateScenario(file, data, () => ({ line: 1, col: 1 }), requirementIds) };
  }
  const read = await readRegularFile(abs);
  if ('problem' in read) return fail(read.problem.code, read.problem.message);
  const src = parseYamlSource(file, read.text);
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
  const read = await readRegularFile(target);
  if ('problem' in read) return at(['include'], read.problem.code, `cannot read the included file ${shownTarget}: ${read.problem.message}`);
  const inner = parseYamlSource(shownTarget, read.text);
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
