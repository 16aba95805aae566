/**
 * The program's stdin as something that never throws: writes after the program
 * exited or after close are dropped, and pipe errors (EPIPE) are absorbed.
 */
import type { Writable } from 'node:stream';

export interface Stdin {
  /** Write; false when stdin is closed or broken. */
  write(data: string | Uint8Array): boolean;
  /** End stdin once; later calls do nothing. */
  close(): void;
}

/** Wrap a child's stdin so that no write or close can throw or emit an unhandled error. */
export function createStdin(stream: Writable): Stdin {
  let broken = false;
  stream.on('error', () => {
    broken = true; // EPIPE / ECONNRESET once the reader is gone: nothing to deliver to.
  });
  const usable = () => !broken && !stream.destroyed && !stream.writableEnded;
  return {
    write(data) {
      if (!usable()) return false;
      try {
        stream.write(data);
        return true;
      } catch {
        return false;
      }
    },
    close() {
      if (!usable()) return;
      try {
        stream.end();
      } catch {
        // already gone
      }
    },
  };
}
