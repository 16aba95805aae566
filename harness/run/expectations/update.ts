/**
 * `--update-expectations`: an expectation file rewritten from a run's outcomes. Entries
 * the run bore out (and those no scenario of the run used: a partial run says nothing
 * of them) are kept as written, comments included; an entry the run contradicted is
 * rewritten with what the run gave, keeping its reason and link; each outcome other
 * than pass that no entry speaks for gets an entry whose reason is still to be written.
 * An entry for a scenario that now passes is dropped.
 */
import { relative, resolve, sep } from 'node:path';
import { isMap, isSeq, parseDocument, YAMLSeq, type Document, type YAMLMap } from 'yaml';
import type { Outcome, ScenarioResult } from '../result.js';
import { checkResult, type EntryUse, type ResultCheck } from './apply.js';
import type { ExpectationEntry, ExpectationFile } from './file.js';

/** The reason a new entry gets: the file says what is not known yet. */
export const TODO_REASON = 'TODO: say why';

const HEADER = ' Known deviations, each with its reason: sockspec run --expectations FILE (--update-expectations rewrites it).';

/** What an entry to write says (before it is merged across targets). */
interface Item {
  scenario: string;
  requirement?: string;
  target?: string;
  outcome: Outcome;
  /** The entry whose reason and link it keeps, if any. */
  donor?: ExpectationEntry;
}

export interface ExpectationUpdate {
  text: string;
  /** Entries in the new file, entries added, entries dropped. */
  entries: number;
  added: number;
  dropped: number;
}

/** Which entries the run bore out: every scenario each spoke for gave an outcome it accepts (unused ones count). */
function keptEntries(file: ExpectationFile, checks: ResultCheck[]): Set<ExpectationEntry> {
  const contradicted = new Set(checks.flatMap((c) => c.uses.filter((u) => !u.held).map((u) => u.entry)));
  return new Set(file.entries.filter((e) => !contradicted.has(e)));
}

/** What `r` needs written that no kept entry says. */
function itemsFor(r: ScenarioResult, c: ResultCheck, kept: Set<ExpectationEntry>, scenario: string): Item[] {
  const keptUse = (u: EntryUse) => kept.has(u.entry);
  if (c.uses.some((u) => u.requirement === undefined && keptUse(u))) return [];
  const fine = (o: Outcome) => o === 'pass' || o === 'skip';
  const ids = Object.keys(r.requirements);
  const dropped = c.uses.filter((u) => !keptUse(u));
  const donorFor = (requirement?: string) => (dropped.find((u) => u.requirement === requirement) ?? dropped[0])?.entry;
  const item = (outcome: Outcome, requirement?: string): Item => {
    const donor = donorFor(requirement);
    return { scenario, outcome, target: r.target, ...(requirement !== undefined ? { requirement } : {}), ...(donor ? { donor } : {}) };
  };
  if (ids.length === 0) return fine(r.outcome) ? [] : [item(r.outcome)];
  const need = ids.filter((id) => !fine(r.requirements[id]!) && !c.uses.some((u) => u.requirement === id && keptUse(u)));
  if (need.length === 0) return [];
  // One entry for the scenario only where it cannot hide a new deviation: every id of it gives the one outcome.
  if (!c.uses.some(keptUse) && ids.every((id) => r.requirements[id] === r.outcome)) return [item(r.outcome)];
  return need.map((id) => item(r.requirements[id]!, id));
}

const withoutTarget = ({ target: _, ...rest }: Item): Item => rest;

/** Items of several targets merged: an outcome every target that ran the scenario gave needs no `target:`. */
function mergeTargets(items: Item[], results: readonly ScenarioResult[], shown: (r: ScenarioResult) => string): Item[] {
  const several = new Set(results.map((r) => r.target)).size > 1;
  const ranBy = new Map<string, Set<string>>();
  for (const r of results) ranBy.set(shown(r), (ranBy.get(shown(r)) ?? new Set()).add(r.target));
  const groups = new Map<string, Item[]>();
  for (const i of items) {
    const key = JSON.stringify([i.scenario, i.requirement ?? null, i.outcome]);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  }
  return [...groups.values()].flatMap((g) => (!several || g.length === ranBy.get(g[0]!.scenario)!.size ? [withoutTarget(g[0]!)] : g));
}

/** The values of an entry to write, in the order of its keys. */
function entryValue(i: Item): Record<string, unknown> {
  return {
    scenario: i.scenario,
    ...(i.requirement !== undefined ? { requirement: i.requirement } : {}),
    ...(i.target !== undefined ? { target: i.target } : {}),
    outcome: i.outcome,
    reason: i.donor?.reason ?? TODO_REASON,
    ...(i.donor?.link ? { link: i.donor.link } : {}),
  };
}

/** The comment above the first entry, up to its last blank line, is the file's own: it stays when that entry goes. */
function keepHeader(doc: Document, first: YAMLMap | undefined): void {
  const c = first?.commentBefore;
  if (!c) return;
  const blank = c.lastIndexOf('\n\n');
  if (blank < 0) return;
  doc.commentBefore = c.slice(0, blank);
  first!.commentBefore = c.slice(blank + 2) || null;
}

/**
 * The text of `file` (`text`: as read; undefined: a new file) rewritten from `results`,
 * the results it speaks for, whose `file` paths are relative to `cwd`.
 */
export function updateExpectations(text: string | undefined, file: ExpectationFile, results: readonly ScenarioResult[], cwd: string): ExpectationUpdate {
  const shown = (r: ScenarioResult) => relative(file.base, resolve(cwd, r.file)).split(sep).join('/');
  const checks = results.map((r) => checkResult(r, file, cwd));
  const kept = keptEntries(file, checks);
  const items = mergeTargets(
    results.flatMap((r, i) => itemsFor(r, checks[i]!, kept, shown(r))),
    results,
    shown,
  );

  const doc: Document = parseDocument(text ?? '');
  const nodes = isSeq(doc.contents) ? (doc.contents.items as YAMLMap[]) : [];
  if (text === undefined) doc.commentBefore = HEADER;
  else keepHeader(doc, nodes[0]);
  // An entry rewritten in place keeps its comments; it must have named this very scenario and id.
  const reused = new Map<ExpectationEntry, Item>();
  const added: Item[] = [];
  for (const i of items) {
    const d = i.donor;
    const own = d && d.exact && !reused.has(d) && d.requirement === i.requirement && d.scenario !== undefined && resolve(file.base, d.scenario) === resolve(file.base, i.scenario);
    if (own) reused.set(d, i);
    else added.push(i);
  }
  const seq = new YAMLSeq();
  file.entries.forEach((e, n) => {
    const node = nodes[n];
    if (!isMap(node)) return;
    const i = reused.get(e);
    if (i) {
      node.set('outcome', i.outcome);
      if (i.target !== undefined) node.set('target', i.target);
      else node.delete('target');
    }
    if (i || kept.has(e)) seq.items.push(node);
  });
  const order = (i: Item) => [i.scenario, i.requirement ?? '', i.target ?? ''].join('\0');
  for (const i of added.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0))) seq.items.push(doc.createNode(entryValue(i)));
  doc.contents = seq;
  return {
    text: doc.toString({ lineWidth: 0, flowCollectionPadding: false }),
    entries: seq.items.length,
    added: added.length,
    dropped: file.entries.length - kept.size - reused.size,
  };
}
