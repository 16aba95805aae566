/**
 * Reading the small files of /proc (a process's stat, its children, its environment)
 * into one buffer kept for all: a run reads tens of thousands of them, and
 * `readFileSync` gives each (the kernel says their size is 0) fresh buffers, and then
 * the garbage collector, to be done with.
 */
import { closeSync, openSync, readSync } from 'node:fs';

const shared = Buffer.allocUnsafe(64 * 1024);

/**
 * The bytes of a /proc file: a view of a buffer the next read reuses (whoever keeps
 * them copies them); a file larger than that buffer comes in one of its own. Throws as
 * `readFileSync` would (ENOENT for a process that is gone…).
 */
export function readProcView(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    let n = 0;
    for (let got; n < shared.length && (got = readSync(fd, shared, n, shared.length - n, null)) > 0; ) n += got;
    if (n < shared.length) return shared.subarray(0, n);
    // Larger than the buffer (an environment of more than 64 KiB): the rest in pieces of their own.
    const pieces = [Buffer.from(shared)];
    for (let got; (got = readSync(fd, shared, 0, shared.length, null)) > 0; ) pieces.push(Buffer.from(shared.subarray(0, got)));
    return Buffer.concat(pieces);
  } finally {
    closeSync(fd);
  }
}

/** The text of a /proc file, as latin1 (their text is ASCII, and a command line's bytes stay bytes). */
export function readProcText(path: string): string {
  return readProcView(path).toString('latin1');
}
