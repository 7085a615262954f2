"""Which start method the build's worker processes use, and how a worker process starts.

Linux starts workers with fork (they inherit what the build computed without copying it). Windows has
only spawn, and spawn is macOS's default: every multi-process step (reading, rendering, feedback
workbooks, background work) also runs under spawn, with the same output. `SITEGEN_START_METHOD=spawn`
(or `fork`, `forkserver`) forces a method where the system has it; the test suite runs the build tests a
second time with spawn forced (tests/test_spawn.py).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal

ENV = "SITEGEN_START_METHOD"


def start_method() -> str:
    """The start method of this run's worker processes."""
    methods = mp.get_all_start_methods()
    wanted = os.environ.get(ENV, "").strip().lower()
    if wanted in methods:
        return wanted
    return "fork" if "fork" in methods else "spawn"


def context() -> mp.context.BaseContext:
    return mp.get_context(start_method())


def quiet_worker() -> None:
    """First thing in a worker process: Ctrl-C (sent by the terminal to every process of the build) is the
    build's own to handle, and SIGTERM ends the worker at once without a Python traceback. A forked worker
    would otherwise run the build's own handlers."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    except (ValueError, OSError, AttributeError):  # not the main thread, or no such signal
        pass
