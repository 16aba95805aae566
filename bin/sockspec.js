#!/usr/bin/env node
// CommonJS (bin/package.json), so that `sockspec --version` answers without starting
// Node's ES module loader, which costs more than the rest of its start-up; every command
// loads the CLI from the bundle `npm run build` makes (dist/bundle/cli.js, see build/bundle.mjs).
'use strict';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  const { readFileSync, writeSync } = require('node:fs');
  const line = `${JSON.parse(readFileSync(`${__dirname}/../package.json`, 'utf8')).version}\n`;
  // Straight to the file descriptor: process.stdout would load the stream modules first.
  try {
    writeSync(1, line);
  } catch {
    process.stdout.write(line); // a non-blocking stdout (EAGAIN): the stream waits for it
  }
} else {
  // The exit is explicit once the command is done (its reports written): a timer or
  // socket left behind by a scenario's module must not keep the process alive.
  const exit = (code) => process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  // Until the command is done, an empty event loop is a command that never finished
  // (a scenario's module awaiting something that never settles): that is exit 2, never 0.
  process.exitCode = 2;
  const unfinished = () => process.stderr.write('sockspec: internal-error: the command ended before finishing (something it awaited never settled, e.g. a TS scenario\'s top-level await)\n');
  process.once('beforeExit', unfinished);
  // Four times V8's default interrupt budget (how long a function runs before TurboFan optimises
  // it, on a helper thread): a run touches much code a few hundred times each, and the default
  // had the bundled run compile some 370 functions, 2.5 s of compile jobs; this, about 135 (README,
  // "Checking your own server"). A budget given to Node on its command line is kept.
  if (!process.execArgv.some((a) => a.startsWith('--interrupt-budget')) && !('bun' in process.versions) && !('deno' in process.versions)) {
    try {
      require('node:v8').setFlagsFromString('--interrupt-budget=300000');
    } catch {
      // not V8's flags here: nothing to tune
    }
  }
  import('../dist/bundle/cli.js')
    .then(({ main }) => main(args))
    .then(
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
}
