/**
 * Whether a process has ended or is on its way out, from /proc (Linux).
 */
import { readdir, readFile } from 'node:fs/promises';

/**
 * Whether process `pid` has ended or is ending: gone, a zombie not yet reaped, or
 * with its files already closed (the kernel closes them, and so its sockets, before
 * the process turns zombie); false where /proc cannot tell.
 */
export async function isEnding(pid: number): Promise<boolean> {
  if (process.platform !== 'linux') return false;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const state = stat.charAt(stat.lastIndexOf(')') + 2);
    if (state === 'Z' || state === 'X') return true;
    return (await readdir(`/proc/${pid}/fd`)).length === 0;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
