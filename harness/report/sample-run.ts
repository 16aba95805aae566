/**
 * Hand-built results for the report layer's tests: one scenario of each outcome, a
 * transcript with hostile bytes (NUL, invalid UTF-8, `]]>`, `<&>`, U+0001), a run,
 * a captured standard output and a replay of a run through a reporter's hooks.
 */
import { Writable } from 'node:stream';
import type { Outcome, RunResult, ScenarioResult, TranscriptEntry } from '../run/result.js';
import type { Reporter } from './reporter.js';

const bytes = (...parts: (string | number[])[]) => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'utf8')] : p)));

/** Bytes no report may pass through raw: NUL, `ff fe`, `]]>`, `<&>`, U+0001, a quote and an apostrophe. */
export const HOSTILE_BYTES = bytes('a', [0], 'b', [0xff, 0xfe], ']]>', '<&>', [0x01], '"\'\n');

/** A transcript of a short exchange whose received data is `HOSTILE_BYTES`. */
export function sampleTranscript(): TranscriptEntry[] {
  return [
    { t: 0, kind: 'start', on: 'server', detail: 'python3 server.py 40001' },
    { t: 3.4, kind: 'connect', on: 'c' },
    { t: 5, kind: 'send', on: 'c', data: bytes('hello\n') },
    { t: 9.6, kind: 'recv', on: 'c', data: HOSTILE_BYTES },
    { t: 10, kind: 'stderr', on: 'server', data: bytes('warn: \x1b[31mred\x1b[0m\n') },
    { t: 12, kind: 'error', on: 'c', detail: 'read ECONNRESET \u0001 ]]> \uD800' },
  ];
}

/** A scenario result of `outcome`, with a failure where the outcome implies one. */
export function sampleScenario(outcome: Outcome, file = 'scenarios/echo-ack/server/hello.yaml', target = 'python'): ScenarioResult {
  const covers = ['ECHO-4', 'ECHO-5'];
  const r: ScenarioResult = {
    id: `${file} [${target}]`,
    file,
    name: 'hello',
    target,
    covers,
    outcome,
    requirements: Object.fromEntries(covers.map((id) => [id, outcome])),
    durationMs: 1234,
    notes: [],
    transcript: sampleTranscript(),
  };
  if (outcome === 'fail' || outcome === 'non-strict' || outcome === 'info') {
    r.failure = {
      code: 'mismatch',
      message: 'expected "hello\\n", got "a\\0b\\xff\\xfe]]><&>"\nsecond line with \u0001 and ]]> <&>',
      step: 3,
      stepLabel: 'steps[3] expect',
      requirements: ['ECHO-4'],
      expected: bytes('hello\n'),
      actual: HOSTILE_BYTES,
      at: 0,
      line: 12,
    };
    // A broken SHOULD or INFO check gives its scenario that outcome.
    if (outcome !== 'fail') r.failure.level = outcome === 'info' ? 'INFO' : 'SHOULD';
    r.steps = [
      { label: 'steps[0] connect', line: 4, outcome: 'pass', t: 3 },
      { label: 'steps[1] send', line: 6, outcome: 'pass', t: 5 },
      { label: 'steps[2] expect', line: 8, outcome: 'pass', t: 5.2, runs: 2 },
      { label: 'steps[3] expect', line: 12, outcome: 'fail', t: 9 },
      { label: 'steps[4] close', line: 14, outcome: 'not-run' },
    ];
  }
  if (outcome === 'info') r.notes = ['server answered with <&> "quoted" \u0001'];
  if (outcome === 'error') r.failure = { code: 'exited-early', message: 'the program exited before listening (exit status 3); stderr: cannot bind: no luck', requirements: covers };
  if (outcome === 'skip') r.skipReason = 'needs a console & <stdin>';
  return r;
}

/** A run of one scenario per outcome in two folders, with its requirement summary and counts. */
export function sampleRun(options: { strict?: boolean } = {}): RunResult {
  const outcomes: Outcome[] = ['pass', 'fail', 'non-strict', 'info', 'skip', 'error'];
  const scenarios = outcomes.map((o, i) => sampleScenario(o, i < 3 ? `scenarios/echo-ack/server/${o}.yaml` : `scenarios/udp-time/server/${o}.yaml`));
  const counts = Object.fromEntries(outcomes.map((o) => [o, 1])) as Record<Outcome, number>;
  return {
    startedAt: '2024-05-01T12:00:00.000Z',
    durationMs: 4321,
    strict: options.strict ?? false,
    scenarios,
    requirements: [
      { id: 'ECHO-4', level: 'MUST', text: 'echo each line', outcome: 'fail', scenarios: scenarios.map((s) => s.id) },
      { id: 'ECHO-5', level: 'SHOULD', text: 'ack <each> line', outcome: 'non-strict', scenarios: scenarios.map((s) => s.id) },
      { id: 'TIME-2', level: 'INFO', text: 'time format', outcome: 'uncovered', scenarios: [] },
    ],
    exitCode: 1,
    counts,
  };
}

/** The sample run with each scenario also run against a second target, `typescript`, which passes everything but the failing one. */
export function sampleRunOfTwoTargets(): RunResult {
  const run = sampleRun();
  const second = run.scenarios.map((s) => {
    const t = sampleScenario(s.outcome === 'fail' ? 'fail' : s.outcome === 'skip' ? 'skip' : 'pass', s.file, 'typescript');
    return t;
  });
  run.scenarios = [...run.scenarios, ...second];
  for (const q of run.requirements) if (q.outcome !== 'uncovered') q.scenarios = run.scenarios.map((s) => s.id);
  run.counts.pass += 4;
  run.counts.fail += 1;
  run.counts.skip += 1;
  return run;
}

/**
 * A failed scenario with two broken checks: a SHOULD (ECHO-5, line 8) that let it go
 * on, then the MUST (ECHO-4, line 12) that ended it.
 */
export function sampleScenarioOfTwoFailures(file = 'scenarios/echo-ack/server/two.yaml', target = 'python'): ScenarioResult {
  const r = sampleScenario('fail', file, target);
  const should = { code: 'mismatch', message: 'expected "I get it!", got "ok"', step: 2, stepLabel: 'steps[2] expect (line 8)', requirements: ['ECHO-5'], level: 'SHOULD' as const, line: 8 };
  r.requirements = { 'ECHO-4': 'fail', 'ECHO-5': 'non-strict' };
  r.failures = [should, r.failure!];
  return r;
}

/** `r` as an expectation file lists it: expected to fail (`met` as given), with a reason and a link. */
export function withExpectation(r: ScenarioResult, met: boolean, expected: Outcome = 'fail'): ScenarioResult {
  r.expectation = { outcome: expected, reason: 'known bug: truncates long reads', link: 'https://example.org/issues/7', source: 'expectations/python.yaml:4', met };
  return r;
}

/** A stand-in for standard output that keeps what is written. */
export function captureStdout(options: { isTTY?: boolean; columns?: number } = {}) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  }) as Writable & { isTTY?: boolean; columns?: number };
  if (options.isTTY !== undefined) stream.isTTY = options.isTTY;
  if (options.columns !== undefined) stream.columns = options.columns;
  return { stream, chunks, text: () => chunks.join('') };
}

/** Call a reporter's hooks as a run of `run`'s scenarios, one at a time, would. */
export async function replayRun(reporter: Reporter, run: RunResult): Promise<void> {
  await reporter.onRunStart?.({ scenarios: run.scenarios.length, targets: [...new Set(run.scenarios.map((s) => s.target))], startedAt: run.startedAt });
  for (const s of run.scenarios) {
    await reporter.onScenarioStart?.(s.id);
    await reporter.onScenarioEnd?.(s);
  }
  await reporter.onRunEnd?.(run);
}
