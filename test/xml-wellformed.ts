/**
 * A well-formedness check of XML 1.0 for the tests of the JUnit report.
 */

const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/u;
const NAME = '[A-Za-z_][\\w.:-]*';
const TAG = new RegExp(`<(/?)(${NAME})((?:\\s+${NAME}\\s*=\\s*"[^"]*")*)\\s*(/?)>`, 'y');
const ATTRIBUTE = new RegExp(`(${NAME})\\s*=\\s*"([^"]*)"`, 'g');
const REFERENCE = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g;

/** Problems that make `xml` not well-formed XML 1.0 (for the subset a report uses: no DTD, comments, CDATA or PIs after the prolog). */
export function wellFormednessProblems(xml: string): string[] {
  const problems: string[] = [];
  if (FORBIDDEN.test(xml)) problems.push('a character XML 1.0 forbids');
  const checkChars = (s: string, where: string, extra: RegExp) => {
    if (extra.test(s.replace(REFERENCE, ''))) problems.push(`bad character in ${where}: ${JSON.stringify(s.slice(0, 60))}`);
  };
  let i = 0;
  const prolog = /^<\?xml[^?]*\?>/.exec(xml);
  if (prolog) i = prolog[0].length;
  const open: string[] = [];
  let roots = 0;
  while (i < xml.length) {
    if (xml[i] !== '<') {
      const end = xml.indexOf('<', i);
      const text = xml.slice(i, end < 0 ? xml.length : end);
      if (open.length === 0 && text.trim()) problems.push('text outside the root element');
      checkChars(text, 'text', /[&<]|]]>/);
      i = end < 0 ? xml.length : end;
      continue;
    }
    TAG.lastIndex = i;
    const m = TAG.exec(xml);
    if (!m) {
      problems.push(`malformed tag at ${i}: ${JSON.stringify(xml.slice(i, i + 40))}`);
      break;
    }
    const [whole, close, name, attrs, selfClose] = m;
    const seen = new Set<string>();
    for (const [, a, v] of attrs!.matchAll(ATTRIBUTE)) {
      if (seen.has(a!)) problems.push(`duplicate attribute ${a} on ${name}`);
      seen.add(a!);
      checkChars(v!, `attribute ${a}`, /[&<]/);
    }
    if (close) {
      if (open.pop() !== name) problems.push(`</${name}> does not close the open element`);
    } else {
      if (open.length === 0) roots++;
      if (!selfClose) open.push(name!);
    }
    i += whole.length;
  }
  if (open.length) problems.push(`unclosed: ${open.join(', ')}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}
