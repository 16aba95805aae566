/**
 * Property runs per second: the ECHO-5 property (any payload, any split, echoed in
 * rounds) against the TypeScript reference echo-ack server, through sockspec and
 * through a plain fast-check + `net` script that answers the operator itself.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { freePort } from '../harness/process/free-port.js';
import { planIds, runPlan } from '../harness/run/run-plan.js';
import { validateScenario } from '../harness/scenario/validate.js';

const ACK = Buffer.from('\nI get it!\n');

/** The property scenario sockspec runs. */
const scenario = (() => {
  const r = validateScenario('bench-property.yaml', {
    covers: ['ECHO-5'],
    process: 'reuse',
    generate: { payload: { bytes: { min: 1, max: 1024 } }, split: { split: { of: 'payload', pieces: { min: 1, max: 4 } } } },
    steps: [
      { answer: { prompt: 'input the word:', line: 'ok' } },
      { connect: 'c' },
      { send: { var: 'payload', split: 'split' } },
      { shutdown: 'c' },
      { expect: { rounds: { data: { var: 'payload' }, trailer: { text: '\nI get it!\nok' } } } },
      { expect: { eof: true } },
    ],
  }, () => ({ line: 0, col: 0 }));
  if (!r.scenario) throw new Error(JSON.stringify(r.diagnostics));
  return r.scenario;
})();

/** sockspec: `runs` cases of the property; runs per second. */
export async function harnessPropertyRate(root: string, runs: number): Promise<number> {
  const target = { name: 'bench', command: `node ${resolve(root, 'dist/fixtures/echo-ack/server/reference.js')} {port}`, cwd: root, readyTimeoutMs: 10_000 };
  const t0 = performance.now();
  const run = await runPlan(planIds([{ scenario, target }]), { jobs: 1, strict: false, observers: [], signal: new AbortController().signal, seed: 42, runs });
  const ms = performance.now() - t0;
  if (run.counts.pass !== 1) throw new Error(`bench property failed: ${JSON.stringify(run.scenarios[0]?.failure)}`);
  return (runs / ms) * 1000;
}

/** Whether `got` is rounds of echo + "\nI get it!\nok" whose echoes make `sent`. */
function isRounds(got: Buffer, sent: Uint8Array): boolean {
  const trailer = Buffer.concat([ACK, Buffer.from('ok')]);
  let at = 0;
  let echoed = 0;
  while (at < got.length) {
    const end = got.indexOf(trailer, at);
    if (end < 0) return false;
    const echo = got.subarray(at, end);
    if (!Buffer.from(sent.subarray(echoed, echoed + echo.length)).equals(echo)) return false;
    echoed += echo.length;
    at = end + trailer.length;
  }
  return echoed === sent.length;
}

/** Plain fast-check + net, same property, same server (started and answered here); runs per second. */
export async function plainPropertyRate(root: string, runs: number): Promise<number> {
  // Timed from the server's start, as sockspec's run is: both start it, wait for it, then run the cases.
  const t0 = performance.now();
  const port = await freePort('tcp');
  const child = spawn(process.execPath, [resolve(root, 'dist/fixtures/echo-ack/server/reference.js'), String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const listening = new Promise<void>((ok) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      for (let i = out.indexOf('input the word:'); i >= 0; i = out.indexOf('input the word:')) {
        out = out.slice(i + 15);
        child.stdin.write('ok\n');
      }
    });
    const probe = () => connect(port, '127.0.0.1').on('connect', function (this: ReturnType<typeof connect>) { this.destroy(); ok(); }).on('error', () => setTimeout(probe, 5));
    probe();
  });
  await listening;
  const exchange = (payload: Uint8Array, cuts: number[]) =>
    new Promise<boolean>((done) => {
      const chunks: Buffer[] = [];
      // Each piece is handed to the kernel before the next is written, as sockspec does, so that pieces stay pieces.
      const s = connect({ port, host: '127.0.0.1', allowHalfOpen: true, noDelay: true }, async () => {
        let at = 0;
        const write = (piece: Uint8Array) => new Promise((ok) => s.write(piece, ok));
        for (const c of [...new Set(cuts.map((x) => Math.floor(x * payload.length)))].filter((p) => p > 0 && p < payload.length).sort((a, b) => a - b)) {
          await write(payload.subarray(at, c));
          at = c;
        }
        await write(payload.subarray(at));
        s.end();
      });
      s.on('data', (d: Buffer) => chunks.push(d));
      s.on('end', () => {
        s.destroy();
        done(isRounds(Buffer.concat(chunks), payload));
      });
      s.on('error', () => done(false));
    });
  const result = await fc.check(
    fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 1024, size: 'max' }), fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { maxLength: 3 }), exchange),
    { numRuns: runs, seed: 42 },
  );
  const ms = performance.now() - t0;
  child.kill('SIGKILL');
  if (result.failed) throw new Error('plain property failed');
  return (runs / ms) * 1000;
}
