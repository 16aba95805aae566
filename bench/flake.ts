/**
 * `npm run flake -- N [--load] [--suites] [-- ARGS…]`: run the bundled suites N times
 * (`sockspec run`, every suite of the config against its references) and, with
 * `--suites`, the suite tests (`vitest run test/suites`) N times, and report every
 * scenario or test whose verdict differs between runs. `--load` keeps both cores
 * busy with two CPU-bound processes for the whole time. Exit 1 when any verdict
 * differs. Each run is bounded (`FLAKE_RUN_TIMEOUT_MS`, default 10 min).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const RUN_TIMEOUT_MS = Number(process.env.FLAKE_RUN_TIMEOUT_MS ?? 600_000);

type Verdicts = Map<string, string>;

/** Run `argv` from the project root, bounded in time; resolves with its exit status. */
function run(argv: string[]): Promise<number | null> {
  return new Promise((done) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGTERM'), RUN_TIMEOUT_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      done(code);
    });
  });
}

/** One bundled run: scenario id → outcome and each requirement's outcome. */
async function bundledRun(dir: string, i: number, extra: string[]): Promise<{ verdicts: Verdicts; exit: number | null; ms: number }> {
  const file = join(dir, `run-${i}.json`);
  const t0 = performance.now();
  const exit = await run([process.execPath, 'bin/sockspec.js', 'run', '--reporter', `json=${file}`, ...extra]);
  const ms = performance.now() - t0;
  const verdicts: Verdicts = new Map();
  try {
    const report = JSON.parse(readFileSync(file, 'utf8')) as { scenarios: { id: string; outcome: string; requirements: Record<string, string> }[] };
    for (const s of report.scenarios) verdicts.set(s.id, `${s.outcome} ${Object.entries(s.requirements).map(([id, o]) => `${id}=${o}`).join(' ')}`);
  } catch (e) {
    verdicts.set('(report)', `unreadable: ${(e as Error).message}`);
  }
  return { verdicts, exit, ms };
}

/** One run of the suite tests: test name → state. */
async function suiteRun(dir: string, i: number): Promise<{ verdicts: Verdicts; exit: number | null; ms: number }> {
  const file = join(dir, `suites-${i}.json`);
  const t0 = performance.now();
  const exit = await run([process.execPath, 'node_modules/vitest/vitest.mjs', 'run', 'test/suites', '--reporter=json', `--outputFile=${file}`]);
  const ms = performance.now() - t0;
  const verdicts: Verdicts = new Map();
  try {
    const report = JSON.parse(readFileSync(file, 'utf8')) as { testResults: { assertionResults: { fullName: string; status: string }[] }[] };
    for (const f of report.testResults) for (const t of f.assertionResults) verdicts.set(t.fullName, t.status);
  } catch (e) {
    verdicts.set('(report)', `unreadable: ${(e as Error).message}`);
  }
  return { verdicts, exit, ms };
}

/** Every key whose value is not the same in all runs, with how often each value came. */
function differences(runs: Verdicts[]): string[] {
  const keys = new Set(runs.flatMap((r) => [...r.keys()]));
  const out: string[] = [];
  for (const k of [...keys].sort()) {
    const counted = new Map<string, number>();
    for (const r of runs) {
      const v = r.get(k) ?? '(absent)';
      counted.set(v, (counted.get(v) ?? 0) + 1);
    }
    if (counted.size > 1) out.push(`${k}\n${[...counted].map(([v, n]) => `    ${n}× ${v}`).join('\n')}`);
  }
  return out;
}

/** Two CPU-bound processes (one per core on this kind of machine), bounded by the script's own end. */
function startLoad(): ChildProcess[] {
  const n = Math.max(2, cpus().length);
  return Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'const end = Date.now() + 4 * 3600e3; while (Date.now() < end) {}'], { stdio: 'ignore' }));
}

async function main(args: string[]): Promise<number> {
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 5);
  const load = args.includes('--load');
  const suites = args.includes('--suites');
  const dash = args.indexOf('--');
  const extra = dash >= 0 ? args.slice(dash + 1) : [];
  const dir = mkdtempSync(join(tmpdir(), 'sockspec-flake-'));
  const loaders = load ? startLoad() : [];
  const stopLoad = () => loaders.forEach((p) => p.kill('SIGKILL'));
  process.once('SIGINT', () => {
    stopLoad();
    process.exit(130);
  });
  try {
    const kinds: [string, (i: number) => Promise<{ verdicts: Verdicts; exit: number | null; ms: number }>][] = [['bundled run', (i) => bundledRun(dir, i, extra)]];
    if (suites) kinds.push(['suite tests', (i) => suiteRun(dir, i)]);
    let differing = 0;
    for (const [name, once] of kinds) {
      const runs: Verdicts[] = [];
      const exits: (number | null)[] = [];
      const times: number[] = [];
      for (let i = 0; i < n; i++) {
        const r = await once(i);
        runs.push(r.verdicts);
        exits.push(r.exit);
        times.push(r.ms);
        process.stdout.write(`${name} ${i + 1}/${n}${load ? ' (loaded)' : ''}: exit ${r.exit}, ${r.verdicts.size} verdicts, ${(r.ms / 1000).toFixed(1)} s\n`);
      }
      const diffs = differences(runs);
      differing += diffs.length;
      process.stdout.write(`${name}: ${n} runs${load ? ' with both cores loaded' : ''}, ${runs[0]?.size ?? 0} verdicts each, ${diffs.length} differing; exit statuses ${[...new Set(exits)].join(', ')}; ${(Math.min(...times) / 1000).toFixed(1)}–${(Math.max(...times) / 1000).toFixed(1)} s a run\n`);
      for (const d of diffs) process.stdout.write(`  ${d}\n`);
    }
    return differing === 0 ? 0 : 1;
  } finally {
    stopLoad();
    rmSync(dir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
