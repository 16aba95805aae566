import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchema } from './json-schema.js';

describe('scenarios/schema.json', () => {
  it('is the schema generated from the zod model (run `npm run schema` if this fails)', () => {
    const committed = readFileSync(resolve(import.meta.dirname, '../../scenarios/schema.json'), 'utf8');
    expect(committed).toBe(scenarioJsonSchema());
  });

  it('describes every step verb and refuses unknown keys', () => {
    const schema = JSON.parse(scenarioJsonSchema()) as { anyOf: { additionalProperties: boolean; properties: Record<string, unknown> }[] };
    // A file is a scenario or an include of one; both refuse unknown keys.
    expect(schema.anyOf.map((s) => s.additionalProperties)).toEqual([false, false]);
    expect(Object.keys(schema.anyOf[1]!.properties)).toContain('include');
    const text = JSON.stringify(schema);
    for (const verb of ['connect', 'send', 'shutdown', 'expect', 'answer', 'restart', 'parallel']) expect(text).toContain(`"${verb}"`);
  });
});
