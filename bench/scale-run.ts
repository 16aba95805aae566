/**
 * One side of the bench's scale row, in a process of its own so that its peak memory is
 * its own: `node dist/bench/scale-run.js harness|plain PORT N JOBS` makes N TCP echo
 * exchanges against the server on PORT, JOBS at a time, and prints one JSON line: the
 * time they took, the peak RSS (the kernel's high-water mark, read before anything else
 * is allocated) and, for the harness, the size of the JSON of its results.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { planIds, runPlan } from '../harness/run/run-plan.js';
import { plainTcpExchange, tcpScenario } from './exchange.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');

export interface ScaleSide {
  ms: number;
  exchanges: number;
  peakRss: number;
  /** Harness only: bytes of `JSON.stringify` of the run's scenario results. */
  resultsBytes?: number;
}

/** N scenarios, each its own file (distinct ids), through the run engine against the running server. */
async function harness(port: number, n: number, jobs: number): Promise<ScaleSide> {
  // The echo server serves clients side by side and keeps nothing between them (`--concurrent`): 8 scenarios at once.
  const target = { name: 'bench', fixedPort: port, concurrent: true, cwd: ROOT, readyTimeoutMs: 5000 };
  const items = planIds(Array.from({ length: n }, (_, i) => ({ scenario: { ...tcpScenario, file: `bench-${i}.yaml` }, target })));
  const t0 = performance.now();
  const run = await runPlan(items, { jobs, strict: false, observers: [], signal: new AbortController().signal });
  const ms = performance.now() - t0;
  const peakRss = process.resourceUsage().maxRSS * 1024;
  if (run.counts.pass !== n) throw new Error(`${n - (run.counts.pass ?? 0)} scale scenarios did not pass: ${JSON.stringify(run.scenarios.find((x) => x.outcome !== 'pass')?.failure)}`);
  return { ms, exchanges: n, peakRss, resultsBytes: Buffer.byteLength(JSON.stringify(run.scenarios)) };
}

/** Plain Node: N exchanges shared by JOBS workers. */
async function plain(port: number, n: number, jobs: number): Promise<ScaleSide> {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      await plainTcpExchange(port);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: jobs }, worker));
  return { ms: performance.now() - t0, exchanges: n, peakRss: process.resourceUsage().maxRSS * 1024 };
}

const [side, port, n, jobs] = process.argv.slice(2);
const result = await (side === 'harness' ? harness : plain)(Number(port), Number(n), Number(jobs));
process.stdout.write(`${JSON.stringify(result)}\n`);
