/**
 * Bytes of JavaScript heap a piece of work allocates, garbage included, from V8's sampling
 * heap profiler (a sample every 512 bytes on average, so an estimate). Unlike time, it hardly
 * depends on the machine's load: a measure of the work per case that another run repeats.
 */
import { Session } from 'node:inspector/promises';

/** A node of V8's sampling heap profile: bytes allocated in a function, by call path. */
export interface SamplingNode {
  selfSize: number;
  children: SamplingNode[];
  callFrame: { functionName: string; url: string; lineNumber: number };
}

function sum(node: SamplingNode): number {
  let total = node.selfSize;
  for (const c of node.children) total += sum(c);
  return total;
}

/** The sampling heap profile of what `work` allocates, a sample every `intervalBytes` on average. */
export async function sampleAllocations(work: () => Promise<unknown>, intervalBytes = 512): Promise<SamplingNode> {
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.enable');
    // Objects a GC has collected since count too: most of what a case allocates is garbage by its end.
    await session.post('HeapProfiler.startSampling', { samplingInterval: intervalBytes, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    await work();
    const { profile } = await session.post('HeapProfiler.stopSampling');
    return profile.head as SamplingNode;
  } finally {
    session.disconnect();
  }
}

/** Bytes allocated while `work` runs, divided by `cases`. */
export async function bytesPerCase(cases: number, work: () => Promise<unknown>): Promise<number> {
  return sum(await sampleAllocations(work)) / cases;
}
