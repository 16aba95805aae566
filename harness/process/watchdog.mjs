// The watchdog of one harness process (see watchdog.ts): it runs in a process group
// of its own and reads lines on stdin from the harness, "+PGID" when a program's
// group starts and "-PGID" when it is gone. When stdin ends, the harness has ended,
// however (exit, crash, SIGKILL): it SIGKILLs every group still registered and every
// process whose environment carries the harness's mark (SOCKSPEC_OWNER=<pid>.…),
// then exits. Plain JavaScript with node: built-ins only, so that Node, Bun and Deno
// run it as it is.
import { readdirSync, readFileSync } from 'node:fs';

const prefix = Buffer.from(`SOCKSPEC_OWNER=${process.argv[2] ?? 'none'}.`);
const groups = new Set();
let pending = '';
let finished = false;

function kill(id) {
  // 0, 1 and -1 would reach our own group or every process we may signal: never.
  if (!Number.isInteger(id) || Math.abs(id) <= 1) return;
  try {
    process.kill(id, 'SIGKILL');
  } catch {
    // gone already, or not ours
  }
}

/** Pids of live processes carrying the mark. */
function marked() {
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const pids = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${name}/environ`);
      for (let at = environ.indexOf(prefix); at >= 0; at = environ.indexOf(prefix, at + 1)) {
        if (at === 0 || environ[at - 1] === 0) {
          pids.push(Number(name));
          break;
        }
      }
    } catch {
      // another user's process, or gone
    }
  }
  return pids;
}

function finish() {
  if (finished) return;
  finished = true;
  for (const pgid of groups) kill(-pgid);
  // A process may fork while we look: look again until nobody carries the mark (bounded).
  for (let pass = 0; pass < 5; pass++) {
    const pids = marked();
    if (pids.length === 0) break;
    for (const pid of pids) kill(pid);
  }
  process.exit(0);
}

for (const signal of ['SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGPIPE']) {
  try {
    process.on(signal, () => {});
  } catch {
    // a runtime that cannot listen for it
  }
}
try {
  process.on('SIGTERM', finish);
} catch {
  // as above
}
process.stdin.on('data', (chunk) => {
  pending += chunk.toString('latin1');
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    const pgid = Number(line.slice(1));
    if (!Number.isInteger(pgid) || pgid <= 1) continue;
    if (line[0] === '+') groups.add(pgid);
    else if (line[0] === '-') groups.delete(pgid);
  }
});
process.stdin.on('end', finish);
process.stdin.on('close', finish);
process.stdin.on('error', finish);
