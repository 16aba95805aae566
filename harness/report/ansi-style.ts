/**
 * ANSI colours for the console, or none: every style is the identity when colour is off.
 */
import type { Outcome } from '../run/result.js';

export interface Style {
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
  /** The colour that goes with an outcome. */
  outcome(outcome: Outcome | 'uncovered', text: string): string;
}

function sgr(open: number, close: number): (text: string) => string {
  return (text) => `\x1b[${open}m${text}\x1b[${close}m`;
}

/** Styles that colour when `color` is true and leave text alone otherwise. */
export function createStyle(color: boolean): Style {
  const none = (text: string) => text;
  const red = color ? sgr(31, 39) : none;
  const green = color ? sgr(32, 39) : none;
  const yellow = color ? sgr(33, 39) : none;
  const dim = color ? sgr(2, 22) : none;
  const bold = color ? sgr(1, 22) : none;
  const byOutcome: Record<Outcome | 'uncovered', (text: string) => string> = {
    pass: green,
    info: green,
    fail: red,
    error: red,
    'non-strict': yellow,
    'not-run': yellow,
    skip: dim,
    uncovered: dim,
  };
  return { red, green, yellow, dim, bold, outcome: (o, text) => byOutcome[o](text) };
}
