/**
 * What a crash leaves in a program's output: the stack trace an interpreter or
 * runtime prints when an exception or panic ends a program (or one of its threads).
 */

/** One kind of trace: its name, and a pattern that finds where it begins. */
const TRACES: { runtime: string; begins: RegExp }[] = [
  { runtime: 'Python traceback', begins: /^Traceback \(most recent call last\):$/m },
  // Node and Java print frames as `    at f (file.js:3:11)` / `\tat Main.main(Main.java:5)`.
  { runtime: 'Java exception', begins: /^Exception in thread "[^"\n]*" \S/m },
  { runtime: 'stack trace', begins: /^[^\n]*\n(?: {4}|\t)at \S[^\n]*(?::\d+(?::\d+)?\)?|\((?:native|<anonymous>)\))$/m },
  { runtime: 'Go panic', begins: /^(?:panic: |fatal error: )[^\n]*\n(?:[^\n]*\n){0,40}?goroutine \d+ \[/m },
  { runtime: 'Rust panic', begins: /^thread '[^'\n]*' panicked at /m },
  { runtime: 'Ruby exception', begins: /^[^\n]+:\d+:in [`'][^\n]*': [^\n]* \(\w+(?:::\w+)*\)$/m },
  { runtime: 'sanitizer report', begins: /^==\d+==ERROR: \w+Sanitizer/m },
];

/** How much of a trace a message quotes: its last characters, where the exception is named. */
const EXCERPT = 400;

/** The first crash trace in `text`, with the end of it (where the error is named); undefined if none. */
export function findCrashTrace(text: string): { runtime: string; excerpt: string } | undefined {
  let first: { runtime: string; at: number } | undefined;
  for (const t of TRACES) {
    const m = t.begins.exec(text);
    if (m && (first === undefined || m.index < first.at)) first = { runtime: t.runtime, at: m.index };
  }
  if (!first) return undefined;
  const rest = text.slice(first.at);
  // A Python traceback ends with its first unindented line (the exception); others at a blank line.
  const end = first.runtime === 'Python traceback' ? endOfPythonTrace(rest) : rest.search(/\n[ \t]*\n/);
  const trace = (end < 0 ? rest : rest.slice(0, end)).trimEnd();
  return { runtime: first.runtime, excerpt: trace.length > EXCERPT ? `…${trace.slice(-EXCERPT)}` : trace };
}

/** Where a Python traceback starting `text` ends: after the exception's line (the first not indented). */
function endOfPythonTrace(text: string): number {
  const m = /\n[^ \t\n][^\n]*/.exec(text);
  return m ? m.index + m[0].length : -1;
}
