/**
 * Where a warm case's time or allocation goes, by function:
 *
 *   node dist/bench/warm-profile.js tcp|udp alloc [CASES]        heap allocated per case (sampled, garbage included)
 *   node dist/bench/warm-profile.js tcp|udp cpu FILE [CASES]      a CPU profile of CASES cases, for cpuprofile-top.js
 *   node dist/bench/warm-profile.js tcp cpu FILE [CASES] plain    the same of the plain script's TCP exchanges
 *
 * Against the bench's echo server (started here), after 3,000 unmeasured cases of each side, so
 * that what is left is the work, not the compiler warming up. CASES defaults to 1,000 (alloc) or
 * 3,000 (cpu). It prints the CPU time per case (cpu) or the top functions by own and total
 * allocation (alloc), at lines of the compiled files under dist/.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from '../harness/process/launch.js';
import { freePort } from '../harness/process/free-port.js';
import { waitUntilListening } from '../harness/process/readiness.js';
import { sampleAllocations, type SamplingNode } from './allocations.js';
import { harnessScenarios, plainTcpExchanges, tcpScenario, udpScenario } from './exchange.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const WARM = 3000;

/** Own and total (callees included, a function counted once per stack) bytes per function, largest first. */
function allocationTable(head: SamplingNode, cases: number, top = 40): string {
  const own = new Map<string, number>();
  const total = new Map<string, number>();
  const walk = (n: SamplingNode, onStack: Set<string>): number => {
    const key = `${n.callFrame.functionName || '(anonymous)'}  ${n.callFrame.url.replace(/^.*\/dist\//, '')}:${n.callFrame.lineNumber + 1}`;
    own.set(key, (own.get(key) ?? 0) + n.selfSize);
    let sum = n.selfSize;
    const first = !onStack.has(key);
    if (first) onStack.add(key);
    for (const c of n.children) sum += walk(c, onStack);
    if (first) {
      onStack.delete(key);
      total.set(key, (total.get(key) ?? 0) + sum);
    }
    return sum;
  };
  const all = walk(head, new Set());
  const rows = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `${(v / cases).toFixed(0).padStart(8)}  ${k}`)
      .join('\n');
  return `${(all / cases).toFixed(0)} bytes per case\n\nown bytes per case\n${rows(own)}\n\ntotal bytes per case\n${rows(total)}\n`;
}

const [transport = 'tcp', mode = 'alloc', ...rest] = process.argv.slice(2);
const file = mode === 'cpu' ? rest.shift() : undefined;
const cases = Number(rest[0] ?? (mode === 'cpu' ? 3000 : 1000));
const plainSide = rest[1] === 'plain';
if (!['tcp', 'udp'].includes(transport) || !['alloc', 'cpu'].includes(mode) || (mode === 'cpu' && !file) || !(cases > 0) || (plainSide && transport !== 'tcp')) {
  process.stderr.write('usage: warm-profile.js tcp|udp alloc [CASES] | tcp|udp cpu FILE [CASES] [plain]\n');
  process.exit(2);
}
const scenario = transport === 'tcp' ? tcpScenario : udpScenario;
const work = (n: number) => (plainSide ? plainTcpExchanges(port, n) : harnessScenarios(scenario, port, n));

const port = await freePort('both');
const server = launch({ argv: [process.execPath, resolve(ROOT, 'dist/bench/echo-server.js'), String(port)], cwd: ROOT });
const session = new Session();
try {
  for (const t of ['udp', 'tcp'] as const) {
    const ready = await waitUntilListening({ port, transport: t, exited: server.exited, timeoutMs: 5000 });
    if (!ready.ok) throw new Error('the echo server did not start');
  }
  if (transport === 'tcp') await plainTcpExchanges(port, WARM);
  await harnessScenarios(scenario, port, WARM);
  if (mode === 'cpu') {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 50 });
    await session.post('Profiler.start');
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await work(cases);
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file!, JSON.stringify(profile));
    process.stdout.write(`${cases} cases: ${((ms * 1000) / cases).toFixed(0)} µs per case, ${((c.user + c.system) / cases).toFixed(0)} µs of CPU per case (profiler on); profile in ${file}\n`);
  } else {
    const head = await sampleAllocations(() => work(cases), 128);
    process.stdout.write(allocationTable(head, cases));
  }
} finally {
  session.disconnect();
  await server.stop();
}
