/**
 * One call that checks the properties every codec should have, as fast-check
 * properties, and throws the smallest counterexample with the seed and path that
 * replay it. No test-runner imports: it works under vitest, `bun test` and `deno test`.
 */
import fc from 'fast-check';
import { CodecError } from './errors.js';
import type { Framer } from './framer.js';
import { sameValue } from './same-value.js';
import { cutBytes, cutPoints } from './struct-arbitrary.js';

/** The properties `assertCodec` checks (`split` only with a framer). */
export type CodecProperty = 'round-trip' | 'split' | 'truncation' | 'garbage';

const PROPERTIES: readonly CodecProperty[] = ['round-trip', 'split', 'truncation', 'garbage'];

/** A codec to check and how. */
export interface CodecCheck<T> {
  /** The bytes of one message. */
  encode(value: T): Uint8Array;
  /**
   * The message in `bytes`, or an error: a thrown `Error` (by default any but the
   * engine's own `TypeError`, `RangeError`, `ReferenceError`, `SyntaxError`, which are
   * crashes), or a result `isError` marks. May return a promise (see `timeoutMs`).
   */
  decode(bytes: Uint8Array): T | Promise<T>;
  /** The values to try (e.g. `structArbitrary(format)` mapped to your messages). */
  arbitrary: fc.Arbitrary<T>;
  /** The framing of messages on a stream; adds the `split` property. */
  framer?: Framer;
  /** Whether a decode result means "refused" (for decoders that return errors rather than throw). */
  isError?(result: T): boolean;
  /** Whether a thrown value is a proper refusal (default: see `decode`). */
  isRefusal?(thrown: unknown): boolean;
  /** Cases per property (default 100). */
  runs?: number;
  /** fast-check's seed (default: a random one, reported on failure). */
  seed?: number;
  /** With `seed` and `only`: the path of a failure to replay, as the failure message gives it. */
  path?: string;
  /** Check only this property (required with `path`). */
  only?: CodecProperty;
  /** Properties to leave out, e.g. `truncation` for a codec whose prefixes can be whole messages. */
  skip?: readonly CodecProperty[];
  /**
   * Longest wait for an asynchronous decode, in ms (default 1000). A synchronous
   * decode that never returns cannot be interrupted: it blocks the check itself.
   */
  timeoutMs?: number;
  /** Most messages on a stream for `split` (default 8). */
  maxMessages?: number;
}

/** A codec property that does not hold: the property, the shrunk case, and how to replay it. */
export class CodecPropertyFailure extends Error {
  readonly property: CodecProperty;
  readonly seed: number;
  readonly path: string;
  readonly counterexample: unknown;

  constructor(property: CodecProperty, message: string, details: { seed: number; path: string; counterexample: unknown }) {
    super(message);
    this.name = 'CodecPropertyFailure';
    this.property = property;
    this.seed = details.seed;
    this.path = details.path;
    this.counterexample = details.counterexample;
  }
}

/** What one decode call did. */
type Attempt<T> = { kind: 'value'; value: T } | { kind: 'refused' } | { kind: 'crash'; reason: string };

const ENGINE_ERRORS: readonly unknown[] = [TypeError, RangeError, ReferenceError, SyntaxError];

function defaultRefusal(thrown: unknown): boolean {
  return thrown instanceof Error && !ENGINE_ERRORS.includes(thrown.constructor);
}

function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return `${thrown.name}: ${thrown.message}`;
  return `a non-Error (${fc.stringify(thrown)})`;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** Decode `bytes` (a copy) once, bounded by `timeoutMs` when the decoder is asynchronous. */
async function attempt<T>(check: CodecCheck<T>, bytes: Uint8Array): Promise<Attempt<T>> {
  const isRefusal = check.isRefusal ?? defaultRefusal;
  const thrown = (e: unknown): Attempt<T> => (isRefusal(e) ? { kind: 'refused' } : { kind: 'crash', reason: `decode threw ${describeThrown(e)}` });
  let value: T;
  try {
    const result = check.decode(bytes.slice());
    if (isThenable(result)) {
      const ms = check.timeoutMs ?? 1000;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const hang = new Promise<'hang'>((resolve) => {
        timer = setTimeout(() => resolve('hang'), ms);
      });
      try {
        const settled = await Promise.race([Promise.resolve(result).then((v) => ({ v })), hang]);
        if (settled === 'hang') return { kind: 'crash', reason: `decode did not settle within ${ms} ms` };
        value = settled.v as T;
      } finally {
        clearTimeout(timer);
      }
    } else value = result;
  } catch (e) {
    return thrown(e);
  }
  return check.isError?.(value) ? { kind: 'refused' } : { kind: 'value', value };
}

const show = (v: unknown) => fc.stringify(v);

/** decode(encode(x)) deep-equals x. */
function roundTrip<T>(check: CodecCheck<T>) {
  return fc.asyncProperty(check.arbitrary, async (value) => {
    const got = await attempt(check, check.encode(value));
    if (got.kind === 'crash') throw new Error(`decoding the encoding of the value: ${got.reason}`);
    if (got.kind === 'refused') throw new Error('decode refused the encoding of the value');
    if (!sameValue(got.value, value)) throw new Error(`decode(encode(value)) gave ${show(got.value)}`);
  });
}

/** Any cut of a framed stream of messages decodes, through the framer, to the same messages. */
function split<T>(check: CodecCheck<T>, framer: Framer) {
  const values = fc.array(check.arbitrary, { minLength: 1, maxLength: check.maxMessages ?? 8 });
  return fc.asyncProperty(values, fc.array(fc.nat(), { maxLength: 16 }), async (messages, seeds) => {
    const frames = messages.map((m) => framer.encode(check.encode(m)));
    const stream = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    frames.reduce((at, f) => (stream.set(f, at), at + f.length), 0);
    const decoder = framer.decoder();
    const got: Uint8Array[] = [];
    const splits = cutPoints(stream.length, seeds);
    for (const piece of cutBytes(stream, splits)) got.push(...decoder.push(piece));
    decoder.end();
    if (got.length !== messages.length) throw new Error(`the stream cut at ${show(splits)} gave ${got.length} messages, not ${messages.length} (${framer.description})`);
    for (const [i, frame] of got.entries()) {
      const one = await attempt(check, frame);
      if (one.kind !== 'value') throw new Error(`message ${i} of the stream cut at ${show(splits)}: ${one.kind === 'crash' ? one.reason : 'decode refused it'}`);
      if (!sameValue(one.value, messages[i])) throw new Error(`message ${i} of the stream cut at ${show(splits)} decoded to ${show(one.value)}`);
    }
  });
}

/** Every strict prefix of an encoding is refused, without a crash or a hang. */
function truncation<T>(check: CodecCheck<T>) {
  return fc.asyncProperty(check.arbitrary, fc.nat(), async (value, at) => {
    const bytes = check.encode(value);
    fc.pre(bytes.length > 0);
    const cut = at % bytes.length;
    const got = await attempt(check, bytes.subarray(0, cut));
    if (got.kind === 'crash') throw new Error(`decoding the first ${cut} of ${bytes.length} bytes: ${got.reason}`);
    if (got.kind === 'value') throw new Error(`decode accepted the first ${cut} of ${bytes.length} bytes and gave ${show(got.value)}`);
  });
}

/** Random bytes, and encodings with bytes changed, cut or added, give a value or an error: never a crash or a hang. */
function garbage<T>(check: CodecCheck<T>) {
  const edited = fc
    .tuple(check.arbitrary, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(), fc.uint8Array({ maxLength: 8 }))
    .map(([value, edits, keep, tail]) => {
      const bytes = check.encode(value);
      for (const [at, b] of edits) if (bytes.length > 0) bytes[at % bytes.length] = b;
      return Uint8Array.from([...bytes.subarray(0, keep % (bytes.length + 1)), ...tail]);
    });
  return fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 64 }), edited), async (bytes) => {
    const got = await attempt(check, bytes);
    if (got.kind === 'crash') throw new Error(got.reason);
  });
}

function checkOptions<T>(check: CodecCheck<T>): CodecProperty[] {
  if (typeof check?.encode !== 'function' || typeof check.decode !== 'function' || typeof check.arbitrary?.generate !== 'function') {
    throw new CodecError('bad-codec-check', 'assertCodec needs encode, decode and a fast-check arbitrary');
  }
  for (const p of [check.only, ...(check.skip ?? [])]) {
    if (p !== undefined && !PROPERTIES.includes(p)) throw new CodecError('bad-codec-check', `no codec property ${JSON.stringify(p)}: the properties are ${PROPERTIES.join(', ')}`);
  }
  if (check.path !== undefined && (check.only === undefined || check.seed === undefined)) {
    throw new CodecError('bad-codec-check', 'a path replays one failure: give it with the seed and the property (only) the failure message names');
  }
  return PROPERTIES.filter((p) => (check.only === undefined || p === check.only) && !(check.skip ?? []).includes(p) && (p !== 'split' || check.framer !== undefined));
}

/**
 * Check a codec's properties, each over `runs` cases: `round-trip` (decode(encode(x))
 * deep-equals x), `split` with a framer (a stream of several framed messages, cut
 * anywhere, decodes through the framer's decoder to the same messages), `truncation`
 * (every strict prefix of an encoding is refused) and `garbage` (random and damaged
 * bytes give a value or a refusal). A crash — an engine `TypeError`/`RangeError`…, a
 * thrown non-Error — or an asynchronous decode not settling within `timeoutMs` fails
 * any of them. A synchronous decode that loops forever cannot be stopped from inside
 * the process: it hangs the check (let your test runner's timeout catch it).
 * Throws `CodecPropertyFailure` with the shrunk counterexample, its seed and path,
 * and the call that replays it; `CodecError` `bad-codec-check` for bad options.
 */
export async function assertCodec<T>(check: CodecCheck<T>): Promise<void> {
  const properties = checkOptions(check);
  for (const property of properties) {
    const prop = property === 'round-trip' ? roundTrip(check) : property === 'split' ? split(check, check.framer!) : property === 'truncation' ? truncation(check) : garbage(check);
    const params: fc.Parameters<unknown[]> = { numRuns: check.runs ?? 100 };
    if (check.seed !== undefined) params.seed = check.seed;
    if (check.path !== undefined) params.path = check.path;
    const details = await fc.check(prop as fc.IAsyncProperty<unknown[]>, params);
    if (!details.failed) continue;
    const reason = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    const path = details.counterexamplePath ?? '';
    const counterexample = details.counterexample?.length === 1 ? details.counterexample[0] : details.counterexample;
    throw new CodecPropertyFailure(
      property,
      [
        `codec property "${property}" does not hold: ${reason}`,
        `counterexample: ${show(counterexample)}`,
        `found after ${details.numRuns} run${details.numRuns === 1 ? '' : 's'}, shrunk ${details.numShrinks} time${details.numShrinks === 1 ? '' : 's'}; seed ${details.seed}, path "${path}"`,
        `replay: assertCodec({ ...yourCodec, only: '${property}', seed: ${details.seed}, path: '${path}' })`,
      ].join('\n'),
      { seed: details.seed, path, counterexample },
    );
  }
}
