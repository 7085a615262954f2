"""Read many workbooks on every core, and survive a worker that dies on a hostile file.

Reading is the dominant cost of a build, so workbooks are read in a process pool. A file that makes
the native reader abort (or exhaust its memory limit) breaks the pool: the files not yet done are then
read again one per process, so that only the culprit is reported as unreadable.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Protocol

from .. import procs
from ..issues import make_issue
from ..orphans import end_with_parent
from .discover import InputFile
from .extract import ReadContext, WorkbookResult, file_owner, read_file

WORKER_MEMORY_BYTES = 3 * 1024 * 1024 * 1024  # address-space limit of a reading process


def _limit_memory(parent: int | None = None) -> None:
    """The initializer of a reading process: a memory limit, and an end when the build ends."""
    end_with_parent(parent)
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_BYTES, WORKER_MEMORY_BYTES))
    except (ImportError, ValueError, OSError):
        pass


def _context() -> mp.context.BaseContext:
    return procs.context()


def workers() -> int:
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:
        n = os.cpu_count() or 1
    return max(1, min(n, 8))


class Store(Protocol):
    """Where a reading process keeps what it read (the read cache): picklable."""

    def write(self, result: WorkbookResult, payload: bytes) -> None: ...


def read_packed(f: InputFile, ctx: ReadContext, store: Store | None = None) -> bytes:
    """Read one file in a worker; the result comes back pickled once (rows packed, see read/pack.py) and
    the same bytes go to the read cache, written by the worker."""
    result = read_file(f, ctx)
    payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    if store is not None:
        store.write(result, payload)
    return payload


def read_all(files: list[InputFile], ctx: ReadContext, *,
             progress: Callable[[InputFile], None] | None = None, store: Store | None = None) -> list[WorkbookResult]:
    """Read every file; results in the order of `files`."""
    results: dict[str, WorkbookResult] = {}
    n = workers()
    if n == 1 or len(files) < 3:
        pending = list(files)
    else:
        pending = []
        try:
            with ProcessPoolExecutor(max_workers=n, mp_context=_context(), initializer=_limit_memory,
                                     initargs=(os.getpid(),)) as ex:
                # larger files first, so that no worker is left with a big one at the end
                order = sorted(files, key=lambda f: -f.size)
                with procs.starting():
                    futures = {f.rel: ex.submit(read_packed, f, ctx, store) for f in order}
                for f in order:
                    try:
                        results[f.rel] = pickle.loads(futures[f.rel].result())
                    except BrokenProcessPool:
                        pending.append(f)
                    except Exception as exc:  # MemoryError under the worker's limit, or a bug
                        results[f.rel] = _failed(f, ctx, exc)
                    if progress:
                        progress(f)
        except BrokenProcessPool:
            pending = [f for f in files if f.rel not in results]
    for f in sorted(pending, key=lambda f: f.rel):
        results[f.rel] = _isolated(f, ctx, store)
        if progress and n == 1:
            progress(f)
    return [results[f.rel] for f in files]


def _isolated(f: InputFile, ctx: ReadContext, store: Store | None = None) -> WorkbookResult:
    """Read one file in its own process; a crash there marks only this file unreadable."""
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=_context(), initializer=_limit_memory,
                                     initargs=(os.getpid(),)) as ex:
            with procs.starting():
                future = ex.submit(read_packed, f, ctx, store)
            result: WorkbookResult = pickle.loads(future.result())
            return result
    except BrokenProcessPool:
        reason = ("the reader ran out of memory or stopped on this file" if ctx.lang == "en"
                  else "读取时超出内存上限或读取程序异常退出，文件内容可能异常")
        return _unreadable(f, ctx, "file-too-large", reason)
    except Exception as exc:
        return _failed(f, ctx, exc)


def _failed(f: InputFile, ctx: ReadContext, exc: BaseException) -> WorkbookResult:
    if isinstance(exc, MemoryError):
        reason = ("the reader ran out of memory on this file" if ctx.lang == "en"
                  else "读取时超出内存上限，文件内容可能异常")
        return _unreadable(f, ctx, "file-too-large", reason)
    detail = f"{type(exc).__name__}: {str(exc)[:100]}"
    reason = (f"internal error ({detail})" if ctx.lang == "en" else f"sitegen 内部错误（{detail}），请报告管理员")
    return _unreadable(f, ctx, "file-unreadable", reason)


def _unreadable(f: InputFile, ctx: ReadContext, code: str, reason: str) -> WorkbookResult:
    from .extract import file_digest

    try:
        digest = file_digest(f.path)
    except OSError:
        digest = ""
    r = WorkbookResult(rel=f.rel, digest=digest, unreadable=True)
    r.issues.append(make_issue(code, lang=ctx.lang, file=f.rel, reason=reason, rep=file_owner(None, f.rel, ctx.config)))
    return r


def read_serial(files: Iterable[InputFile], ctx: ReadContext) -> list[WorkbookResult]:
    return [read_file(f, ctx) for f in files]
