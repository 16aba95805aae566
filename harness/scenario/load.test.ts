import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findScenarioFiles, isTsLoaderLoaded, loadScenarioFile } from './load.js';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'sockspec-load-'));

describe('loadScenarioFile', () => {
  // The order matters: YAML first, to see that it never pulls in the TS loader.
  it('loads YAML without loading the TypeScript loader', async () => {
    const r = await loadScenarioFile('scenarios/echo-ack/server/hello-half-close.yaml', ROOT);
    expect(r.diagnostics).toEqual([]);
    expect(r.scenario?.steps.length).toBeGreaterThan(0);
    expect(isTsLoaderLoaded()).toBe(false);
  });

  it('loads a TS scenario with a script, compiled by esbuild, validated like YAML', async () => {
    const r = await loadScenarioFile('scenarios/echo-ack/server/lock-step-script.ts', ROOT);
    expect(r.diagnostics).toEqual([]);
    expect(isTsLoaderLoaded()).toBe(true);
    expect(r.scenario).toMatchObject({ covers: ['ECHO-4', 'ECHO-5', 'ECHO-6'], transport: 'tcp' });
    expect(r.scenario?.steps.map((s) => s.action.verb)).toEqual(['answer', 'connect']);
    expect(typeof r.scenario?.script).toBe('function');
  });

  it('reports a TS scenario that does not compile, exports nothing or breaks the schema', async () => {
    writeFileSync(join(dir, 'broken.ts'), 'export default {{{;\n');
    writeFileSync(join(dir, 'empty.ts'), 'export const x = 1;\n');
    writeFileSync(join(dir, 'bad.ts'), "export default { covers: ['ECHO-4'], steps: [{ shutdwn: 'c' }] };\n");
    const codes = async (f: string) => (await loadScenarioFile(join(dir, f), dir)).diagnostics.map((d) => d.code);
    // The compiler's own message and place, not "Transform failed with 1 error".
    expect((await loadScenarioFile(join(dir, 'broken.ts'), dir)).diagnostics).toMatchObject([{ code: 'ts-syntax', line: 1, col: 17, message: 'Expected identifier but found "{"' }]);
    expect(await codes('empty.ts')).toEqual(['ts-export']);
    expect(await codes('bad.ts')).toEqual(['unknown-step']);
  });
});

describe('findScenarioFiles', () => {
  it('lists YAML and TS scenarios sorted, leaving out the catalogue, tests and missing paths', async () => {
    const r = await findScenarioFiles(['scenarios/echo-ack/server', 'no/such/folder'], ROOT);
    expect(r.files).toContain('scenarios/echo-ack/server/lock-step-script.ts');
    expect(r.files).toEqual([...r.files].sort());
    expect(r.files.every((f) => /\.(yaml|ts)$/.test(f))).toBe(true);
    expect(r.diagnostics.map((d) => `${d.file} ${d.code}`)).toEqual(['no/such/folder not-found']);
  });
});

describe('include files', () => {
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const ids = new Set(['SOCK-2', 'HELLO-1', 'ECHO-4']);
  write('shared.yaml', 'covers: [SOCK-2]\nsteps:\n  - listener: { address: loopback }\n  - connect: { name: x, host: 127.0.0.2, expect: refused }\n    req: SOCK-2\n');

  it('run the included scenario under the including file, its ids added to every step without its own', async () => {
    const f = write('hello-loopback.yaml', 'include: shared.yaml\ncovers: [HELLO-1]\nname: hello is loopback only\n');
    const r = await loadScenarioFile(f, dir, ids);
    expect(r.diagnostics).toEqual([]);
    expect(r.scenario).toMatchObject({ file: f, name: 'hello is loopback only', covers: ['SOCK-2', 'HELLO-1'] });
    expect(r.scenario!.steps.map((s) => s.req)).toEqual([['SOCK-2', 'HELLO-1'], ['SOCK-2']]);
  });

  it('report unknown keys, unknown ids, missing targets and nested includes with their place', async () => {
    const codes = async (text: string) => (await loadScenarioFile(write('inc.yaml', text), dir, ids)).diagnostics.map((d) => `${d.line}:${d.col} ${d.code}`);
    expect(await codes('include: shared.yaml\nsteps: []\n')).toEqual(['2:1 unknown-key']);
    expect(await codes('include: shared.yaml\ncovers: [NOPE-1]\n')).toEqual(['2:1 unknown-requirement']);
    expect(await codes('include: missing.yaml\n')).toEqual(['1:1 not-found']);
    write('outer.yaml', 'include: shared.yaml\n');
    expect(await codes('include: outer.yaml\n')).toEqual(['1:1 nested-include']);
  });
});
