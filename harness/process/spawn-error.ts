/**
 * A failure to start a program, in words a user can act on.
 */
import { existsSync } from 'node:fs';

/** Word a spawn error: what was run, why it failed, and the errno code. */
export function describeSpawnError(e: unknown, argv: string[], cwd: string | undefined): string {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
  const cmd = JSON.stringify(argv[0] ?? '');
  if (code === 'ENOENT') {
    if (cwd !== undefined && !existsSync(cwd)) return `cannot start ${cmd}: the working directory ${JSON.stringify(cwd)} does not exist (ENOENT)`;
    const where = (argv[0] ?? '').includes('/') ? 'no such file' : 'not found on PATH';
    return `cannot start ${cmd}: ${where} (ENOENT)`;
  }
  if (code === 'EACCES') return `cannot start ${cmd}: permission denied — is it executable? (EACCES)`;
  if (code === 'ENOTDIR') return `cannot start ${cmd}: a part of the path is not a directory (ENOTDIR)`;
  const message = e instanceof Error ? e.message : String(e);
  return `cannot start ${cmd}: ${message}${code && !message.includes(code) ? ` (${code})` : ''}`;
}
