/**
 * Command lines as a POSIX shell would split them, without running a shell:
 * quotes and backslashes are honoured; nothing is globbed or expanded.
 */
import { ProcessError } from './errors.js';

const BLANK = new Set([' ', '\t', '\n', '\r']);
/** Characters a shell would treat as operators; we cannot honour them, so we refuse them. */
const OPERATORS = new Set(['|', '&', ';', '<', '>', '(', ')']);
/** What a backslash escapes inside double quotes (anything else keeps its backslash). */
const DQ_ESCAPES = new Set(['"', '\\', '$', '`']);

function bad(cmd: string, message: string): never {
  throw new ProcessError('bad-command', `cannot split command ${JSON.stringify(cmd)}: ${message}`);
}

/** Split a command line into argv words as `sh` would, without expansion; throws `ProcessError` `bad-command`. */
export function splitCommand(cmd: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const end = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  while (i < cmd.length) {
    const c = cmd[i]!;
    if (BLANK.has(c)) {
      end();
      i++;
    } else if (c === '#' && !inWord) {
      const nl = cmd.indexOf('\n', i);
      i = nl < 0 ? cmd.length : nl;
    } else if (OPERATORS.has(c)) {
      bad(cmd, `unquoted \`${c}\` is shell syntax, which is not run here; quote it, or write the command as sh -c '…'`);
    } else if (c === '\\') {
      if (i + 1 >= cmd.length) bad(cmd, 'it ends with a backslash');
      const next = cmd[i + 1]!;
      if (next !== '\n') {
        word += next;
        inWord = true;
      }
      i += 2;
    } else if (c === "'") {
      const close = cmd.indexOf("'", i + 1);
      if (close < 0) bad(cmd, `the single quote at offset ${i} is never closed`);
      word += cmd.slice(i + 1, close);
      inWord = true;
      i = close + 1;
    } else if (c === '"') {
      i = readDoubleQuoted(cmd, i, (part) => (word += part));
      inWord = true;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  end();
  return words;
}

/** Read `"…"` starting at `open`; hand its text to `emit`; return the index after the closing quote. */
function readDoubleQuoted(cmd: string, open: number, emit: (part: string) => void): number {
  let i = open + 1;
  let part = '';
  while (i < cmd.length) {
    const c = cmd[i]!;
    if (c === '"') {
      emit(part);
      return i + 1;
    }
    if (c === '\\' && i + 1 < cmd.length) {
      const next = cmd[i + 1]!;
      if (DQ_ESCAPES.has(next)) part += next;
      else if (next !== '\n') part += c + next;
      i += 2;
      continue;
    }
    part += c;
    i++;
  }
  return bad(cmd, `the double quote at offset ${open} is never closed`);
}

/** Replace `{port}` and every other `{name}` found in `vars` inside each word; unknown `{…}` stay as they are. */
export function fillTemplate(argv: string[], vars: Record<string, string>): string[] {
  return argv.map((word) =>
    word.replace(/\{([A-Za-z_][\w.-]*)\}/g, (whole, name: string) => (Object.hasOwn(vars, name) ? vars[name]! : whole)),
  );
}

/** A word quoted for a POSIX shell (and for `splitCommand`): as it is when nothing in it is special. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
