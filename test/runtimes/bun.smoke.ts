/**
 * The library on Bun: suites run against live servers over TCP and UDP, a faulty
 * server fails on its id, and every run leaves no process of its group behind.
 * TS scenarios are imported natively (Bun runs TypeScript; tsx's hooks do not work there).
 * Run with `npm run test:bun` (after `npm run build`).
 */
import { expect, test } from 'bun:test';
import { checkSuite, describeRun } from '../../dist/harness/api.js';
import { registerSuite } from '../../dist/harness/suite-tests.js';
import { assertCodec, lengthPrefixFramer, pack, structArbitrary, unpack } from '../../dist/harness/codec/library.js';
import { alive, ECHO_REFERENCE, groupOf, lifecycleScenarios, ROOT, SPAWNS_GRANDCHILD, UDP_LITTLE_ENDIAN, UDP_REFERENCE, watchGroup } from './support.ts';

const TIMEOUT = 30_000;

test(
  'TCP: hello, half-close, echo + ack + operator line passes against the Python reference',
  async () => {
    const run = await checkSuite('scenarios/echo-ack/server/hello-half-close.yaml', { server: ECHO_REFERENCE, cwd: ROOT });
    expect(describeRun(run)).toBe('every scenario passed');
    expect(run.exitCode).toBe(0);
    expect(run.scenarios.map((s) => s.outcome)).toEqual(['pass']);
    expect(run.scenarios[0]!.requirements).toEqual({ 'ECHO-4': 'pass', 'ECHO-5': 'pass', 'ECHO-6': 'pass' });
  },
  TIMEOUT,
);

// Bun runs TypeScript itself: sockspec imports a TS scenario natively there instead of through tsx.
test(
  'TS scenario: a scripted lock-step scenario loads natively and passes',
  async () => {
    const run = await checkSuite('scenarios/echo-ack/server/lock-step-script.ts', { server: ECHO_REFERENCE, cwd: ROOT });
    expect(describeRun(run)).toBe('every scenario passed');
    expect(run.exitCode).toBe(0);
  },
  TIMEOUT,
);

test(
  'UDP: the udp-time server suite (a property scenario included) passes against the TS reference',
  async () => {
    const run = await checkSuite('scenarios/udp-time/server', { server: UDP_REFERENCE, cwd: ROOT, runs: 5 });
    expect(describeRun(run)).toBe('every scenario passed');
    expect(run.exitCode).toBe(0);
    expect(run.scenarios.length).toBeGreaterThanOrEqual(8);
    expect(run.scenarios.filter((s) => s.outcome !== 'pass')).toEqual([]);
    expect(run.scenarios.find((s) => s.file.endsWith('any-datagram-size.yaml'))?.property).toMatchObject({ runs: 5, shrinks: 0 });
  },
  TIMEOUT,
);

test(
  'a faulty server fails on its id: little-endian timestamps break TIME-2',
  async () => {
    const run = await checkSuite('scenarios/udp-time/server/empty-datagram.yaml', { server: UDP_LITTLE_ENDIAN, cwd: ROOT });
    expect(run.exitCode).toBe(1);
    expect(run.scenarios[0]!.outcome).toBe('fail');
    expect(run.scenarios[0]!.requirements).toMatchObject({ 'TIME-2': 'fail' });
  },
  TIMEOUT,
);

test(
  'process groups: the server and the child it forked run in a group of their own, and are gone after a run that passes and after a timeout',
  async () => {
    const files = lifecycleScenarios();
    try {
      for (const [file, outcome, code] of [[files.quick, 'pass', undefined], [files.stuck, 'fail', 'scenario-timeout']] as const) {
        const { pids, groups, result } = await watchGroup((env) => checkSuite(file, { server: SPAWNS_GRANDCHILD, cwd: ROOT, env }));
        expect(result.scenarios.map((s) => [s.outcome, s.failure?.code])).toEqual([[outcome, code]]);
        const [server, child] = pids as [number, number];
        expect(groups).toEqual([server, server]);
        expect(server).not.toBe(groupOf(process.pid));
        expect([server, child].filter(alive)).toEqual([]);
      }
    } finally {
      files.remove();
    }
  },
  TIMEOUT,
);

test('assertCodec: a struct codec holds every property, and a broken one fails with its replay', async () => {
  const codec = { encode: (v: unknown[]) => pack('!HI', v as number[]), decode: (b: Uint8Array) => unpack('!HI', b), arbitrary: structArbitrary('!HI'), framer: lengthPrefixFramer({ width: 1 }), runs: 50 };
  await assertCodec(codec);
  await expect(assertCodec({ ...codec, decode: (b: Uint8Array) => unpack('!HI', b).reverse() })).rejects.toThrow(/replay: assertCodec/);
});

// A suite as bun tests, one per scenario (as `sockspec/vitest` does for vitest).
await registerSuite('scenarios/udp-time/server', { server: UDP_REFERENCE, cwd: ROOT, runs: 5 }, { test });
