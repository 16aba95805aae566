/**
 * `node dist/bench/profile-top.js FILE.cpuprofile [N]`: the N functions (15 unless
 * told) with the most self time in a V8 CPU profile (`node --cpu-prof`), and the N
 * with the most total time (self plus what they called), each with its file:line,
 * so that a bench's hot paths read without a profiler UI.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** `name file:line`, the file shortened to its path from the project (or node:) on. */
function where(f: CallFrame): string {
  const url = f.url.replace(/^file:\/\//, '').replace(/^.*\/(dist|node_modules)\//, '$1/');
  return `${f.functionName || '(anonymous)'} ${url || '(native)'}${url ? `:${f.lineNumber + 1}` : ''}`;
}

function main(): void {
  const [file, n = '15'] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: profile-top FILE.cpuprofile [N]\n');
    process.exit(2);
  }
  // Piped into `head`: the reader went away, which is no error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => process.exit(e.code === 'EPIPE' ? 0 : 1));
  const top = Number(n);
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  // A sample's time is the delta that follows it (V8 records the delta before each sample).
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i + 1] ?? 0));
  }
  const parent = new Map<number, number>();
  for (const node of p.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const key = where(byId.get(id)!.callFrame);
    self.set(key, (self.get(key) ?? 0) + us);
    // Total time: once per function on the stack, however often it recurs.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const k = where(byId.get(at)!.callFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + us);
    }
  }
  const all = p.endTime - p.startTime;
  const print = (title: string, m: Map<string, number>) => {
    process.stdout.write(`${title} (of ${(all / 1000).toFixed(0)} ms)\n`);
    for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      process.stdout.write(`${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / all).toFixed(1).padStart(5)}%  ${k}\n`);
    }
  };
  print('self time', self);
  process.stdout.write('\n');
  print('total time', total);
}

main();
