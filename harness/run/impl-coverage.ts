/**
 * `sockspec run --coverage`: how much of the program under test the run reached.
 * Each target is rewritten before the run so that its programs record coverage — a
 * Node program through NODE_V8_COVERAGE (and a preload that survives the harness's
 * SIGTERM, coverage-preload.cjs), a Python one under coverage.py (through
 * coverage-run.py, which does the same for SIGTERM) — and after the run
 * the data of every program of a target name, across suites, becomes one report
 * (text, HTML, lcov) in `reports/impl-coverage/<target>/`.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PACKAGE_ROOT } from '../package-root.js';
import { shellQuote, splitCommand } from '../process/command.js';
import type { Target } from './program.js';

/** Preloaded into Node programs: writes their coverage on SIGTERM, then dies of it as before. */
export const COVERAGE_PRELOAD = resolve(PACKAGE_ROOT, 'harness/process/coverage-preload.cjs');

/** Runs Python programs as `coverage run` does, saving the data on SIGTERM, then dying of it as before. */
export const COVERAGE_RUN = resolve(PACKAGE_ROOT, 'harness/process/coverage-run.py');

/** Where the reports go, relative to the working folder. */
export const IMPL_COVERAGE_DIR = 'reports/impl-coverage';

/** How long one coverage.py report command may take. */
const PYTHON_REPORT_MS = 120_000;

/** The oldest coverage.py that writes every report made here (lcov came in 6.3). */
const PYTHON_COVERAGE_MIN: [number, number] = [6, 3];

type Kind = 'node' | 'python';

/** One report: the programs of one target name and kind. */
interface Measured {
  name: string;
  kind: Kind;
  /** Absolute: the report's folder, and the raw data under it. */
  dir: string;
  raw: string;
  /** Python: the interpreter word, its rc file and the folder its reports are made from. */
  python?: string;
  rcfile?: string;
  cwd: string;
  env?: Record<string, string>;
}

/** A target's coverage at the end of the run: percentages, or why there are none. */
export interface CoverageSummary {
  target: string;
  kind: Kind;
  /** The report's folder, absolute. */
  dir: string;
  lines?: number;
  branches?: number;
  /** Node only: coverage.py does not count functions. */
  functions?: number;
  problem?: string;
}

/** The program word of a command, as the kind of program it is, if we can measure it. */
export function programKind(program: string): Kind | undefined {
  const name = basename(program);
  if (name === 'node' || name === 'nodejs' || name === basename(process.execPath)) return 'node';
  if (/^python(3(\.\d+)?)?$/.test(name)) return 'python';
  return undefined;
}

/** Python's options that take the next word as their value. */
const PYTHON_VALUE_OPTIONS = new Set(['-W', '-X', '--check-hash-based-pycs']);

/**
 * `python3 [OPTIONS] script.py ARGS` (or `-m module ARGS`) as the same run under
 * coverage.py: the interpreter's options stay before coverage-run.py; a string (`-c`),
 * stdin or no script at all cannot be measured (returned as a reason).
 */
export function pythonUnderCoverage(words: readonly string[], rcfile: string): string[] | string {
  const [python, ...rest] = words;
  const options: string[] = [];
  let i = 0;
  let module: string[] = [];
  while (i < rest.length && rest[i]!.startsWith('-') && rest[i] !== '-') {
    const w = rest[i]!;
    if (w === '--') {
      i++;
      break;
    }
    if (w.startsWith('-c')) return 'a program given with -c cannot be measured by coverage.py';
    if (w.startsWith('-m')) {
      module = w.length > 2 ? ['-m', w.slice(2)] : ['-m', rest[i + 1] ?? ''];
      i += w.length > 2 ? 1 : 2;
      break;
    }
    const takesValue = PYTHON_VALUE_OPTIONS.has(w);
    options.push(...rest.slice(i, i + (takesValue ? 2 : 1)));
    i += takesValue ? 2 : 1;
  }
  if (module.length === 0 && (i >= rest.length || rest[i] === '-')) return 'no script is named (a program read from stdin cannot be measured by coverage.py)';
  return [python!, ...options, COVERAGE_RUN, '--parallel-mode', `--rcfile=${rcfile}`, ...module, ...rest.slice(i)];
}

/** A name usable as one file name: anything but letters, digits, `.`, `_` and `-` becomes `_`. */
function fileNameOf(name: string): string {
  const safe = name.replace(/[^\w.-]/g, '_');
  return /^\.*$/.test(safe) ? `_${safe}` : safe;
}

/** `pattern` with glob syntax escaped, for a literal path in an exclude glob. */
function globLiteral(path: string): string {
  return path.replace(/[*?[\]{}()!+@\\]/g, '\\$&');
}

/** coverage.py's rc file quotes nothing; `$` alone starts a variable. */
function rcValue(path: string): string {
  return path.replace(/\$/g, '$$$$');
}

/** Percent with at most two decimals. */
function percent(covered: number, total: number): number {
  return total === 0 ? 100 : Math.round((covered / total) * 10_000) / 100;
}

/**
 * Coverage of the targets of one run. `instrument` each target before the run (the
 * same target object always gives the same rewritten one, so its programs share a
 * pool as before), `report` once it ended. `tell` gets one-line messages: a target
 * that cannot be measured, and why.
 */
export class ImplCoverage {
  readonly root: string;
  #instrumented = new Map<Target, Target>();
  #measured = new Map<string, Measured>();
  /** Report folders by target name and kind; names that come out as the same file name get a suffix. */
  #dirs = new Map<string, string>();
  /** Per interpreter word and folder: coverage.py's version, or why it cannot be used. */
  #pythons = new Map<string, { version?: string; problem?: string }>();
  #told = new Set<string>();

  constructor(
    readonly cwd: string,
    readonly tell: (line: string) => void,
  ) {
    this.root = resolve(cwd, IMPL_COVERAGE_DIR);
  }

  /** `target` rewritten to record coverage; itself, after a message, when it cannot be. */
  instrument(target: Target): Target {
    let done = this.#instrumented.get(target);
    if (!done) this.#instrumented.set(target, (done = this.#rewrite(target)));
    return done;
  }

  #tellOnce(line: string): void {
    if (!this.#told.has(line)) this.tell(line);
    this.#told.add(line);
  }

  #rewrite(target: Target): Target {
    if (target.command === undefined) {
      this.#tellOnce(`coverage is not supported for ${target.name}: sockspec does not start it (it is a program already running on port ${target.fixedPort})`);
      return target;
    }
    let words: string[];
    try {
      words = splitCommand(target.command);
    } catch {
      return target; // the run itself says what is wrong with the command
    }
    const program = words[0] ?? '';
    const kind = programKind(program);
    if (kind === undefined) {
      this.#tellOnce(`coverage is not supported for ${target.name} (${program}): only Node and Python programs`);
      return target;
    }
    if (kind === 'python') {
      const problem = this.#pythonProblem(program, target);
      if (problem) {
        this.#tellOnce(`coverage is not measured for ${target.name}: ${problem}`);
        return target;
      }
    }
    const dir = this.#dirOf(target.name, kind);
    if (kind === 'node') {
      // NODE_OPTIONS rather than an argument: node processes the program starts are measured too.
      const base = target.env?.NODE_OPTIONS ?? process.env.NODE_OPTIONS ?? '';
      const preload = `--require "${COVERAGE_PRELOAD.replace(/["\\]/g, '\\$&')}"`;
      return { ...target, env: { ...target.env, NODE_V8_COVERAGE: this.#measure(dir, target, kind).raw, NODE_OPTIONS: `${base} ${preload}`.trim() } };
    }
    const argv = pythonUnderCoverage(words, join(dir, 'coveragerc'));
    if (typeof argv === 'string') {
      this.#tellOnce(`coverage is not measured for ${target.name}: ${argv}`);
      return target;
    }
    this.#measure(dir, target, kind);
    return { ...target, command: argv.map(shellQuote).join(' ') };
  }

  /** Why coverage.py cannot measure programs run by `python` (checked once per interpreter and folder), if it cannot. */
  #pythonProblem(python: string, target: Target): string | undefined {
    const key = JSON.stringify([python, target.cwd, target.env?.PATH ?? null]);
    let found = this.#pythons.get(key);
    if (!found) {
      const r = spawnSync(python, ['-c', 'import sys; print(sys.executable); import coverage; print(coverage.__version__)'], {
        cwd: target.cwd,
        env: { ...process.env, ...target.env },
        encoding: 'utf8',
        timeout: 20_000,
      });
      const [executable, version] = (r.stdout ?? '').split('\n').map((l) => l.trim());
      const which = executable && executable !== python ? `${python} (${executable})` : python;
      const install = `install it with \`${python} -m pip install coverage\` (Debian: \`apt-get install python3-coverage\`)`;
      if (r.error) found = { problem: `cannot run ${python}: ${r.error.message}` };
      else if (r.status !== 0 || !version) found = { problem: `coverage.py is not installed for ${which}; ${install}` };
      else {
        const [major = 0, minor = 0] = version.split('.').map(Number);
        const [minMajor, minMinor] = PYTHON_COVERAGE_MIN;
        found = major > minMajor || (major === minMajor && minor >= minMinor) ? { version } : { problem: `coverage.py ${version} of ${which} is too old (${minMajor}.${minMinor} or later is needed); ${install}` };
      }
      this.#pythons.set(key, found);
    }
    return found.problem;
  }

  /** The report folder of a target name and kind: its name as a file name, unless another name or kind has it. */
  #dirOf(name: string, kind: Kind): string {
    const key = JSON.stringify([name, kind]);
    let dirName = this.#dirs.get(key);
    if (dirName === undefined) {
      const taken = new Set(this.#dirs.values());
      const base = fileNameOf(name);
      dirName = taken.has(base) ? `${base}-${kind}` : base;
      for (let n = 2; taken.has(dirName); n++) dirName = `${base}-${kind}-${n}`;
      this.#dirs.set(key, dirName);
    }
    return join(this.root, dirName);
  }

  /** The report `dir` a target's programs go to: made, emptied of an earlier run's, on first use. */
  #measure(dir: string, target: Target, kind: Kind): Measured {
    let m = this.#measured.get(dir);
    if (m) return m;
    rmSync(dir, { recursive: true, force: true });
    const raw = join(dir, 'raw');
    mkdirSync(raw, { recursive: true });
    m = { name: target.name, kind, dir, raw, cwd: target.cwd, ...(target.env ? { env: target.env } : {}) };
    if (kind === 'python') {
      m.python = splitCommand(target.command!)[0]!;
      m.rcfile = join(dir, 'coveragerc');
      writeFileSync(m.rcfile, pythonRc(raw));
    }
    this.#measured.set(dir, m);
    return m;
  }

  /** Make every target's report; one summary each, in the order they were first met. */
  async report(): Promise<CoverageSummary[]> {
    const out: CoverageSummary[] = [];
    for (const m of this.#measured.values()) {
      const base = { target: m.name, kind: m.kind, dir: m.dir };
      try {
        out.push({ ...base, ...(m.kind === 'node' ? await reportNode(m) : await reportPython(m)) });
      } catch (e) {
        out.push({ ...base, problem: `the report could not be made: ${(e as Error).message.split('\n')[0]}` });
      }
    }
    return out;
  }

  /** One line per summary: where the report is and its percentages. */
  describe(s: CoverageSummary): string {
    const where = relative(this.cwd, s.dir) || '.';
    if (s.problem) return `coverage of ${s.target}: ${s.problem} (${where})`;
    const pct = (n: number | undefined) => (n === undefined ? 'n/a' : `${n}%`);
    return `coverage of ${s.target}: lines ${pct(s.lines)}, branches ${pct(s.branches)}, functions ${pct(s.functions)} — ${where}/index.html, lcov.info, coverage.txt`;
  }
}

/**
 * The rc file of a Python target: a data file per program under `raw`; the program's
 * own files only (not the harness, nor installed packages). No `sigterm`: coverage-run.py
 * saves the data on SIGTERM itself, whatever the version.
 */
function pythonRc(raw: string): string {
  return [
    '[run]',
    `data_file = ${rcValue(join(raw, 'coverage'))}`,
    'parallel = true',
    'branch = true',
    'omit =',
    `    ${rcValue(join(PACKAGE_ROOT, 'harness'))}/*`,
    '    */site-packages/*',
    '    */dist-packages/*',
    '',
  ].join('\n');
}

/** No data files: no program of the target ran (all its scenarios skipped, the run interrupted early). */
function noData(raw: string): { problem: string } | undefined {
  return existsSync(raw) && readdirSync(raw).length > 0 ? undefined : { problem: 'no coverage data: no program of it ran' };
}

async function reportNode(m: Measured): Promise<Omit<CoverageSummary, 'target' | 'kind' | 'dir'>> {
  const none = noData(m.raw);
  if (none) return none;
  const { Report } = await import('c8');
  const options: ConstructorParameters<typeof Report>[0] & { mergeAsync: boolean } = {
    reporter: ['html', 'lcovonly', 'json-summary', 'text'],
    reporterOptions: { text: { file: 'coverage.txt', maxCols: 120 } },
    reportsDirectory: m.dir,
    tempDirectory: m.raw,
    // The program's own files only: wherever they are, but not node's internals
    // (relative names), dependencies, nor the harness and its preload.
    allowExternal: true,
    omitRelative: true,
    excludeNodeModules: true,
    extension: [],
    exclude: [`${globLiteral(join(PACKAGE_ROOT, 'harness'))}/**`, `${globLiteral(join(PACKAGE_ROOT, 'dist/harness'))}/**`, `${globLiteral(join(PACKAGE_ROOT, 'dist/bundle'))}/**`],
    resolve: '',
    // One data file at a time: a run writes hundreds (about 140 KB each, mostly node's own scripts).
    mergeAsync: true,
  };
  await new Report(options).run();
  type Count = { pct: number };
  const total = (JSON.parse(readFileSync(join(m.dir, 'coverage-summary.json'), 'utf8')) as { total: Record<'lines' | 'branches' | 'functions', Count> }).total;
  // The reports hold it all; the raw data (tens of MB for the bundled run) is kept only when they could not be made.
  rmSync(m.raw, { recursive: true, force: true });
  return { lines: total.lines.pct, branches: total.branches.pct, functions: total.functions.pct };
}

const run = promisify(execFile);

async function reportPython(m: Measured): Promise<Omit<CoverageSummary, 'target' | 'kind' | 'dir'>> {
  const none = noData(m.raw);
  if (none) return none;
  const coverage = (...args: string[]) =>
    run(m.python!, ['-m', 'coverage', ...args, `--rcfile=${m.rcfile}`], { cwd: m.cwd, env: { ...process.env, ...m.env }, timeout: PYTHON_REPORT_MS, maxBuffer: 64 << 20 });
  await coverage('combine');
  const text = await coverage('report', '--show-missing');
  writeFileSync(join(m.dir, 'coverage.txt'), text.stdout);
  await coverage('html', '-d', m.dir);
  await coverage('lcov', '-o', join(m.dir, 'lcov.info'));
  await coverage('json', '-o', join(m.dir, 'coverage.json'));
  const totals = (JSON.parse(readFileSync(join(m.dir, 'coverage.json'), 'utf8')) as { totals: Record<string, number> }).totals;
  const { covered_lines = 0, num_statements = 0, covered_branches = 0, num_branches = 0 } = totals;
  return { lines: percent(covered_lines, num_statements), branches: percent(covered_branches, num_branches) };
}
