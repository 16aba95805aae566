import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { loadScenarioFile } from './load.js';
import { probeTsScenario } from './ts-probe.js';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'sockspec-ts-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A suite folder outside the project: packages are found through its node_modules, sockspec is the running one.
const suite = join(dir, 'suite');
const temp = join(dir, 'tmp');
mkdirSync(join(suite, 'lib'), { recursive: true });
mkdirSync(temp);
symlinkSync(join(ROOT, 'node_modules'), join(suite, 'node_modules'));
writeFileSync(
  join(suite, 'lib/place.ts'),
  ['export const place = { url: import.meta.url, dir: __dirname };', '', 'export function fails(): never {', "  throw new Error('from the helper');", '}', ''].join('\n'),
);
writeFileSync(
  join(suite, 'uses-helper.ts'),
  [
    "import fc from 'fast-check';",
    "import { defineScenario } from 'sockspec';",
    "import { fails, place } from './lib/place.js';",
    '',
    'const seen = { helper: place, url: import.meta.url, filename: import.meta.filename, dirname: import.meta.dirname, drawn: fc.sample(fc.constant(7), 1)[0] };',
    '',
    'export default defineScenario({',
    '  name: JSON.stringify(seen),',
    "  covers: ['X-1'],",
    "  steps: [{ connect: 'c' }],",
    '  async script() {',
    '    fails();',
    '  },',
    '});',
    '',
  ].join('\n'),
);
for (const n of [1, 2, 3]) writeFileSync(join(suite, `plain-${n}.ts`), `import { defineScenario } from 'sockspec';\nexport default defineScenario({ name: 'plain ${n}', covers: ['X-1'], steps: [{ connect: 'c' }] });\n`);

// Run in a process of its own: what it loads, the threads it starts and its temporary files are its alone.
const CHILD = `
import { readdirSync } from 'node:fs';
import { loadScenarioFile } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist/harness/scenario/load.js')).href)};
import { probeWorkersStarted } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist/harness/scenario/ts-probe.js')).href)};
const files = ['uses-helper.ts', 'plain-1.ts', 'plain-2.ts', 'plain-3.ts'];
const loaded = await Promise.all(files.map((f) => loadScenarioFile(f, process.cwd())));
let stack = '';
await loaded[0].scenario.script({}).catch((e) => { stack = e.stack; });
console.log(JSON.stringify({
  diagnostics: loaded.flatMap((l) => l.diagnostics),
  names: loaded.map((l) => l.scenario?.name),
  stack,
  workers: probeWorkersStarted(),
  hooks: process.moduleLoadList.filter((m) => m.includes('esm/hooks')),
  temp: readdirSync(process.env.TMPDIR),
}));
process.exit(0);
`;

it('loads TS scenarios with helpers and packages as the files they are, without module hooks, one probe worker for all', async () => {
  const out = await new Promise<string>((done, fail) =>
    execFile(process.execPath, ['--input-type=module', '-e', CHILD], { cwd: suite, env: { ...process.env, TMPDIR: temp }, timeout: 60_000 }, (e, stdout, stderr) => (e ? fail(new Error(`${e.message}\n${stderr}`)) : done(stdout))),
  );
  const r = JSON.parse(out) as { diagnostics: unknown[]; names: string[]; stack: string; workers: number; hooks: string[]; temp: string[] };
  expect(r.diagnostics).toEqual([]);
  const helper = join(suite, 'lib/place.ts');
  const scenario = join(suite, 'uses-helper.ts');
  // import.meta and __dirname name each file, the helper its own.
  expect(JSON.parse(r.names[0]!)).toEqual({ helper: { url: pathToFileURL(helper).href, dir: join(suite, 'lib') }, url: pathToFileURL(scenario).href, filename: scenario, dirname: suite, drawn: 7 });
  expect(r.names.slice(1)).toEqual(['plain 1', 'plain 2', 'plain 3']);
  // A stack trace names the .ts lines: the helper's throw, then the script's call.
  expect(r.stack.split('\n').slice(0, 3)).toEqual(['Error: from the helper', `    at fails (${helper}:4:9)`, `    at Object.script (${scenario}:12:5)`]);
  expect(r.workers).toBe(1);
  // No module hooks: every later import of the process stays direct.
  expect(r.hooks).toEqual([]);
  // The compiled modules were loaded from temporary files, removed once loaded.
  expect(r.temp).toEqual([]);
});

it('judges a module probed after others as it would be alone: an exit status it sets, a beforeExit listener of its own, process.exit replaced', async () => {
  const scenario = "export default { covers: ['X-1'], steps: [{ connect: 'c' }] };\n";
  writeFileSync(join(suite, 'sets-exit-code.ts'), `process.exitCode = 3;\n${scenario}`);
  writeFileSync(join(suite, 'listens-before-exit.ts'), `process.once('beforeExit', () => { setTimeout(() => {}, 5); });\n${scenario}`);
  writeFileSync(join(suite, 'throws.ts'), `${scenario}throw new Error('at import');\n`);
  // Clean itself, but the exit of the next module would go unseen in the same worker.
  writeFileSync(join(suite, 'replaces-exit.ts'), `process.exit = () => undefined as never;\n${scenario}`);
  writeFileSync(join(suite, 'exits.ts'), `${scenario}process.exit(0);\n`);
  const files = ['plain-1.ts', 'sets-exit-code.ts', 'plain-2.ts', 'listens-before-exit.ts', 'throws.ts', 'plain-3.ts', 'replaces-exit.ts', 'exits.ts'];
  const expected = ['valid', '0:0 ts-exit', 'valid', 'valid', '2:7 ts-throw', 'valid', 'valid', '0:0 ts-exit'];
  // The probe alone, one after another (the idle worker is kept for the next), then loaded all at once.
  const probed: string[] = [];
  for (const f of files) {
    const r = await probeTsScenario(join(suite, f));
    probed.push('problem' in r ? `${r.problem.line}:${r.problem.col} ${r.problem.code}` : 'valid');
  }
  expect(probed).toEqual(expected);
  const loaded = await Promise.all(files.map((f) => loadScenarioFile(f, suite)));
  expect(loaded.map((l) => l.diagnostics.map((d) => `${d.line}:${d.col} ${d.code}`).join(' ') || 'valid')).toEqual(expected);
});
