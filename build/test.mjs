// `npm test`, after `npm run build`: vitest (with coverage), the type check of the tests, and the
// Bun and Deno smoke tests. vitest's run mostly waits on the programs it starts (a quarter of two
// cores is idle), so the three others run beside it instead of after it. vitest writes to the
// terminal as it goes; the output of each other check is kept and written after vitest's, in a fixed
// order, whole. The exit status is the first failure's (vitest's first), 0 when every check passed.
import { spawn } from 'node:child_process';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}` };

// The other checks are package.json's scripts, run as `npm run` runs them (the type check's `tsc -b` finds the build
// just made up to date and does nothing). SOCKSPEC_NPM_TEST_CHECKS (JSON, the same shape) replaces them: the test of
// this script (test/npm-test-runner.test.ts) runs it on checks of its own.
const checks = process.env.SOCKSPEC_NPM_TEST_CHECKS
  ? JSON.parse(process.env.SOCKSPEC_NPM_TEST_CHECKS)
  : [
      { name: 'vitest', argv: ['vitest', 'run', '--coverage'], live: true },
      { name: 'type check of the tests', argv: ['npm', 'run', '--silent', 'typecheck'] },
      { name: 'Bun smoke tests', argv: ['npm', 'run', '--silent', 'test:bun'] },
      { name: 'Deno smoke tests', argv: ['npm', 'run', '--silent', 'test:deno'] },
    ];
/** After Ctrl-C or a signal, how long the checks have to end before every process of theirs gets SIGKILL. */
const KILL_AFTER_MS = 5000;

/** The checks' process groups (each led by its check) that may still hold a process. */
const groups = new Set();
let interrupted;

/** Whether process group `pgid` still holds a process (a zombie counts until it is reaped). */
function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

function run({ name, argv, live }) {
  const started = performance.now();
  return new Promise((resolve) => {
    const output = [];
    // Each check in a process group of its own, which a signal to this process reaches whole (vitest's workers too).
    const child = spawn(argv[0], argv.slice(1), { cwd: root, env, detached: true, stdio: live ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    if (child.pid !== undefined) groups.add(child.pid);
    child.stdout?.on('data', (chunk) => output.push(chunk));
    child.stderr?.on('data', (chunk) => output.push(chunk));
    const end = (status, why) => {
      // A group emptied is forgotten: its number may be handed out again.
      if (child.pid !== undefined && !groupAlive(child.pid)) groups.delete(child.pid);
      resolve({ name, status, why, seconds: (performance.now() - started) / 1000, output: Buffer.concat(output) });
    };
    child.on('error', (e) => end(127, `could not be started: ${e.message}`));
    child.on('close', (code, signal) => end(code ?? 1, signal ? `ended by ${signal}` : code === 0 ? 'passed' : `failed (exit status ${code})`));
  });
}

/** Send `signal` to every process of every check (those left by a check that has ended too); forget emptied groups. */
function signalChecks(signal) {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, signal);
    } catch {
      groups.delete(pgid);
    }
  }
}

// Ctrl-C, or a signal sent to this process, is passed on to every process of every check. What is left of them
// KILL_AFTER_MS later (a process that ignores the signal, and may hold its check's output open) is killed, and so is,
// once every check has ended, whatever of theirs still runs.
let killer;
for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(signal, () => {
    interrupted ??= status;
    signalChecks(signal);
    killer ??= setTimeout(() => signalChecks('SIGKILL'), KILL_AFTER_MS).unref();
  });
}

const results = await Promise.all(checks.map(run));
if (interrupted !== undefined) signalChecks('SIGKILL');
for (const r of results.slice(1)) {
  process.stdout.write(`\n── ${r.name}: ${r.why} in ${r.seconds.toFixed(1)} s\n`);
  if (r.output.length > 0) process.stdout.write(r.output);
}
process.stdout.write(`\n${results.map((r) => `${r.name}: ${r.why}`).join('; ')}\n`);
const failed = results.find((r) => r.status !== 0);
process.exitCode = interrupted ?? failed?.status ?? 0;
