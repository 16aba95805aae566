/**
 * `node dist/bench/cpuprofile-top.js FILE|DIR… [--top N]`: the functions with the most
 * self time in V8 CPU profiles (`node --cpu-prof`), one table over every profile given
 * (a folder: each .cpuprofile in it; a run writes one per thread). Self time of a sample
 * is the interval until the next one; idle time is left out of the table and of the %.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
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

/** Self time in µs per function (name and place), added into `into`. */
export function selfTimes(profile: Profile, into = new Map<string, number>()): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (let i = 0; i < profile.samples.length; i++) {
    const frame = byId.get(profile.samples[i]!)!.callFrame;
    const key = `${frame.functionName || '(anonymous)'}\t${place(frame)}`;
    into.set(key, (into.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
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
  const files = profileFiles(at >= 0 ? argv.filter((_, i) => i !== at && i !== at + 1) : argv);
  if (files.length === 0) {
    process.stderr.write('usage: cpuprofile-top FILE|DIR… [--top N]\n');
    process.exit(2);
  }
  const times = new Map<string, number>();
  for (const f of files) selfTimes(JSON.parse(readFileSync(f, 'utf8')) as Profile, times);
  const idle = times.get('(idle)\t(native)') ?? 0;
  times.delete('(idle)\t(native)');
  const busy = [...times.values()].reduce((a, b) => a + b, 0);
  process.stdout.write(`${files.length} profile(s): ${(busy / 1000).toFixed(0)} ms busy, ${(idle / 1000).toFixed(0)} ms idle\n`);
  process.stdout.write(`${'self ms'.padStart(9)} ${'%'.padStart(6)}  function  place\n`);
  for (const [key, us] of [...times].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    const [name, where] = key.split('\t');
    process.stdout.write(`${(us / 1000).toFixed(1).padStart(9)} ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${name}  ${where}\n`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
