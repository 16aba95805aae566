/**
 * Where a reporter's text goes: straight to standard output, or into a file that is
 * written once, with its parent folders, when the report is finished.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ReportError, type ReportStdout } from './reporter.js';

export interface ReportOutput {
  /** True only for a terminal: progress may be rewritten in place. */
  readonly tty: boolean;
  /** Width of the terminal, for lines that must not wrap. */
  readonly columns: number;
  /** Absolute path of the file, or undefined for standard output. */
  readonly path: string | undefined;
  write(text: string): void;
  /** Flush standard output, or write the whole file. */
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
  return {
    tty: Boolean(stdout.isTTY),
    columns: stdout.columns && stdout.columns > 0 ? stdout.columns : 80,
    path: undefined,
    write(text) {
      stdout.write(text);
    },
    finish: () => flush(stdout, ''),
  };
}

/** An output to `file` (relative to `cwd`): text is kept and written once by `finish`. */
export function openFileOutput(file: string, cwd: string): ReportOutput {
  const path = resolve(cwd, file);
  const chunks: string[] = [];
  return {
    tty: false,
    columns: 120,
    path,
    write(text) {
      chunks.push(text);
    },
    async finish() {
      try {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, chunks.join(''), 'utf8');
      } catch (e) {
        throw new ReportError('report-write-failed', `cannot write the report ${path}: ${(e as Error).message}`);
      }
    },
  };
}
