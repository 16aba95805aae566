/**
 * The command line: arguments and config in, exit status out. Thin: the work is
 * done by the scenario, run and report layers.
 */
import { parseArgs } from 'node:util';
import { version } from '../package-root.js';
import { makePrintableLine } from '../report/printable-text.js';

export { version };

export const USAGE = `Usage: sockspec <command> [options] [PATH...]

Commands:
  run [PATH...]        run scenario files or folders (default: the config's suites)
  validate [PATH...]   check scenario files; errors as file:line:col: code: message
  list [PATH...]       scenarios, the ids they cover, and catalogue ids left uncovered
  init [DIR]           write a new suite into DIR (default .): requirements.yaml,
                       hello.yaml and a README.md; never overwrites
  compare OLD NEW      what changed between two JSON reports (--reporter json=FILE):
                       requirements and scenarios that regressed, were fixed, added,
                       gone; exit 1 if something regressed
  merge OUT SHARD...   merge the JSON reports of a run's shards (--shard K/N) into the
                       report of the whole run, OUT; exits as that run would

Without a config, a folder's catalogue is the nearest requirements.yaml in it or above
(up to a folder holding .git).

Options of run:
  --server CMD         the program under test; {port} in CMD is replaced by the port,
                       and PORT is set in its environment (CMD is split like a shell
                       would, never run through one)
  --client CMD         a client under test: the harness listens on 127.0.0.1 and plays
                       the server; {port} and PORT give it the port
  --tty                run the program on a pseudo-terminal (for one that buffers
                       stdout on a pipe)
  --port N             a fixed port, for programs that cannot be told one; without
                       --server or --client: the server already running on port N
  --concurrent         with --port and no command: that server serves many clients at
                       once and keeps nothing between them, so its scenarios run side
                       by side (--jobs) instead of taking turns on the port
  --file NAME=PATH     with --server/--client: copy PATH to NAME in a fresh folder {dir}
                       at each start, {port} and {dir} in it replaced; repeatable
  --reporter NAME[=FILE]  console (default), json, junit, github, markdown, html;
                       repeatable (markdown=$GITHUB_STEP_SUMMARY: a GitHub step summary)
  --jobs N             scenarios run at once (default: the config's, else 2)
  --timeout MS         limit per scenario, overriding the scenarios' own
  --ready-timeout MS   how long a program may take to listen (default 10000)
  --strict             SHOULD requirements fail the run too
  --shard K/N          run the K-th of N slices of the scenarios
  --runs N             cases per property scenario (default: the scenario's, else 100)
  --seed N             seed of the generated cases (default: random, and reported)
  --path P             with --seed: replay only the case a report names
  --reference CMD      differential: run every case against CMD too; the program under
                       test fails where its traffic differs from CMD's
  --target NAME        run only the config's targets of that name; repeatable
  --coverage           coverage of the programs under test (Node: V8, Python:
                       coverage.py), one report per target name in
                       reports/impl-coverage/<target>/
  --expectations FILE  known deviations, each with its outcome and reason: they do not
                       fail the run, any other outcome does (default: each config
                       target's \`expectations:\`)
  --update-expectations  rewrite the expectation file(s) from this run's outcomes
Options of compare:
  --json               the comparison as JSON
Options of merge:
  --reporter NAME=FILE also write the merged run with this reporter; repeatable
Common options:
  --config FILE        config file (default: sockspec.config.yaml if present)
  --version, --help

Exit status: 0 every MUST held; 1 a requirement failed; 2 a usage, configuration or
scenario error, or a scenario the harness could not judge. With expectation files: 0
every outcome a pass or as expected; 1 an unexpected failure or pass.`;

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

const OPTIONS = {
  server: { type: 'string' },
  client: { type: 'string' },
  tty: { type: 'boolean' },
  port: { type: 'string' },
  concurrent: { type: 'boolean' },
  file: { type: 'string', multiple: true },
  reporter: { type: 'string', multiple: true },
  jobs: { type: 'string' },
  timeout: { type: 'string' },
  'ready-timeout': { type: 'string' },
  strict: { type: 'boolean' },
  shard: { type: 'string' },
  seed: { type: 'string' },
  reference: { type: 'string' },
  runs: { type: 'string' },
  path: { type: 'string' },
  target: { type: 'string', multiple: true },
  coverage: { type: 'boolean' },
  json: { type: 'boolean' },
  expectations: { type: 'string' },
  'update-expectations': { type: 'boolean' },
  config: { type: 'string' },
  version: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type ParsedOptions = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** Run the CLI with `args`; resolves to the exit status. */
export async function main(args: string[], io: Io = { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    io.stderr.write(`sockspec: usage: ${makePrintableLine((e as Error).message)}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  const [command, ...paths] = positionals;
  if (values.help || command === undefined || command === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return command === undefined && !values.help ? 2 : 0;
  }
  try {
    // Each command loads its modules when chosen, so that `--version` and `--help` start at once.
    switch (command) {
      case 'run':
        return await (await import('./run-command.js')).runCommand(paths, values, io);
      case 'validate':
        return await (await import('./validate-command.js')).validateCommand(paths, values, io);
      case 'list':
        return await (await import('./list-command.js')).listCommand(paths, values, io);
      case 'init':
        return await (await import('./init-command.js')).initCommand(paths, io);
      case 'compare':
        return await (await import('./compare-command.js')).compareCommand(paths, values, io);
      case 'merge':
        return await (await import('./merge-command.js')).mergeCommand(paths, values, io);
      default:
        io.stderr.write(`sockspec: usage: unknown command \`${makePrintableLine(command)}\` (commands: run, validate, list, init, compare, merge)\n`);
        return 2;
    }
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    io.stderr.write(`sockspec: ${typeof code === 'string' ? `${makePrintableLine(code)}: ` : ''}${makePrintableLine(e instanceof Error ? e.message : String(e))}\n`);
    return 2;
  }
}
