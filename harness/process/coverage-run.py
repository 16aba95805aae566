#!/usr/bin/env python3
"""`coverage run` for a Python program under test that the harness stops with SIGTERM.

    python3 [OPTIONS] coverage-run.py --parallel-mode --rcfile=RC (SCRIPT | -m MODULE) [ARG...]

The same as `python3 -m coverage run ...` (coverage.py's own command line runs the
program, with its sys.argv, sys.path and __main__ as usual), and one thing more:
coverage.py writes its data when the program exits, not when SIGTERM's default
action kills it, and its `[run] sigterm` setting saves the data of `coverage run`
only from coverage.py 7.2.3 on. So before the program starts, a SIGTERM handler is
installed that stops coverage, saves its data, gives SIGTERM back its default
action and sends it again: the program dies of SIGTERM as it would have. A program
that sets a SIGTERM handler of its own replaces this one and keeps its behaviour
(an exit it then makes is saved as any exit is).
"""
import os
import signal
import sys

import coverage
from coverage.cmdline import main


def on_sigterm(signum, frame):
    cov = coverage.Coverage.current()
    if cov is not None:
        cov.stop()
        cov.save()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)


signal.signal(signal.SIGTERM, on_sigterm)
sys.exit(main(["run", *sys.argv[1:]]))
