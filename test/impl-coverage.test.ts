/**
 * `sockspec run --coverage`: coverage of the program under test. First the two pieces
 * that let a program stopped with SIGTERM still leave its data (the Node preload and
 * the Python runner), each against a real process; then the CLI run as a user runs it
 * on the echo-ack server suite against the TypeScript and Python references, a Python
 * without coverage.py and a program of another kind, with `--target` choosing them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { shellQuote, splitCommand } from '../harness/process/command.js';
import { COVERAGE_PRELOAD, COVERAGE_RUN, programKind, pythonUnderCoverage } from '../harness/run/impl-coverage.js';
import { sockspec } from './cli-process.js';
import { ROOT } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'sockspec-impl-coverage-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The first Python with coverage.py importable: `python3` on the PATH, else the system's. */
const pythonWithCoverage = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import coverage'], { stdio: 'ignore' }).status === 0);
if (!pythonWithCoverage) console.warn('impl-coverage.test.ts: no python3 with coverage.py (apt-get install python3-coverage): its Python tests are skipped');

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/**
 * Start `argv`, wait for its first line of stdout (it is ready), send SIGTERM; with
 * `thenKill`, send SIGKILL once it printed a second line. Resolves with how it ended
 * and what it printed. Bounded: SIGKILL after 10 s.
 */
function stopWhenReady(argv: string[], env: NodeJS.ProcessEnv, thenKill = false): Promise<{ code: number | null; signal: string | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    let stdout = '';
    const limit = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      const lines = stdout.split('\n').length;
      stdout += d;
      const now = stdout.split('\n').length;
      if (lines < 2 && now >= 2) child.kill('SIGTERM');
      if (thenKill && lines < 3 && now >= 3) child.kill('SIGKILL');
    });
    child.on('close', (code, signal) => {
      clearTimeout(limit);
      resolve({ code, signal, stdout });
    });
  });
}

describe('which programs are measured, and how a Python command is rewritten', () => {
  it('tells Node and Python programs by their program word', () => {
    expect(['node', '/usr/local/bin/node', 'nodejs', 'python', 'python3', '/usr/bin/python3.11', 'python2', 'perl', 'sh', 'npx'].map(programKind)).toEqual(['node', 'node', 'node', 'python', 'python', 'python', undefined, undefined, undefined, undefined]);
  });

  it("keeps the interpreter's options before the runner, and a module run as a module", () => {
    const rc = '/r/coveragerc';
    const run = [COVERAGE_RUN, '--parallel-mode', `--rcfile=${rc}`];
    expect(pythonUnderCoverage(['python3', '-u', '-W', 'ignore', 'srv.py', '{port}'], rc)).toEqual(['python3', '-u', '-W', 'ignore', ...run, 'srv.py', '{port}']);
    expect(pythonUnderCoverage(['python3', '-m', 'http.server', '{port}'], rc)).toEqual(['python3', ...run, '-m', 'http.server', '{port}']);
    expect(pythonUnderCoverage(['python3', '-mhttp.server'], rc)).toEqual(['python3', ...run, '-m', 'http.server']);
    expect(pythonUnderCoverage(['python3', '--', '-odd.py'], rc)).toEqual(['python3', ...run, '-odd.py']);
    expect(pythonUnderCoverage(['python3', '-c', 'print(1)'], rc)).toMatch(/-c cannot be measured/);
    expect(pythonUnderCoverage(['python3', '-u'], rc)).toMatch(/no script is named/);
    expect(pythonUnderCoverage(['python3', '-'], rc)).toMatch(/no script is named/);
  });

  it('writes the rewritten command so that it splits back into the same words', () => {
    const argv = pythonUnderCoverage(['python3', "it's here/srv.py", '{port}', '{dir}/a b.conf', '#x'], "/a dir/coveragerc") as string[];
    expect(splitCommand(argv.map(shellQuote).join(' '))).toEqual(argv);
  });
});

describe('a program stopped with SIGTERM still leaves its coverage', () => {
  const nodeEnv = (raw: string) => ({ NODE_V8_COVERAGE: raw, NODE_OPTIONS: `--require "${COVERAGE_PRELOAD}"` });
  const serve = 'console.log("ready"); setInterval(() => {}, 1000);';

  it('Node: without a handler of its own it still dies of SIGTERM, its coverage written', async () => {
    const raw = join(tmp, 'node-plain');
    const end = await stopWhenReady([process.execPath, '-e', serve], nodeEnv(raw));
    expect(end).toMatchObject({ code: null, signal: 'SIGTERM' });
    const data = readdirSync(raw).map((f) => readFileSync(join(raw, f), 'utf8'));
    expect(data.some((d) => d.includes('"url":"[eval]"'))).toBe(true);
  });

  it('Node: without the preload nothing is written (why it exists)', async () => {
    const raw = join(tmp, 'node-bare');
    const end = await stopWhenReady([process.execPath, '-e', serve], { NODE_V8_COVERAGE: raw });
    expect(end.signal).toBe('SIGTERM');
    expect(existsSync(raw) ? readdirSync(raw) : []).toEqual([]);
  });

  it('Node: a handler of its own keeps its behaviour: exiting, or staying until SIGKILL, its coverage written', async () => {
    const exits = join(tmp, 'node-handler-exits');
    const end = await stopWhenReady([process.execPath, '-e', `process.on("SIGTERM", () => { console.log("cleaning up"); process.exit(3); }); ${serve}`], nodeEnv(exits));
    expect(end).toMatchObject({ code: 3, signal: null, stdout: 'ready\ncleaning up\n' });
    expect(readdirSync(exits).length).toBeGreaterThan(0);
    // It ignores SIGTERM: only what the preload wrote on SIGTERM is left when SIGKILL ends it.
    const stays = join(tmp, 'node-handler-stays');
    const kept = await stopWhenReady([process.execPath, '-e', `process.on("SIGTERM", () => console.log("staying")); ${serve}`], nodeEnv(stays), true);
    expect(kept).toMatchObject({ code: null, signal: 'SIGKILL', stdout: 'ready\nstaying\n' });
    const data = readdirSync(stays).map((f) => readFileSync(join(stays, f), 'utf8'));
    expect(data.some((d) => d.includes('"url":"[eval]"'))).toBe(true);
  });

  it.skipIf(!pythonWithCoverage)('Python: dies of SIGTERM as before, or keeps its own handler, its data saved either way', async () => {
    const dir = join(tmp, 'python');
    mkdirSync(dir);
    writeFileSync(join(dir, 'rc'), `[run]\ndata_file = ${join(dir, 'data', 'coverage')}\nparallel = true\n`);
    const script = (name: string, handler: string) => {
      writeFileSync(join(dir, name), `import signal, sys, time\n${handler}\nsys.stdout.write("ready\\n")\nsys.stdout.flush()\nwhile True:\n    time.sleep(1)\n`);
      return [pythonWithCoverage!, COVERAGE_RUN, '--parallel-mode', `--rcfile=${join(dir, 'rc')}`, join(dir, name)];
    };
    expect(await stopWhenReady(script('plain.py', ''), {})).toMatchObject({ code: null, signal: 'SIGTERM', stdout: 'ready\n' });
    expect(readdirSync(join(dir, 'data'))).toHaveLength(1);
    const own = 'def bye(*_):\n    print("cleaning up", flush=True)\n    sys.exit(3)\nsignal.signal(signal.SIGTERM, bye)';
    expect(await stopWhenReady(script('handler.py', own), {})).toMatchObject({ code: 3, signal: null, stdout: 'ready\ncleaning up\n' });
    expect(readdirSync(join(dir, 'data'))).toHaveLength(2);
  });
});

describe('sockspec run --coverage', () => {
  const proj = join(tmp, 'proj');
  mkdirSync(join(proj, 'bin'), { recursive: true });
  // A python3 without coverage.py wherever it is installed: -S leaves out site- and dist-packages.
  const noCoverage = join(proj, 'bin', 'python3');
  writeFileSync(noCoverage, `#!/bin/sh\nexec ${pythonWithCoverage ?? 'python3'} -S "$@"\n`);
  chmodSync(noCoverage, 0o755);
  const echoAck = (program: string) => JSON.stringify(`${program} ${join(ROOT, 'fixtures/echo-ack/server/reference.py')} {port}`);
  const targets = [
    `{ name: typescript, server: ${JSON.stringify(`node ${join(ROOT, 'dist/fixtures/echo-ack/server/reference.js')} {port}`)} }`,
    `{ name: shell, server: ${JSON.stringify(`sh -c 'exec node ${join(ROOT, 'dist/fixtures/echo-ack/server/reference.js')} $PORT'`)} }`,
    `{ name: bare-python, server: ${echoAck(noCoverage)} }`,
    ...(pythonWithCoverage ? [`{ name: python, server: ${echoAck(pythonWithCoverage)} }`] : []),
    // Not chosen by --target: it would fail every scenario.
    '{ name: never, server: "false" }',
  ];
  writeFileSync(
    join(proj, 'sockspec.config.yaml'),
    `requirements: ${join(ROOT, 'scenarios/requirements.yaml')}\nreporters: [console, json=reports/results.json]\njobs: 4\nsuites:\n  - scenarios: ${join(ROOT, 'scenarios/echo-ack/server')}\n    targets:\n${targets.map((t) => `      - ${t}\n`).join('')}`,
  );

  it('reports each Node and Python target, says why the others are not, and the run still passes', async () => {
    const chosen = ['typescript', 'shell', 'bare-python', ...(pythonWithCoverage ? ['python'] : [])].flatMap((t) => ['--target', t]);
    const run = await sockspec(['run', '--coverage', ...chosen], proj, { limitMs: 90_000 });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stderr).toContain('sockspec: coverage is not supported for shell (sh): only Node and Python programs\n');
    expect(run.stderr).toMatch(/sockspec: coverage is not measured for bare-python: coverage\.py is not installed for \S*python3.*; install it with `\S*python3 -m pip install coverage`/);
    const results = JSON.parse(readFileSync(join(proj, 'reports/results.json'), 'utf8')) as { scenarios: { target: string; transcript: { kind: string }[] }[] };
    expect(new Set(results.scenarios.map((s) => s.target))).not.toContain('never');

    // Node: the TypeScript reference's own file, from every program started.
    const report = join(proj, 'reports/impl-coverage/typescript');
    expect(run.stderr).toMatch(/sockspec: coverage of typescript: lines \d+(\.\d+)?%, branches \d+(\.\d+)?%, functions \d+(\.\d+)?% — reports\/impl-coverage\/typescript\/index\.html/);
    for (const f of ['index.html', 'coverage.txt', 'coverage-summary.json']) expect(existsSync(join(report, f)), f).toBe(true);
    const lcov = readFileSync(join(report, 'lcov.info'), 'utf8');
    // lcov names files relative to the working folder, as CI services expect.
    expect(lcov.match(/^SF:.*$/gm)).toEqual(['SF:' + relative(proj, join(ROOT, 'fixtures/echo-ack/server/reference.ts'))]);
    expect(Number(/^LH:(\d+)$/m.exec(lcov)?.[1])).toBeGreaterThan(150);
    // portFromCommandLine() runs once in each program: its count is the number of programs
    // started (a reused one's start is in no scenario's transcript), nearly all of them
    // stopped with SIGTERM at the end of their scenario.
    const started = results.scenarios.filter((s) => s.target === 'typescript').flatMap((s) => s.transcript.filter((e) => e.kind === 'start')).length;
    expect(started).toBeGreaterThanOrEqual(10);
    expect(Number(/^FNDA:(\d+),portFromCommandLine$/m.exec(lcov)?.[1])).toBeGreaterThanOrEqual(started);
    // The raw data is gone once reported; nothing was written for the others.
    expect(readdirSync(join(proj, 'reports/impl-coverage')).sort()).toEqual(pythonWithCoverage ? ['python', 'typescript'] : ['typescript']);
    expect(existsSync(join(report, 'raw'))).toBe(false);

    if (!pythonWithCoverage) return;
    // Python: the line that echoes is reached only in programs the harness stopped with SIGTERM.
    const py = join(proj, 'reports/impl-coverage/python');
    expect(run.stderr).toMatch(/sockspec: coverage of python: lines \d+(\.\d+)?%, branches \d+(\.\d+)?%, functions n\/a — reports\/impl-coverage\/python\//);
    for (const f of ['index.html', 'coverage.txt', 'coverage.json']) expect(existsSync(join(py, f)), f).toBe(true);
    const pyLcov = readFileSync(join(py, 'lcov.info'), 'utf8');
    const echoPy = readFileSync(join(ROOT, 'fixtures/echo-ack/server/echo_ack.py'), 'utf8').split('\n');
    const echoLine = echoPy.findIndex((l) => l.includes('conn.sendall(self.echo_of(data) + self.ack)')) + 1;
    const section = pyLcov.split('end_of_record').find((s) => s.includes('echo_ack.py'))!;
    expect(section).toMatch(new RegExp(`\\nDA:${echoLine},[1-9]`));
    expect(readFileSync(join(py, 'coverage.txt'), 'utf8')).not.toMatch(/harness|dist-packages|site-packages/);
  }, 90_000);

  it('--target names a target the config has', async () => {
    const run = await sockspec(['run', '--target', 'typscript'], proj, { limitMs: 30_000 });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no target is named `typscript` (the targets: typescript, shell, bare-python');
  });
});
