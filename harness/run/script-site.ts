/**
 * Where in a TS scenario's script something happened: the first frame of a stack
 * trace in the scenario's own file, as `file:line` (the .ts line: the harness turns on
 * source maps before it loads a TS scenario).
 */
import { fileURLToPath } from 'node:url';

/** One frame's location: `(path:line:col)` or `at path:line:col`, the path maybe a file: URL with a query. */
const FRAME = /^\s*at (?:.*\()?(.+?):(\d+):\d+\)?$/;

/** `file:line` of the first frame of `stack` in `file` (as shown in reports, relative or absolute), or undefined. */
export function scriptSite(stack: string | undefined, file: string): string | undefined {
  const tail = file.replace(/^\.\//, '').replace(/\\/g, '/');
  for (const line of (stack ?? '').split('\n')) {
    const m = FRAME.exec(line);
    if (!m) continue;
    let path = m[1]!.replace(/\?.*$/, '');
    if (path.startsWith('file:')) path = fileURLToPath(path);
    path = path.replace(/\\/g, '/');
    if (path === tail || path.endsWith(`/${tail}`)) return `${file}:${m[2]}`;
  }
  return undefined;
}
