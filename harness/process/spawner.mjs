// The spawner of one harness process (see spawner.ts): a small Node process that
// starts the programs under test for the harness, so that the fork happens here,
// in a process of a few dozen MiB, and not in the harness, whose fork copies the page
// tables of everything it holds and whose main thread libuv holds until the child has
// exec'd. For each request ({ id, file, args, env, cwd }) on the IPC channel it
// spawns the program detached (a process group of its own) with piped stdio, and
// answers { id, pid } then the three pipe ends, one message each ({ id, fd }, handle),
// or { id, error } when the program could not be started; { id, exit: [code, signal] }
// when it exits; { id, unsupported } when this Node's child streams do not give their
// pipe ends up as expected (the harness then starts its programs itself). `{ bye: true }` asks for its own CPU time ({ usage }) before it goes.
// When the channel closes (the harness exited, however), it exits. Node only: the
// pipe ends are taken from the child's streams before they read a byte.
import { spawn } from 'node:child_process';

/** The pipe end under `stream`, taken from it: it will not read, nor close with the stream. */
function take(stream) {
  const handle = stream?._handle;
  if (!handle) return undefined;
  if (handle.reading) {
    handle.reading = false;
    handle.readStop();
  }
  handle.onread = () => {};
  stream._handle = null;
  return handle;
}

function errorOf(e) {
  return { code: e?.code, errno: e?.errno, syscall: e?.syscall, path: e?.path, message: String(e?.message ?? e) };
}

function send(message, handle) {
  if (!process.connected) return;
  process.send(message, handle, undefined, () => {
    // Passed on (or failed): our copy of the pipe end is closed either way.
    if (handle) handle.close();
  });
}

process.on('message', (m) => {
  if (m?.bye) {
    const u = process.resourceUsage();
    send({ usage: { userUs: u.userCPUTime, systemUs: u.systemCPUTime } });
    return;
  }
  let child;
  try {
    child = spawn(m.file, m.args, { detached: true, stdio: 'pipe', env: m.env, ...(m.cwd ? { cwd: m.cwd } : {}) });
  } catch (e) {
    send({ id: m.id, error: errorOf(e) });
    return;
  }
  if (child.pid === undefined) {
    child.once('error', (e) => send({ id: m.id, error: errorOf(e) }));
    return;
  }
  // Taken at once, in the same turn as the spawn: no byte can have been read yet.
  const ends = [take(child.stdin), take(child.stdout), take(child.stderr)];
  child.on('error', () => {});
  if (ends.some((h) => h === undefined)) {
    // A Node whose child streams hold their pipes otherwise: the harness must start its programs itself.
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone already
    }
    send({ id: m.id, unsupported: `the pipes of a child process cannot be passed on under Node ${process.version}` });
    return;
  }
  send({ id: m.id, pid: child.pid });
  ends.forEach((handle, fd) => send({ id: m.id, fd }, handle));
  child.on('exit', (code, signal) => send({ id: m.id, exit: [code, signal] }));
});
// A message that cannot be sent any more (EPIPE: the harness is gone) is an error event, not a crash: the channel's
// close follows, and with it our exit.
process.on('error', () => {});
process.on('disconnect', () => process.exit(0));
