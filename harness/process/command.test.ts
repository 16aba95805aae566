import { describe, it, expect } from 'vitest';
import { fillTemplate, splitCommand } from './command.js';
import { ProcessError } from './errors.js';

describe('splitCommand', () => {
  const table: [string, string[]][] = [
    ['python3 server.py {port}', ['python3', 'server.py', '{port}']],
    ['  a \t b\n c  ', ['a', 'b', 'c']],
    ['', []],
    ["'a b' c", ['a b', 'c']],
    [`a'b c'd`, ['ab cd']],
    [`"a"'b'c`, ['abc']],
    [`'' x ""`, ['', 'x', '']],
    [`'no \\escape "here"'`, ['no \\escape "here"']],
    [`"say \\"hi\\""`, ['say "hi"']],
    [`"back\\\\slash \\$HOME \\\`cmd\\\`"`, ['back\\slash $HOME `cmd`']],
    [`"keep \\n and \\a"`, ['keep \\n and \\a']],
    [`"it's"`, ["it's"]],
    [`a\\ b`, ['a b']],
    [`\\'quoted\\'`, ["'quoted'"]],
    [`a\\\nb`, ['ab']],
    [`"a\\\nb"`, ['ab']],
    ['$HOME *.py ~ {port}', ['$HOME', '*.py', '~', '{port}']],
    ['"a|b" \'c;d\' e\\&f', ['a|b', 'c;d', 'e&f']],
    ['./server 7 # the port', ['./server', '7']],
    ['a#b', ['a#b']],
    ['"ünïcode ✓"', ['ünïcode ✓']],
  ];
  it.each(table)('splits %j', (cmd, words) => {
    expect(splitCommand(cmd)).toEqual(words);
  });

  const bad: [string, RegExp][] = [
    [`'open`, /single quote at offset 0 is never closed/],
    [`a "open`, /double quote at offset 2 is never closed/],
    [`"ends with \\"`, /never closed/],
    ['trailing\\', /ends with a backslash/],
    ['./server | tee log', /unquoted `\|`/],
    ['cd x && ./server', /unquoted `&`/],
    ['./server > out', /sh -c/],
    ['a;b', /unquoted `;`/],
  ];
  it.each(bad)('rejects %j with code bad-command', (cmd, message) => {
    let caught: unknown;
    try {
      splitCommand(cmd);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ProcessError);
    expect((caught as ProcessError).code).toBe('bad-command');
    expect((caught as ProcessError).message).toMatch(message);
  });
});

describe('fillTemplate', () => {
  it('fills {port} and known names inside words, leaving unknown ones', () => {
    const argv = ['srv', '--listen=127.0.0.1:{port}', '{port}{port}', '{host}', '{unknown}', '{', '{ port }'];
    expect(fillTemplate(argv, { port: '4000', host: 'localhost' })).toEqual(['srv', '--listen=127.0.0.1:4000', '40004000', 'localhost', '{unknown}', '{', '{ port }']);
  });

  it('does not look names up on the prototype', () => {
    expect(fillTemplate(['{toString}', '{constructor}'], {})).toEqual(['{toString}', '{constructor}']);
  });

  it('does not expand what a value contains', () => {
    expect(fillTemplate(['{a}'], { a: '{b}', b: 'x' })).toEqual(['{b}']);
  });
});
