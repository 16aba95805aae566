/**
 * Each bundled suite passes on every reference implementation and catches each
 * faulty fixture on the requirement it breaks (the suites written once, run against
 * each implementation).
 */
import { describe, expect, it } from 'vitest';
import { brokenIds, explain, loadSuite, runAgainst } from './helpers.js';

interface SuiteCase {
  suite: string;
  references: Record<string, string>;
  /** fixture file → the requirement it must fail, and how (`fail` for MUST, `non-strict` for SHOULD). */
  faulty: Record<string, [string, 'fail' | 'non-strict']>;
}

const CASES: SuiteCase[] = [
  {
    suite: 'echo-ack/server',
    references: {
      python: 'python3 fixtures/echo-ack/server/reference.py {port}',
      typescript: 'node dist/fixtures/echo-ack/server/reference.js {port}',
    },
    faulty: {
      'no-reuseaddr.py': ['SOCK-1', 'fail'],
      'loopback-only.py': ['SOCK-2', 'fail'],
      'serves-concurrently.py': ['ECHO-2', 'fail'],
      'no-ack.py': ['ECHO-4', 'fail'],
      'truncates-echo.py': ['ECHO-5', 'fail'],
      'never-closes.py': ['ECHO-6', 'fail'],
      'exits-after-first-client.py': ['ECHO-7', 'fail'],
      'crashes-on-reset.py': ['ECHO-7', 'fail'],
      'crashes-on-invalid-utf8.py': ['ECHO-8', 'fail'],
      'spins-on-stdin-eof.py': ['ECHO-9', 'non-strict'],
    },
  },
  {
    suite: 'udp-time/server',
    references: {
      python: 'python3 fixtures/udp-time/server/reference.py {port}',
      typescript: 'node dist/fixtures/udp-time/server/reference.js {port}',
    },
    faulty: {
      'little-endian.py': ['TIME-2', 'fail'],
      'eight-byte-reply.py': ['TIME-2', 'fail'],
      'ignores-empty-datagrams.py': ['TIME-2', 'fail'],
      'replies-twice.py': ['TIME-2', 'fail'],
      'clock-ahead.py': ['TIME-3', 'fail'],
      'dies-on-oversized.py': ['TIME-4', 'fail'],
      'no-reuseaddr.py': ['TIME-1', 'fail'],
      'loopback-only.py': ['TIME-1', 'fail'],
    },
  },
];

for (const c of CASES) {
  describe(`scenarios/${c.suite}`, async () => {
    const scenarios = await loadSuite(`scenarios/${c.suite}`);

    for (const [name, command] of Object.entries(c.references)) {
      it(`passes on the ${name} reference`, async () => {
        const run = await runAgainst(scenarios, command, { name });
        expect(explain(run)).toBe('');
        expect(run.exitCode).toBe(0);
        expect(run.counts.pass).toBe(scenarios.length);
      });
    }

    for (const [fixture, [id, outcome]] of Object.entries(c.faulty)) {
      it(`catches ${fixture} on ${id}`, async () => {
        const run = await runAgainst(scenarios, `python3 fixtures/${c.suite}/${fixture} {port}`, { name: fixture });
        expect(brokenIds(run)[id], explain(run)).toBe(outcome);
        expect(run.exitCode).toBe(outcome === 'fail' ? 1 : 0);
      });
    }
  });
}
