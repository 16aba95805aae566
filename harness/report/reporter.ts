/**
 * What a reporter is: optional lifecycle hooks that receive a run's results as they
 * come, the environment it is created in, and the error the report layer throws.
 * Reporters only present; they never run scenarios or choose the exit code.
 */
import type { RunResult, ScenarioResult } from '../run/result.js';

/** What is known when a run begins. */
export interface RunStartInfo {
  scenarios: number;
  targets: string[];
  startedAt: string;
}

/** Lifecycle hooks, all optional, awaited in turn by the run. Results are read-only. */
export interface Reporter {
  onRunStart?(info: Readonly<RunStartInfo>): Promise<void>;
  onScenarioStart?(id: string): Promise<void>;
  onScenarioEnd?(result: Readonly<ScenarioResult>): Promise<void>;
  onRunEnd?(run: Readonly<RunResult>): Promise<void>;
}

/** The terminal (or pipe) a reporter writes to when it is given no file. */
export type ReportStdout = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** Where reporters are created: standard output, the directory files are relative to, colour. */
export interface ReporterEnv {
  stdout: ReportStdout;
  cwd: string;
  /** Whether ANSI colours may be used on `stdout` (never in files). */
  color: boolean;
}

/** A coded problem with a reporter (`unknown-reporter`, `missing-report-file`, `report-write-failed`); the hint is repeated in the message. */
export class ReportError extends Error {
  readonly code: string;
  readonly hint: string | undefined;

  constructor(code: string, message: string, hint?: string) {
    super(hint ? `${message} (${hint})` : message);
    this.name = 'ReportError';
    this.code = code;
    this.hint = hint;
  }
}
