/**
 * Reading a scenario, include or catalogue file safely: only a regular file, never
 * more than MAX_FILE_BYTES, and never blocking on a FIFO or a device.
 */
import { constants } from 'node:fs';
import { lstat, open, realpath } from 'node:fs/promises';
import { MAX_FILE_BYTES } from './yaml-source.js';

/** Why a file could not be read: a diagnostic code and a message. */
export interface ReadProblem {
  code: 'not-a-file' | 'too-large' | 'unreadable' | 'not-found' | 'not-utf8';
  message: string;
}

function kindOf(s: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (s.isDirectory()) return 'a folder';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isSocket()) return 'a socket';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

const DECODER = new TextDecoder('utf-8', { fatal: true });

/**
 * The text of the regular file `abs`, or why not. A symlink is followed, but what it
 * points to must be a regular file too; the type is checked before the file is opened
 * for reading, and again on the open descriptor (O_NONBLOCK, so that a FIFO put in its
 * place meanwhile cannot block the open), and at most `limit` bytes are read.
 */
export async function readRegularFile(abs: string, limit = MAX_FILE_BYTES): Promise<{ text: string } | { problem: ReadProblem }> {
  const refuse = (code: ReadProblem['code'], message: string) => ({ problem: { code, message } });
  let target: string;
  try {
    await lstat(abs);
    target = await realpath(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? refuse('not-found', 'no such file') : refuse('unreadable', `cannot read it (${code ?? 'error'})`);
  }
  const s = await lstat(target).catch(() => undefined);
  if (!s) return refuse('not-found', 'no such file');
  if (!s.isFile()) return refuse('not-a-file', `it is ${kindOf(s)}, not a regular file`);
  if (s.size > limit) return refuse('too-large', `it has ${s.size} bytes; scenario files are limited to ${limit} bytes`);
  let fh;
  try {
    fh = await open(target, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    return refuse('unreadable', `cannot open it (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const fs2 = await fh.stat();
    if (!fs2.isFile()) return refuse('not-a-file', `it is ${kindOf(fs2)}, not a regular file`);
    // Read one byte past the limit, so that a file that grew since the check is still refused.
    const buf = Buffer.alloc(Math.min(limit, fs2.size) + 1);
    let got = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
      if (got === buf.length) {
        if (got > limit) return refuse('too-large', `it has more than ${limit} bytes; scenario files are limited to ${limit} bytes`);
        break;
      }
    }
    try {
      return { text: DECODER.decode(buf.subarray(0, got)) };
    } catch {
      return refuse('not-utf8', 'it is not UTF-8 text');
    }
  } catch (e) {
    return refuse('unreadable', `cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  } finally {
    await fh.close().catch(() => undefined);
  }
}
