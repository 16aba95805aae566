// After tsc: the package's entry points bundled, with the code they share split into chunks
// (dist/bundle/). One process loads each module once, whichever entries it imports: the CLI,
// and the `sockspec` a TS scenario imports, are the same code. Loading a few files instead of
// some 220 modules (zod's 95 among them) is most of what a short command costs.
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/bundle`;
rmSync(out, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: {
    cli: 'dist/harness/cli/main.js',
    index: 'dist/harness/index.js',
    vitest: 'dist/harness/vitest.js',
    codec: 'dist/harness/codec/library.js',
  },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Packages that are loaded on demand, hold native code, or whose objects a scenario may create itself.
  external: ['esbuild', 'tsx', 'tsx/*', 'c8', 'fast-check', 'vitest', 'sockspec', 'sockspec/*', 'bun:test'],
  chunkNames: 'chunk-[hash]',
  logLevel: 'warning',
  metafile: true,
  legalComments: 'none',
  // yaml, bundled from CommonJS, requires `process` and `buffer`: a module has no `require` of its own.
  banner: { js: "import { createRequire as __sockspecRequire } from 'node:module'; const require = __sockspecRequire(import.meta.url);" },
});
// Which modules went into which file: the tests check that none is in two.
writeFileSync(`${out}/metafile.json`, JSON.stringify(result.metafile));
