/**
 * Differential runs (`--reference CMD`): the same case against a reference
 * implementation and against the program under test; the program fails where what
 * it observably does differs from what the reference did.
 */
import type { Scenario, Step } from '../scenario/model.js';
import type { ScenarioResult } from './result.js';
import { compareObserved, observe } from './observation.js';
import { runScenario, type ProgramSource, type ScenarioRunOptions } from './run-scenario.js';
import { judge } from './verdict.js';
import { boundFailure } from './transcript.js';

export interface ReferenceOptions {
  source: ProgramSource;
  name: string;
}

/** Names of the UDP sockets a scenario's steps open (their datagrams compare one by one). */
function udpNames(steps: Step[], into = new Set<string>()): Set<string> {
  for (const s of steps) {
    const a = s.action;
    if ((a.verb === 'connect' || a.verb === 'accept') && a.transport === 'udp') into.add(a.name);
    else if (a.verb === 'parallel') a.branches.forEach((b) => udpNames(b, into));
    else if (a.verb === 'repeat') udpNames(a.steps, into);
  }
  return into;
}

/** One run of `scenario`; with a reference, also against it, and a failure where the two differ. */
export async function runCase(scenario: Scenario, opts: ScenarioRunOptions & { reference?: ReferenceOptions }): Promise<ScenarioResult> {
  if (!opts.reference) return runScenario(scenario, opts);
  const ref = await runScenario(scenario, Object.assign({}, opts, { transcriptDigests: true, source: opts.reference.source, target: opts.reference.name, id: `${opts.id} (reference)` }));
  if (ref.outcome !== 'pass' && ref.outcome !== 'info') {
    const why = ref.failure ? `${ref.failure.code}: ${ref.failure.message}` : ref.outcome;
    const message = `the reference implementation does not pass this scenario itself (${why}): the scenario, not the program, needs a look`;
    return { ...ref, id: opts.id, target: opts.target, outcome: 'error', requirements: Object.fromEntries(scenario.covers.map((id) => [id, 'error' as const])), failure: { code: 'reference-failed', message, requirements: scenario.covers } };
  }
  // Not `{ ...opts, transcriptDigests }`: a literal that starts with a spread and adds fields costs microseconds in Node 20.
  const r = await runScenario(scenario, Object.assign({}, opts, { transcriptDigests: true }));
  if (r.outcome !== 'pass' && r.outcome !== 'info') return r;
  const diff = compareObserved(observe(ref.transcript), observe(r.transcript), udpNames(scenario.steps));
  if (!diff) return r;
  const failure = boundFailure({ code: 'differs-from-reference', message: diff.message, requirements: scenario.covers, ...(diff.expected ? { expected: diff.expected } : {}), ...(diff.actual ? { actual: diff.actual } : {}) });
  const failures = [...(r.failures ?? []), failure];
  const { reasons, ...verdict } = judge(scenario, { failures, ended: failure, checks: new Map() }, opts.catalogue);
  return { ...r, ...verdict, ...(Object.keys(reasons).length ? { reasons } : {}), failure, failures, notes: [...r.notes, `compared with the reference ${opts.reference.name}`] };
}
