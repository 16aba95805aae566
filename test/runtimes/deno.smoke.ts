/**
 * The library on Deno: suites run against live servers over TCP and UDP, a TS
 * scenario through tsx, a faulty server failing on its id, and every run leaving no
 * process of its group behind. Run with `npm run test:deno` (after `npm run build`).
 */
import { checkSuite, describeRun } from '../../dist/harness/api.js';
import { registerSuite } from '../../dist/harness/suite-tests.js';
import { assertCodec, lengthPrefixFramer, pack, structArbitrary, unpack } from '../../dist/harness/codec/library.js';
import { alive, ECHO_REFERENCE, groupOf, lifecycleScenarios, ROOT, SPAWNS_GRANDCHILD, UDP_LITTLE_ENDIAN, UDP_REFERENCE, watchGroup } from './support.ts';

/** Deno.test has no timeout of its own: each run is aborted after this long. */
const TIMEOUT = 30_000;

function assertEquals(actual: unknown, expected: unknown, message = ''): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`expected ${e}, got ${a}${message ? `\n${message}` : ''}`);
}

Deno.test('TCP: hello, half-close, echo + ack + operator line passes against the Python reference', async () => {
  const run = await checkSuite('scenarios/echo-ack/server/hello-half-close.yaml', { server: ECHO_REFERENCE, cwd: ROOT, signal: AbortSignal.timeout(TIMEOUT) });
  assertEquals(run.exitCode, 0, describeRun(run));
  assertEquals(run.scenarios.map((s) => s.outcome), ['pass']);
  assertEquals(run.scenarios[0]!.requirements, { 'ECHO-4': 'pass', 'ECHO-5': 'pass', 'ECHO-6': 'pass' });
});

Deno.test('TS scenario (through tsx): the lock-step script passes against the Python reference', async () => {
  const run = await checkSuite('scenarios/echo-ack/server/lock-step-script.ts', { server: ECHO_REFERENCE, cwd: ROOT, signal: AbortSignal.timeout(TIMEOUT) });
  assertEquals(run.exitCode, 0, describeRun(run));
  assertEquals(run.scenarios.map((s) => s.outcome), ['pass']);
});

Deno.test('UDP: the udp-time server suite (a property scenario included) passes against the TS reference', async () => {
  const run = await checkSuite('scenarios/udp-time/server', { server: UDP_REFERENCE, cwd: ROOT, runs: 5, signal: AbortSignal.timeout(TIMEOUT) });
  assertEquals(run.exitCode, 0, describeRun(run));
  if (run.scenarios.length < 8) throw new Error(`expected the whole suite, got ${run.scenarios.length} scenarios`);
  assertEquals(run.scenarios.filter((s) => s.outcome !== 'pass'), []);
  const property = run.scenarios.find((s) => s.file.endsWith('any-datagram-size.yaml'))?.property;
  assertEquals([property?.runs, property?.shrinks], [5, 0]);
});

Deno.test('a faulty server fails on its id: little-endian timestamps break TIME-2', async () => {
  const run = await checkSuite('scenarios/udp-time/server/empty-datagram.yaml', { server: UDP_LITTLE_ENDIAN, cwd: ROOT, signal: AbortSignal.timeout(TIMEOUT) });
  assertEquals(run.exitCode, 1, describeRun(run));
  assertEquals(run.scenarios[0]!.outcome, 'fail');
  assertEquals(run.scenarios[0]!.requirements['TIME-2'], 'fail');
});

Deno.test('process groups: the server and the child it forked run in a group of their own, and are gone after a run that passes and after a timeout', async () => {
  const files = lifecycleScenarios();
  try {
    for (const [file, outcome, code] of [[files.quick, 'pass', null], [files.stuck, 'fail', 'scenario-timeout']] as const) {
      const { pids, groups, result } = await watchGroup((env) => checkSuite(file, { server: SPAWNS_GRANDCHILD, cwd: ROOT, env, signal: AbortSignal.timeout(TIMEOUT) }));
      assertEquals(result.scenarios.map((s) => [s.outcome, s.failure?.code ?? null]), [[outcome, code]], describeRun(result));
      const [server, child] = pids as [number, number];
      assertEquals(groups, [server, server], `pids ${server} ${child}`);
      if (server === groupOf(Deno.pid)) throw new Error('the server runs in the test runner\'s own process group');
      assertEquals([server, child].filter(alive), []);
    }
  } finally {
    files.remove();
  }
});

Deno.test('assertCodec: a struct codec holds every property, and a broken one fails with its replay', async () => {
  const codec = { encode: (v: unknown[]) => pack('!HI', v as number[]), decode: (b: Uint8Array) => unpack('!HI', b), arbitrary: structArbitrary('!HI'), framer: lengthPrefixFramer({ width: 1 }), runs: 50 };
  await assertCodec(codec);
  const failure = await assertCodec({ ...codec, decode: (b: Uint8Array) => unpack('!HI', b).reverse() }).then(() => undefined, (e: Error) => e);
  if (!failure?.message.includes('replay: assertCodec')) throw new Error(`expected a failure with its replay, got ${failure?.message}`);
});

// A suite as Deno tests, one per scenario (as `sockspec/vitest` does for vitest).
await registerSuite('scenarios/udp-time/server', { server: UDP_REFERENCE, cwd: ROOT, runs: 5 }, {
  test: (name: string, fn: () => Promise<void>) => Deno.test({ name, fn, sanitizeOps: false, sanitizeResources: false }),
});
