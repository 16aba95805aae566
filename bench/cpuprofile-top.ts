/**
 * `node dist/bench/cpuprofile-top.js FILE|DIR… [--top N] [--total]`: the functions with
 * the most self time in V8 CPU profiles (`node --cpu-prof`), one table over every profile
 * given (a folder: each .cpuprofile in it; a run writes one per thread). Self time of a
 * sample is the interval until the next one; idle time is left out of the table and of
 * the %. `--total`: time with callees (each sample counted once per function on its stack).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const maps = new Map<string, SourceMap | undefined>();

/** The source map next to a compiled file (tsc's `FILE.js.map`), if any. */
function sourceMapOf(path: string): SourceMap | undefined {
  if (!maps.has(path)) {
    const file = `${path}.map`;
    maps.set(path, existsSync(file) ? new SourceMap(JSON.parse(readFileSync(file, 'utf8'))) : undefined);
  }
  return maps.get(path);
}

/** Where a function is: `path:line` relative to the working folder (in its TypeScript source when a map says), or `(native)`. */
function place(frame: ProfileNode['callFrame']): string {
  if (!frame.url) return '(native)';
  if (!frame.url.startsWith('file://')) return `${frame.url}:${frame.lineNumber + 1}`;
  const path = fileURLToPath(frame.url);
  const entry = sourceMapOf(path)?.findEntry(frame.lineNumber, frame.columnNumber);
  if (entry && 'originalSource' in entry) {
    const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : resolve(dirname(path), entry.originalSource);
    return `${relative(process.cwd(), source)}:${entry.originalLine + 1}`;
  }
  return `${relative(process.cwd(), path)}:${frame.lineNumber + 1}`;
}

/** Self time in µs per function (name and place), added into `into`; with `total`, the time of every sample with the function on its stack. */
export function selfTimes(profile: Profile, into = new Map<string, number>(), total = false): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  if (total) for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (frame: ProfileNode['callFrame']) => `${frame.functionName || '(anonymous)'}\t${place(frame)}`;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const leaf = byId.get(profile.samples[i]!)!;
    const keys = new Set([keyOf(leaf.callFrame)]);
    // The root frame is on every stack, idle ones too: it would only repeat the total.
    if (total && leaf.callFrame.functionName !== '(idle)') for (let id = parent.get(leaf.id); id !== undefined && parent.has(id); id = parent.get(id)) keys.add(keyOf(byId.get(id)!.callFrame));
    for (const key of keys) into.set(key, (into.get(key) ?? 0) + dt);
  }
  return into;
}

function profileFiles(args: string[]): string[] {
  return args.flatMap((a) =>
    statSync(a).isDirectory()
      ? readdirSync(a)
          .filter((f) => f.endsWith('.cpuprofile'))
          .sort()
          .map((f) => join(a, f))
      : [a],
  );
}

function main(argv: string[]): void {
  const at = argv.indexOf('--top');
  const top = at >= 0 ? Number(argv[at + 1]) : 15;
  const total = argv.includes('--total');
  const files = profileFiles(argv.filter((a, i) => a !== '--total' && (at < 0 || (i !== at && i !== at + 1))));
  if (files.length === 0) {
    process.stderr.write('usage: cpuprofile-top FILE|DIR… [--top N] [--total]\n');
    process.exit(2);
  }
  // The table may be cut short by its reader (`| head`): that ends the listing, not with an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(0);
  });
  const times = new Map<string, number>();
  const self = total ? new Map<string, number>() : times;
  for (const f of files) {
    const profile = JSON.parse(readFileSync(f, 'utf8')) as Profile;
    selfTimes(profile, self);
    if (total) selfTimes(profile, times, true);
  }
  const idle = self.get('(idle)\t(native)') ?? 0;
  self.delete('(idle)\t(native)');
  times.delete('(idle)\t(native)');
  const busy = [...self.values()].reduce((a, b) => a + b, 0);
  process.stdout.write(`${files.length} profile(s): ${(busy / 1000).toFixed(0)} ms busy, ${(idle / 1000).toFixed(0)} ms idle\n`);
  process.stdout.write(`${(total ? 'total ms' : 'self ms').padStart(9)} ${'%'.padStart(6)}  function  place\n`);
  for (const [key, us] of [...times].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    const [name, where] = key.split('\t');
    process.stdout.write(`${(us / 1000).toFixed(1).padStart(9)} ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${name}  ${where}\n`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
