/**
 * The command line as users and CI see it: exit statuses, located errors, reports,
 * and that no process a run started outlives it — on success, timeout and Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';
import { alive, pidWatcher } from './runtimes/support.js';

const tmp = mkdtempSync(join(tmpdir(), 'sockspec-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Ran {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Run the built CLI; `onSpawn` gets the child (to signal it). A run without `--reporter` reports to the console only, so that tests never overwrite the config's reports/ files. */
function cli(args: string[], env: Record<string, string> = {}, onSpawn?: (pid: number) => void): Promise<Ran> {
  const argv = args[0] === 'run' && !args.includes('--reporter') ? [...args, '--reporter', 'console'] : args;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/sockspec.js', ...argv], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('spawn', () => onSpawn?.(child.pid!));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function write(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

const REFERENCE = 'python3 fixtures/echo-ack/server/reference.py {port}';
const HELLO = 'scenarios/echo-ack/server/hello-half-close.yaml';

describe('sockspec CLI', () => {
  it('prints its version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    // Alone, answered by the launcher itself; with a command, by the CLI.
    for (const args of [['--version'], ['-v'], ['list', '--version']]) {
      const r = await cli(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
    }
  });

  it('exits 2 with usage on an unknown option or command', async () => {
    expect((await cli(['run', '--frobnicate'])).code).toBe(2);
    const r = await cli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command');
  });

  it('--concurrent is refused but for a server already running on --port', async () => {
    for (const args of [['--concurrent'], ['--concurrent', '--server', REFERENCE, '--port', '7'], ['--concurrent', '--client', REFERENCE]]) {
      const r = await cli(['run', HELLO, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--concurrent is for a server already running on --port N');
    }
  });

  it('validate prints every mistake of a file with line:col and exits 2, without a stack trace', async () => {
    const bad = write('three-mistakes.yaml', 'covers: [ECHO-4]\ntimeout: fast\nsteps:\n  - connect: c\n  - shutdwn: c\n  - expect: { eof: true, colour: red }\n');
    const r = await cli(['validate', bad]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines.slice(0, 3)).toEqual([
      `${bad}:2:10: invalid-type: expected \`timeout\` to be a number, got \`"fast"\` (string)`,
      `${bad}:5:5: unknown-step: unknown step \`shutdwn\` (did you mean \`shutdown\`?)`,
      expect.stringMatching(new RegExp(`^${bad}:6:\\d+: unknown-key: unknown key \`colour\``)),
    ]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('validate accepts the bundled suites', async () => {
    const r = await cli(['validate']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('list shows the ids each scenario covers and the uncovered ones', async () => {
    const r = await cli(['list', 'scenarios/echo-ack/server']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/hello-half-close\.yaml\s+ECHO-4 ECHO-5 ECHO-6/);
    expect(r.stdout).toMatch(/^uncovered: .*TIME-2/m);
  });

  it('exits 0 for a conforming server and 1 for a broken one, naming the broken id', async () => {
    const report = join(tmp, 'ok.json');
    const ok = await cli(['run', HELLO, '--server', REFERENCE, '--reporter', 'console', '--reporter', `json=${report}`]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^1 passed, 0 failed/m);
    expect(JSON.parse(readFileSync(report, 'utf8')).scenarios[0].outcome).toBe('pass');
    const broken = await cli(['run', HELLO, '--server', 'python3 fixtures/echo-ack/server/no-ack.py {port}', '--reporter', `junit=${join(tmp, 'j.xml')}`, '--reporter', 'console']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('ECHO-4');
    expect(readFileSync(join(tmp, 'j.xml'), 'utf8')).toContain('<failure');
  });

  it('reports a server that never starts as an error with its stderr, exit 2', async () => {
    const r = await cli(['run', HELLO, '--server', `python3 -c "import sys; sys.stderr.write('cannot bind: no luck'); sys.exit(3)"`]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('exit status 3');
    expect(r.stdout).toContain('cannot bind: no luck');
  });

  it('never exits 0 when a TS scenario awaits, in the harness only, something that never settles', async () => {
    const s = write('hangs-in-harness.mts', "import { isMainThread } from 'node:worker_threads';\nif (isMainThread) await new Promise(() => {});\nexport default { covers: ['ECHO-7'], steps: [{ connect: 'c' }] };\n");
    for (const command of ['validate', 'run']) {
      const r = await cli(command === 'run' ? ['run', s, '--server', 'python3 fixtures/echo-ack/server/reference.py {port}'] : ['validate', s]);
      expect(r.code, `${command}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stderr).toContain('internal-error: the command ended before finishing');
    }
  });

  it('leaves no process behind after a run that passes', async () => {
    const w = await pidWatcher();
    const s = write('quick.yaml', 'covers: [ECHO-7]\nsteps:\n  - connect: c\n  - close: c\n');
    const r = await cli(['run', s, '--server', 'python3 fixtures/lifecycle/spawns-grandchild.py {port}'], { ANNOUNCE_PORT: String(w.port) });
    const pids = await w.pids;
    w.close();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
  });

  it('leaves no process behind after a scenario timeout', async () => {
    const w = await pidWatcher();
    const s = write('slow.yaml', 'covers: [ECHO-7]\ntimeout: 2500\nsteps:\n  - connect: c\n  - wait: 60000\n');
    const r = await cli(['run', s, '--server', 'python3 fixtures/lifecycle/spawns-grandchild.py {port}'], { ANNOUNCE_PORT: String(w.port) });
    const pids = await w.pids;
    w.close();
    expect(r.stdout).toContain('scenario-timeout');
    expect(r.code).toBe(1);
    expect(pids.filter(alive)).toEqual([]);
  });

  it('on Ctrl-C stops the programs under test, writes its reports and exits 130', async () => {
    const w = await pidWatcher();
    const s = write('forever.yaml', 'covers: [ECHO-7]\ntimeout: 120000\nsteps:\n  - connect: c\n  - wait: 100000\n');
    const report = join(tmp, 'interrupted.json');
    let cliPid = 0;
    const running = cli(['run', s, '--server', 'python3 fixtures/lifecycle/spawns-grandchild.py {port}', '--reporter', `json=${report}`], { ANNOUNCE_PORT: String(w.port) }, (pid) => (cliPid = pid));
    const pids = await w.pids;
    w.close();
    expect(pids.every(alive)).toBe(true);
    process.kill(cliPid, 'SIGINT');
    const r = await running;
    expect(r.code).toBe(130);
    expect(pids.filter(alive)).toEqual([]);
    expect(JSON.parse(readFileSync(report, 'utf8')).scenarios[0].failure.code).toBe('interrupted');
  });
});
