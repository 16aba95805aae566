/**
 * Where a reporter's text goes: straight to standard output, or into a file (with
 * its parent folders) written as the report goes, a bounded piece at a time, so
 * that a large report is never held whole in memory.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ReportError, type ReportStdout } from './reporter.js';

/** Text kept before it is written to the file. */
const FILE_BUFFER_CHARS = 256 * 1024;

export interface ReportOutput {
  /** True only for a terminal: progress may be rewritten in place. */
  readonly tty: boolean;
  /** Width of the terminal, for lines that must not wrap. */
  readonly columns: number;
  /** Absolute path of the file, or undefined for standard output. */
  readonly path: string | undefined;
  write(text: string): void;
  /** Resolves once what was written has left memory (or is on its way), so that a long report can be written piece by piece. */
  drain(): Promise<void>;
  /** Flush standard output, or finish the file (created even when nothing was written). */
  finish(): Promise<void>;
}

/** Resolves once `stream` has taken `text` (errors such as a closed pipe are not the report's concern). */
function flush(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((done) => {
    stream.write(text, () => done());
  });
}

/** An output on standard output: text is written as it comes. */
export function openStdoutOutput(stdout: ReportStdout): ReportOutput {
  let full = false;
  return {
    tty: Boolean(stdout.isTTY),
    columns: stdout.columns && stdout.columns > 0 ? stdout.columns : 80,
    path: undefined,
    write(text) {
      if (!stdout.write(text)) full = true;
    },
    async drain() {
      if (!full) return;
      full = false;
      await flush(stdout, '');
    },
    finish: () => flush(stdout, ''),
  };
}

/** An output to `file` (relative to `cwd`): created at the first write, written in pieces of at most 256 KiB, closed by `finish`. */
export function openFileOutput(file: string, cwd: string): ReportOutput {
  const path = resolve(cwd, file);
  let pending: string[] = [];
  let pendingChars = 0;
  let fd: number | undefined;
  let problem: Error | undefined;
  const writeOut = () => {
    if (problem) return;
    try {
      if (fd === undefined) {
        mkdirSync(dirname(path), { recursive: true });
        fd = openSync(path, 'w');
      }
      if (pendingChars > 0) writeSync(fd, pending.join(''));
    } catch (e) {
      problem = e as Error;
    }
    pending = [];
    pendingChars = 0;
  };
  return {
    tty: false,
    columns: 120,
    path,
    write(text) {
      if (problem) return;
      pending.push(text);
      pendingChars += text.length;
      if (pendingChars >= FILE_BUFFER_CHARS) writeOut();
    },
    async drain() {},
    async finish() {
      writeOut();
      if (fd !== undefined) {
        try {
          closeSync(fd);
        } catch (e) {
          problem ??= e as Error;
        }
        fd = undefined;
      }
      if (problem) throw new ReportError('report-write-failed', `cannot write the report ${path}: ${problem.message}`);
    },
  };
}
