import { describe, expect, it } from 'vitest';
import { escapeXmlAttribute, escapeXmlText, formatXmlAttributes, replaceForbiddenXmlChars } from './xml-text.js';

describe('xml text', () => {
  it('escapes the five markup characters', () => {
    expect(escapeXmlText(`a & b < c > d " e ' ]]>`)).toBe('a &amp; b &lt; c &gt; d &quot; e &apos; ]]&gt;');
  });

  it('shows every character XML 1.0 forbids as \\uXXXX and keeps the allowed ones', () => {
    expect(replaceForbiddenXmlChars('\u0000\u0001\u0008\u000B\u000C\u000E\u001F')).toBe('\\u0000\\u0001\\u0008\\u000B\\u000C\\u000E\\u001F');
    expect(replaceForbiddenXmlChars('a\uD800b\uDC00c\uFFFE\uFFFF')).toBe('a\\uD800b\\uDC00c\\uFFFE\\uFFFF');
    expect(replaceForbiddenXmlChars('\t\n\r é \u{1F600} \u{10FFFF} \uFFFD')).toBe('\t\n\r é \u{1F600} \u{10FFFF} \uFFFD');
  });

  it('keeps tab, newline and CR of attribute values as references', () => {
    expect(escapeXmlAttribute('a\tb\nc\rd"')).toBe('a&#9;b&#10;c&#13;d&quot;');
  });

  it('formats only the attributes that are set', () => {
    expect(formatXmlAttributes({ name: 'x<y', time: 1.5, gone: undefined })).toBe(' name="x&lt;y" time="1.5"');
  });
});
