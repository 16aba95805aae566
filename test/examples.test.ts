/**
 * The example suites (examples/<protocol>) against the real servers they were written
 * for, through the command line as a user runs them, each with its own config: the real
 * server passes every requirement, and its faulty variant (the same server behind
 * fixtures/proxy/proxy.py, breaking one thing in its replies) fails exactly the
 * requirement that thing breaks, and nothing else.
 *
 * An example is skipped, with a warning, when its server is not installed (or, for
 * tftpd-hpa, when not running as root).
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JsonRunReport } from '../harness/report/json-report.js';
import type { Outcome } from '../harness/run/result.js';
import { ROOT } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'sockspec-examples-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Example {
  dir: string;
  /** The server's program: an absolute path, or a name looked up on the PATH. */
  program: string;
  /** Its Debian package, for the skip warning. */
  pkg: string;
  rootOnly?: string;
  real: string;
  faulty: string;
  /** Requirement id → outcome, for each id the faulty target does not pass. */
  broken: Record<string, Outcome>;
}

const EXAMPLES: Example[] = [
  { dir: 'dns', program: '/usr/sbin/dnsmasq', pkg: 'dnsmasq-base', real: 'dnsmasq', faulty: 'wrong-id', broken: { 'DNS-1': 'fail' } },
  {
    dir: 'tftp',
    program: '/usr/sbin/in.tftpd',
    pkg: 'tftpd-hpa',
    rootOnly: 'in.tftpd changes to its -u user for each transfer, which only root can do',
    real: 'tftpd-hpa',
    faulty: 'wrong-block',
    broken: { 'TFTP-2': 'fail' },
  },
  { dir: 'ntp', program: '/usr/sbin/chronyd', pkg: 'chrony', real: 'chrony', faulty: 'wrong-origin', broken: { 'NTP-3': 'fail' } },
  { dir: 'resp', program: 'redis-server', pkg: 'redis-server', real: 'redis', faulty: 'wrong-length', broken: { 'RESP-2': 'fail' } },
];

function installed(program: string): boolean {
  const dirs = program.includes('/') ? [''] : (process.env['PATH'] ?? '').split(delimiter);
  return dirs.some((dir) => {
    try {
      accessSync(dir ? join(dir, program) : program, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Why `e` cannot run here, if it cannot. */
function missing(e: Example): string | undefined {
  if (!installed(e.program)) return `${e.program} is not installed (apt-get install --no-install-recommends ${e.pkg})`;
  if (e.rootOnly && process.getuid?.() !== 0) return `not running as root: ${e.rootOnly}`;
  return undefined;
}

const SEVERITY: (Outcome | 'uncovered')[] = ['fail', 'error', 'non-strict', 'info', 'not-run', 'pass', 'skip', 'uncovered'];

/** Each requirement id's outcome over the scenarios run against `target`: the worst one. */
function outcomesOf(report: JsonRunReport, target: string): Record<string, Outcome> {
  const out: Record<string, Outcome> = {};
  for (const s of report.scenarios.filter((r) => r.target === target)) {
    for (const [id, o] of Object.entries(s.requirements)) {
      const had = out[id];
      if (had === undefined || SEVERITY.indexOf(o) < SEVERITY.indexOf(had)) out[id] = o;
    }
  }
  return out;
}

function run(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/sockspec.js', ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('the example suites against real servers', () => {
  for (const e of EXAMPLES) {
    const why = missing(e);
    if (why) console.warn(`test/examples.test.ts: examples/${e.dir} is not run: ${why}`);
    const ids = Object.keys(e.broken).join(', ');
    it.skipIf(why !== undefined)(`examples/${e.dir}: ${e.real} passes every requirement; ${e.faulty} fails ${ids} and nothing else`, async () => {
      const validated = await run(['validate', `examples/${e.dir}`]);
      expect(validated.code, validated.output).toBe(0);

      const json = join(tmp, `${e.dir}.json`);
      const ran = await run(['run', '--config', `examples/${e.dir}/sockspec.config.yaml`, '--reporter', 'console', '--reporter', `json=${json}`]);
      const report = JSON.parse(readFileSync(json, 'utf8')) as JsonRunReport;
      expect(report.schemaVersion).toBe(2);
      const catalogue = report.requirements.map((r) => r.id).sort();
      expect(catalogue.length, ran.output).toBeGreaterThan(0);

      const real = outcomesOf(report, e.real);
      expect(real, ran.output).toEqual(Object.fromEntries(catalogue.map((id) => [id, 'pass'])));
      expect(report.scenarios.filter((s) => s.target === e.real && s.outcome !== 'pass').map((s) => s.file), ran.output).toEqual([]);

      const faulty = outcomesOf(report, e.faulty);
      expect(faulty, ran.output).toEqual(Object.fromEntries(catalogue.map((id) => [id, e.broken[id] ?? 'pass'])));
      // the faulty target's MUST failure is the run's only failure
      expect(ran.code, ran.output).toBe(1);
    }, 120_000);
  }
});
