#!/usr/bin/env node
import { main } from '../dist/harness/cli/main.js';

// The exit is explicit once the command is done (its reports written): a timer or
// socket left behind by a scenario's module must not keep the process alive.
const exit = (code) => process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
main(process.argv.slice(2)).then(exit, (e) => {
  process.stderr.write(`sockspec: internal-error: ${e instanceof Error ? e.message : String(e)}\n`);
  exit(2);
});
