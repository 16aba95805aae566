/**
 * A suite kept outside this repository, run from another folder with no config:
 * the nearest requirements.yaml is its catalogue, `import … from 'sockspec'` in a TS
 * scenario is the running sockspec, and helper modules are not scenarios.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ECHO_SERVER, sockspec } from './cli-process.js';

const tmp = mkdtempSync(join(tmpdir(), 'sockspec-standalone-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const elsewhere = join(tmp, 'elsewhere');
const suite = join(tmp, 'project', 'suite');
mkdirSync(elsewhere);
mkdirSync(join(suite, 'lib'), { recursive: true });
mkdirSync(join(suite, 'helpers'), { recursive: true });

function write(path: string, text: string): void {
  writeFileSync(path, text);
}

write(join(tmp, 'srv.py'), ECHO_SERVER);
// The catalogue a level above the suite: found by walking up.
write(join(tmp, 'project', 'requirements.yaml'), 'requirements:\n  - { id: LINE-1, level: MUST, text: "a line is echoed" }\n  - { id: LINE-2, level: MUST, text: "a word is echoed" }\n');
write(join(suite, 'line.yaml'), 'name: a line\ncovers: [LINE-1]\nsteps:\n  - connect: c\n  - send: { text: "one line\\n" }\n  - expect: { text: "one line\\n" }\n');
write(join(suite, 'word.ts'), "import { defineScenario } from 'sockspec';\nimport { WORD } from './words.js';\nimport { twice } from './lib/twice.js';\n\nexport default defineScenario({\n  name: 'a word',\n  covers: ['LINE-2'],\n  steps: [{ connect: 'c' }, { send: { text: twice(WORD) } }, { expect: { text: twice(WORD) } }],\n});\n");
// Helpers: a .ts without a default export, a module under lib/, one under helpers/ (broken if it were a scenario), a .d.ts, a .test.ts.
write(join(suite, 'words.ts'), "export const WORD = 'word';\n");
write(join(suite, 'lib', 'twice.ts'), 'export default function twice(s: string): string {\n  return s + s;\n}\nexport { twice };\n');
write(join(suite, 'helpers', 'odd.ts'), "export default { covers: ['NOT-AN-ID'], steps: [] };\n");
write(join(suite, 'types.d.ts'), 'export type X = number;\n');
write(join(suite, 'word.test.ts'), 'export default 1;\n');

const server = (faulty = false) => `python3 ${join(tmp, 'srv.py')} {port}${faulty ? ' upper' : ''}`;

describe('a suite outside the repository, run from another folder without a config', () => {
  it('validate and list find the catalogue above the suite and skip the helpers', async () => {
    const v = await sockspec(['validate', suite], elsewhere);
    expect(v.stderr).toBe('');
    expect(v.stdout).toContain('2 scenario files valid');
    expect(v.code).toBe(0);
    const l = await sockspec(['list', suite], elsewhere);
    expect(l.stdout).toMatch(/line\.yaml +LINE-1/);
    expect(l.stdout).toMatch(/word\.ts +LINE-2/);
    expect(l.stdout).toContain('2 of 2 catalogue ids covered');
    expect(l.code).toBe(0);
  });

  it('run exits 0 against a conforming server and 1 against a faulty one, the TS scenario importing sockspec', async () => {
    const good = await sockspec(['run', suite, '--server', server()], elsewhere);
    expect(good.stdout + good.stderr).toContain('2 passed, 0 failed');
    expect(good.code).toBe(0);
    const bad = await sockspec(['run', suite, '--server', server(true)], elsewhere);
    expect(bad.stdout).toMatch(/LINE-1 +MUST +fail/);
    expect(bad.stdout).toMatch(/LINE-2 +MUST +fail/);
    expect(bad.code).toBe(1);
  });

  it('an unknown id names the catalogue read, or the folders searched when there is none', async () => {
    const other = join(tmp, 'other');
    mkdirSync(other);
    write(join(other, 'x.yaml'), 'name: x\ncovers: [LINE-9]\nsteps:\n  - connect: c\n');
    // No requirements.yaml in `other` or above it up to the filesystem root (tmpdir holds none).
    const none = await sockspec(['validate', other], elsewhere);
    expect(none.stderr).toContain(`x.yaml:2:10: unknown-requirement: \`LINE-9\` is not in the requirement catalogue: no requirements.yaml found in ${other} or any folder above it up to /`);
    expect(none.stderr).toContain('`sockspec init` writes one');
    expect(none.code).toBe(2);
    // A folder holding .git ends the search.
    mkdirSync(join(tmp, 'project', 'repo', '.git'), { recursive: true });
    mkdirSync(join(tmp, 'project', 'repo', 's'));
    write(join(tmp, 'project', 'repo', 's', 'x.yaml'), 'name: x\ncovers: [LINE-1]\nsteps:\n  - connect: c\n');
    const stopped = await sockspec(['validate', 'project/repo/s'], tmp);
    expect(stopped.stderr).toContain('no requirements.yaml found in project/repo/s or any folder above it up to project/repo');
    expect(stopped.code).toBe(2);
    write(join(suite, 'typo.yaml'), 'name: typo\ncovers: [LINE-3]\nsteps:\n  - connect: c\n');
    try {
      const typo = await sockspec(['validate', suite], elsewhere);
      expect(typo.stderr).toContain(`unknown-requirement: \`LINE-3\` is not in the requirement catalogue: the catalogue read is ${join(tmp, 'project', 'requirements.yaml')}`);
      expect(typo.code).toBe(2);
    } finally {
      rmSync(join(suite, 'typo.yaml'));
    }
  });

  it('a .ts without a default export named as a scenario is reported', async () => {
    const r = await sockspec(['validate', join(suite, 'words.ts')], elsewhere);
    expect(r.stderr).toContain('ts-export');
    expect(r.code).toBe(2);
  });

  it('in a project with a config, a folder named by path outside its suites is checked against its own nearest catalogue', async () => {
    const proj = join(tmp, 'configured');
    mkdirSync(join(proj, 'suites', 'main'), { recursive: true });
    mkdirSync(join(proj, 'examples', 'own'), { recursive: true });
    write(join(proj, 'requirements.yaml'), 'requirements:\n  - { id: MAIN-1, level: MUST, text: "main" }\n');
    write(join(proj, 'sockspec.config.yaml'), 'requirements: requirements.yaml\nsuites:\n  - scenarios: suites/main\n    targets: [{ name: t, server: "true" }]\n');
    write(join(proj, 'suites', 'main', 'm.yaml'), 'name: m\ncovers: [MAIN-1]\nsteps:\n  - connect: c\n');
    write(join(proj, 'examples', 'own', 'requirements.yaml'), 'requirements:\n  - { id: OWN-1, level: MUST, text: "own" }\n');
    write(join(proj, 'examples', 'own', 'o.yaml'), 'name: o\ncovers: [OWN-1]\nsteps:\n  - connect: c\n');
    const own = await sockspec(['validate', 'examples/own'], proj);
    expect(own.stderr).toBe('');
    expect(own.code).toBe(0);
    // The config's suites keep the config's catalogue, which does not hold OWN-1.
    const main = await sockspec(['validate', 'suites/main'], proj);
    expect(main.code).toBe(0);
    write(join(proj, 'suites', 'main', 'x.yaml'), 'name: x\ncovers: [OWN-1]\nsteps:\n  - connect: c\n');
    const wrong = await sockspec(['validate', 'suites/main'], proj);
    expect(wrong.stderr).toContain('`OWN-1` is not in the requirement catalogue: the catalogue read is requirements.yaml');
    expect(wrong.code).toBe(2);
  });
});
