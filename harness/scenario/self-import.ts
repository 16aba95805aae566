/**
 * `import … from 'sockspec'` (and `'sockspec/…'`) in a TS scenario resolves to the
 * running sockspec, wherever the suite is: its folder needs no node_modules of its own.
 * The package's `exports` say which file each specifier is.
 */
import { readFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../package-root.js';

/** Specifier (`sockspec`, `sockspec/vitest`) → absolute path of the file it exports. */
function exportsMap(): Map<string, string> {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name: string; exports?: Record<string, string | { default?: string; import?: string }> };
  const map = new Map<string, string>();
  for (const [key, target] of Object.entries(pkg.exports ?? {})) {
    // A conditional export (`{ types, default }`): the file code runs is its `import` or `default`.
    const file = typeof target === 'string' ? target : (target.import ?? target.default);
    if (file !== undefined) map.set(key === '.' ? pkg.name : `${pkg.name}/${key.replace(/^\.\//, '')}`, resolve(PACKAGE_ROOT, file));
  }
  return map;
}

let selfExports: Map<string, string> | undefined;

/** The file the running sockspec exports as `specifier`, if it names one. */
export function selfExport(specifier: string): string | undefined {
  selfExports ??= exportsMap();
  return selfExports.get(specifier);
}

// The module hooks (ES modules): run in their own thread, given the map as data.
const HOOKS = `
let map = {};
export function initialize(data) { map = data; }
export async function resolve(specifier, context, next) {
  return Object.hasOwn(map, specifier) ? { url: map[specifier], shortCircuit: true } : next(specifier, context);
}
`;

let installed = false;

/** From now on, in this process, `sockspec` and `sockspec/…` resolve to the running sockspec (ES modules and CommonJS alike). */
export function installSelfResolution(): void {
  if (installed) return;
  installed = true;
  selfExports ??= exportsMap();
  const urls = Object.fromEntries([...selfExports].map(([k, v]) => [k, pathToFileURL(v).href]));
  if (typeof register === 'function') register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, { data: urls });
  // A scenario compiled to CommonJS (outside an ESM package) resolves through require.
  const cjs = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = cjs._resolveFilename;
  cjs._resolveFilename = function (request: string, ...rest: unknown[]) {
    return selfExport(request) ?? original.call(this, request, ...rest);
  };
}
