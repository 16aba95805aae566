/**
 * The built CLI run as a user runs it, from any folder: `node <repo>/bin/sockspec.js`.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './helpers.js';

export interface CliRun {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** A TCP echo server in Python: `srv.py PORT [upper]` (with `upper`, a faulty one that answers in capitals). */
export const ECHO_SERVER = `import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', int(sys.argv[1])))
s.listen()
while True:
    c, _ = s.accept()
    while True:
        d = c.recv(4096)
        if not d:
            break
        c.sendall(d.upper() if len(sys.argv) > 2 else d)
    c.close()
`;

/** Run `sockspec ARGS` in `cwd`, console report only; killed after `limitMs`. `onSpawn` gets the child's pid. */
export function sockspec(args: string[], cwd: string, options: { limitMs?: number; onSpawn?: (pid: number) => void } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/sockspec.js'), ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.limitMs ?? 60_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('spawn', () => options.onSpawn?.(child.pid!));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
