/**
 * What a command works on: the config (if any) and the suites named on the command
 * line or by the config, loaded through the one suite loader.
 */
import { resolve } from 'node:path';
import { readRegularFile } from '../scenario/read-file.js';
import { formatDiagnostic, type Diagnostic } from '../scenario/diagnostic.js';
import type { Target } from '../run/program.js';
import { loadSuites, type RoleTarget, type SuiteDeclaration, type Workspace } from '../suite/workspace.js';
import { loadConfig, type Config, type TargetConfig } from './config.js';
import type { Io } from './main.js';

/** A workspace with the config it came from. */
export interface CliWorkspace extends Workspace {
  config: Config;
  /** The expectation file (absolute) of each config target that names one. */
  expectations: Map<Target, string>;
}

/** A config target as the targets it declares (a server, a client, or both). */
function roleTargets(t: TargetConfig, config: Config, readyTimeoutMs: number, expectations: Map<Target, string>): RoleTarget[] {
  const base = { name: t.name, cwd: config.root, readyTimeoutMs, ...(t.port ? { fixedPort: t.port } : {}), ...(t.env ? { env: t.env } : {}), ...(t.tty ? { tty: true } : {}), ...(t.files ? { files: t.files } : {}) };
  const targets = [
    ...(t.server !== undefined ? [{ role: 'server' as const, target: { ...base, command: t.server } }] : []),
    ...(t.client !== undefined ? [{ role: 'client' as const, target: { ...base, command: t.client } }] : []),
  ];
  if (t.expectations) for (const { target } of targets) expectations.set(target, t.expectations);
  return targets;
}

/** Load the config and the suites for `paths` (default: the config's suites, else `scenarios/`); `program` replaces the config's targets. */
export async function loadWorkspace(paths: string[], configFile: string | undefined, io: Io, options: { program?: RoleTarget; readyTimeoutMs?: number } = {}): Promise<CliWorkspace> {
  const { config, diagnostics } = await loadConfig(io.cwd, configFile);
  const expectations = new Map<Target, string>();
  if (!config) return { config: { root: io.cwd, reporters: [], jobs: 1, suites: [] }, suites: [], loaded: [], diagnostics, expectations };
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  const declared: SuiteDeclaration[] = config.suites.map((s) => ({ scenarios: s.scenarios, targets: s.targets.flatMap((t) => roleTargets(t, config, readyTimeoutMs, expectations)) }));
  const ws = await loadSuites({ cwd: io.cwd, paths, declared, ...(config.requirements ? { requirements: config.requirements } : {}), ...(options.program ? { program: options.program } : {}) });
  return { ...ws, config, diagnostics: [...diagnostics, ...ws.diagnostics], expectations };
}

/** `--file NAME=PATH` options read: name → text; PATH relative to `cwd`. */
export async function readFileOptions(specs: readonly string[], cwd: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const name = spec.slice(0, eq);
    if (eq < 1 || eq === spec.length - 1 || name.startsWith('/') || name.split('/').includes('..')) {
      throw Object.assign(new Error(`expected --file NAME=PATH with NAME a relative path without \`..\`, got \`${spec}\``), { code: 'usage' });
    }
    const read = await readRegularFile(resolve(cwd, spec.slice(eq + 1)));
    if ('problem' in read) throw Object.assign(new Error(`--file ${name}: cannot read ${spec.slice(eq + 1)}: ${read.problem.message}`), { code: 'usage' });
    files[name] = read.text;
  }
  return files;
}

/** Print diagnostics to stderr, one per line; true if any is an error. */
export function reportDiagnostics(diagnostics: Diagnostic[], io: Io): boolean {
  for (const d of diagnostics) io.stderr.write(`${formatDiagnostic(d)}\n`);
  return diagnostics.some((d) => d.severity === 'error');
}
