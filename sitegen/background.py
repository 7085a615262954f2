"""Run a step of the build in a forked process while the build goes on (the feedback workbooks while the
site is measured and rendered: the step needs only what was read, and a core is often idle then).

    with background(fn, *args) as job:
        ...                 # the rest of the build
    value = job.value       # fn's return value; fn's exception is raised here

Leaving the block waits for the job, also when the build fails, so that no step outlives the build's lock.
Where fork is not available, fn simply runs first.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any

from .orphans import end_with_parent


class Job:
    def __init__(self) -> None:
        self.value: Any = None


@contextmanager
def background(fn: Callable[..., Any], *args: Any) -> Iterator[Job]:
    job = Job()
    if "fork" not in mp.get_all_start_methods():
        job.value = fn(*args)
        yield job
        return
    ctx = mp.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_run, args=(send, fn, args, os.getpid()))
    proc.start()
    send.close()
    failed = False
    try:
        yield job
    except BaseException:
        failed = True
        raise
    finally:
        try:
            ok, value = receive.recv()
        except EOFError:  # the process died (killed, out of memory)
            ok, value = False, RuntimeError("a background step of the build stopped unexpectedly")
        receive.close()
        proc.join()
        if not failed:
            if not ok:
                raise value
            job.value = value


def _run(send: Connection, fn: Callable[..., Any], args: tuple[Any, ...], parent: int | None = None) -> None:
    end_with_parent(parent)
    try:
        result: tuple[bool, Any] = (True, fn(*args))
    except BaseException as exc:  # noqa: BLE001 - reported to the build
        result = (False, exc)
    try:
        send.send(result)
    except Exception as exc:  # an exception that does not pickle
        send.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    send.close()
