/**
 * The one way from what a user names — a config or none, scenario folders or files,
 * a program given on the command line — to suites ready to run: each with its
 * scenarios loaded and checked against its requirement catalogue, and the targets it
 * runs against. The CLI, the library API and the tests all go through here.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { loadCatalogue, type Catalogue, type Requirement } from '../scenario/catalogue.js';
import type { Diagnostic } from '../scenario/diagnostic.js';
import { findScenarioFiles, loadScenarioFile, type Loaded } from '../scenario/load.js';
import type { Scenario } from '../scenario/model.js';
import type { Target } from '../run/program.js';
import { findCatalogue, lookupStart, type CatalogueLookup } from './catalogue-lookup.js';

/** A target with the role of the program it runs: scenarios of that role run against it. */
export interface RoleTarget {
  role: Scenario['role'];
  target: Target;
}

/** A suite as the config declares it: a folder of scenarios and its targets. */
export interface SuiteDeclaration {
  /** Absolute. */
  scenarios: string;
  targets: RoleTarget[];
}

export interface SuiteRequest {
  /** Where relative paths start and scenario files are shown from. */
  cwd: string;
  /** Files or folders of scenarios; none: the declared suites (else `scenarios/`). */
  paths: readonly string[];
  /** The config's suites, if a config is used. */
  declared?: readonly SuiteDeclaration[];
  /** The catalogue every suite uses (a config's `requirements`, an API option); absent: the nearest one. */
  requirements?: string;
  /** The program of the command line: every suite runs against it, instead of the declared targets. */
  program?: RoleTarget;
}

export interface Suite {
  /** The folder (or file) the suite's scenarios were found under, absolute. */
  root: string;
  catalogue?: Catalogue;
  targets: RoleTarget[];
  loaded: Loaded[];
}

export interface Workspace {
  suites: Suite[];
  /** Every scenario file loaded, once, in order. */
  loaded: Loaded[];
  /** The catalogues of all suites as one (a run reports against it). */
  catalogue?: Catalogue;
  diagnostics: Diagnostic[];
}

/** Whether `file` (absolute) lies inside `folder` (absolute). */
export function isInside(file: string, folder: string): boolean {
  const rel = relative(folder, file);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** A catalogue found (or not) for one suite, with what an unknown id's diagnostic says. */
interface CatalogueChoice {
  catalogue?: Catalogue;
  /** The ids scenarios may cover: none when no catalogue was found, unchecked when the one named cannot be read. */
  ids?: ReadonlySet<string>;
  diagnostics: Diagnostic[];
  /** Appended to an unknown id's message: which catalogue was read, or where none was found. */
  where: string;
  hint: string;
}

/** Load the suites `request` names, their catalogues and scenarios. */
export async function loadSuites(request: SuiteRequest): Promise<Workspace> {
  const { cwd } = request;
  const shown = shownFrom(cwd);
  const roots = request.paths.length ? [...request.paths] : request.declared?.length ? request.declared.map((s) => shown(s.scenarios)) : ['scenarios'];
  const diagnostics: Diagnostic[] = [];
  // Each file once, under the first path that reaches it.
  const seen = new Set<string>();
  // Files named themselves (not found in a folder): a helper named as a scenario is an error.
  const named = new Set<string>();
  // `undeclared`: named by path, outside every suite of the config: its own nearest catalogue comes first.
  const groups: { root: string; targets: RoleTarget[]; files: string[]; undeclared: boolean }[] = [];
  const group = (root: string, targets: RoleTarget[], undeclared = false) => {
    let g = groups.find((x) => x.root === root && x.targets === targets);
    if (!g) groups.push((g = { root, targets, files: [], undeclared }));
    return g;
  };
  for (const path of roots) {
    const found = await findScenarioFiles([path], cwd);
    diagnostics.push(...found.diagnostics);
    if (found.files.length === 1 && resolve(cwd, found.files[0]!) === resolve(cwd, path)) named.add(found.files[0]!);
    for (const file of found.files) {
      const abs = resolve(cwd, file);
      if (seen.has(abs)) continue;
      seen.add(abs);
      const owners = (request.declared ?? []).filter((s) => isInside(abs, s.scenarios));
      const undeclared = request.declared !== undefined && owners.length === 0;
      if (request.program) {
        group(resolve(cwd, path), [request.program], undeclared).files.push(file);
        continue;
      }
      if (owners.length === 0) group(resolve(cwd, path), [], undeclared).files.push(file);
      for (const s of owners) group(s.scenarios, s.targets).files.push(file);
    }
  }

  const choose = catalogueChooser(cwd, request.requirements);
  const loads = new Map<string, Promise<Loaded>>();
  // Every group's files load at once: a TS scenario's probe runs in a worker while YAML files are read.
  const suites: Suite[] = await Promise.all(
    groups.map(async (g) => {
      const choice = await choose(g.root, g.undeclared);
      const all = await Promise.all(
        g.files.map((file) => {
          const key = `${choice.catalogue?.file ?? choice.where}\0${file}`;
          let l = loads.get(key);
          if (!l) loads.set(key, (l = loadScenarioFile(file, cwd, choice.ids).then((r) => explainUnknownIds(r, choice))));
          return l;
        }),
      );
      const loaded = all.filter((l) => !l.helper || named.has(l.file));
      return { root: g.root, targets: g.targets, loaded, ...(choice.catalogue ? { catalogue: choice.catalogue } : {}) };
    }),
  );
  const chosen = await choose.all();
  diagnostics.unshift(...chosen.flatMap((c) => c.diagnostics));
  const loaded: Loaded[] = [];
  const listed = new Set<string>();
  for (const l of suites.flatMap((s) => s.loaded)) {
    if (listed.has(l.file)) continue;
    listed.add(l.file);
    loaded.push(l);
    diagnostics.push(...l.diagnostics);
  }
  const catalogue = mergeCatalogues(chosen.flatMap((c) => (c.catalogue ? [c.catalogue] : [])));
  return { suites, loaded, diagnostics, ...(catalogue ? { catalogue } : {}) };
}

/**
 * The catalogue of the suite under each root, each catalogue read once: `requirements` if given, else the nearest.
 * With `nearestFirst` (scenarios named by path outside the config's suites), the nearest, and `requirements` only
 * where none is found.
 */
function catalogueChooser(cwd: string, requirements: string | undefined): ((root: string, nearestFirst?: boolean) => Promise<CatalogueChoice>) & { all(): Promise<CatalogueChoice[]> } {
  const shown = shownFrom(cwd);
  const choices = new Map<string, Promise<CatalogueChoice>>();
  const choose = (root: string, nearestFirst = false): Promise<CatalogueChoice> => {
    const nearest = !requirements || nearestFirst ? findCatalogue(lookupStart(resolve(cwd, root))) : undefined;
    const key: string | CatalogueLookup = requirements && !nearest?.file ? resolve(cwd, requirements) : nearest!;
    const id = typeof key === 'string' ? key : (key.file ?? `none:${key.searched[0]}`);
    let c = choices.get(id);
    if (!c) choices.set(id, (c = chooseCatalogue(key, cwd, shown)));
    return c;
  };
  return Object.assign(choose, { all: () => Promise.all(choices.values()) });
}

/** The catalogue (merged, if several) of the scenarios under `roots`: `requirements` if given, else each root's nearest. */
export async function suiteCatalogue(roots: readonly string[], cwd: string, requirements?: string): Promise<{ catalogue?: Catalogue; diagnostics: Diagnostic[] }> {
  const choose = catalogueChooser(cwd, requirements);
  await Promise.all(roots.map((root) => choose(root)));
  const all = await choose.all();
  const catalogue = mergeCatalogues(all.flatMap((c) => (c.catalogue ? [c.catalogue] : [])));
  return { diagnostics: all.flatMap((c) => c.diagnostics), ...(catalogue ? { catalogue } : {}) };
}

/** A path as shown in messages: relative to `cwd` when inside it, else absolute. */
function shownFrom(cwd: string): (abs: string) => string {
  return (abs) => {
    const rel = relative(cwd, abs);
    return rel === '' ? '.' : rel === '..' || rel.startsWith(`..${sep}`) ? abs : rel;
  };
}

async function chooseCatalogue(key: string | CatalogueLookup, cwd: string, shown: (abs: string) => string): Promise<CatalogueChoice> {
  const file = typeof key === 'string' ? key : key.file;
  if (file === undefined) {
    const lookup = key as CatalogueLookup;
    const top = lookup.searched[lookup.searched.length - 1]!;
    return {
      ids: new Set(),
      diagnostics: [],
      where: `no requirements.yaml found in ${shown(lookup.searched[0]!)} or any folder above it up to ${shown(top)}`,
      hint: 'list the ids in a requirements.yaml beside the scenarios or above them; `sockspec init` writes one',
    };
  }
  const r = await loadCatalogue(shown(file), cwd);
  return {
    diagnostics: r.diagnostics,
    ...(r.catalogue ? { catalogue: r.catalogue, ids: new Set(r.catalogue.byId.keys()) } : {}),
    where: `the catalogue read is ${shown(file)}`,
    hint: `add it to ${shown(file)}`,
  };
}

/** An unknown id's diagnostic, told which catalogue was read or where none was found. */
function explainUnknownIds(l: Loaded, choice: CatalogueChoice): Loaded {
  if (!l.diagnostics.some((d) => d.code === 'unknown-requirement')) return l;
  const diagnostics = l.diagnostics.map((d) => (d.code === 'unknown-requirement' ? { ...d, message: `${d.message}: ${choice.where}`, hint: d.hint ?? choice.hint } : d));
  return { ...l, diagnostics };
}

/** Several catalogues as one: every id once, the first catalogue's entry winning. */
function mergeCatalogues(list: Catalogue[]): Catalogue | undefined {
  const distinct = [...new Map(list.map((c) => [c.file, c])).values()];
  if (distinct.length <= 1) return distinct[0];
  const byId = new Map<string, Requirement>();
  for (const c of distinct) for (const r of c.requirements) if (!byId.has(r.id)) byId.set(r.id, r);
  return { file: distinct.map((c) => c.file).join(', '), requirements: [...byId.values()], byId };
}

/** The program a command line or an API call names, as a target. */
export interface ProgramSpec {
  name: string;
  role: Scenario['role'];
  /** Absent: a server already running on `port`. */
  command?: string;
  port?: number;
  /** With `port` and no command: the running server serves scenarios side by side (see `Target.concurrent`). */
  concurrent?: boolean;
  tty?: boolean;
  env?: Record<string, string>;
  files?: Readonly<Record<string, string>>;
  cwd: string;
  readyTimeoutMs: number;
}

/** `spec` as a target of its role. */
export function programTarget(spec: ProgramSpec): RoleTarget {
  const { role, port, tty, command, env, files, concurrent, ...rest } = spec;
  return {
    role,
    target: { ...rest, ...(command !== undefined ? { command } : {}), ...(port !== undefined ? { fixedPort: port } : {}), ...(concurrent && command === undefined && port !== undefined ? { concurrent: true } : {}), ...(tty ? { tty: true } : {}), ...(env ? { env } : {}), ...(files ? { files } : {}) },
  };
}
