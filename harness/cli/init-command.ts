/**
 * `sockspec init [DIR]`: a new suite to start from — a catalogue with one id, a
 * scenario covering it, and a README saying how to run them. Never overwrites.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';
import { makePrintableLine } from '../report/printable-text.js';
import type { Io } from './main.js';

/** Where an editor finds the scenario schema from `dir`: the running package's, relative to it. */
function schemaRef(dir: string): string {
  const schema = join(PACKAGE_ROOT, 'scenarios', 'schema.json');
  if (!existsSync(schema)) return 'node_modules/sockspec/scenarios/schema.json';
  return relative(dir, schema).split(sep).join('/');
}

/** The files of a new suite in `dir`: name → text. */
export function suiteFiles(dir: string): Record<string, string> {
  return {
    'requirements.yaml': `# The requirement catalogue: every id a scenario covers, its level and what it means.
# MUST fails a run, SHOULD fails it only with --strict, INFO is recorded, never judged.
requirements:
  - { id: HELLO-1, level: MUST, text: "The server sends back each line it receives" }
`,
    'hello.yaml': `# yaml-language-server: $schema=${schemaRef(dir)}
name: a line sent is echoed back
covers: [HELLO-1]
steps:
  - connect: c
  - send: { text: "hello\\n" }
  - expect: { text: "hello\\n" }
`,
    'README.md': `# A sockspec suite

Scenarios (\`*.yaml\`, or \`*.ts\` with a default export) check a program over TCP or UDP;
\`requirements.yaml\` lists the ids they cover.

Check the scenarios:

    npx sockspec validate .

Run them against a server (\`{port}\` is replaced by a free port, also given as \`PORT\`):

    npx sockspec run . --server "python3 my_server.py {port}"

Exit status: 0 when every MUST held, 1 when one failed, 2 for a scenario or usage error.
`,
  };
}

/** Write a new suite into `paths[0]` (default: the working folder); 2 if a file would be overwritten. */
export async function initCommand(paths: string[], io: Io): Promise<number> {
  if (paths.length > 1) {
    io.stderr.write('sockspec: usage: init takes one folder\n');
    return 2;
  }
  const dir = resolve(io.cwd, paths[0] ?? '.');
  const files = suiteFiles(dir);
  const present = Object.keys(files).filter((name) => existsSync(join(dir, name)));
  if (present.length) {
    io.stderr.write(`sockspec: exists: ${present.map((name) => makePrintableLine(join(dir, name))).join(', ')} already there; init writes only into a folder without ${Object.keys(files).join(', ')}\n`);
    return 2;
  }
  await mkdir(dir, { recursive: true });
  // `wx`: a file that appeared since the check is not overwritten either.
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text, { flag: 'wx' });
  const shown = relative(io.cwd, dir) || '.';
  io.stdout.write(`wrote ${Object.keys(files).join(', ')} in ${makePrintableLine(shown)}\nnext: npx sockspec run ${makePrintableLine(shown)} --server "YOUR-SERVER {port}"\n`);
  return 0;
}
