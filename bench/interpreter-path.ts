/**
 * PATH with a bare Python first, for the tests and the bench's bundled row, which start
 * hundreds to thousands of Python programs (the reference implementations and the faulty
 * fixtures, written for the standard library alone):
 * - where `python3` on PATH is a version manager's shim (pyenv, asdf: a shell script that
 *   looks up which Python to run), each start costs the shim's own processes too, about
 *   100 ms of CPU against 10–40 ms for the interpreter;
 * - an interpreter's start also imports whatever its site-packages' `.pth` files say (a
 *   host's certificate patch, setuptools' distutils hack: 50 ms of a 65 ms start here).
 * So they run `python3` from a virtual environment of the interpreter the shim would pick
 * (found once by asking it, `sys.executable`), made without pip and without the system's
 * site-packages: the same interpreter and standard library, started in about 15 ms. It is
 * made once, under `cacheDir`. Where it cannot be made, the interpreter's own folder goes
 * first instead; nothing changes where `python3` is missing.
 *
 * Node programs have a tax of their own where NODE_EXTRA_CA_CERTS names a certificate
 * bundle: Node reads and parses it at every start (144 certificates: about 120 ms, twice
 * the start of `node -e ''`). Nothing the tests or the bench start talks to anything but
 * loopback, nor trusts a certificate from outside the test that made it, so
 * `programEnvironment` leaves it out.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, realpathSync, renameSync, rmSync } from 'node:fs';
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

/** The `bin` folder of a bare virtual environment of `executable` under `cacheDir`, made if missing; undefined where it cannot be made. */
function bareEnvironment(executable: string, cacheDir: string): string | undefined {
  const key = createHash('sha256').update(realpathSync(executable)).digest('hex').slice(0, 16);
  const dir = join(cacheDir, `python-${key}`);
  const bin = join(dir, 'bin');
  // existsSync follows the link: an environment whose interpreter is gone is made again.
  if (existsSync(join(bin, 'python3'))) return bin;
  // Made aside and renamed into place, so that a process making it while another does never sees half of one,
  // nor has the one it uses replaced.
  const aside = `${dir}.${process.pid}`;
  try {
    mkdirSync(cacheDir, { recursive: true });
    rmSync(aside, { recursive: true, force: true });
    execFileSync(executable, ['-m', 'venv', '--without-pip', aside], { stdio: 'ignore', timeout: 30_000 });
    if (existsSync(dir) && !existsSync(join(bin, 'python3'))) rmSync(dir, { recursive: true, force: true }); // a broken one
    renameSync(aside, dir);
  } catch {
    // Another process put its own in place first (the rename found the folder taken), or the environment could not be made.
  } finally {
    rmSync(aside, { recursive: true, force: true });
  }
  // The environment's interpreter answers from its own folder (venv's links name it by its prefix).
  return existsSync(join(bin, 'python3')) ? bin : undefined;
}

/**
 * `path` with a bare virtual environment's `bin` (or else the interpreter's own folder)
 * put first, and the interpreter found; `path` unchanged where `python3` is missing.
 */
function pathWithPythonFirst(path: string, cacheDir: string): { path: string; python?: string; bare?: boolean } {
  const found = onPath('python3', path);
  if (found === undefined) return { path };
  let executable: string;
  try {
    executable = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8', env: { ...process.env, PATH: path }, timeout: 10_000 }).trim();
  } catch {
    return { path };
  }
  if (!executable) return { path };
  const bare = bareEnvironment(executable, cacheDir);
  if (bare !== undefined) return { path: `${bare}${delimiter}${path}`, python: executable, bare: true };
  if (realpathSync(executable) === found) return { path };
  return { path: `${dirname(executable)}${delimiter}${path}`, python: executable };
}

/**
 * What the tests and the bench's bundled row change in the environment of the programs
 * they start: PATH as `pathWithPythonFirst` makes it, and NODE_EXTRA_CA_CERTS emptied
 * where it is set (Node reads no bundle then). `said` tells what was changed, for the bench.
 */
export function programEnvironment(cacheDir: string, env = process.env): { env: Record<string, string>; said: string[] } {
  const { path, python, bare } = pathWithPythonFirst(env.PATH ?? '', cacheDir);
  const out: Record<string, string> = { PATH: path };
  const said: string[] = [];
  if (bare) said.push(`python3 is started from a bare virtual environment of ${python} (no site-packages, as the references need)`);
  else if (python) said.push(`python3 on PATH is a shim, not the interpreter: ${python} is started`);
  if (env.NODE_EXTRA_CA_CERTS) {
    out.NODE_EXTRA_CA_CERTS = '';
    said.push(`NODE_EXTRA_CA_CERTS (${env.NODE_EXTRA_CA_CERTS}) is left out: Node would read it at every start`);
  }
  return { env: out, said };
}
