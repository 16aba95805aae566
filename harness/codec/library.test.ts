import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as direct from './library.js';

// Node resolves the package's own name through its "exports": this is what users import (after `npm run build`).
const entry = 'sockspec/codec';

describe('sockspec/codec', () => {
  it('resolves by the package name to the built library, with the fuzzing API and the codec layer', async () => {
    expect(import.meta.resolve(entry)).toMatch(/\/dist\/bundle\/codec\.js$/);
    const lib = (await import(entry)) as typeof direct;
    for (const name of ['assertCodec', 'structArbitrary', 'framedStreamArbitrary', 'packStructValues', 'checkStructValues', 'pack', 'unpack', 'lengthPrefixFramer', 'CodecError'] as const) {
      expect(typeof lib[name], name).toBe('function');
    }
    expect(Object.keys(lib).sort()).toEqual(Object.keys(direct).sort());
  });

  // The entries are built together (build/bundle.mjs), what they share split into chunks: one process holds one
  // copy of each module whichever entries it loads (the CLI, and the `sockspec` a TS scenario imports: a
  // CodecError thrown by one is a CodecError to the other).
  it('shares its modules with the CLI and the other entries instead of holding copies of them', () => {
    for (const specifier of [entry, 'sockspec', 'sockspec/vitest']) expect(import.meta.resolve(specifier), specifier).toMatch(/\/dist\/bundle\/\w+\.js$/);
    const meta = JSON.parse(readFileSync(new URL('../../dist/bundle/metafile.json', import.meta.url), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
    const where = new Map<string, string[]>();
    for (const [output, { inputs }] of Object.entries(meta.outputs)) for (const input of Object.keys(inputs)) where.set(input, [...(where.get(input) ?? []), output]);
    expect(where.get('dist/harness/codec/errors.js')).toHaveLength(1);
    expect([...where].filter(([, outputs]) => outputs.length > 1)).toEqual([]);
  });
});
