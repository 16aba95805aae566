/**
 * PATH with the real Python interpreter first: where `python3` on PATH is a version
 * manager's shim (pyenv, asdf: a shell script that looks up which Python to run), each
 * start of a Python program costs the shim's own processes too — about 100 ms of CPU
 * against 10–40 ms for the interpreter. The tests and the bench's bundled row start
 * hundreds of Python programs, so they run them with the interpreter the shim would
 * pick, found once by asking it (`sys.executable`). Nothing changes where `python3`
 * is the interpreter itself, or is missing.
 */
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/** Where `name` is found on `path`, or undefined. */
function onPath(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    try {
      return realpathSync(join(dir, name));
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** `path` with the folder of the interpreter `python3` resolves to put first, when PATH's `python3` is not that interpreter. */
export function pathWithPythonFirst(path = process.env.PATH ?? ''): { path: string; python?: string } {
  const found = onPath('python3', path);
  if (found === undefined) return { path };
  let executable: string;
  try {
    executable = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8', env: { ...process.env, PATH: path }, timeout: 10_000 }).trim();
  } catch {
    return { path };
  }
  if (!executable || realpathSync(executable) === found) return { path };
  return { path: `${dirname(executable)}${delimiter}${path}`, python: executable };
}
