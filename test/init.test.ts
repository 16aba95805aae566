/**
 * `sockspec init`: a new suite that validates and runs as written, never written over.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ECHO_SERVER, sockspec } from './cli-process.js';
import { ROOT } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'sockspec-init-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('sockspec init', () => {
  it('writes a suite that validates, and runs against an echo server', async () => {
    writeFileSync(join(tmp, 'srv.py'), ECHO_SERVER);
    const r = await sockspec(['init', 'suite'], tmp);
    expect(r.code).toBe(0);
    const dir = join(tmp, 'suite');
    const hello = readFileSync(join(dir, 'hello.yaml'), 'utf8');
    const schema = /^# yaml-language-server: \$schema=(\S+)$/m.exec(hello)?.[1];
    expect(schema && resolve(dir, schema)).toBe(join(ROOT, 'scenarios/schema.json'));
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('npx sockspec run . --server');
    const v = await sockspec(['validate', '.'], dir);
    expect(v.stdout).toContain('1 scenario file valid');
    expect(v.code).toBe(0);
    const run = await sockspec(['run', '.', '--server', `python3 ${join(tmp, 'srv.py')} {port}`], dir);
    expect(run.stdout).toMatch(/HELLO-1 +MUST +pass/);
    expect(run.code).toBe(0);
  });

  it('refuses to overwrite, and writes nothing then', async () => {
    const dir = join(tmp, 'taken');
    mkdirSync(dir);
    writeFileSync(join(dir, 'README.md'), 'mine\n');
    const r = await sockspec(['init'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`exists: ${join(dir, 'README.md')} already there`);
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe('mine\n');
    expect(existsSync(join(dir, 'hello.yaml'))).toBe(false);
  });
});
