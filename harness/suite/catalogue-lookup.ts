/**
 * Which requirement catalogue a suite uses when no config names one: the nearest
 * `requirements.yaml` in the suite's folder or above it, up to the filesystem root
 * or a folder holding `.git`.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The catalogue's file name. */
export const CATALOGUE_FILE = 'requirements.yaml';

/** Where a catalogue was looked for, and the file found (if any). */
export interface CatalogueLookup {
  file?: string;
  /** The folders searched, nearest first. */
  searched: string[];
}

/** The nearest `requirements.yaml` from folder `start` (absolute) upwards. */
export function findCatalogue(start: string): CatalogueLookup {
  const searched: string[] = [];
  for (let dir = start; ; dir = dirname(dir)) {
    searched.push(dir);
    const file = join(dir, CATALOGUE_FILE);
    if (statSync(file, { throwIfNoEntry: false })?.isFile()) return { file, searched };
    if (existsSync(join(dir, '.git')) || dirname(dir) === dir) return { searched };
  }
}

/** The folder a suite's lookup starts from: the folder itself, or a file's folder. */
export function lookupStart(abs: string): string {
  return statSync(abs, { throwIfNoEntry: false })?.isDirectory() ? abs : dirname(abs);
}
