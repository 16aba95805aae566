/**
 * The bundled run as a user starts it (`npx sockspec run` in the repository's root, the
 * config's own reporters): a child `node` with the usage probe preloaded (`peak-rss.ts`);
 * its peak memory, wall time, and the CPU time of the harness next to that of the
 * programs under test.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

export interface PeakRssRun {
  /** Peak resident set size of the harness process, in bytes. */
  peakRss: number;
  ms: number;
  /** CPU time (user+system) of the harness process itself, and of the programs it ran (reaped children and their descendants), in ms. */
  harnessCpuMs: number;
  childrenCpuMs: number;
  /** The harness's own user and system time apart (ms), and its minor page faults. */
  harnessUserMs: number;
  harnessSystemMs: number;
  minorFaults: number;
  /** Of `harnessCpuMs`: the CPU time of the process that started the programs for the harness (harness/process/spawner.ts), in ms. */
  spawnerMs: number;
  /** Of `harnessCpuMs`: the CPU time of the other processes the harness started itself (its watchdog, esbuild's service), in ms. */
  otherHelpersMs: number;
  /** Processes the harness started, and the time its main thread spent starting them (ms). */
  spawns: number;
  spawnMs: number;
  exitCode: number | null;
  /** Size of the JSON report in bytes. */
  jsonBytes: number;
  /** Scenarios per outcome, and those that did not pass with their failure code. */
  counts: Record<string, number>;
  problems: string[];
}

/** Clock ticks per second, the unit of /proc's CPU times. */
function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
}

/** Run `bin/sockspec.js run ARGS` from `root` with the reporters of its sockspec.config.yaml (one of them json=FILE, read after); its usage. */
export function measureRunPeakRss(root: string, args: string[] = []): Promise<PeakRssRun> {
  const config = parse(readFileSync(join(root, 'sockspec.config.yaml'), 'utf8')) as { reporters?: string[] };
  const jsonSpec = config.reporters?.find((r) => r.startsWith('json='));
  if (!jsonSpec) return Promise.reject(new Error('sockspec.config.yaml has no json=FILE reporter to read the run from'));
  const json = resolve(root, jsonSpec.slice('json='.length));
  // A report left by an earlier run must not pass for this one's.
  rmSync(json, { force: true });
  const dir = mkdtempSync(join(tmpdir(), 'sockspec-peak-'));
  const rss = join(dir, 'peak-rss');
  const cpu = join(dir, 'cpu');
  const ticks = clockTicks();
  const started = performance.now();
  return new Promise<PeakRssRun>((done, fail) => {
    const child = spawn(process.execPath, ['--import', resolve(root, 'dist/bench/peak-rss.js'), 'bin/sockspec.js', 'run', ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', SOCKSPEC_PEAK_RSS_FILE: rss, SOCKSPEC_CPU_FILE: cpu },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('error', fail);
    child.on('close', (exitCode) => {
      const ms = performance.now() - started;
      try {
        const report = JSON.parse(readFileSync(json, 'utf8')) as { counts: Record<string, number>; scenarios: { id: string; outcome: string; failure?: { code: string } }[] };
        const problems = report.scenarios.filter((s) => s.outcome !== 'pass' && s.outcome !== 'skip' && s.outcome !== 'info').map((s) => `${s.outcome} ${s.id}: ${s.failure?.code ?? ''}`);
        const usage = JSON.parse(readFileSync(cpu, 'utf8')) as { ownUs: number; userUs: number; systemUs: number; helperUs: number; helperUserTicks: number; helperSystemTicks: number; minorFaults: number; childTicks: number; spawns: number; spawnUs: number };
        const tickMs = 1000 / ticks;
        const othersUserMs = usage.helperUserTicks * tickMs;
        const othersSystemMs = usage.helperSystemTicks * tickMs;
        done({
          peakRss: Number(readFileSync(rss, 'utf8')),
          ms,
          harnessCpuMs: usage.ownUs / 1000 + othersUserMs + othersSystemMs,
          // The spawner's own time, counted by the probe on the harness's side, is in the reaped children's too.
          childrenCpuMs: Math.max(0, (usage.childTicks * 1000) / ticks - usage.helperUs / 1000),
          spawnerMs: usage.helperUs / 1000,
          otherHelpersMs: othersUserMs + othersSystemMs,
          harnessUserMs: usage.userUs / 1000 + othersUserMs,
          harnessSystemMs: usage.systemUs / 1000 + othersSystemMs,
          minorFaults: usage.minorFaults,
          spawns: usage.spawns,
          spawnMs: usage.spawnUs / 1000,
          exitCode,
          jsonBytes: statSync(json).size,
          counts: report.counts,
          problems,
        });
      } catch (e) {
        fail(new Error(`the run left no measurement (exit ${exitCode}): ${(e as Error).message}`));
      }
    });
  }).finally(() => rmSync(dir, { recursive: true, force: true }));
}
