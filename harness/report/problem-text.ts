/**
 * What went wrong in one scenario, as plain printable lines shared by the console,
 * JUnit and GitHub reports: the coded message, the step, the requirements, the byte
 * difference, the notes, and the end of the transcript.
 */
import { describeDifference, escapeBytes, hexBytes } from '../codec/render.js';
import type { Failure, ScenarioResult, ShownValue, TranscriptEntry } from '../run/result.js';
import { makePrintableLine, makePrintableLines } from './printable-text.js';

/** How many transcript entries a report shows, and how many bytes of each (or of a lone expected/actual). */
export const TRANSCRIPT_TAIL_ENTRIES = 20;
export const SHOWN_BYTES = 120;

function describeBytes(which: 'expected' | 'actual', bytes: Uint8Array): string[] {
  return [`${which} (${bytes.length} bytes): ${escapeBytes(bytes, SHOWN_BYTES)}`, `${which} hex: ${hexBytes(bytes, SHOWN_BYTES)}`];
}

/** A one-line summary of why `result` did not pass: `code: first line of the message`. */
export function summariseProblem(result: Readonly<ScenarioResult>): string {
  if (result.failure) return makePrintableLine(`${result.failure.code}: ${result.failure.message.split(/\r?\n/)[0] ?? ''}`);
  if (result.outcome === 'skip') return makePrintableLine(`skipped: ${result.skipReason ?? 'no reason given'}`);
  return result.outcome;
}

/** The lines of one failure: coded message, step, requirements, byte difference. */
export function describeFailure(f: Readonly<Failure>): string[] {
  const lines: string[] = [];
  const [first = '', ...rest] = makePrintableLines(f.message);
  lines.push(`${makePrintableLine(f.code)}: ${first}`, ...rest.map((l) => `  ${l}`));
  if (f.stepLabel !== undefined || f.step !== undefined) lines.push(`step: ${makePrintableLine(f.stepLabel ?? `steps[${f.step}]`)}`);
  if (f.requirements.length) lines.push(`requirements: ${f.requirements.map(makePrintableLine).join(', ')}${f.level ? ` (as ${f.level})` : ''}`);
  if (f.expected && f.actual) lines.push(...describeDifference(f.expected, f.actual).split('\n'));
  else if (f.expected) lines.push(...describeBytes('expected', f.expected));
  else if (f.actual) lines.push(...describeBytes('actual', f.actual));
  return lines;
}

/**
 * Every detail of a failure or skip but the transcript: each failed check (message,
 * step, requirements, byte difference), each requirement's outcome where they differ,
 * the counterexample, the notes.
 */
export function describeProblem(result: Readonly<ScenarioResult>): string[] {
  const lines: string[] = [];
  const failures = result.failures?.length ? result.failures : result.failure ? [result.failure] : [];
  failures.forEach((f, i) => {
    const block = describeFailure(f);
    lines.push(...(failures.length > 1 ? [`failure ${i + 1} of ${failures.length}:`, ...block.map((l) => `  ${l}`)] : block));
  });
  if (result.outcome === 'skip') lines.push(`skipped: ${makePrintableLine(result.skipReason ?? 'no reason given')}`);
  lines.push(...describeOutcomes(result));
  // A loop, not a spread: a scenario can leave millions of notes.
  for (const l of describeNotes(result)) lines.push(l);
  return lines;
}

/** `notes:` and the scenario's notes, at most `limit` of them (then how many more there are); no lines without notes. */
export function describeNotes(result: Readonly<ScenarioResult>, limit = Infinity): string[] {
  if (result.notes.length === 0) return [];
  const lines = ['notes:'];
  const shown = Math.min(limit, result.notes.length);
  for (let i = 0; i < shown; i++) for (const l of makePrintableLines(result.notes[i]!)) lines.push(`  ${l}`);
  if (shown < result.notes.length) lines.push(`  … ${(result.notes.length - shown).toLocaleString('en-US')} more`);
  return lines;
}

/**
 * What the scenario's failures leave to say: each requirement's outcome (where they
 * are not all the scenario's, or some have a reason) and the counterexample.
 */
export function describeOutcomes(result: Readonly<ScenarioResult>): string[] {
  const lines: string[] = [];
  const outcomes = Object.entries(result.requirements);
  if (result.reasons || outcomes.some(([, o]) => o !== result.outcome)) {
    lines.push('requirement outcomes:');
    for (const [id, o] of outcomes) {
      const why = result.reasons?.[id];
      lines.push(`  ${makePrintableLine(id)}: ${o}${why ? ` (${makePrintableLine(why)})` : ''}`);
    }
  }
  const p = result.property;
  if (p?.counterexample) {
    lines.push(`counterexample (seed ${p.seed}, path ${makePrintableLine(p.path ?? '')}, shrunk ${p.shrinks} times, ${p.runs} runs):`);
    for (const [name, v] of Object.entries(p.counterexample)) lines.push(...describeValue(makePrintableLine(name), v).map((l) => `  ${l}`));
    if (p.replay) lines.push(`replay: ${makePrintableLine(p.replay)}`);
  }
  return lines;
}

/** A generated value of a counterexample: bytes as text and hex, a split as its pieces. */
export function describeValue(name: string, v: ShownValue): string[] {
  if ('bytes' in v) return [`${name} (${v.bytes.length} bytes): ${makePrintableLine(v.bytes.text)}`, `${name} hex: ${v.bytes.hex}`];
  if ('split' in v) return [`${name}: pieces of ${v.split.pieces.join(', ') || 'nothing'} bytes, ${v.split.pause} ms apart`];
  if ('text' in v) return [`${name}: ${JSON.stringify(v.text)}`];
  return [`${name}: ${v.integer}`];
}

/** One transcript entry as `t ms  kind  on  "data"  detail`, the connection padded to `onWidth`. */
export function formatTranscriptEntry(e: Readonly<TranscriptEntry>, onWidth = 0): string {
  const parts = [`${String(Math.round(e.t)).padStart(6)} ms`, e.kind.padEnd(8), makePrintableLine(e.on ?? '-').padEnd(onWidth)];
  if (e.data) parts.push(`"${escapeBytes(e.data, SHOWN_BYTES)}"`);
  if (e.detail) parts.push(makePrintableLine(e.detail));
  return parts.join('  ').trimEnd();
}

/** A heading and the last `limit` entries of `transcript`; no lines for an empty transcript. */
export function describeTranscriptTail(transcript: readonly Readonly<TranscriptEntry>[], limit = TRANSCRIPT_TAIL_ENTRIES): string[] {
  if (transcript.length === 0) return [];
  const tail = transcript.slice(-limit);
  const onWidth = Math.max(...tail.map((e) => makePrintableLine(e.on ?? '-').length));
  const heading = tail.length < transcript.length ? `transcript (last ${tail.length} of ${transcript.length} entries):` : `transcript (${transcript.length} entries):`;
  return [heading, ...tail.map((e) => formatTranscriptEntry(e, onWidth))];
}
