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
from collections.abc import Iterator
from contextlib import contextmanager

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
        return
    try:  # held back by starting() while this process was started: a Ctrl-C pending now is dropped
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD_BACK)
    except (AttributeError, ValueError, OSError):
        pass


_HELD_BACK = {signal.SIGINT, signal.SIGTERM}


@contextmanager
def starting() -> Iterator[None]:
    """Start worker processes inside this block: Ctrl-C and SIGTERM are held back meanwhile (and reach the
    build just after), so that a new process cannot be stopped half-started with a Python traceback; it
    inherits them held back until quiet_worker() has set it up (spawn's interpreter start-up included)."""
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_BACK)
    except (AttributeError, ValueError, OSError):  # Windows: no signal masks
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def stop_workers() -> None:
    """End every worker process of this build at once (on Ctrl-C or SIGTERM): they hold nothing that
    must be finished, the build's staging folder is removed by the build itself."""
    for child in mp.active_children():
        try:
            child.kill()
        except (OSError, ValueError, AttributeError):
            pass
