/**
 * Scenarios against a server the harness did not start (`--port N` alone): they take
 * turns on its port, unless the server is declared to serve clients side by side
 * (`--concurrent`), when they run as many at once as `jobs` allows.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Target } from '../harness/run/program.js';
import { planIds, runPlan } from '../harness/run/run-plan.js';
import { bundledCatalogue, loadSuite, ROOT } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'sockspec-running-'));
/** An echo server that answers what comes 200 ms later, and counts the exchanges it has in hand at once (received, not yet answered). */
let server: Server;
let port = 0;
let open = 0;
let mostAtOnce = 0;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((s) => {
    sockets.add(s);
    s.on('data', (d) => {
      mostAtOnce = Math.max(mostAtOnce, ++open);
      setTimeout(() => {
        open--;
        if (s.writable) s.write(d);
      }, 200);
    });
    s.on('end', () => s.end());
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => server.close(resolve));
  rmSync(tmp, { recursive: true, force: true });
});

/** Six scenarios (one exchange each) against the running server, three jobs; how many exchanges it had in hand at once. */
async function runSix(concurrent: boolean): Promise<number> {
  const dir = mkdtempSync(join(tmp, 'suite-'));
  for (let i = 0; i < 6; i++) writeFileSync(join(dir, `echo-${i}.yaml`), 'covers: [RFC862-1]\ntimeout: 10000\nsteps:\n  - connect: c\n  - send: { text: "hello\\n" }\n  - expect: { text: "hello\\n", within: 5000 }\n  - close: c\n');
  const scenarios = await loadSuite(dir);
  const target: Target = { name: 'running', fixedPort: port, cwd: ROOT, readyTimeoutMs: 5000, ...(concurrent ? { concurrent: true } : {}) };
  mostAtOnce = 0;
  const run = await runPlan(planIds(scenarios.map((scenario) => ({ scenario, target }))), { jobs: 3, strict: false, catalogue: await bundledCatalogue(), observers: [], signal: new AbortController().signal });
  expect(run.scenarios.map((r) => r.outcome)).toEqual(Array(6).fill('pass'));
  return mostAtOnce;
}

describe('a server already running on a port', () => {
  it('is given one scenario at a time, whatever the jobs', async () => {
    expect(await runSix(false)).toBe(1);
  });

  it('declared concurrent, is given scenarios side by side', async () => {
    // Three jobs, each exchange in the server's hands for 200 ms: at least two overlap however busy the machine.
    expect(await runSix(true)).toBeGreaterThanOrEqual(2);
  });
});
