import { describe, expect, it } from 'vitest';
import { boundFailure, ENTRY_OVERHEAD, MIN_TRANSCRIPT_BYTES, RUN_TRANSCRIPT_BYTES, Transcript, TRANSCRIPT_BYTES, TRANSCRIPT_ENTRIES, transcriptBudget } from './transcript.js';

const kept = (t: ReturnType<Transcript['finish']>) => t.reduce((n, e) => n + (e.data?.length ?? 0), 0);

describe('Transcript', () => {
  it('keeps a quiet exchange whole, with no elided entry', () => {
    const t = new Transcript();
    t.add('connect', 'c', undefined, 'a -> b');
    t.add('send', 'c', Buffer.from('hello'));
    t.add('recv', 'c', Buffer.from('hello'));
    t.add('eof', 'c');
    const out = t.finish();
    expect(out.map((e) => e.kind)).toEqual(['connect', 'send', 'recv', 'eof']);
    expect(Buffer.from(out[2]!.data!).toString()).toBe('hello');
  });

  it('keeps the beginning and the end of a flood within the budget and says what it left out, where', () => {
    const t = new Transcript();
    t.add('connect', 'c');
    const chunk = Buffer.alloc(65536, 0x61);
    for (let i = 0; i < 2000; i++) t.add('recv', 'c', chunk); // 125 MiB
    t.add('close', 'c');
    const out = t.finish();
    expect(kept(out)).toBeLessThanOrEqual(TRANSCRIPT_BYTES);
    expect(kept(out)).toBeGreaterThan(TRANSCRIPT_BYTES / 2);
    expect(out[0]!.kind).toBe('connect');
    expect(out.at(-1)!.kind).toBe('close');
    // the last data before the close is kept
    expect(out.at(-2)!.kind).toBe('recv');
    expect(out.at(-2)!.detail).toMatch(/^65,536 bytes, the last [\d,]+ kept \(transcript limit\)$/);
    const elided = out.filter((e) => e.kind === 'elided');
    expect(elided).toHaveLength(1);
    expect(elided[0]!.detail).toMatch(/^[\d,]+ bytes in [\d,]+ entries not kept, between t=[\d.]+ ms and t=[\d.]+ ms \(transcript limit\)$/);
    // every byte is either kept or counted
    const counted = Number(elided[0]!.detail!.match(/^([\d,]+) bytes/)![1]!.replace(/,/g, ''));
    expect(counted + kept(out)).toBe(2000 * 65536);
  });

  it('bounds a flood of tiny entries by count too', () => {
    const t = new Transcript();
    for (let i = 0; i < 50_000; i++) t.add('recv', 'c', Buffer.from([i & 0xff]));
    const out = t.finish();
    expect(out.length).toBeLessThanOrEqual(TRANSCRIPT_ENTRIES + 1);
    expect(out.find((e) => e.kind === 'elided')!.detail).toMatch(/^[\d,]+ bytes in [\d,]+ entries/);
    expect(out.at(-1)!.data![0]).toBe((50_000 - 1) & 0xff);
    // each entry costs its share of the bytes: a smaller budget keeps fewer
    const small = new Transcript(transcriptBudget(326));
    for (let i = 0; i < 50_000; i++) small.add('recv', 'c', Buffer.from([i & 0xff]));
    expect(small.finish().length).toBeLessThanOrEqual(transcriptBudget(326) / ENTRY_OVERHEAD + 1);
  });

  it('cuts an endless detail text', () => {
    const t = new Transcript();
    t.add('note', 'x', undefined, 'y'.repeat(1_000_000));
    expect(t.finish()[0]!.detail!.length).toBeLessThan(3000);
  });

  it('gives each scenario less when the run is large, within a run total, never below the floor', () => {
    expect(transcriptBudget(1)).toBe(TRANSCRIPT_BYTES);
    expect(transcriptBudget(326) * 326).toBeLessThanOrEqual(RUN_TRANSCRIPT_BYTES);
    expect(transcriptBudget(1_000_000)).toBe(MIN_TRANSCRIPT_BYTES);
    const t = new Transcript(transcriptBudget(326));
    for (let i = 0; i < 100; i++) t.add('recv', 'c', Buffer.alloc(65536));
    expect(kept(t.finish())).toBeLessThanOrEqual(transcriptBudget(326));
  });
});

describe('boundFailure', () => {
  it('keeps a window of expected and actual around the first difference, same offset in both', () => {
    const expected = Buffer.alloc(6 * 1024 * 1024, 0x61);
    const actual = Buffer.from(expected);
    actual[5_000_000] = 0x62;
    const f = boundFailure({ code: 'mismatch', message: 'differs', requirements: [], expected, actual, at: 5_000_000 });
    expect(f.expected!.length).toBeLessThanOrEqual(16 * 1024);
    expect(f.actual!.length).toBeLessThanOrEqual(16 * 1024);
    const from = Number(f.message.match(/from offset ([\d,]+)/)![1]!.replace(/,/g, ''));
    expect(f.actual![5_000_000 - from]).toBe(0x62);
    expect(f.expected![5_000_000 - from]).toBe(0x61);
    expect(f.message).toContain('expected 6,291,456, actual 6,291,456 bytes in all');
    expect(f.at).toBe(5_000_000);
  });

  it('leaves a small failure as it is', () => {
    const f = { code: 'mismatch', message: 'm', requirements: [], actual: Buffer.from('x') };
    expect(boundFailure(f)).toBe(f);
  });
});

describe('a differential run beyond the budget', () => {
  const stream = Buffer.alloc(2 * 1024 * 1024);
  for (let i = 0; i < stream.length; i++) stream[i] = (i * 7) & 0xff;
  function transcriptOf(bytes: Buffer, chunk: number): ReturnType<Transcript['finish']> {
    const t = new Transcript(undefined, undefined, true);
    t.add('connect', 'c');
    for (let at = 0; at < bytes.length; at += chunk) t.add('recv', 'c', bytes.subarray(at, at + chunk));
    t.add('eof', 'c');
    return t.finish();
  }

  it('agrees on the same stream cut into different pieces, and finds a byte that differs where nothing was kept', async () => {
    const { observe, compareObserved } = await import('./observation.js');
    const reference = observe(transcriptOf(stream, 65536));
    expect(compareObserved(reference, observe(transcriptOf(stream, 1000)), new Set())).toBeUndefined();
    const other = Buffer.from(stream);
    other[1_500_000]! ^= 1;
    expect(compareObserved(reference, observe(transcriptOf(other, 1000)), new Set())?.message).toBe('on c: the reference received 2097152 bytes, the program under test sent 2097152 bytes that differ (too long to keep whole: compared by digest)');
  });
});
