/**
 * The JSON Schema for scenario files, generated from the one zod schema, so that
 * editors complete and check YAML scenarios.
 */
import { z } from 'zod';
import { scenarioFileSchema } from './schema.js';

/** The JSON Schema text (stable, newline-terminated) for scenario files. */
export function scenarioJsonSchema(): string {
  const schema = z.toJSONSchema(scenarioFileSchema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
  const doc = { $id: 'https://sockspec.dev/schema/scenario.json', title: 'sockspec scenario', ...schema };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
