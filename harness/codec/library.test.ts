import { describe, expect, it } from 'vitest';
import * as direct from './library.js';

// Node resolves the package's own name through its "exports": this is what users import (after `npm run build`).
const entry = 'sockspec/codec';

describe('sockspec/codec', () => {
  it('resolves by the package name to the built library, with the fuzzing API and the codec layer', async () => {
    expect(import.meta.resolve(entry)).toMatch(/\/dist\/harness\/codec\/library\.js$/);
    const lib = (await import(entry)) as typeof direct;
    for (const name of ['assertCodec', 'structArbitrary', 'framedStreamArbitrary', 'packStructValues', 'checkStructValues', 'pack', 'unpack', 'lengthPrefixFramer', 'CodecError'] as const) {
      expect(typeof lib[name], name).toBe('function');
    }
    expect(Object.keys(lib).sort()).toEqual(Object.keys(direct).sort());
  });
});
