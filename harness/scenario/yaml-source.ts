/**
 * YAML text to plain data plus a way back from a data path to its line and column.
 * Custom tags are refused and alias expansion is bounded.
 */
import { Composer, CST, isAlias, isMap, isPair, isScalar, isSeq, Lexer, LineCounter, Parser, visit, YAMLParseError } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import type { Diagnostic } from './diagnostic.js';

export type DataPath = readonly (string | number)[];
export type Locate = (path: DataPath, atKey?: boolean) => { line: number; col: number };

export interface YamlSource {
  data: unknown;
  locate: Locate;
  diagnostics: Diagnostic[];
}

/** Aliases a document may expand; a billion-laughs file fails fast past it. */
export const MAX_ALIAS_COUNT = 100;
/** Largest scenario, include or catalogue file read. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;
/** Deepest nesting of maps and lists a file may have (a real scenario needs about 15). */
export const MAX_DEPTH = 64;
/** Most values (maps, lists and scalars) a scenario's data may hold once aliases are expanded. */
export const MAX_NODES = 200_000;

/**
 * The offset where the nesting of `text` first gets deeper than `limit`, from the
 * YAML tokens alone (no recursion, so that the parser is never asked to recurse
 * that deep). Block nesting is counted from indentation and the indicators on a
 * line, flow nesting from brackets: an over-estimate, never an under-estimate.
 */
export function tooDeepAt(text: string, limit = MAX_DEPTH, tokens: Iterable<string> = new Lexer().lex(text)): number | undefined {
  const indents: number[] = [];
  let flow = 0;
  let offset = 0;
  let lineStart = true;
  let onLine = 0;
  for (const token of tokens) {
    const type = CST.tokenType(token);
    if (type === 'newline' || type === 'doc-start' || type === 'doc-end') {
      lineStart = true;
      onLine = 0;
    } else if (type === 'space' && lineStart) {
      // indentation: handled with the line's first content token
    } else if (type !== 'comment' && type !== 'byte-order-mark' && type !== 'doc-mode' && type !== 'directive-line' && type !== 'space') {
      if (lineStart && flow === 0) {
        const lineBegin = text.lastIndexOf('\n', offset - 1) + 1;
        const indent = offset - lineBegin;
        while (indents.length && indents[indents.length - 1]! >= indent) indents.pop();
        indents.push(indent);
      }
      lineStart = false;
      if (type === 'seq-item-ind' || type === 'explicit-key-ind' || type === 'map-value-ind') onLine++;
      else if (type === 'flow-seq-start' || type === 'flow-map-start') flow++;
      else if ((type === 'flow-seq-end' || type === 'flow-map-end') && flow > 0) flow--;
      if (indents.length + onLine + flow > limit) return offset;
    }
    // The lexer's own markers (document, scalar, flow-error-end) take no place in the text.
    if (token !== CST.DOCUMENT && token !== CST.SCALAR && token !== CST.FLOW_END) offset += token.length;
  }
  return undefined;
}

/**
 * Whether plain data is small and shallow enough to walk recursively: the path to the
 * first value nested deeper than MAX_DEPTH or met again inside itself (a cycle, which
 * YAML aliases and TS objects can make), or past MAX_NODES values. Iterative.
 */
export function checkShape(data: unknown): { path: DataPath; code: 'too-deep' | 'cyclic' | 'too-large'; message: string } | undefined {
  type Frame = { value: unknown; path: (string | number)[]; exit?: true };
  const stack: Frame[] = [{ value: data, path: [] }];
  const open = new Set<object>();
  let nodes = 0;
  while (stack.length) {
    const f = stack.pop()!;
    if (f.exit) {
      open.delete(f.value as object);
      continue;
    }
    if (++nodes > MAX_NODES) return { path: f.path, code: 'too-large', message: `the scenario holds more than ${MAX_NODES} values (after expanding aliases)` };
    const v = f.value;
    if (typeof v !== 'object' || v === null || v instanceof Uint8Array) continue;
    if (open.has(v)) return { path: f.path, code: 'cyclic', message: 'this value contains itself (a cycle, e.g. through an alias)' };
    if (f.path.length >= MAX_DEPTH) return { path: f.path, code: 'too-deep', message: `maps and lists nest deeper than ${MAX_DEPTH} levels` };
    open.add(v);
    stack.push({ value: v, path: f.path, exit: true });
    const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i]![1], path: [...f.path, entries[i]![0]] });
  }
  return undefined;
}

/** Follow `path` through the document's nodes (resolving aliases) to the deepest node reached. */
function findNode(doc: Document, path: DataPath, atKey: boolean): YamlNode | undefined {
  let node: unknown = doc.contents;
  let keyNode: unknown;
  for (const step of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step));
      if (!pair) break;
      keyNode = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number' && node.items[step] !== undefined) {
      keyNode = undefined;
      node = node.items[step];
    } else break;
  }
  if (atKey && keyNode) return keyNode as YamlNode;
  return (node ?? keyNode) as YamlNode | undefined;
}

/** What yaml's `parseDocument` makes of `text`, from its tokens (`lex`) rather than lexing it again. */
function composeDocument(text: string, tokens: readonly string[], lineCounter: LineCounter): Document.Parsed {
  const parser = new Parser(lineCounter.addNewLine);
  const composer = new Composer({ prettyErrors: false, uniqueKeys: true });
  function* cst() {
    lineCounter.addNewLine(0);
    for (const token of tokens) yield* parser.next(token);
    yield* parser.end();
  }
  let doc: Document.Parsed | undefined;
  for (const next of composer.compose(cst(), true, text.length)) {
    if (!doc) doc = next;
    else {
      doc.errors.push(new YAMLParseError([next.range[0], next.range[1]], 'MULTIPLE_DOCS', 'Source contains multiple documents; please use YAML.parseAllDocuments()'));
      break;
    }
  }
  // compose(…, true) ends with a document, an empty one at least.
  return doc!;
}

/** Parse YAML `text` of `file`, collecting every syntax problem. */
export function parseYamlSource(file: string, text: string): YamlSource {
  // Lexed once, for the nesting check and then for the parser.
  const tokens = [...new Lexer().lex(text)];
  const deep = tooDeepAt(text, MAX_DEPTH, tokens);
  if (deep !== undefined) {
    const before = text.slice(0, deep);
    const line = before.split('\n').length;
    const col = deep - (before.lastIndexOf('\n') + 1) + 1;
    const diagnostic: Diagnostic = { file, line, col, code: 'too-deep', message: `maps and lists nest deeper than ${MAX_DEPTH} levels`, severity: 'error', hint: 'a scenario needs no such nesting' };
    return { data: undefined, locate: () => ({ line, col }), diagnostics: [diagnostic] };
  }
  const lineCounter = new LineCounter();
  const doc = composeDocument(text, tokens, lineCounter);
  const at = (offset: number) => lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
  const diagnostics: Diagnostic[] = [];
  const push = (offset: number, code: string, message: string, hint?: string) => {
    const { line, col } = at(offset);
    diagnostics.push({ file, line, col, code, message, severity: 'error', ...(hint ? { hint } : {}) });
  };
  for (const e of doc.errors) {
    const code = e.code === 'DUPLICATE_KEY' ? 'duplicate-key' : 'yaml-syntax';
    push(e.pos[0], code, e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''));
  }
  visit(doc, {
    Node(_key, node) {
      if ((isScalar(node) || isMap(node) || isSeq(node)) && node.tag !== undefined && node.range) {
        const start = node.range[0];
        // The tag is the token before the node (`!!binary`, `!foo`, `!<tag:x>`): report where it begins.
        let bang = text.lastIndexOf('!', start);
        while (bang > 0 && !/[\s,[{]/.test(text[bang - 1]!)) bang--;
        push(bang >= 0 ? bang : start, 'yaml-tag', `custom tag \`${node.tag}\` is not allowed`, 'scenario files are plain YAML: remove the tag');
      }
    },
  });
  const locate: Locate = (path, atKey = false) => {
    const node = findNode(doc, path, atKey);
    return at(node?.range?.[0] ?? 0);
  };
  let data: unknown;
  if (diagnostics.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      const bad = checkShape(data);
      if (bad) {
        const { line, col } = locate(bad.path);
        diagnostics.push({ file, line, col, code: bad.code, message: bad.message, severity: 'error' });
        data = undefined;
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const unresolved = /^Unresolved alias/i.exec(message);
      const excessive = /excessive alias/i.test(message);
      // The alias at fault: for an unresolved one the first whose anchor does not come before it, else the first alias.
      let where = 0;
      const anchors = new Set<string>();
      visit(doc, {
        Node(_key, node) {
          if (node.anchor && !isAlias(node)) anchors.add(node.anchor);
          if (isAlias(node) && (!unresolved || !anchors.has(node.source))) {
            where = node.range?.[0] ?? 0;
            return visit.BREAK;
          }
          return undefined;
        },
      });
      if (unresolved) push(where, 'unknown-alias', 'this alias names no anchor defined before it');
      else if (excessive) push(where, 'alias-limit', `aliases expand beyond the limit (${MAX_ALIAS_COUNT})`, 'use fewer aliases; a scenario needs no deep alias nesting');
      else push(0, 'yaml-syntax', message.split('\n')[0]!);
    }
  }
  return { data, locate, diagnostics };
}
