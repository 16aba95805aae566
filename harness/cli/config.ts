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

export const CONFIG_FILE = 'sockspec.config.yaml';
export { PACKAGE_ROOT } from '../package-root.js';

/** A file name under a program's folder: relative, no `..` part. */
const FILE_NAME = /^(?!\/)(?!.*(^|\/)\.\.(\/|$))[^\0]+$/;

const targetSchema = z.strictObject({
  name: z.string().min(1),
  server: z.string().min(1).optional().describe('a server under test: command line; {port} is replaced by the port'),
  client: z.string().min(1).optional().describe('a client under test: command line; {port} is replaced by the port the harness listens on'),
  tty: z.boolean().optional().describe('run it on a pseudo-terminal'),
  port: z.number().int().min(1).max(65535).optional().describe('a fixed port the program always uses'),
  env: z.record(z.string(), z.string()).optional(),
  files: z
    .record(
      z.string().regex(FILE_NAME, 'a relative path inside the folder, without `..`'),
      z.union([z.string(), z.strictObject({ from: z.string().min(1).describe('a file to copy, relative to the config file') })]),
    )
    .optional()
    .describe('files written to a fresh folder {dir} at each start, {port} and {dir} in them replaced'),
  expectations: z.string().min(1).optional().describe("an expectation file: this target's known deviations (relative to the config file)"),
});

export const configSchema = z.strictObject({
  requirements: z.string().optional(),
  reporters: z.array(z.string()).optional(),
  jobs: z.number().int().positive().max(64).optional(),
  suites: z
    .array(z.strictObject({ scenarios: z.string(), targets: z.array(targetSchema).min(1) }))
    .optional(),
});

/** A target of the config, its files read: name → text (with `{port}` and `{dir}` still in it); `expectations` absolute. */
export type TargetConfig = Omit<z.infer<typeof targetSchema>, 'files'> & { files?: Record<string, string> };

export interface Config {
  /** The config file read, if any. */
  file?: string;
  /** Folder relative paths resolve against. */
  root: string;
  /** The catalogue the config names; absent: each suite's nearest `requirements.yaml`. */
  requirements?: string;
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
  const defaults: Config = { root: cwd, reporters: ['console'], jobs: 2, suites: [] };
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
        const { code, message } =
          issue.code === 'unrecognized_keys'
            ? { code: 'unknown-key', message: issue.message }
            : issue.code === 'invalid_key'
              ? { code: 'invalid-file-name', message: `\`${String(p[p.length - 1])}\`: a file name is a relative path inside the folder, without \`..\`` }
              : describeIssue(issue, p);
        return { file: shown, line, col, code, message, severity: 'error' as const };
      }),
    };
  }
  const root = dirname(path);
  const c = r.data;
  const diagnostics: Diagnostic[] = [];
  const suites = await Promise.all(
    (c.suites ?? []).map(async (s, i) => ({
      scenarios: resolve(root, s.scenarios),
      targets: await Promise.all(
        s.targets.map(async ({ files, ...given }, j): Promise<TargetConfig> => {
          const t = given.expectations ? { ...given, expectations: resolve(root, given.expectations) } : given;
          if (!files) return t;
          const read: Record<string, string> = {};
          for (const [name, spec] of Object.entries(files)) {
            if (typeof spec === 'string') read[name] = spec;
            else {
              const got = await readRegularFile(resolve(root, spec.from));
              if ('text' in got) read[name] = got.text;
              else diagnostics.push({ file: shown, ...src.locate(['suites', i, 'targets', j, 'files', name, 'from']), code: got.problem.code, message: `cannot read \`${spec.from}\` (for file \`${name}\`): ${got.problem.message}`, severity: 'error' });
            }
          }
          return { ...t, files: read };
        }),
      ),
    })),
  );
  if (diagnostics.length) return { diagnostics };
  return {
    config: {
      file: path,
      root,
      ...(c.requirements ? { requirements: resolve(root, c.requirements) } : {}),
      reporters: c.reporters ?? defaults.reporters,
      jobs: c.jobs ?? defaults.jobs,
      suites,
    },
    diagnostics: [],
  };
}
