/**
 * YAML text to plain data plus a way back from a data path to its line and column.
 * Custom tags are refused and alias expansion is bounded.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
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
/** Largest scenario file read. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

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

/** Parse YAML `text` of `file`, collecting every syntax problem. */
export function parseYamlSource(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
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
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const alias = /alias/i.test(message);
      push(0, alias ? 'alias-limit' : 'yaml-syntax', alias ? `aliases expand beyond the limit (${MAX_ALIAS_COUNT})` : message, alias ? 'use fewer aliases; a scenario needs no deep alias nesting' : undefined);
    }
  }
  return { data, locate, diagnostics };
}
