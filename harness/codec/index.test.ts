import { describe, it, expect } from 'vitest';
import * as codec from './index.js';

describe('codec index', () => {
  it('exports the public surface', () => {
    for (const name of [
      'CodecError', 'encodePayload', 'checkPayload', 'calcSize', 'pack', 'unpack',
      'matchBytes', 'matchRegex', 'matchStruct', 'matchSize', 'matchRounds',
      'escapeBytes', 'hexBytes', 'firstDifference', 'describeDifference',
    ]) {
      expect(typeof (codec as Record<string, unknown>)[name], name).toBe('function');
    }
  });
});
