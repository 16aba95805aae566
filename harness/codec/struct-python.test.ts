/**
 * Differential test against CPython: generated formats and values go through our
 * `calcSize`, `pack` and `unpack` and through Python's `struct` (one python3
 * process per batch, cases as JSON on stdin); bytes, values and "error or not" must
 * agree. Skipped, saying so, where python3 is not on the PATH.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, test } from 'vitest';
import { fc } from '@fast-check/vitest';
import { anyStructValueArb, codecErrorOf, isIntCode, structCaseArb, wildFormatArb } from '../../test/codec-properties.js';
import { fieldCodes, parseStructFormat } from './struct-format.js';
import { calcSize, pack, unpack, type StructValue } from './struct.js';

/** A value or result as both sides write it: an int, float bits, bytes or a bool. */
type Wire = { i: string } | { f: string } | { b: string } | { t: boolean };
type Case = { op: 'calcsize'; format: string } | { op: 'pack'; format: string; values: Wire[] } | { op: 'unpack'; format: string; bytes: string };
type Outcome = { ok: unknown } | { error: string };

const PYTHON_SCRIPT = String.raw`
import json, struct, sys
def value(v):
    if 'i' in v: return int(v['i'])
    if 'f' in v: return struct.unpack('>d', bytes.fromhex(v['f']))[0]
    if 'b' in v: return bytes.fromhex(v['b'])
    return v['t']
def wire(x):
    if isinstance(x, bool): return {'t': x}
    if isinstance(x, int): return {'i': str(x)}
    if isinstance(x, float): return {'f': 'nan' if x != x else struct.pack('>d', x).hex()}
    return {'b': x.hex()}
def run(c):
    try:
        if c['op'] == 'calcsize': return {'ok': str(struct.calcsize(c['format']))}
        if c['op'] == 'pack': return {'ok': struct.pack(c['format'], *map(value, c['values'])).hex()}
        return {'ok': [wire(x) for x in struct.unpack(c['format'], bytes.fromhex(c['bytes']))]}
    except Exception as e:
        return {'error': type(e).__name__}
json.dump([run(c) for c in json.load(sys.stdin)], sys.stdout)
`;

const PYTHON_TIMEOUT_MS = 30_000;
const hasPython = spawnSync('python3', ['-c', 'import json, struct'], { timeout: 10_000, stdio: 'ignore' }).status === 0;
const running = new Set<ChildProcess>();

/** Python's outcome for each case, from one python3 process (killed after the timeout). */
function runPython(cases: Case[]): Promise<Outcome[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-I', '-c', PYTHON_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    running.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`python3 did not answer ${cases.length} cases within ${PYTHON_TIMEOUT_MS} ms`));
    }, PYTHON_TIMEOUT_MS);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {}); // it died early: reported by 'close'
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      if (code !== 0) return reject(new Error(`python3 exited with ${code ?? signal}: ${Buffer.concat(err).toString()}`));
      try {
        resolve(JSON.parse(Buffer.concat(out).toString()) as Outcome[]);
      } catch (e) {
        reject(e);
      }
    });
    child.stdin.end(JSON.stringify(cases));
  });
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const floatBits = (x: number) => {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return hex(new Uint8Array(view.buffer));
};

/** The codes of a format's values, or undefined if we refuse the format. */
const codesOf = (format: string) => (codecErrorOf(() => parseStructFormat(format)) ? undefined : fieldCodes(parseStructFormat(format)));

/** A value as Python should see it: a number is an int where it packs as one, else a float. */
function toWire(v: StructValue, code: string | undefined): Wire {
  if (v instanceof Uint8Array) return { b: hex(v) };
  if (typeof v === 'boolean') return { t: v };
  if (typeof v === 'bigint') return { i: String(v) };
  const asFloat = code !== undefined && 'efd'.includes(code);
  return !asFloat && Number.isInteger(v) ? { i: String(BigInt(v)) } : { f: floatBits(v) };
}

/** An unpacked value as Python writes it (NaN as "nan": its bits are not compared). */
function fromUnpacked(v: StructValue, code: string): Wire {
  if (typeof v === 'number' && 'efd'.includes(code)) return { f: Number.isNaN(v) ? 'nan' : floatBits(v) };
  return isIntCode(code) ? { i: String(v) } : toWire(v, code);
}

/** The value a wire value stands for, as given to our `pack`. */
function fromWire(w: Wire): StructValue {
  if ('i' in w) return Number.isSafeInteger(Number(w.i)) ? Number(w.i) : BigInt(w.i);
  if ('f' in w) return new DataView(Uint8Array.from(Buffer.from(w.f, 'hex')).buffer).getFloat64(0);
  return 'b' in w ? Uint8Array.from(Buffer.from(w.b, 'hex')) : w.t;
}

/** Our outcome for a case. */
function runOurs(c: Case): Outcome {
  let ok: unknown;
  const error = codecErrorOf(() => {
    if (c.op === 'calcsize') ok = String(calcSize(c.format));
    else if (c.op === 'pack') ok = hex(pack(c.format, c.values.map(fromWire)));
    else ok = unpack(c.format, Uint8Array.from(Buffer.from(c.bytes, 'hex'))).map((v, k) => fromUnpacked(v, codesOf(c.format)![k]!));
  });
  return error ? { error: error.code } : { ok };
}

/**
 * Formats with a `0p` item are left out: CPython before the fix of gh-124248 (2024)
 * writes a stray 0xff byte packing one and raises SystemError unpacking it; ours,
 * as CPython since, packs nothing and unpacks b''.
 */
const hasZeroP = (format: string) => codesOf(format) !== undefined && parseStructFormat(format).items.some((it) => it.code === 'p' && it.count === 0);

/** Pack cases: valid values, one value swapped for anything, or format-like text with any values. */
const packArb: fc.Arbitrary<Case> = fc
  .oneof(
    structCaseArb.map(({ format, values }) => ({ format, values })),
    fc.tuple(structCaseArb, fc.nat(), anyStructValueArb).map(([{ format, values }, at, v]) => ({ format, values: values.map((x, k) => (k === at % values.length ? v : x)) })),
    wildFormatArb(2).chain((format) => {
      const n = codesOf(format)?.length;
      return fc.array(anyStructValueArb, n !== undefined && n <= 24 ? { minLength: n, maxLength: n } : { maxLength: 3 }).map((values) => ({ format, values }));
    }),
  )
  .filter(({ format }) => !hasZeroP(format))
  .map(({ format, values }) => ({ op: 'pack', format, values: values.map((v, k) => toWire(v, codesOf(format)?.[k])) }));

/** Unpack cases: a buffer of the format's size (sometimes one byte off) of any bytes. */
const unpackArb: fc.Arbitrary<Case> = fc
  .oneof(structCaseArb.map((c) => c.format), wildFormatArb(2))
  .filter((format) => !hasZeroP(format))
  .chain((format) => {
    const size = codesOf(format) ? calcSize(format) : 4;
    const length = fc.oneof({ weight: 5, arbitrary: fc.constant(size) }, { weight: 1, arbitrary: fc.constantFrom(Math.max(0, size - 1), size + 1) });
    return length.chain((n) => fc.uint8Array({ minLength: n, maxLength: n })).map((b): Case => ({ op: 'unpack', format, bytes: hex(b) }));
  });

/** calcsize cases: valid formats, or format-like text with counts up to 12 digits. */
const calcsizeArb: fc.Arbitrary<Case> = fc.oneof(structCaseArb.map((c) => c.format), wildFormatArb(12)).map((format) => ({ op: 'calcsize', format }));

/** Where our outcome and Python's differ (bytes, values, or error versus not) on `count` cases from `arb`. */
async function differences(arb: fc.Arbitrary<Case>, count: number) {
  const seed = fc.readConfigureGlobal().seed ?? (Date.now() ^ (Math.random() * 0x100000000)) | 0;
  const cases = fc.sample(arb, { numRuns: count, seed });
  const python = await runPython(cases);
  expect(python).toHaveLength(cases.length);
  const found = cases
    .map((c, k) => ({ c, ours: runOurs(c), py: python[k]! }))
    .filter(({ ours, py }) => ('error' in ours) !== ('error' in py) || ('ok' in ours && 'ok' in py && JSON.stringify(ours.ok) !== JSON.stringify(py.ok)))
    .map(({ c, ours, py }) => `${JSON.stringify(c)}: ours ${JSON.stringify(ours)}, python ${JSON.stringify(py)}`);
  return { seed, found: found.slice(0, 5) };
}

/** No difference, or the first few with the seed that replays them. */
async function expectAgreement(arb: fc.Arbitrary<Case>, count: number): Promise<void> {
  const { seed, found } = await differences(arb, count);
  expect(found, `differences from CPython (replay with fc.configureGlobal({ seed: ${seed} }))`).toEqual([]);
}

const title = hasPython ? 'struct against CPython struct' : 'struct against CPython struct (python3 not found: install it to run the differential test)';

describe.skipIf(!hasPython)(title, () => {
  afterEach(() => {
    for (const child of running) child.kill('SIGKILL');
    running.clear();
  });

  test('calcSize agrees with struct.calcsize, or both refuse the format', () => expectAgreement(calcsizeArb, 400));

  test('pack gives the bytes of struct.pack, or both refuse the values', () => expectAgreement(packArb, 500));

  test('unpack gives the values of struct.unpack, or both refuse the buffer', () => expectAgreement(unpackArb, 400));
});
