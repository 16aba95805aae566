/**
 * `npm run schema`: write scenarios/schema.json from the zod schema.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PACKAGE_ROOT } from '../cli/config.js';
import { scenarioJsonSchema } from './json-schema.js';

const out = resolve(PACKAGE_ROOT, 'scenarios/schema.json');
writeFileSync(out, scenarioJsonSchema());
process.stdout.write(`wrote ${out}\n`);
