/**
 * The requirement catalogue: ids with their level and text, read from YAML.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import type { Level } from '../run/result.js';
import type { Diagnostic } from './diagnostic.js';
import { describeIssue } from './schema-walk.js';
import { readRegularFile } from './read-file.js';
import { parseYamlSource } from './yaml-source.js';

export interface Requirement {
  id: string;
  level: Level;
  text: string;
}

export interface Catalogue {
  file: string;
  requirements: Requirement[];
  byId: ReadonlyMap<string, Requirement>;
}

export const catalogueSchema = z.strictObject({
  requirements: z.array(
    z.strictObject({
      id: z.string().regex(/^[A-Za-z0-9][\w.-]*$/, 'an id of letters, digits, `.`, `_` or `-`'),
      level: z.enum(['MUST', 'SHOULD', 'INFO']),
      text: z.string(),
    }),
  ),
});

/** Read and check a catalogue file. */
export async function loadCatalogue(file: string, cwd: string): Promise<{ catalogue?: Catalogue; diagnostics: Diagnostic[] }> {
  const read = await readRegularFile(resolve(cwd, file));
  if ('problem' in read) return { diagnostics: [{ file, line: 0, col: 0, code: read.problem.code, message: read.problem.message, severity: 'error' }] };
  const src = parseYamlSource(file, read.text);
  if (src.diagnostics.length) return { diagnostics: src.diagnostics };
  const r = catalogueSchema.safeParse(src.data, { reportInput: true });
  if (!r.success) {
    return {
      diagnostics: r.error.issues.map((issue) => {
        const path = issue.path as (string | number)[];
        const { line, col } = src.locate(path);
        const { code, message } = issue.code === 'unrecognized_keys' ? { code: 'unknown-key', message: issue.message } : describeIssue(issue, path);
        return { file, line, col, code, message, severity: 'error' as const };
      }),
    };
  }
  const diagnostics: Diagnostic[] = [];
  const byId = new Map<string, Requirement>();
  r.data.requirements.forEach((req, i) => {
    if (byId.has(req.id)) {
      const { line, col } = src.locate(['requirements', i, 'id']);
      diagnostics.push({ file, line, col, code: 'duplicate-id', message: `\`${req.id}\` is listed twice`, severity: 'error' });
    }
    byId.set(req.id, req);
  });
  return { catalogue: { file, requirements: r.data.requirements, byId }, diagnostics };
}
