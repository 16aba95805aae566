/**
 * A target's files: at each start of its program, a fresh folder (`{dir}`) holding
 * them, `{port}` and `{dir}` in their text replaced; the folder is removed once the
 * program has stopped, and, whatever happens, when the harness exits.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fillTemplate } from '../process/command.js';

/** Folders made and not yet removed: an exit (Ctrl-C included) removes them. */
const live = new Set<string>();
let hooked = false;

function removeAll(): void {
  for (const dir of live) removeFolder(dir);
}

/** A fresh folder holding `files` (name → text), filled in for `port`; absolute path. */
export function makeProgramFolder(files: Readonly<Record<string, string>>, port: string): string {
  if (!hooked) {
    hooked = true;
    process.on('exit', removeAll);
  }
  const dir = mkdtempSync(join(tmpdir(), 'sockspec-files-'));
  live.add(dir);
  try {
    for (const [name, text] of Object.entries(files)) {
      const path = join(dir, name);
      mkdirSync(dirname(path), { recursive: true });
      // `{port}` and `{dir}` replaced as in the command; any other `{…}` left as it is.
      writeFileSync(path, fillTemplate([text], { port, dir })[0]!);
    }
  } catch (e) {
    removeFolder(dir);
    throw e;
  }
  return dir;
}

/** Remove a folder made by `makeProgramFolder`. */
export function removeFolder(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  live.delete(dir);
}
