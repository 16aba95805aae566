/**
 * `npm run bench`: the harness's cost per exchange next to a plain Node script doing
 * the same exchanges in the same run, the CLI's start-up time, and the peak memory
 * of the bundled run with every reporter on (BENCH_BUNDLED=0 leaves it out).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from '../harness/process/launch.js';
import { freePort } from '../harness/process/free-port.js';
import { waitUntilListening } from '../harness/process/readiness.js';
import { planIds, runPlan } from '../harness/run/run-plan.js';
import { validateScenario } from '../harness/scenario/validate.js';
import { harnessPropertyRate, plainPropertyRate } from './property-bench.js';
import { measureRunPeakRss } from './peak-rss-run.js';
import type { Scenario } from '../harness/scenario/model.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const N = Number(process.env.BENCH_N ?? 300);
const PAYLOAD = Buffer.from('hello, bench');

function scenario(data: object): Scenario {
  const r = validateScenario('bench.yaml', data, () => ({ line: 0, col: 0 }));
  if (!r.scenario) throw new Error(JSON.stringify(r.diagnostics));
  return r.scenario;
}

const tcpScenario = scenario({
  covers: ['BENCH'],
  process: 'reuse',
  steps: [{ connect: 'c' }, { send: { text: PAYLOAD.toString() } }, { shutdown: 'c' }, { expect: { text: PAYLOAD.toString() } }, { expect: { eof: true } }],
});
const udpScenario = scenario({
  covers: ['BENCH'],
  process: 'reuse',
  transport: 'udp',
  steps: [{ connect: 'u' }, { send: { text: PAYLOAD.toString() } }, { expect: { text: PAYLOAD.toString() } }],
});

/** The harness: N scenarios through the run engine, against the running server. */
async function harness(s: Scenario, port: number): Promise<number> {
  // A target without a command is a program already running on its fixed port: the server started below.
  const target = { name: 'bench', fixedPort: port, cwd: ROOT, readyTimeoutMs: 5000 };
  const items = planIds(Array.from({ length: N }, () => ({ scenario: s, target })));
  const t0 = performance.now();
  const run = await runPlan(items, { jobs: 1, strict: false, observers: [], signal: new AbortController().signal });
  const ms = performance.now() - t0;
  if (run.counts.pass !== N) throw new Error(`bench scenarios failed: ${JSON.stringify(run.scenarios.find((x) => x.outcome !== 'pass')?.failure)}`);
  return ms / N;
}

/** Plain Node: the same TCP exchange N times. */
async function plainTcp(port: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    await new Promise<void>((res, rej) => {
      const chunks: Buffer[] = [];
      const s = connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => {
        s.write(PAYLOAD);
        s.end();
      });
      s.on('data', (c: Buffer) => chunks.push(c));
      s.on('end', () => {
        s.destroy();
        Buffer.concat(chunks).equals(PAYLOAD) ? res() : rej(new Error('bad echo'));
      });
      s.on('error', rej);
    });
  }
  return (performance.now() - t0) / N;
}

/** Plain Node: the same UDP request/response N times, a socket each. */
async function plainUdp(port: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    await new Promise<void>((res, rej) => {
      const s = createSocket('udp4');
      s.on('message', (m) => {
        s.close();
        m.equals(PAYLOAD) ? res() : rej(new Error('bad echo'));
      });
      s.bind(0, '127.0.0.1', () => s.send(PAYLOAD, port, '127.0.0.1'));
    });
  }
  return (performance.now() - t0) / N;
}

function startupMs(args: string[], runs = 15): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: ROOT });
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

async function main(): Promise<void> {
  const port = await freePort('both');
  const server = launch({ argv: [process.execPath, resolve(ROOT, 'dist/bench/echo-server.js'), String(port)], cwd: ROOT });
  try {
    const ready = await waitUntilListening({ port, transport: 'udp', exited: server.exited, timeoutMs: 5000 });
    const readyTcp = await waitUntilListening({ port, transport: 'tcp', exited: server.exited, timeoutMs: 5000 });
    if (!ready.ok || !readyTcp.ok) throw new Error('bench server did not start');
    // Warm up both sides once, then measure alternately so that load on the machine hits both.
    await plainTcp(port);
    await harness(tcpScenario, port);
    const rows: [string, number, number][] = [];
    const tcpPlain = await plainTcp(port);
    const tcpHarness = await harness(tcpScenario, port);
    rows.push(['TCP exchange (connect, send, half-close, expect echo, end of stream)', tcpHarness, tcpPlain]);
    const udpPlain = await plainUdp(port);
    const udpHarness = await harness(udpScenario, port);
    rows.push(['UDP request/response', udpHarness, udpPlain]);
    const runs = Number(process.env.BENCH_RUNS ?? 1000);
    await plainPropertyRate(ROOT, 20);
    const propPlain = await plainPropertyRate(ROOT, runs);
    const propHarness = await harnessPropertyRate(ROOT, runs);
    // As time per run, so that the ratio reads like the others (sockspec / plain; lower is better).
    rows.push([`ECHO-5 property, ${runs} runs (time per run; ${propHarness.toFixed(0)} vs ${propPlain.toFixed(0)} runs/s)`, 1000 / propHarness, 1000 / propPlain]);
    const cli = startupMs(['bin/sockspec.js', '--version']);
    const bare = startupMs(['-e', '']);
    rows.push(['CLI start-up (sockspec --version vs node -e "")', cli, bare]);
    const version = execFileSync(process.execPath, ['--version']).toString().trim();
    process.stdout.write(`sockspec bench: ${N} exchanges each, node ${version}\n\n`);
    process.stdout.write(`${'what'.padEnd(72)} ${'sockspec'.padStart(10)} ${'plain'.padStart(10)} ${'ratio'.padStart(7)}\n`);
    for (const [what, h, p] of rows) {
      process.stdout.write(`${what.padEnd(72)} ${(h.toFixed(3) + ' ms').padStart(10)} ${(p.toFixed(3) + ' ms').padStart(10)} ${(h / p).toFixed(2).padStart(7)}\n`);
    }
  } finally {
    await server.stop();
  }
  if (process.env.BENCH_BUNDLED !== '0') {
    // The bundled suites as `npx sockspec run` runs them, with console, json, junit and github reports.
    const r = await measureRunPeakRss(ROOT);
    const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(0)} MiB`;
    process.stdout.write(`\nbundled run peak RSS (every reporter on)${' '.repeat(33)} ${mib(r.peakRss).padStart(10)}   target < 300 MiB; ${(r.ms / 1000).toFixed(0)} s, exit ${r.exitCode}, JSON report ${mib(r.jsonBytes)}\n`);
    const outcomes = Object.entries(r.counts).filter(([, n]) => n > 0).map(([o, n]) => `${n} ${o}`).join(', ');
    process.stdout.write(`  ${outcomes}${r.problems.length ? `; not passed:\n${r.problems.map((p) => `    ${p}`).join('\n')}` : ''}\n`);
  }
}

await main();
