#!/usr/bin/env node
import { main } from '../dist/harness/cli/main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
