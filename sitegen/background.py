"""Run a step of the build in another process while the build goes on (the feedback workbooks while the
site is measured and rendered: the step needs only what was read, and a core is often idle then).

    with background(fn, *args) as job:
        ...                 # the rest of the build
    value = job.value       # fn's return value; fn's exception is raised here

The step and its arguments go to the process as values (pickled under spawn, inherited under fork).
Leaving the block waits for the job when the build went well or failed with an error, so that no step
outlives the build's lock; when the build is interrupted (Ctrl-C, SIGTERM) the job is ended instead. A
process that dies is reported (RuntimeError), never waited for.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any

from . import procs
from .orphans import end_with_parent


class Job:
    def __init__(self) -> None:
        self.value: Any = None


@contextmanager
def background(fn: Callable[..., Any], *args: Any) -> Iterator[Job]:
    job = Job()
    ctx = procs.context()
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_run, args=(send, fn, args, os.getpid()), daemon=True)  # type: ignore[attr-defined]
    with procs.starting():
        proc.start()
    send.close()
    failed = False
    interrupted = False
    try:
        yield job
    except Exception:
        failed = True
        raise
    except BaseException:
        failed = interrupted = True
        raise
    finally:
        ok, value = False, RuntimeError("the background step did not finish")
        try:
            if interrupted:
                proc.kill()
            else:
                ok, value = _receive(receive, proc)
        finally:
            receive.close()
            proc.join()
        if not failed:
            if not ok:
                raise value
            job.value = value


def _receive(receive: Connection, proc: Any) -> tuple[bool, Any]:
    """The step's (ok, value), or (False, RuntimeError) when its process died without sending it."""
    from multiprocessing.connection import wait

    while True:
        ready = wait([receive, proc.sentinel])
        if receive in ready or receive.poll():
            try:
                return receive.recv()  # type: ignore[no-any-return]
            except EOFError:
                break
        if proc.sentinel in ready:
            break
    return False, RuntimeError(f"a background step of the build stopped unexpectedly (exit code {proc.exitcode})")


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
