/**
 * The one error type of the process layer: a bad command line, a platform that
 * lacks what a probe needs, no free port. `code` is stable; the message says why.
 */

/** A process-layer problem; `code` names its kind (`bad-command`, `no-free-port`, `unsupported-platform`). */
export class ProcessError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'ProcessError';
    this.code = code;
  }
}
