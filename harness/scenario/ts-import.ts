/**
 * Importing a TS scenario into the harness. On Node, the module the probe evaluated
 * (ts-bundle.ts) is imported as it is: written to a temporary file with its source
 * map inline, so that stack traces name the .ts lines, and removed once loaded. No
 * module hooks are registered, so every later import of the run stays direct. Bun
 * imports TypeScript itself; Deno goes through tsx.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { installSelfResolution } from './self-import.js';
import type { CompiledTs } from './ts-bundle.js';

/** Imports in progress; while any is, `process.exit` throws instead of ending the harness. */
let importing = 0;
let realExit: typeof process.exit | undefined;

export class ExitAtImport extends Error {
  readonly code = 'ts-exit';
}

async function guarded<T>(load: () => Promise<T>): Promise<T> {
  if (importing++ === 0) {
    realExit = process.exit;
    process.exit = ((code?: number) => {
      throw new ExitAtImport(`the module calls process.exit(${code ?? ''}) when imported`);
    }) as typeof process.exit;
  }
  try {
    return await load();
  } finally {
    if (--importing === 0 && realExit) process.exit = realExit;
  }
}

// Made at run time: written out whole, the comment would begin a line of the bundled package, and tools that
// read a file's source map (vitest's, loading the bundle in the tests) would take it for the bundle's own.
const SOURCE_MAP_COMMENT = ['//', '# sourceMappingURL=data:application/json;base64,'].join('');

/** Import the compiled module of the scenario `abs`. */
export function importCompiled(abs: string, compiled: CompiledTs): Promise<Record<string, unknown>> {
  // Stack traces of a scenario's script then name its own .ts lines.
  process.setSourceMapsEnabled(true);
  return guarded(async () => {
    // A file, not a data: URL: Node maps the stack frames of file modules only.
    const dir = await mkdtemp(join(tmpdir(), 'sockspec-ts-'));
    try {
      const file = join(dir, `${basename(abs)}.mjs`);
      await writeFile(file, `${compiled.code}\n${SOURCE_MAP_COMMENT}${Buffer.from(compiled.map).toString('base64')}\n`);
      return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

let tsImport: ((specifier: string, parent: string) => Promise<Record<string, unknown>>) | undefined;

/** Import a TS module the runtime's own way: Bun runs TypeScript itself, Deno through tsx (loaded on first use). */
export function importTsNatively(abs: string): Promise<Record<string, unknown>> {
  return guarded(async () => {
    if (process.versions.bun) return (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
    if (!tsImport) {
      installSelfResolution();
      process.setSourceMapsEnabled(true);
      const api = (await import('tsx/esm/api')) as unknown as { tsImport: typeof tsImport & object };
      tsImport = api.tsImport;
    }
    return await tsImport(pathToFileURL(abs).href, import.meta.url);
  });
}
