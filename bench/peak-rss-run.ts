/**
 * The peak memory of a `sockspec run` as a user starts it: a child `node` with the
 * peak-RSS probe preloaded (`peak-rss.ts`), its reports written to a temporary folder.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface PeakRssRun {
  /** Peak resident set size of the harness process, in bytes. */
  peakRss: number;
  ms: number;
  exitCode: number | null;
  /** Size of the JSON report in bytes. */
  jsonBytes: number;
  /** Scenarios per outcome, and those that did not pass with their failure code. */
  counts: Record<string, number>;
  problems: string[];
}

/** Run `bin/sockspec.js run ARGS` from `root` with every reporter on (console and github to nowhere, json and junit to files); its peak RSS. */
export function measureRunPeakRss(root: string, args: string[] = []): Promise<PeakRssRun> {
  const dir = mkdtempSync(join(tmpdir(), 'sockspec-peak-'));
  const rss = join(dir, 'peak-rss');
  const json = join(dir, 'report.json');
  const reporters = ['console', `json=${json}`, `junit=${join(dir, 'junit.xml')}`, 'github'].flatMap((r) => ['--reporter', r]);
  const started = performance.now();
  return new Promise<PeakRssRun>((done, fail) => {
    const child = spawn(process.execPath, ['--import', resolve(root, 'dist/bench/peak-rss.js'), 'bin/sockspec.js', 'run', ...args, ...reporters], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', SOCKSPEC_PEAK_RSS_FILE: rss },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('error', fail);
    child.on('close', (exitCode) => {
      try {
        const report = JSON.parse(readFileSync(json, 'utf8')) as { counts: Record<string, number>; scenarios: { id: string; outcome: string; failure?: { code: string } }[] };
        const problems = report.scenarios.filter((s) => s.outcome !== 'pass' && s.outcome !== 'skip' && s.outcome !== 'info').map((s) => `${s.outcome} ${s.id}: ${s.failure?.code ?? ''}`);
        done({ peakRss: Number(readFileSync(rss, 'utf8')), ms: performance.now() - started, exitCode, jsonBytes: statSync(json).size, counts: report.counts, problems });
      } catch (e) {
        fail(new Error(`the run left no measurement (exit ${exitCode}): ${(e as Error).message}`));
      }
    });
  }).finally(() => rmSync(dir, { recursive: true, force: true }));
}
