"""Render the site on every core, straight into the staging folder, re-using unchanged account pages.

The parent process prepares the work (render.site_parts: the pages and the data files) and hands it to
worker processes as one value (RenderJob). Under fork (Linux) they inherit everything computed so far
without copying it; under spawn (Windows, macOS, or SITEGEN_START_METHOD=spawn) the job is pickled with
the recipe of the parts instead, and each worker makes them again. Each worker takes slices of the work,
renders, and writes its files into the staging folder itself; only paths, sizes and fingerprints come
back. A worker that dies is reported, never waited for. The Excel export and the other data files are tasks of their own, so they run
beside the pages.

Re-use (warm builds): an account page's fingerprint is a digest of everything it is made of: its own
template context (the account's facts, key persons, competition rows, follow-ups, issues, changes,
figures) and the parts of the site that every page shares (code, templates, layouts, config, as-of
date, URL map, account names, the week's header). When the previous build wrote the same page with the
same fingerprint and the file is still as it was written, it is hard-linked (or copied) into the
staging folder instead of being rendered. Team and rep pages are re-used the same way; the dashboard,
the lists (accounts, teams, competitors, quality, changes) and the data files are always made again.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import operator
import os
import pickle
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as mp_wait
from pathlib import Path, PurePosixPath
from typing import Any

from jinja2 import TemplateError, TemplateSyntaxError

from .. import procs
from ..model import CompetitionRow, FollowUp, KeyPerson
from ..orphans import end_with_parent
from .env import precompile
from .pages import Pages

# Pages that may be re-used: their template reads what its context holds, plus the shared parts. The team
# and rep pages also read `facts` (every account's facts) for the accounts of their own scope, which the
# context's `scope` holds: `facts` is left out of their fingerprint.
REUSABLE = {"account": "account.html", "team": "team.html", "rep": "rep.html", "plan": "plan.html"}
PAGES_PER_TASK = 150


class RenderError(Exception):
    """A template problem (its message is for the user) or an unsafe output path."""


@dataclass(frozen=True)
class Previous:
    """What the last build wrote: its folder, and per page (fingerprint, size, mtime_ns)."""

    output: Path
    pages: dict[str, tuple[str, int, int]]


@dataclass
class Part:
    """One site (the whole output, or one audience's folder)."""

    prefix: str  # "" or "<audience>/"
    pages: Pages
    files: list[tuple[str, Callable[[], bytes]]]
    shared: str = ""  # digest of what every page of this site depends on


@dataclass
class Written:
    files: list[tuple[str, int]] = field(default_factory=list)  # (path, bytes)
    fingerprints: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # account pages
    rendered: int = 0
    reused: int = 0


@dataclass
class RenderJob:
    """The work of one render, handed to every worker process as a value. Under fork a worker inherits
    the parts as they are; under spawn the job is pickled without them, and the worker makes them again
    from `recipe` (a picklable call that gives the very same parts: sitewrite.SiteRecipe)."""

    staged: Path
    previous: Previous | None
    zh: bool
    sources: dict[str, str]
    tasks: list[tuple[int, str, list[int]]]
    shared: list[str]  # each part's shared digest, computed once by the build's process
    recipe: Callable[[], list[Part]] | None = None
    parts: list[Part] | None = None  # never pickled

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["parts"] = None
        return state

    def the_parts(self) -> list[Part]:
        if self.parts is None:
            if self.recipe is None:
                raise RenderError("internal error: a rendering process has no work")
            install_fast_escape()
            parts = self.recipe()
            for part, shared in zip(parts, self.shared, strict=True):
                part.shared = shared
            self.parts = parts
        return self.parts


def render_into(parts: list[Part], staged: Path, previous: Previous | None, workers: int, zh: bool,
                sources: dict[str, str] | None = None, progress: Callable[[int, int], None] | None = None,
                recipe: Callable[[], list[Part]] | None = None) -> Written:
    """Render every part into `staged`. Raises RenderError for a template mistake (with its place).
    `sources`: every workbook's content digest (what a record read from a row stands for, see _by_source).
    `progress(done, total)`: pages and data files written so far, called in this process between tasks.
    `recipe`: makes `parts` again in a spawned worker (without it, spawn renders in this process only)."""
    install_fast_escape()
    for part in parts:
        part.shared = shared_digest(part.pages)
        precompile(part.pages.env)
    tasks: list[tuple[int, str, list[int]]] = []
    for p, part in enumerate(parts):
        # the big data files first (the Excel export is the longest task), then pages in slices
        tasks += [(p, "file", [i]) for i in range(len(part.files))]
        n = len(part.pages.jobs())
        tasks += [(p, "pages", list(range(i, min(n, i + PAGES_PER_TASK)))) for i in range(0, n, PAGES_PER_TASK)]
    job = RenderJob(staged, previous, zh, dict(sources or {}), tasks, [part.shared for part in parts], recipe, parts)
    total = sum(len(indexes) for _p, _kind, indexes in tasks)
    ctx = procs.context()
    if ctx.get_start_method() != "fork" and recipe is None:
        workers = 1
    results: dict[int, Written | str] = {}
    if workers <= 1:
        finished = 0
        for i, t in enumerate(tasks):
            results[i] = _task(job, t)
            finished += len(t[2])
            if progress:
                progress(finished, total)
    else:
        results.update(_render_with_workers(job, ctx, workers, total, progress))
    out = Written()
    for i in range(len(tasks)):
        r = results.get(i)
        if r is None:
            raise RenderError("internal error: a page task was not done")
        if isinstance(r, str):
            raise RenderError(r)
        out.files += r.files
        out.fingerprints.update(r.fingerprints)
        out.rendered += r.rendered
        out.reused += r.reused
    seen: set[str] = set()
    for rel, _size in out.files:
        if rel.lower() in seen:
            raise RenderError(f"internal error: two files would share the path {rel}")
        seen.add(rel.lower())
    return out


def _render_with_workers(job: RenderJob, ctx: Any, workers: int, total: int,
                         progress: Callable[[int, int], None] | None) -> dict[int, Written | str]:
    """This process is one of the workers: one copy of the build's memory fewer than a pool of `workers`;
    all take the next task from a shared counter, so that they finish together. A worker that dies (killed,
    out of memory) is reported as a RenderError, never waited for; on any way out, the others are ended."""
    counter, done = ctx.Value("i", 0), ctx.Value("i", 0)
    report = (lambda: progress(done.value, total)) if progress else None
    procs_: list[tuple[Any, Connection]] = []
    results: dict[int, Written | str] = {}
    try:
        with procs.starting():
            for _ in range(workers - 1):
                receive, send = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_worker, args=(job, counter, done, send, os.getpid()), daemon=True)
                procs_.append((proc, receive))
                proc.start()
                send.close()
        results.update(_drain(job, counter, done, report))
        for proc, receive in procs_:
            while True:
                ready = mp_wait([receive, proc.sentinel], timeout=0.25)
                if report:
                    report()
                if receive in ready or receive.poll():
                    try:
                        outcome = receive.recv()
                    except EOFError:
                        outcome = None
                    break
                if proc.sentinel in ready:
                    outcome = None
                    break
            if outcome is None:
                raise RenderError(_died(job.zh, proc.exitcode))
            kind, value = outcome
            if kind == "error":
                name, err, message = value
                if err:
                    raise OSError(err, message)
                raise RenderError(f"internal error in a rendering process: {name}: {message}")
            results.update(value)
        if report:
            report()
    finally:
        for proc, receive in procs_:
            if proc.pid is not None:
                if proc.is_alive():
                    proc.kill()
                proc.join()
            receive.close()
    return results


def _died(zh: bool, code: int | None) -> str:
    return (f"生成页面的一个进程意外退出（退出码 {code}），可能是内存不足；网站未更新" if zh
            else f"a page-rendering process stopped unexpectedly (exit code {code}), perhaps out of memory; "
                 "the site was not updated")


def _worker(job: RenderJob, counter: Any, done: Any, send: Connection, parent: int) -> None:
    """A rendering process: take tasks until none are left, then send what was written."""
    end_with_parent(parent)
    try:
        outcome: tuple[str, Any] = ("done", _drain(job, counter, done))
    except Exception as exc:  # noqa: BLE001 - reported to the build, which fails cleanly
        outcome = ("error", (type(exc).__name__, getattr(exc, "errno", None) if isinstance(exc, OSError) else None,
                             str(exc)[:300]))
    send.send(outcome)
    send.close()


def _drain(job: RenderJob, counter: Any, done_: Any,
           report: Callable[[], None] | None = None) -> list[tuple[int, Written | str]]:
    """Take tasks until there are none left; a template error stops this worker (and is reported).
    `report`: called after each task (in the build's own process, which draws the progress bar)."""
    done: list[tuple[int, Written | str]] = []
    tasks = job.tasks
    while True:
        with counter.get_lock():
            i = counter.value
            counter.value = i + 1
        if i >= len(tasks):
            return done
        r = _task(job, tasks[i])
        done.append((i, r))
        with done_.get_lock():
            done_.value += len(tasks[i][2])
        if report:
            report()
        if isinstance(r, str):
            return done


def _task(job: RenderJob, task: tuple[int, str, list[int]]) -> Written | str:
    p, kind, indexes = task
    part = job.the_parts()[p]
    staged = job.staged
    done = Written()
    try:
        if kind == "file":
            for i in indexes:
                rel, make = part.files[i]
                _write(staged, part.prefix + rel, make(), done)
            return done
        jobs = part.pages.jobs()
        for i in indexes:
            key, render = jobs[i]
            if key.split(":", 1)[0] in REUSABLE:
                _reusable_page(job, part, render, done)
            else:
                rel, html = render()
                _write(staged, part.prefix + rel, html.encode("utf-8"), done)
                done.rendered += 1
        return done
    except TemplateError as exc:
        return template_problem(exc, job.zh)


class _Reuse(Exception):
    def __init__(self, path: str, fingerprint: str) -> None:
        self.path = path
        self.fingerprint = fingerprint


def _reusable_page(job: RenderJob, part: Part, render: Callable[[], tuple[str, str]], done: Written) -> None:
    """Render one account (team, rep) page, or link the previous build's identical page."""
    pages = part.pages
    staged = job.staged
    previous = job.previous
    sources = job.sources
    seen: dict[str, str] = {}
    original = Pages._render

    def check(path: str, fp: str) -> None:
        seen[path] = fp
        prev = previous.pages.get(part.prefix + path) if previous is not None and fp else None
        if prev is not None and prev[0] == fp:
            raise _Reuse(path, fp)

    def known(template: str, path: str, nav: str, title: str, inputs: tuple[Any, ...]) -> None:
        # the page's inputs (gathered by the page method) stand for its context: cheaper to serialise,
        # and an unchanged page is re-used before its view (charts, org chart, notes) is built
        check(path, page_fingerprint(part.shared, template, path, nav, title, {"inputs": _by_rows(inputs, sources)},
                                     sources))

    def fingerprinted(template: str, path: str, nav: str, title: str, **ctx: Any) -> tuple[str, str]:
        if path not in seen:
            check(path, page_fingerprint(part.shared, template, path, nav, title, ctx, sources))
        return original(pages, template, path, nav, title, **ctx)

    pages._render = fingerprinted  # type: ignore[method-assign]
    pages.inputs_known = known  # type: ignore[method-assign]
    try:
        try:
            rel, html = render()
        except _Reuse as r:
            if previous is not None and _link_previous(previous, staged, part.prefix + r.path, done, r.fingerprint):
                return
            del pages._render, pages.inputs_known
            rel, html = render()
    finally:
        for hook in ("_render", "inputs_known"):
            if hook in vars(pages):
                delattr(pages, hook)
    target = _write(staged, part.prefix + rel, html.encode("utf-8"), done)
    done.rendered += 1
    fp = seen.get(rel, "")
    if fp:
        st = target.stat()
        done.fingerprints[part.prefix + rel] = (fp, st.st_size, st.st_mtime_ns)


def _link_previous(previous: Previous, staged: Path, rel: str, done: Written, fingerprint: str) -> bool:
    """Hard-link (else copy: FAT/exFAT, network shares, another drive) the previous build's page into the
    staging folder, if it is still intact."""
    _fp, size, mtime = previous.pages[rel]
    source = safe_path(previous.output, rel)
    try:
        st = source.stat()
        if st.st_size != size or st.st_mtime_ns != mtime:
            return False
        target = safe_path(staged, rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)
    except OSError:
        return False
    done.files.append((rel, size))
    done.fingerprints[rel] = (fingerprint, size, mtime)
    done.reused += 1
    return True


def _write(root: Path, rel: str, body: bytes, done: Written) -> Path:
    target = safe_path(root, rel)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as fh:
        fh.write(body)
    done.files.append((rel, len(body)))
    return target


def safe_path(root: Path, rel: str) -> Path:
    """root/rel, refusing anything that could land outside root."""
    p = PurePosixPath(rel)
    if p.is_absolute() or not p.parts or any(part in ("", ".", "..") or "\\" in part or ":" in part
                                             for part in p.parts):
        raise RenderError(f"internal error: unsafe output path {rel!r}")
    return root.joinpath(*p.parts)


# ---------------------------------------------------------------- fingerprints

def code_digest() -> str:
    """sitegen's own code, templates, interface strings and assets: a new version re-renders everything."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha1()
    for p in sorted(root.rglob("*")):
        if p.suffix in (".py", ".html", ".yaml", ".css", ".js") and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def folder_digest(folder: Path | None) -> str:
    h = hashlib.sha1()
    if folder is not None and folder.is_dir():
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                h.update(str(p.relative_to(folder)).encode())
                h.update(p.read_bytes())
    return h.hexdigest()


_CODE: list[str] = []


def shared_digest(pages: Pages) -> str:
    """What every account page depends on besides its own context."""
    if not _CODE:
        _CODE.append(code_digest())
    week = pages.week
    changes = week.changes
    shared = (
        _CODE[0],
        folder_digest(pages.config.layouts_dir),
        repr(pages.config),
        repr(pages.site),
        repr(sorted(vars(pages.urls).items())),
        repr([(a.id, a.name) for a in pages.ds.accounts]),
        repr([s.name for s in pages.m.teams]),
        repr((week.has_previous, changes.previous_week, changes.previous_as_of)),
        repr(sorted(week.stale_contacts.items())),
        repr(sorted(week.stale_accounts.items())),
    )
    return hashlib.sha1("\x00".join(shared).encode("utf-8", "surrogatepass")).hexdigest()


def page_fingerprint(shared: str, template: str, path: str, nav: str, title: str, ctx: dict[str, Any],
                     sources: dict[str, str] | None = None) -> str:
    """A digest of a page's own context ("" when some value cannot be serialised faithfully: then the page
    is always rendered). `sources`: every workbook's content digest (see _by_source)."""
    if template not in REUSABLE.values():
        return ""
    own = sorted((k, v) for k, v in ctx.items() if not (k == "facts" and "scope" in ctx))
    buf = io.BytesIO()
    try:
        _Fingerprinter(buf, sources or {}).dump((shared, template, path, nav, title, own))
    except Exception:  # a function, a cycle, anything without a value: never trusted
        return ""
    return hashlib.sha1(buf.getvalue()).hexdigest()


_NATIVE = object()  # pickled as pickle does it
_REFUSED = object()  # functions: no value to compare
_ROWS = object()  # records read from a row: by where they were read (_by_source)
_HOW: dict[type, Any] = {}  # class -> _NATIVE, _REFUSED, _ROWS, or a getter of a dataclass's fields


class _Fingerprinter(pickle.Pickler):
    """Serialises values by content: dataclasses as their fields (read by one C call per object),
    functions refused. The memo stores a value seen twice once (a sheet's rows share Source.columns)."""

    def __init__(self, file: io.BytesIO, sources: dict[str, str]) -> None:
        super().__init__(file, protocol=5)
        self.sources = sources

    def reducer_override(self, obj: Any) -> Any:
        cls = obj.__class__
        how = _HOW.get(cls)
        if how is None:
            how = _HOW[cls] = _how(obj)
        if how is _NATIVE:
            return NotImplemented
        if how is _REFUSED:
            raise TypeError("a function has no value")
        if how is _ROWS:
            return cls, (_by_source(obj, self.sources),)
        return cls, (how(obj),)


def _how(obj: Any) -> Any:
    cls = obj.__class__
    if isinstance(obj, type):
        return _NATIVE  # a class: by its name
    if cls in _FROM_ROWS:
        return _ROWS
    if dataclasses.is_dataclass(cls):
        names = [f.name for f in dataclasses.fields(cls)]
        if len(names) > 1:
            return operator.attrgetter(*names)
        return (lambda o, n=names[0]: (getattr(o, n),)) if names else (lambda o: ())
    return _REFUSED if callable(obj) else _NATIVE


@functools.cache
def _how_fields(cls: type) -> Callable[[Any], Any]:
    names = [f.name for f in dataclasses.fields(cls)]
    return operator.attrgetter(*names)


# Records read from one row of a workbook: given the parts every page shares (the config, every account's id
# and name), a follow-up, key person or competition row is made of its row, the account it was matched to
# and (follow-ups) that account's rep. The row stands for its values: the workbook's content digest, the
# sheet and the row number. (A page holds about fifty follow-ups: this is most of the fingerprint's cost.)
_FROM_ROWS = {FollowUp, KeyPerson, CompetitionRow}


def _by_source(o: Any, sources: dict[str, str]) -> Any:
    """A record read from a row, as the row it was read from (`sources`: workbook -> content digest, for
    this build); as its fields when its workbook has no digest."""
    src = o.src
    digest = sources.get(src.file) if src is not None else None
    if not digest:
        return _how_fields(o.__class__)(o)
    return ("row", digest, src.sheet, src.row, o.account_id, getattr(o, "rep", None))


def _by_rows(inputs: tuple[Any, ...], sources: dict[str, str]) -> tuple[Any, ...]:
    """The records read from rows in `inputs` (lists of follow-ups, key persons, competition rows) as what
    _by_source() makes of them, in one pass per list: the same content as the pickler's per-object hook
    would give, at a third of the cost (an account page's fingerprint is mostly its fifty follow-ups)."""
    out: list[Any] = []
    for value in inputs:
        if value.__class__ in (list, tuple) and value and value[0].__class__ in _FROM_ROWS:
            rows: list[Any] = []
            for o in value:
                src = o.src
                digest = sources.get(src.file) if src is not None else None
                rows.append(("row", digest, src.sheet, src.row, o.account_id, getattr(o, "rep", None))  # type: ignore[union-attr]
                            if digest else o)
            value = rows
        out.append(value)
    return tuple(out)


def install_fast_escape() -> None:
    """Templates escape every value they print (about 400 per account page). MarkupSafe 3 escapes in C but
    wraps the result in Markup through a Python __new__; creating the Markup directly gives the very same
    value at a sixth less rendering time. Installed where compiled templates look `escape` up, only when
    this MarkupSafe has the C helper and the two agree."""
    import jinja2.runtime
    import markupsafe

    try:
        from markupsafe._speedups import _escape_inner  # type: ignore[import-not-found]
    except ImportError:
        return
    original = markupsafe.escape
    if getattr(jinja2.runtime.escape, "__name__", "") == "fast_escape" or jinja2.runtime.escape is not original:
        return
    markup = markupsafe.Markup
    new = str.__new__

    def fast_escape(s: Any, /) -> markupsafe.Markup:
        if type(s) is str:
            return new(markup, _escape_inner(s))  # type: ignore[no-any-return]
        return original(s)

    probe = "<a href='x'>&\"</a> 中文"
    if fast_escape(probe) != original(probe) or type(fast_escape(probe)) is not type(original(probe)):
        return
    jinja2.runtime.escape = fast_escape  # type: ignore[assignment]


def template_problem(exc: TemplateError, zh: bool) -> str:
    """A layout mistake in plain words, naming the template file and line (the old site stays in place)."""
    place = ""
    if isinstance(exc, TemplateSyntaxError) and exc.name:
        place = f"{exc.filename or exc.name}:{exc.lineno}"
    else:
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename.endswith(".html"):
                place = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"
            tb = tb.tb_next
    return (f"模板有错误（{place or '未知位置'}）：{exc.message}；网站未更新" if zh
            else f"template error ({place or 'unknown place'}): {exc.message}; the site was not updated")


def page_count(files: Iterable[tuple[str, int]]) -> int:
    return sum(rel.endswith(".html") for rel, _ in files)
