import { Session } from 'node:inspector/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from '../harness/process/launch.js';
import { freePort } from '../harness/process/free-port.js';
import { waitUntilListening } from '../harness/process/readiness.js';
import { planIds, runPlan } from '../harness/run/run-plan.js';
import { tcpScenario, udpScenario } from './exchange.js';
import type { Scenario } from '../harness/scenario/model.js';
const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
interface Node { selfSize: number; children: Node[]; callFrame: { functionName: string; url: string; lineNumber: number } }
async function harness(s: Scenario, port: number, n: number) {
  const target = { name: 'bench', fixedPort: port, cwd: ROOT, readyTimeoutMs: 5000 };
  const items = planIds(Array.from({ length: n }, () => ({ scenario: s, target })));
  const run = await runPlan(items, { jobs: 1, strict: false, observers: [], signal: new AbortController().signal });
  if (run.counts.pass !== n) throw new Error('fail');
}
const which = process.argv[2] === 'tcp' ? tcpScenario : udpScenario;
const port = await freePort('both');
const server = launch({ argv: [process.execPath, resolve(ROOT, 'dist/bench/echo-server.js'), String(port)], cwd: ROOT });
await waitUntilListening({ port, transport: 'udp', exited: server.exited, timeoutMs: 5000 });
await waitUntilListening({ port, transport: 'tcp', exited: server.exited, timeoutMs: 5000 });
await harness(which, port, 3000);
const s = new Session(); s.connect();
await s.post('HeapProfiler.enable');
await s.post('HeapProfiler.startSampling', { samplingInterval: 128, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
const N = 1000;
await harness(which, port, N);
const { profile } = await s.post('HeapProfiler.stopSampling');
const self = new Map<string, number>();
const incl = new Map<string, number>();
function walk(n: Node, stack: Set<string>): number {
  const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/.*\/(dist|node:)/, '$1')}:${n.callFrame.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + n.selfSize);
  let t = n.selfSize;
  const fresh = !stack.has(key);
  if (fresh) stack.add(key);
  for (const c of n.children) t += walk(c, stack);
  if (fresh) { stack.delete(key); incl.set(key, (incl.get(key) ?? 0) + t); }
  return t;
}
const total = walk(profile.head as Node, new Set());
console.log('total per case', (total / N).toFixed(0));
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 45)) console.log('self', (v / N).toFixed(0).padStart(6), k);
for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 60)) console.log('incl', (v / N).toFixed(0).padStart(6), k);
await server.stop();
process.exit(0);
