/**
 * `npm run bench`: the harness's cost per exchange next to a plain Node script doing
 * the same exchanges in the same run (the two sides taking turns), the same once both
 * have run BENCH_WARM more (default 3,000: no target, how much of the gap is warm-up),
 * with the floor of each exchange beside it (bench/floor.ts: what keeping only a report
 * of it costs) and the property's rate once warm, the CLI's start-up time, a scale row (BENCH_SCALE
 * scenarios, default 10,000, 8 at a time, next to a plain script with 8 workers, and the
 * harness's peak memory as the run grows; BENCH_SCALE=0 leaves it out), and the bundled
 * run as `npx sockspec run` makes it: wall time, CPU of the harness next to that of the
 * programs under test, peak memory (BENCH_BUNDLED=0 leaves it out).
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from '../harness/process/launch.js';
import { freePort } from '../harness/process/free-port.js';
import { waitUntilListening } from '../harness/process/readiness.js';
import { bytesPerCase } from './allocations.js';
import { floorExchanges } from './floor.js';
import { harnessPropertyRate, plainPropertyRate } from './property-bench.js';
import { programEnvironment } from './interpreter-path.js';
import { measureRunPeakRss } from './peak-rss-run.js';
import { harnessScenarios, PAYLOAD, plainTcpExchanges, tcpScenario, udpScenario } from './exchange.js';
import type { Scenario } from '../harness/scenario/model.js';
import type { ScaleSide } from './scale-run.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const N = Number(process.env.BENCH_N ?? 300);

/** The harness: `n` scenarios through the run engine (one run), against the running server; ms per scenario. */
const harness = (s: Scenario, port: number, n = N) => harnessScenarios(s, port, n);

/** Plain Node: the same TCP exchange `n` times; ms per exchange. */
const plainTcp = (port: number, n = N) => plainTcpExchanges(port, n);

/** Rounds of a per-case row: the N cases of each side in ROUNDS parts, the sides taking turns. */
const ROUNDS = 3;

/**
 * ms per case of each side, N cases each, measured in ROUNDS alternating parts (plain
 * first), so that a change in the machine's load while the row runs meets both sides.
 */
async function alternately(plain: (n: number) => Promise<number>, harnessSide: (n: number) => Promise<number>): Promise<{ plain: number; harness: number }> {
  const [p, h] = await inTurns([plain, harnessSide]);
  return { plain: p!, harness: h! };
}

/** ms per case of each of `sides`, N cases each, in ROUNDS parts, the sides taking turns in the order given. */
async function inTurns(sides: ((n: number) => Promise<number>)[]): Promise<number[]> {
  const total = sides.map(() => 0);
  for (let r = 0; r < ROUNDS; r++) {
    const n = Math.floor(N / ROUNDS) + (r < N % ROUNDS ? 1 : 0);
    for (const [i, side] of sides.entries()) total[i]! += (await side(n)) * n;
  }
  return total.map((t) => t / N);
}

/** Plain Node: the same UDP request/response `n` times, a socket each; ms per exchange. */
async function plainUdp(port: number, n = N): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await new Promise<void>((res, rej) => {
      const s = createSocket('udp4');
      s.on('message', (m) => {
        s.close();
        m.equals(PAYLOAD) ? res() : rej(new Error('bad echo'));
      });
      s.bind(0, '127.0.0.1', () => s.send(PAYLOAD, port, '127.0.0.1'));
    });
  }
  return (performance.now() - t0) / n;
}

/** One side of the scale row, in a process of its own (`scale-run.ts`). */
function scaleSide(side: 'harness' | 'plain', port: number, n: number, jobs: number): Promise<ScaleSide> {
  return new Promise((done, fail) => {
    execFile(process.execPath, [resolve(ROOT, 'dist/bench/scale-run.js'), side, String(port), String(n), String(jobs)], { cwd: ROOT }, (err, stdout) =>
      err ? fail(err) : done(JSON.parse(stdout) as ScaleSide),
    );
  });
}

/** Cases of each side run, unmeasured, before the warm rows (BENCH_WARM; 0 leaves them out). */
const WARM = Number(process.env.BENCH_WARM ?? 3000);

/**
 * The TCP and UDP rows again once both sides have run WARM more cases: how much of
 * the gap above is code still being compiled (no target; the rows above are the targets');
 * what each side allocates per case of those rows and of the property; the floor of the
 * two exchanges (bench/floor.ts: what only keeping a report of them costs); and the
 * property's rate once each side has made WARM more runs.
 */
async function warmRows(port: number): Promise<void> {
  const lines: string[] = [];
  const row = (what: string, h: number, p: number) => `  ${what.padEnd(70)} ${(h.toFixed(3) + ' ms').padStart(10)} ${(p.toFixed(3) + ' ms').padStart(10)} ${(h / p).toFixed(2).padStart(7)}\n`;
  for (const [what, plain, scenario, transport] of [['TCP exchange', plainTcp, tcpScenario, 'tcp'], ['UDP request/response', plainUdp, udpScenario, 'udp']] as const) {
    // With its floor: the same exchange made by a few lines that keep only what a report of it needs, warmed up
    // alike and measured in the same rounds, so that the two rows share the plain side's time.
    await plain(port, WARM);
    await harness(scenario, port, WARM);
    await floorExchanges(transport, port, WARM);
    const [plainMs, harnessMs, floorMs] = (await inTurns([(n) => plain(port, n), (n) => harness(scenario, port, n), (n) => floorExchanges(transport, port, n)])) as [number, number, number];
    lines.push(row(what, harnessMs, plainMs));
    lines.push(row(`${what}: its floor (bench/floor.ts)`, floorMs, plainMs));
    // What each side allocates per case, N more cases each: the work itself, whatever the machine's load.
    const h = await bytesPerCase(N, () => harness(scenario, port, N));
    const p = await bytesPerCase(N, () => plain(port, N));
    const kib = (what: string, a: number, b: number) => `  ${what.padEnd(70)} ${`${(a / 1024).toFixed(1)} KiB`.padStart(10)} ${`${(b / 1024).toFixed(1)} KiB`.padStart(10)} ${(a / b).toFixed(2).padStart(7)}\n`;
    lines.push(kib(`${what}: JS heap allocated per case (sampled)`, h, p));
    lines.push(kib(`${what}: its floor's, the same way`, await bytesPerCase(N, () => floorExchanges(transport, port, N)), p));
  }
  // The property's cases too (1,000 more of each side; the rows above ran theirs).
  const runs = 1000;
  const h = await bytesPerCase(runs, () => harnessPropertyRate(ROOT, runs));
  const p = await bytesPerCase(runs, () => plainPropertyRate(ROOT, runs));
  lines.push(`  ${'ECHO-5 property: JS heap allocated per case (sampled)'.padEnd(70)} ${`${(h / 1024).toFixed(1)} KiB`.padStart(10)} ${`${(p / 1024).toFixed(1)} KiB`.padStart(10)} ${(h / p).toFixed(2).padStart(7)}\n`);
  // The property's rate once each side has made WARM more runs (each run of either side starts its own server, as in the row above).
  await plainPropertyRate(ROOT, WARM);
  await harnessPropertyRate(ROOT, WARM);
  const plainRate = await plainPropertyRate(ROOT, runs);
  const harnessRate = await harnessPropertyRate(ROOT, runs);
  lines.push(row(`ECHO-5 property, ${runs} runs (${harnessRate.toFixed(0)} vs ${plainRate.toFixed(0)} runs/s)`, 1000 / harnessRate, 1000 / plainRate));
  process.stdout.write(`\nwarm: ${N} more exchanges of each side (of the property, ${runs} runs) after ${WARM} further ones (no target)\n${lines.join('')}`);
}

const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;
const verdict = (holds: boolean) => (holds ? 'holds' : 'DOES NOT HOLD');

/** The scale row: N scenarios at `jobs: 8` against the running server, next to a plain script; then peak RSS at N/4 and N/2. */
async function scaleRow(port: number, n: number): Promise<void> {
  const jobs = 8;
  const plain = await scaleSide('plain', port, n, jobs);
  const full = await scaleSide('harness', port, n, jobs);
  const smaller = [];
  for (const k of [Math.round(n / 4), Math.round(n / 2)]) smaller.push(await scaleSide('harness', port, k, jobs));
  const rate = (s: ScaleSide) => (s.exchanges * 1000) / s.ms;
  const ratio = rate(full) / rate(plain);
  process.stdout.write(`\nscale: ${n} TCP exchange scenarios (distinct ids), jobs ${jobs}, one running echo server\n`);
  process.stdout.write(
    `  exchanges/s: sockspec ${rate(full).toFixed(0)}, plain script (${jobs} workers) ${rate(plain).toFixed(0)}; ratio ${ratio.toFixed(2)}, target >= 0.80: ${verdict(ratio >= 0.8)}\n`,
  );
  const runs = [...smaller, full];
  process.stdout.write(`  harness peak RSS (results JSON): ${runs.map((r) => `${r.exchanges} -> ${mib(r.peakRss)} (${mib(r.resultsBytes ?? 0)})`).join(', ')}; plain script ${mib(plain.peakRss)}\n`);
  const first = runs[0]!;
  const more = full.exchanges - first.exchanges;
  if (more > 0) {
    const rssEach = (full.peakRss - first.peakRss) / more;
    const jsonEach = ((full.resultsBytes ?? 0) - (first.resultsBytes ?? 0)) / more;
    process.stdout.write(
      `  growth ${first.exchanges} -> ${full.exchanges}: ${(rssEach / 1024).toFixed(2)} KiB of peak RSS per scenario, ${(jsonEach / 1024).toFixed(2)} KiB of results JSON per scenario (ratio ${(rssEach / jsonEach).toFixed(1)}; no target)\n`,
    );
  }
}

/**
 * Median wall time of starting `node ARGS` to its exit, for each of `commands`, run in turn
 * (one of each, `runs` times over), so that a change in the machine's load meets every
 * command alike instead of only those measured while it lasts.
 */
function startupMs(commands: string[][], runs = 15): number[] {
  const times: number[][] = commands.map(() => []);
  for (let i = 0; i < runs; i++) {
    commands.forEach((args, k) => {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, args, { cwd: ROOT });
      if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
      times[k]!.push(performance.now() - t0);
    });
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]!);
}

/** The bundled suites as `npx sockspec run` runs them, with the config's reporters (programs started as `main` sets up). */
async function bundledRow(): Promise<void> {
  const r = await measureRunPeakRss(ROOT);
  const share = (100 * r.harnessCpuMs) / (r.harnessCpuMs + r.childrenCpuMs);
  process.stdout.write(`\nbundled run (sockspec run, the config's reporters): exit ${r.exitCode}, JSON report ${mib(r.jsonBytes)}\n`);
  process.stdout.write(`  wall time ${(r.ms / 1000).toFixed(1)} s, target <= 20 s: ${verdict(r.ms <= 20_000)}\n`);
  process.stdout.write(
    `  CPU: harness ${(r.harnessCpuMs / 1000).toFixed(1)} s, programs under test ${(r.childrenCpuMs / 1000).toFixed(1)} s; harness share ${share.toFixed(1)} %, target <= 15 %: ${verdict(share <= 15)}\n`,
  );
  process.stdout.write(
    `  of the harness's: user ${(r.harnessUserMs / 1000).toFixed(1)} s, system ${(r.harnessSystemMs / 1000).toFixed(1)} s (of its helper processes included: the spawner's ${(r.spawnerMs / 1000).toFixed(2)} s, the watchdog's and esbuild's ${(r.otherHelpersMs / 1000).toFixed(2)} s), ${r.minorFaults.toLocaleString('en-US')} minor page faults; ${r.spawns} processes started by the harness itself, its main thread held ${(r.spawnMs / 1000).toFixed(2)} s in spawn() (the fork, which copies the page tables of the whole harness, then the wait until the child has exec'd; no target)\n`,
  );
  process.stdout.write(`  harness peak RSS ${mib(r.peakRss)}, target < 300 MiB: ${verdict(r.peakRss < 300 * 1024 * 1024)}\n`);
  const outcomes = Object.entries(r.counts).filter(([, n]) => n > 0).map(([o, n]) => `${n} ${o}`).join(', ');
  process.stdout.write(`  ${outcomes}${r.problems.length ? `; not passed:\n${r.problems.map((p) => `    ${p}`).join('\n')}` : ''}\n`);
}

/**
 * How long one part of the bench may take (BENCH_PART_MINUTES, default 10; a whole run takes
 * one or two): the plain scripts wait for each reply without a timer of their own, as the
 * simplest code doing the work would, so a datagram lost on its way would otherwise hold
 * the bench for ever. Past it the bench says which part it was in and exits 3 (the
 * programs it started are stopped with it, as the harness's always are).
 */
const PART_MS = Number(process.env.BENCH_PART_MINUTES ?? 10) * 60_000;
let partTimer: NodeJS.Timeout | undefined;

/** The bench enters part `what`: its clock starts again. */
function part(what: string): void {
  clearTimeout(partTimer);
  partTimer = setTimeout(() => {
    process.stderr.write(`\nbench: the ${what} did not finish within ${PART_MS / 60_000} minutes (a plain side waits for every reply without a timer: a lost datagram?); stopping\n`);
    process.exit(3);
  }, PART_MS);
  partTimer.unref();
}

async function main(): Promise<void> {
  // Every process the bench starts (the CLI rows' included, on both sides) runs without the host's start-up taxes.
  const { env, said } = programEnvironment(resolve(ROOT, 'node_modules/.cache/sockspec'));
  Object.assign(process.env, env);
  for (const line of said) process.stdout.write(`${line}\n`);
  const port = await freePort('both');
  const server = launch({ argv: [process.execPath, resolve(ROOT, 'dist/bench/echo-server.js'), String(port)], cwd: ROOT });
  try {
    const ready = await waitUntilListening({ port, transport: 'udp', exited: server.exited, timeoutMs: 5000 });
    const readyTcp = await waitUntilListening({ port, transport: 'tcp', exited: server.exited, timeoutMs: 5000 });
    if (!ready.ok || !readyTcp.ok) throw new Error('bench server did not start');
    // Warm up both sides with N cases each, then measure N more of each, the sides taking turns.
    part('TCP exchange row');
    await plainTcp(port);
    await harness(tcpScenario, port);
    const rows: [string, number, number][] = [];
    const tcp = await alternately((n) => plainTcp(port, n), (n) => harness(tcpScenario, port, n));
    rows.push(['TCP exchange (connect, send, half-close, expect echo, end of stream)', tcp.harness, tcp.plain]);
    // The UDP paths (dgram, the UDP peer and verbs) are warmed up the same way before they are measured.
    part('UDP request/response row');
    await plainUdp(port);
    await harness(udpScenario, port);
    const udp = await alternately((n) => plainUdp(port, n), (n) => harness(udpScenario, port, n));
    rows.push(['UDP request/response', udp.harness, udp.plain]);
    const runs = Number(process.env.BENCH_RUNS ?? 1000);
    part('property row');
    await plainPropertyRate(ROOT, 20);
    const propPlain = await plainPropertyRate(ROOT, runs);
    const propHarness = await harnessPropertyRate(ROOT, runs);
    // As time per run, so that the ratio reads like the others (sockspec / plain; lower is better).
    rows.push([`ECHO-5 property, ${runs} runs (time per run; ${propHarness.toFixed(0)} vs ${propPlain.toFixed(0)} runs/s)`, 1000 / propHarness, 1000 / propPlain]);
    // Beside it, what a short command costs: the CLI loaded, the config, the catalogue and one scenario file read and checked.
    part('start-up rows');
    const [cli, bare, validate] = startupMs([['bin/sockspec.js', '--version'], ['-e', ''], ['bin/sockspec.js', 'validate', 'scenarios/echo-ack/server/large-payload.yaml']]) as [number, number, number];
    rows.push(['CLI start-up (sockspec --version vs node -e "")', cli, bare]);
    rows.push(['validate one scenario file (vs node -e ""; no target)', validate, bare]);
    const version = execFileSync(process.execPath, ['--version']).toString().trim();
    process.stdout.write(`sockspec bench: ${N} exchanges each, node ${version}\n\n`);
    process.stdout.write(`${'what'.padEnd(72)} ${'sockspec'.padStart(10)} ${'plain'.padStart(10)} ${'ratio'.padStart(7)}\n`);
    for (const [what, h, p] of rows) {
      process.stdout.write(`${what.padEnd(72)} ${(h.toFixed(3) + ' ms').padStart(10)} ${(p.toFixed(3) + ' ms').padStart(10)} ${(h / p).toFixed(2).padStart(7)}\n`);
    }
    // Before the scale row: its 10,000 connections stay in TIME_WAIT for a minute, and every read of the
    // kernel's socket tables (a program's readiness) would then pay for their rows.
    part('bundled run');
    if (process.env.BENCH_BUNDLED !== '0') await bundledRow();
    // After the bundled run, whose programs' readiness reads the socket tables: these rows leave thousands of connections in TIME_WAIT.
    part('warm rows');
    if (WARM > 0) await warmRows(port);
    const scale = Number(process.env.BENCH_SCALE ?? 10_000);
    part('scale row');
    if (scale > 0) await scaleRow(port, scale);
  } finally {
    clearTimeout(partTimer);
    await server.stop();
  }

}

await main();
