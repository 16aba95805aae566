/**
 * A lock shared by every sockspec process on the machine (two test files, or two
 * CI jobs, testing programs on one fixed port): whoever listens on a named local
 * socket holds it. Waiters connect to the holder and try again when it goes, so
 * waiting is event-driven, and a holder that dies releases the lock with it.
 */
import { rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Linux has an abstract socket namespace (nothing on disk to clean up); elsewhere a socket file in the temp folder. */
function socketPath(name: string): string {
  return process.platform === 'linux' ? `\0sockspec-lock-${name}` : join(tmpdir(), `sockspec-lock-${name}.sock`);
}

/** Wait until the current holder of `path` lets go (or is found gone). */
function holderGone(path: string): Promise<void> {
  return new Promise((resolve) => {
    const c = connect(path);
    c.on('error', (e: NodeJS.ErrnoException) => {
      // A socket file with no listener left by a crash: remove it (never happens on Linux).
      if (e.code === 'ECONNREFUSED' && process.platform !== 'linux') rmSync(path, { force: true });
      resolve();
    });
    c.on('close', () => resolve());
  });
}

/** Hold the machine-wide lock `name`; resolves to its release. */
export async function lockMachineWide(name: string): Promise<() => void> {
  const path = socketPath(name);
  for (;;) {
    const waiters = new Set<Socket>();
    const server = createServer((c) => {
      waiters.add(c);
      c.on('error', () => {});
      c.on('close', () => waiters.delete(c));
    });
    const got = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      server.once('error', resolve);
      server.listen(path, () => resolve(undefined));
    });
    if (!got) {
      server.unref();
      return () => {
        server.close();
        for (const c of waiters) c.destroy();
      };
    }
    if (got.code !== 'EADDRINUSE') throw got;
    await holderGone(path);
  }
}
