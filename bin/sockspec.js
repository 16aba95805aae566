#!/usr/bin/env node
import { main } from '../dist/harness/cli/main.js';

// The exit is explicit once the command is done (its reports written): a timer or
// socket left behind by a scenario's module must not keep the process alive.
const exit = (code) => process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
// Until the command is done, an empty event loop is a command that never finished
// (a scenario's module awaiting something that never settles): that is exit 2, never 0.
process.exitCode = 2;
const unfinished = () => process.stderr.write('sockspec: internal-error: the command ended before finishing (something it awaited never settled, e.g. a TS scenario\'s top-level await)\n');
process.once('beforeExit', unfinished);
main(process.argv.slice(2)).then(
  (code) => {
    process.off('beforeExit', unfinished);
    exit(code);
  },
  (e) => {
    process.off('beforeExit', unfinished);
    process.stderr.write(`sockspec: internal-error: ${e instanceof Error ? e.message : String(e)}\n`);
    exit(2);
  },
);
