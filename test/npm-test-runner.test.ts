/**
 * `build/test.mjs`, which `npm test` runs: its checks side by side, the exit status of the
 * first failing one (in its list's order), the output of the others kept and written after,
 * and a signal passed on to every process of every check, killed if it outlives it.
 * Run here on checks of the test's own (SOCKSPEC_NPM_TEST_CHECKS): small Node programs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isGone, pollUntil, waitGone } from '../harness/process/test-probes.js';
import { ROOT } from './helpers.js';

interface Check {
  name: string;
  argv: string[];
  live?: boolean;
}

/** A check that is `node -e CODE`. */
const node = (name: string, code: string, live = false): Check => ({ name, argv: [process.execPath, '-e', code], ...(live ? { live } : {}) });

/** The runner on `checks`; resolves when it has exited, with its status, signal and output. */
function runner(checks: Check[]): { child: ChildProcess; ended: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> } {
  const child = spawn(process.execPath, ['build/test.mjs'], { cwd: ROOT, env: { ...process.env, SOCKSPEC_NPM_TEST_CHECKS: JSON.stringify(checks) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  // 'exit', not 'close': a process that outlived its check could hold the output open.
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, out })));
  return { child, ended };
}

/** `p`, or a rejection saying what did not happen within `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Processes a test started that must be gone after it, killed if not. */
const started: number[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('npm test (build/test.mjs)', () => {
  it('exits with the status of the first check in its list that failed, and writes the output of the others after, in their order, then one line for all', async () => {
    const { child, ended } = runner([
      node('first', "process.stdout.write('first writes as it goes\\n')", true),
      // Ends after the third: the order of the output is the list's, not that of their ends.
      node('second', "setTimeout(() => { process.stdout.write('second out\\n'); process.stderr.write('second err\\n'); process.exit(4); }, 300)"),
      node('third', "process.stdout.write('third out\\n'); process.exit(2)"),
      { name: 'fourth', argv: [join(ROOT, 'no-such-command')] },
      node('fifth', "process.stdout.write('fifth out\\n')"),
    ]);
    started.push(child.pid!);
    const { code, out } = await within(ended, 20_000, 'the runner exited');
    expect(code).toBe(4);
    const at = (text: string) => {
      const i = out.indexOf(text);
      expect(i, `${JSON.stringify(text)} in:\n${out}`).toBeGreaterThanOrEqual(0);
      return i;
    };
    const order = [
      at('first writes as it goes'),
      at('── second: failed (exit status 4) in '),
      at('second out'),
      at('second err'),
      at('── third: failed (exit status 2) in '),
      at('third out'),
      at('── fourth: could not be started: '),
      at('── fifth: passed in '),
      at('fifth out'),
      at('first: passed; second: failed (exit status 4); third: failed (exit status 2); fourth: could not be started: '),
    ];
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(out.trimEnd().split('\n').at(-1)).toMatch(/; fifth: passed$/);
  });

  it('exits 0 when every check passed', async () => {
    const { child, ended } = runner([node('one', '', true), node('two', "process.stdout.write('two out\\n')")]);
    started.push(child.pid!);
    const { code, out } = await within(ended, 20_000, 'the runner exited');
    expect(code).toBe(0);
    expect(out.trimEnd().split('\n').at(-1)).toBe('one: passed; two: passed');
  });

  it('passes SIGTERM on to every process of every check, kills within 5 s one that ignores it, and exits 143 once they are all gone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sockspec-npm-test-'));
    dirs.push(dir);
    // A check that starts a process of its own (in its group), which writes its pid once it is ready; the check then writes its.
    const check = (name: string, ignoresTerm: boolean, live: boolean) => {
      const grandchild = `${ignoresTerm ? "process.on('SIGTERM', () => {});" : ''} require('node:fs').writeFileSync(${JSON.stringify(join(dir, `${name}.grandchild`))}, String(process.pid)); setInterval(() => {}, 1000);`;
      return node(
        name,
        `const g = require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(grandchild)}], { stdio: 'inherit' });
         require('node:fs').writeFileSync(${JSON.stringify(join(dir, `${name}.check`))}, String(process.pid));
         setInterval(() => {}, 1000);`,
        live,
      );
    };
    const { child, ended } = runner([check('live', true, true), check('kept', false, false), check('kept-stubborn', true, false)]);
    started.push(child.pid!);
    const files = ['live', 'kept', 'kept-stubborn'].flatMap((n) => [`${n}.check`, `${n}.grandchild`]).map((f) => join(dir, f));
    const ready = await pollUntil(() => files.every((f) => existsSync(f) && readFileSync(f, 'utf8') !== ''), (all) => all, 20_000);
    expect(ready, 'every check and its process wrote its pid').toBe(true);
    const pids = files.map((f) => Number(readFileSync(f, 'utf8')));
    started.push(...pids);
    expect(pids.filter((p) => isGone(p))).toEqual([]);
    const t0 = performance.now();
    child.kill('SIGTERM');
    const { code, out } = await within(ended, 15_000, 'the runner exited after SIGTERM');
    const ms = performance.now() - t0;
    expect(code, out).toBe(143);
    // The two that ignore SIGTERM are killed 5 s on; the runner exits once every check has ended.
    expect(ms).toBeGreaterThanOrEqual(4500);
    expect(ms).toBeLessThan(15_000);
    const alive = (await Promise.all(pids.map(async (p) => ((await waitGone(p, 5000)) ? undefined : p)))).filter((p) => p !== undefined);
    expect(alive).toEqual([]);
    expect(out).toContain('live: ended by SIGTERM');
  });
});
