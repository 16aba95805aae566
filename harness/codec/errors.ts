/**
 * The one error type of the codec layer: bad payloads, struct formats and
 * matcher arguments. `code` is stable for programs; the message says what to do.
 */

/** An input the codec cannot work with; `code` names the kind of problem. */
export class CodecError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'CodecError';
    this.code = code;
  }
}
