#!/usr/bin/env python3
"""Run a program on a pseudo-terminal, relaying it to this process's stdin/stdout.

    python3 pty-run.py PROGRAM [ARG...]

For programs that buffer stdout when it is a pipe (C stdio, Python 2): on a
terminal they flush each line, or each prompt, as they print it. The terminal is
set not to echo what is typed and not to turn "\\n" into "\\r\\n", so the bytes
relayed are the program's own. Its stderr shares the terminal, so it arrives on
stdout. The end of our stdin reaches the program as end of input (Ctrl-D).
SIGTERM, SIGINT and SIGHUP are passed on; the exit status is the program's
(128 + N when it was killed by signal N).
"""
import os
import pty
import select
import signal
import sys
import termios


def main(argv: list[str]) -> int:
    if not argv:
        sys.stderr.write("usage: pty-run.py PROGRAM [ARG...]\n")
        return 2
    pid, master = pty.fork()
    if pid == 0:
        attrs = termios.tcgetattr(0)
        attrs[1] &= ~termios.OPOST
        attrs[3] &= ~termios.ECHO
        termios.tcsetattr(0, termios.TCSANOW, attrs)
        try:
            os.execvp(argv[0], argv)
        except OSError as error:
            sys.stderr.write(f"cannot start {argv[0]}: {error.strerror}\n")
            os._exit(127)

    def forward(signum, _frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, forward)

    stdin_open = True
    while True:
        watched = [master] + ([0] if stdin_open else [])
        try:
            ready, _, _ = select.select(watched, [], [])
        except InterruptedError:
            continue
        if master in ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the program's side is closed
                data = b""
            if not data:
                break
            os.write(1, data)
        if 0 in ready:
            data = os.read(0, 65536)
            if data:
                os.write(master, data)
            else:
                stdin_open = False
                os.write(master, b"\x04")
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
