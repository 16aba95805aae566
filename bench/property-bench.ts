/**
 * Property runs per second: the ECHO-5 property (any payload, any split, echoed in
 * rounds) against the TypeScript reference echo-ack server, through sockspec and
 * through a plain fast-check + `net` script that answers the operator itself.
 *
 * Both sides do the same work: the plain script draws its cases from the same
 * arbitraries (the payload and split generators the scenario declares), with the same
 * seed, in the same record, so fast-check hands both the same payloads cut into the
 * same pieces.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { arbitraryFor } from '../harness/codec/arbitraries.js';
import { splitSizes, type GeneratorSpec, type SplitValue } from '../harness/codec/generated.js';
import { freePort } from '../harness/process/free-port.js';
import { planIds, runPlan } from '../harness/run/run-plan.js';
import { validateScenario } from '../harness/scenario/validate.js';

const ACK = Buffer.from('\nI get it!\n');

/** What the property generates: a payload, and a split of it into 1 to 4 pieces. */
const GENERATE: Record<string, GeneratorSpec> = { payload: { bytes: { min: 1, max: 1024 } }, split: { split: { of: 'payload', pieces: { min: 1, max: 4 } } } };
const SEED = 42;

/** The property scenario sockspec runs. */
const scenario = (() => {
  const r = validateScenario('bench-property.yaml', {
    covers: ['ECHO-5'],
    process: 'reuse',
    generate: GENERATE,
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
  const run = await runPlan(planIds([{ scenario, target }]), { jobs: 1, strict: false, observers: [], signal: new AbortController().signal, seed: SEED, runs });
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
  const exchange = (payload: Uint8Array, split: SplitValue) =>
    new Promise<boolean>((done) => {
      const chunks: Buffer[] = [];
      // Each piece is handed to the kernel before the next is written, as sockspec does, so that pieces stay pieces.
      const s = connect({ port, host: '127.0.0.1', allowHalfOpen: true, noDelay: true }, async () => {
        let at = 0;
        const write = (piece: Uint8Array) => new Promise((ok) => s.write(piece, ok));
        for (const size of splitSizes(split, payload.length)) {
          await write(payload.subarray(at, at + size));
          at += size;
        }
        s.end();
      });
      s.on('data', (d: Buffer) => chunks.push(d));
      s.on('end', () => {
        s.destroy();
        done(isRounds(Buffer.concat(chunks), payload));
      });
      s.on('error', () => done(false));
    });
  // The record sockspec draws a case from (one arbitrary per generated name, in the scenario's order), so the same seed gives the same cases.
  const cases = fc.record(Object.fromEntries(Object.entries(GENERATE).map(([name, spec]) => [name, arbitraryFor(spec)])));
  const result = await fc.check(
    fc.asyncProperty(cases, (c) => exchange(c.payload as Uint8Array, c.split as SplitValue)),
    { numRuns: runs, seed: SEED },
  );
  const ms = performance.now() - t0;
  child.kill('SIGKILL');
  if (result.failed) throw new Error('plain property failed');
  return (runs / ms) * 1000;
}
