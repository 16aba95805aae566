/**
 * Places in JSON text: the line and column of an offset, and the offset of the value
 * a data path (`scenarios[3].outcome`) leads to, found by skimming the text without
 * building anything, so that a problem in a large report is shown where it is.
 */

/** 1-based line and column (in UTF-16 code units) of `offset` in `text`. */
export function lineColOf(text: string, offset: number): { line: number; col: number } {
  const at = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, col: at - lineStart + 1 };
}

const WHITESPACE = new Set([0x20, 0x0a, 0x0d, 0x09]);

/** Skims valid JSON text (as JSON.parse accepted it). */
class Skimmer {
  constructor(
    private readonly text: string,
    public i = 0,
  ) {}

  spaces(): void {
    while (this.i < this.text.length && WHITESPACE.has(this.text.charCodeAt(this.i))) this.i++;
  }

  /** The character at the cursor, after any whitespace. */
  peek(): string {
    this.spaces();
    return this.text[this.i] ?? '';
  }

  /** Past the string that starts at the cursor; returns its text. */
  string(): string {
    const start = this.i++;
    while (this.i < this.text.length) {
      const c = this.text.charCodeAt(this.i);
      if (c === 0x5c) this.i += 2;
      else {
        this.i++;
        if (c === 0x22) break;
      }
    }
    return JSON.parse(this.text.slice(start, this.i)) as string;
  }

  /** Past the value that starts at the cursor. */
  value(): void {
    const c = this.peek();
    if (c === '"') return void this.string();
    if (c !== '{' && c !== '[') {
      while (this.i < this.text.length && !',}]'.includes(this.text[this.i]!) && !WHITESPACE.has(this.text.charCodeAt(this.i))) this.i++;
      return;
    }
    let depth = 0;
    while (this.i < this.text.length) {
      const d = this.text[this.i]!;
      if (d === '"') {
        this.string();
        continue;
      }
      this.i++;
      if (d === '{' || d === '[') depth++;
      else if ((d === '}' || d === ']') && --depth === 0) return;
    }
  }

  /** In the object at the cursor, moves to the value of `key`; false (cursor on the object) when it has none. */
  member(key: string): boolean {
    const start = this.i;
    this.i++;
    while (this.peek() === '"') {
      const k = this.string();
      this.peek();
      this.i++; // the colon
      this.peek();
      if (k === key) return true;
      this.value();
      if (this.peek() === ',') this.i++;
    }
    this.i = start;
    return false;
  }

  /** In the array at the cursor, moves to item `index`; false (cursor on the array) when it is shorter. */
  item(index: number): boolean {
    const start = this.i;
    this.i++;
    for (let n = 0; this.peek() !== ']' && this.i < this.text.length; n++) {
      if (n === index) return true;
      this.value();
      if (this.peek() === ',') this.i++;
    }
    this.i = start;
    return false;
  }
}

/**
 * The offset of the value at `path` in the JSON `text` (which must parse), or of the
 * nearest enclosing value that exists (an object missing a key points at the object).
 */
export function offsetOfPath(text: string, path: readonly PropertyKey[]): number {
  const s = new Skimmer(text);
  for (const seg of path) {
    const c = s.peek();
    const found = c === '{' ? s.member(String(seg)) : c === '[' && typeof seg === 'number' ? s.item(seg) : false;
    if (!found) break;
  }
  s.spaces();
  return s.i;
}

const JSON_SCALAR = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

/**
 * The first place where `text` is not JSON, and what was expected there (undefined when
 * it is JSON). JSON.parse does not say where on every Node version; nesting is followed
 * on a stack of its own, so that no depth exhausts the call stack.
 */
export function findJsonSyntaxError(text: string): { offset: number; message: string } | undefined {
  const stack: string[] = [];
  let i = 0;
  let state: 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'after' = 'value';
  const fail = (message: string) => ({ offset: i, message: i >= text.length ? `${message}, got the end of the text` : message });
  /** Past the string at `i`; a message when it is not one. */
  const string = (): string | undefined => {
    for (i++; i < text.length; i++) {
      const c = text[i]!;
      if (c === '"') return void i++;
      if (c.charCodeAt(0) < 0x20) return 'a control character in a string (write it as an escape such as \\n)';
      if (c !== '\\') continue;
      const e = text[++i] ?? '';
      if (e === 'u' ? !/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5)) : !ESCAPES.has(e)) return 'a bad escape in a string';
      if (e === 'u') i += 4;
    }
    return 'a string that does not end';
  };
  for (;;) {
    while (i < text.length && WHITESPACE.has(text.charCodeAt(i))) i++;
    const c = text[i];
    if (state === 'after') {
      const open = stack.at(-1);
      if (open === undefined) return i < text.length ? fail('more text after the JSON value') : undefined;
      const close = open === '{' ? '}' : ']';
      if (c === ',') state = open === '{' ? 'key' : 'value';
      else if (c === close) stack.pop();
      else return fail(`expected \`,\` or \`${close}\``);
      i++;
    } else if (state === 'key' || state === 'key-or-close') {
      if (state === 'key-or-close' && c === '}') {
        stack.pop();
        i++;
        state = 'after';
        continue;
      }
      if (c !== '"') return fail('expected a key in double quotes');
      const bad = string();
      if (bad) return fail(bad);
      while (i < text.length && WHITESPACE.has(text.charCodeAt(i))) i++;
      if (text[i] !== ':') return fail('expected `:` after the key');
      i++;
      state = 'value';
    } else {
      const closeable = state === 'value-or-close';
      state = 'after';
      if (c === '{' || c === '[') {
        stack.push(c);
        state = c === '{' ? 'key-or-close' : 'value-or-close';
        i++;
      } else if (c === ']' && closeable) {
        stack.pop();
        i++;
      } else if (c === '"') {
        const bad = string();
        if (bad) return fail(bad);
      } else {
        JSON_SCALAR.lastIndex = i;
        const m = JSON_SCALAR.exec(text);
        if (!m) return fail('expected a value (an object, array, string, number, true, false or null)');
        i += m[0].length;
      }
    }
  }
}
