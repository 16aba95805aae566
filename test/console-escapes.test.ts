/**
 * Every text from a scenario or a program that sockspec shows on the console is
 * escaped: a real program that puts terminal control sequences (window title, clear
 * screen, C1 CSI) in its stdout, its stderr and the bytes it sends, run through the
 * CLI by scenarios whose file name and note hold such sequences too, and failing so
 * that the failure, its transcript and the GitHub annotations quote all of it; and
 * the diagnostics of scenario files holding them, through `run` as well as `validate`.
 * Characters a reader cannot see (zero-width, bidi overrides, private use) are escaped too.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'sockspec-escapes-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SERVER = 'python3 fixtures/hostile/prints-terminal-escapes.py {port}';
/** The control sequences the fixture prints, as the reports must show them. */
const SHOWN = '\\x1b]0;pwned\\x07\\x1b[2J';

interface Ran {
  code: number | null;
  signal: string | null;
  out: string;
}

/** The built CLI, stdout and stderr together, killed if it outlives 60 s (the test then fails on its exit). */
function cli(args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/sockspec.js', ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out });
    });
  });
}

/** The code points of terminal control characters in `text` (any C0 but line feed, DEL, C1). */
function controls(text: string): string[] {
  return [...text].filter((c) => /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/.test(c)).map((c) => c.charCodeAt(0).toString(16));
}

describe('text shown on the console is escaped', { timeout: 150_000 }, () => {
  it('a program’s stdout, stderr and bytes, a scenario’s file name and note: in the failure, its transcript and the GitHub annotations', async () => {
    const tcp = join(tmp, 'evil\x1b]0;file\x07.yaml');
    writeFileSync(tcp, 'covers: [ECHO-4]\nsteps:\n  - connect: c\n  - note: "\\e]0;note\\a \\u202Egnp.exe zero\\u200Bwidth\\uE000"\n  - expect: { text: "hello\\n", within: 5000 }\n');
    const stdout = join(tmp, 'stdout.yaml');
    writeFileSync(stdout, 'covers: [ECHO-4]\nsteps:\n  - stdout: { contains: "never printed", within: 1500 }\n');
    const [console, github] = await Promise.all([
      cli(['run', tcp, stdout, '--server', SERVER, '--reporter', 'console']),
      cli(['run', tcp, stdout, '--server', SERVER, '--reporter', 'github']),
    ]);
    for (const r of [console, github]) {
      expect(r.signal).toBeNull();
      expect(r.code, r.out).toBe(1);
      // GitHub's `file=` property too: its control characters are percent-encoded.
      expect(controls(r.out)).toEqual([]);
      // What was escaped is still there to read.
      expect(r.out).toContain('evil\\x1b]0;file\\x07.yaml');
      expect(r.out).toContain('\\x1b]0;note\\x07 \\u{202E}gnp.exe zero\\u{200B}width\\u{E000}');
      // Nor any character a reader cannot see or that reorders the line.
      expect(r.out).not.toMatch(/[\p{Cf}\p{Co}\p{Cn}]/u);
      expect(r.out).toContain(`tcp ${SHOWN}`);
    }
    expect(github.out).toMatch(/^::error file=[^,]*evil%1B]0;file%07\.yaml,/m);
    // The console shows the transcript too: what the program printed on stdout and stderr.
    expect(console.out).toContain(`stdout ${SHOWN}`);
    expect(console.out).toContain(`stderr ${SHOWN}`);
  });

  it('diagnostics of scenario files holding control sequences, through run as through validate', async () => {
    const files = ['test/malformed/unknown-key-escapes-top.yaml', 'test/malformed/raw-escape-byte.yaml', 'test/malformed/escapes-in-value.yaml'];
    const [run, validate] = await Promise.all([cli(['run', '--server', SERVER, '--reporter', 'console', ...files]), cli(['validate', ...files])]);
    for (const r of [run, validate]) {
      expect(r.signal).toBeNull();
      expect(r.code, r.out).toBe(2);
      expect(controls(r.out)).toEqual([]);
      expect(r.out).toContain('unknown key `\\x1b]0;title\\x07\\x1b[2J`');
      expect(r.out).toContain('unknown step `\\x1b]0;title\\x07`');
    }
  });
});
