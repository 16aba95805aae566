/**
 * A TypeScript scenario compiled, once, into one ES module: the code the probe
 * evaluates in a worker is the code then imported into the harness.
 *
 * esbuild bundles the file with its relative imports; packages are imported from where
 * they are installed (as absolute file URLs, so the module can be loaded from anywhere)
 * and `sockspec` is the running one. `import.meta.url`, `.filename`, `.dirname`,
 * `__filename` and `__dirname` keep naming each source file, as if it were loaded
 * itself. The source map leads back to the .ts lines.
 */
import { readFile } from 'node:fs/promises';
import { builtinModules, SourceMap } from 'node:module';
import { dirname, extname, isAbsolute, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { selfExport } from './self-import.js';

export interface TsProblem {
  code: 'ts-export' | 'ts-syntax' | 'ts-load' | 'ts-throw' | 'ts-uncaught' | 'ts-exit' | 'ts-hang' | 'ts-pending' | 'ts-memory';
  message: string;
  /** 1-based; 0 when no place in the file is known. */
  line: number;
  col: number;
}

export interface CompiledTs {
  /** The ES module, without a source map comment. */
  code: string;
  /** Its source map (JSON), the sources absolute file URLs. */
  map: string;
  /** The same, for reading positions. */
  sourceMap: SourceMap;
  /** The packages it imports, as file URLs. */
  packages: string[];
  exports: string[];
}

type EsbuildMessage = { text: string; location: { file: string; line: number; column: number } | null };
type Esbuild = {
  build(options: object): Promise<{ outputFiles: { path: string; text: string }[]; metafile: { outputs: Record<string, { exports: string[] }> } }>;
  transform(code: string, options: object): Promise<{ code: string }>;
};

let esbuild: Promise<Esbuild> | undefined;

/** esbuild, loaded on first use (a suite without TS scenarios never loads it). */
export function loadEsbuild(): Promise<Esbuild> {
  return (esbuild ??= import('esbuild') as unknown as Promise<Esbuild>);
}

/** Whether esbuild has been asked for in this process. */
export function isEsbuildLoaded(): boolean {
  return esbuild !== undefined;
}

const LOADERS: Record<string, string> = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.jsx': 'jsx' };
const TS_FILE = /\.[cm]?tsx?$/;

/** `import.meta.*`, `__filename` and `__dirname` as seen by the source file `abs`. */
function placeOf(abs: string): Record<string, string> {
  const file = JSON.stringify(abs);
  const dir = JSON.stringify(dirname(abs));
  return { 'import.meta.url': JSON.stringify(pathToFileURL(abs).href), 'import.meta.filename': file, 'import.meta.dirname': dir, __filename: file, __dirname: dir };
}

/** Compile `abs` and its relative imports into one ES module, or the first compile error. */
export async function compileTs(abs: string): Promise<CompiledTs | { problem: TsProblem }> {
  const build = await loadEsbuild();
  const builtins = new Set(builtinModules);
  const packages = new Set<string>();
  try {
    const out = await build.build({
      entryPoints: [abs],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // Node's own choice of a package's file: its `exports` (import, node, default) or `main`.
      conditions: [],
      mainFields: ['main'],
      sourcemap: 'external',
      outfile: '/sockspec-scenario.js',
      sourcesContent: false,
      metafile: true,
      logLevel: 'silent',
      absWorkingDir: '/',
      plugins: [
        {
          name: 'packages-where-installed',
          setup(b: { onResolve: Function; onLoad: Function; resolve: Function }) {
            b.onResolve({ filter: /^[^./]/ }, async (args: { path: string; kind: string; resolveDir: string; pluginData?: unknown }) => {
              if (args.pluginData === 'inner') return undefined;
              if (args.path.startsWith('node:') || builtins.has(args.path)) return { path: args.path, external: true };
              // sockspec itself is the running one, wherever the scenario is.
              const self = selfExport(args.path);
              if (self) {
                const href = pathToFileURL(self).href;
                packages.add(href);
                return { path: href, external: true };
              }
              const r = (await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'inner' })) as { path: string; errors: EsbuildMessage[] };
              if (r.errors.length || !isAbsolute(r.path)) return { errors: r.errors };
              // A TS file outside node_modules (a `paths` alias, a package import): compiled with the scenario, as tsx would.
              if (TS_FILE.test(r.path) && !r.path.split(/[\\/]/).includes('node_modules')) return { path: r.path };
              const href = pathToFileURL(r.path).href;
              packages.add(href);
              return { path: href, external: true };
            });
            // Each source file that names its own place is compiled with that place filled in.
            b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args: { path: string }) => {
              const loader = LOADERS[extname(args.path)];
              if (!loader) return undefined;
              const text = await readFile(args.path, 'utf8');
              if (!/import\.meta|__filename|__dirname/.test(text)) return undefined;
              try {
                const r = await build.transform(text, { loader, sourcefile: args.path, sourcemap: 'inline', sourcesContent: false, define: placeOf(args.path), logLevel: 'silent' });
                return { contents: r.code, loader: 'js' };
              } catch (e) {
                return { errors: (e as { errors?: EsbuildMessage[] }).errors ?? [{ text: (e as Error).message, location: null }] };
              }
            });
          },
        },
      ],
    });
    const js = out.outputFiles.find((f) => f.path.endsWith('.js'))!;
    const raw = JSON.parse(out.outputFiles.find((f) => f.path.endsWith('.map'))!.text) as { sources: string[] };
    // Sources as absolute file URLs: the module is loaded from elsewhere (a data: URL, a temporary file).
    raw.sources = raw.sources.map((s) => pathToFileURL(isAbsolute(s) ? s : `/${s}`).href);
    const exports = Object.values(out.metafile.outputs).flatMap((o) => o.exports);
    return { code: js.text, map: JSON.stringify(raw), sourceMap: new SourceMap(raw as ConstructorParameters<typeof SourceMap>[0]), packages: [...packages], exports };
  } catch (e) {
    const first = (e as { errors?: EsbuildMessage[] }).errors?.[0];
    if (!first) return { problem: { code: 'ts-load', message: (e as Error).message.split('\n')[0] ?? 'cannot compile', line: 0, col: 0 } };
    const loc = first.location;
    const inFile = loc && ('/' + loc.file.replace(/^\/+/, '') === abs || loc.file === relative('/', abs));
    const code = /could not resolve|no matching export|cannot find/i.test(first.text) ? 'ts-load' : 'ts-syntax';
    if (loc && inFile) return { problem: { code, message: first.text, line: loc.line, col: loc.column + 1 } };
    return { problem: { code, message: loc ? `${first.text} (in /${loc.file.replace(/^\/+/, '')}:${loc.line}:${loc.column + 1})` : first.text, line: 0, col: 0 } };
  }
}
