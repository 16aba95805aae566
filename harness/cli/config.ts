/**
 * The config file (`sockspec.config.yaml`): the suites, the implementations each
 * runs against, the catalogue and default reporters. Read once, fully defaulted.
 */
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import type { Diagnostic } from '../scenario/diagnostic.js';
import { describeIssue } from '../scenario/schema-walk.js';
import { readRegularFile } from '../scenario/read-file.js';
import { parseYamlSource } from '../scenario/yaml-source.js';
import { PACKAGE_ROOT } from '../package-root.js';

export const CONFIG_FILE = 'sockspec.config.yaml';
export { PACKAGE_ROOT } from '../package-root.js';

const targetSchema = z.strictObject({
  name: z.string().min(1),
  server: z.string().min(1).optional().describe('a server under test: command line; {port} is replaced by the port'),
  client: z.string().min(1).optional().describe('a client under test: command line; {port} is replaced by the port the harness listens on'),
  tty: z.boolean().optional().describe('run it on a pseudo-terminal'),
  port: z.number().int().min(1).max(65535).optional().describe('a fixed port the program always uses'),
  env: z.record(z.string(), z.string()).optional(),
});

export const configSchema = z.strictObject({
  requirements: z.string().optional(),
  reporters: z.array(z.string()).optional(),
  jobs: z.number().int().positive().max(64).optional(),
  suites: z
    .array(z.strictObject({ scenarios: z.string(), targets: z.array(targetSchema).min(1) }))
    .optional(),
});

export type TargetConfig = z.infer<typeof targetSchema>;

export interface Config {
  /** The config file read, if any. */
  file?: string;
  /** Folder relative paths resolve against. */
  root: string;
  requirements: string;
  reporters: string[];
  jobs: number;
  suites: { scenarios: string; targets: TargetConfig[] }[];
}

/** Read `file` (or `sockspec.config.yaml` in `cwd` if present) into a defaulted Config. */
export async function loadConfig(cwd: string, file?: string): Promise<{ config?: Config; diagnostics: Diagnostic[] }> {
  const path = resolve(cwd, file ?? CONFIG_FILE);
  let text: string | undefined;
  // A FIFO or device given as the config is refused, not waited on; the default file may be absent.
  const read = await readRegularFile(path);
  if ('text' in read) text = read.text;
  else if (file || read.problem.code !== 'not-found') return { diagnostics: [{ file: file ?? CONFIG_FILE, line: 0, col: 0, code: read.problem.code, message: read.problem.message, severity: 'error' }] };
  const defaults: Config = { root: cwd, requirements: resolve(PACKAGE_ROOT, 'scenarios/requirements.yaml'), reporters: ['console'], jobs: 2, suites: [] };
  if (text === undefined) return { config: defaults, diagnostics: [] };
  const shown = file ?? CONFIG_FILE;
  const src = parseYamlSource(shown, text);
  if (src.diagnostics.length) return { diagnostics: src.diagnostics };
  const r = configSchema.safeParse(src.data ?? {}, { reportInput: true });
  if (!r.success) {
    return {
      diagnostics: r.error.issues.map((issue) => {
        const p = issue.path as (string | number)[];
        const { line, col } = src.locate(p);
        const { code, message } = issue.code === 'unrecognized_keys' ? { code: 'unknown-key', message: issue.message } : describeIssue(issue, p);
        return { file: shown, line, col, code, message, severity: 'error' as const };
      }),
    };
  }
  const root = dirname(path);
  const c = r.data;
  return {
    config: {
      file: path,
      root,
      requirements: c.requirements ? resolve(root, c.requirements) : defaults.requirements,
      reporters: c.reporters ?? defaults.reporters,
      jobs: c.jobs ?? defaults.jobs,
      suites: (c.suites ?? []).map((s) => ({ ...s, scenarios: resolve(root, s.scenarios) })),
    },
    diagnostics: [],
  };
}
