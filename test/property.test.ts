/**
 * Property scenarios against live servers: generated payloads and splits, a
 * failure shrunk to the smallest case, and the seed and path that replay it.
 */
import { describe, expect, it } from 'vitest';
import { validateScenario } from '../harness/scenario/validate.js';
import type { Scenario } from '../harness/scenario/model.js';
import { planIds, runPlan } from '../harness/run/run-plan.js';
import type { Target } from '../harness/run/program.js';
import { bundledCatalogue, explain, loadSuite, ROOT } from './helpers.js';
import { listGroups } from '../harness/process/launch.js';

function scenario(data: object): Scenario {
  const r = validateScenario('echo-property.yaml', data, () => ({ line: 1, col: 1 }));
  if (!r.scenario) throw new Error(r.diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n'));
  return r.scenario;
}

const echoProperty = scenario({
  covers: ['ECHO-5'],
  process: 'reuse',
  generate: {
    payload: { bytes: { min: 1, max: 4096 } },
    split: { split: { of: 'payload', pieces: { min: 1, max: 5 } } },
    line: { text: { max: 8 } },
  },
  steps: [
    { answer: { prompt: 'input the word:', line: '{line}' } },
    { connect: 'c' },
    { send: { var: 'payload', split: 'split' } },
    { shutdown: 'c' },
    { expect: { rounds: { data: { var: 'payload' }, trailer: { text: '\nI get it!\n{line}' } } } },
    { expect: { eof: true } },
  ],
});

async function run(command: string, options: { seed?: number; runs?: number; path?: string } = {}) {
  const target: Target = { name: 't', command, cwd: ROOT, readyTimeoutMs: 10_000 };
  return runPlan(planIds([{ scenario: echoProperty, target }]), { jobs: 1, strict: false, catalogue: await bundledCatalogue(), observers: [], signal: new AbortController().signal, ...options });
}

describe('a property scenario', () => {
  it('passes its generated cases on a conforming server, and says how many with which seed', async () => {
    const r = await run('python3 fixtures/echo-ack/server/reference.py {port}', { seed: 1, runs: 40 });
    expect(explain(r)).toBe('');
    expect(r.seed).toBe(1);
    expect(r.scenarios[0]!.property).toMatchObject({ seed: 1, runs: 40, shrinks: 0 });
    expect(r.scenarios[0]!.notes).toContain('40 generated cases passed (seed 1)');
  });

  it('shrinks a failure to the smallest case and replays exactly it from seed and path', async () => {
    const broken = 'python3 fixtures/echo-ack/server/truncates-echo.py {port}';
    const first = await run(broken, { seed: 7, runs: 100 });
    const p = first.scenarios[0]!.property!;
    expect(first.scenarios[0]!.outcome).toBe('fail');
    // It echoes 1024 bytes of each read: the smallest failing payload is 1025 bytes in one piece, all zero.
    expect(p.counterexample!.payload).toEqual({ bytes: expect.objectContaining({ length: 1025, hex: expect.stringMatching(/^00 00 00/) }) });
    expect(p.counterexample!.split).toEqual({ split: { pieces: [1025], pause: 0 } });
    expect(p.counterexample!.line).toEqual({ text: '' });
    expect(p.replay).toBe(`sockspec run echo-property.yaml --server 'python3 fixtures/echo-ack/server/truncates-echo.py {port}' --seed 7 --path ${p.path}`);
    // The same seed draws the same cases; the path shrinking takes may differ where a verdict depends on how
    // the kernel happened to segment the pieces, but it ends at the same smallest case.
    const again = await run(broken, { seed: 7, runs: 100 });
    expect(again.scenarios[0]!.property!.counterexample).toEqual(p.counterexample);
    const replayed = await run(broken, { seed: 7, path: p.path! });
    expect(replayed.scenarios[0]!.property).toMatchObject({ runs: 1, counterexample: p.counterexample });
    expect(replayed.scenarios[0]!.failure?.message).toBe(first.scenarios[0]!.failure?.message);
  });

  // A greeting, then a generated message and its answer: the hello protocol, with short deadlines.
  const greeted = scenario({
    covers: ['HELLO-4'],
    process: 'reuse',
    runs: 20,
    generate: { first: { text: { min: 1, max: 64 } } },
    steps: [{ connect: 'c' }, { expect: { text: 'Welcome!', within: 500 } }, { send: { text: '{first}' } }, { expect: { text: 'Hello, {first}!', within: 500 } }],
  });
  const runGreeted = async (command: string) => {
    const target: Target = { name: 't', command, cwd: ROOT, readyTimeoutMs: 10_000 };
    const r = await runPlan(planIds([{ scenario: greeted, target }]), { jobs: 1, strict: false, catalogue: await bundledCatalogue(), observers: [], signal: new AbortController().signal, seed: 11 });
    return r.scenarios[0]!;
  };

  it('does not shrink a failure that came before any step used a generated value: any values fail there alike', async () => {
    const r = await runGreeted('python3 fixtures/hello-tcp/server/no-welcome.py {port}');
    expect(r.outcome).toBe('fail');
    expect(r.failure).toMatchObject({ code: 'timeout', step: 1 });
    expect(r.property).toMatchObject({ runs: 1, shrinks: 0, path: '0' });
    expect(r.notes).toContain('not shrunk: it failed at steps[1] expect, before steps[2] send, the first step that uses a generated value; any values fail there alike');
  });

  it('still shrinks a failure at a step that uses a generated value', async () => {
    // It greets at once, and answers five seconds late: the answer to the generated message is missed.
    const r = await runGreeted('python3 fixtures/hello-tcp/server/replies-after-5s.py {port}');
    expect(r.outcome).toBe('fail');
    expect(r.failure).toMatchObject({ code: 'timeout', step: 3 });
    expect(r.property!.shrinks).toBeGreaterThan(0);
    expect(r.property!.counterexample).toEqual({ first: { text: ' ' } });
    expect(r.notes.some((n) => n.startsWith('not shrunk'))).toBe(false);
  });
});

describe('the bundled property suites', () => {
  it('shrink a server that truncates datagrams at 512 bytes to a 513-byte datagram', async () => {
    const [s] = await loadSuite('scenarios/hello-udp/server/any-datagram-size.yaml');
    const target: Target = { name: 't', command: 'python3 fixtures/hello-udp/server/truncates-at-512.py {port}', cwd: ROOT, readyTimeoutMs: 10_000 };
    const r = await runPlan(planIds([{ scenario: s!, target }]), { jobs: 1, strict: false, catalogue: await bundledCatalogue(), observers: [], signal: new AbortController().signal, seed: 3 });
    expect(r.scenarios[0]!.outcome).toBe('fail');
    expect(r.scenarios[0]!.property!.counterexample!.datagram).toEqual({ bytes: expect.objectContaining({ length: 513 }) });
  });
});

describe('differential runs', () => {
  const same = scenario({
    covers: ['UHELLO-2'],
    transport: 'udp',
    process: 'reuse',
    runs: 40,
    generate: { d: { bytes: { min: 0, max: 2000 } } },
    steps: [{ connect: 'u' }, { send: { var: 'd' } }, { expect: { rest: true, within: 3000 } }],
  });
  const runAgainstReference = async (command: string) => {
    const target: Target = { name: 't', command, cwd: ROOT, readyTimeoutMs: 10_000 };
    const reference: Target = { name: 'reference', command: 'python3 fixtures/hello-udp/server/reference.py {port}', cwd: ROOT, readyTimeoutMs: 10_000 };
    return runPlan(planIds([{ scenario: same, target }]), { jobs: 1, strict: false, catalogue: await bundledCatalogue(), observers: [], signal: new AbortController().signal, seed: 5, reference });
  };

  it('pass where the program behaves as the reference does', async () => {
    expect(explain(await runAgainstReference('node dist/fixtures/hello-udp/server/reference.js {port}'))).toBe('');
  });

  it('report the smallest input on which the program and the reference differ', async () => {
    const r = await runAgainstReference('python3 fixtures/hello-udp/server/truncates-at-512.py {port}');
    const s = r.scenarios[0]!;
    expect(s.failure).toMatchObject({ code: 'differs-from-reference', message: expect.stringMatching(/^on u: datagram 1 differs from the reference's/) });
    expect(s.property!.counterexample!.d).toEqual({ bytes: expect.objectContaining({ length: 513 }) });
    expect(s.property!.replay).toContain("--reference 'python3 fixtures/hello-udp/server/reference.py {port}' --seed 5 --path ");
  });
});

describe('a property stopped by its time limit', () => {
  it('waits for the case under way and leaves no program running', async () => {
    const slow = scenario({ covers: ['ECHO-7'], process: 'reuse', 'time-limit': 1000, runs: 50, generate: { n: { integer: { min: 0, max: 9 } } }, steps: [{ connect: 'c' }, { wait: 300 }] });
    const target: Target = { name: 't', command: 'python3 fixtures/echo-ack/server/reference.py {port}', cwd: ROOT, readyTimeoutMs: 10_000 };
    const r = await runPlan(planIds([{ scenario: slow, target }]), { jobs: 1, strict: false, catalogue: await bundledCatalogue(), observers: [], signal: new AbortController().signal, seed: 1 });
    expect(r.scenarios[0]!.property).toMatchObject({ interrupted: true });
    expect(r.scenarios[0]!.property!.runs).toBeLessThan(50);
    expect(listGroups()).toEqual([]);
  });
});
