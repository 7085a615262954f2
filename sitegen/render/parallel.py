"""Render the site on every core, straight into the staging folder, re-using unchanged account pages.

The parent process prepares the work (render.site_parts: the pages and the data files) and then forks
worker processes, which inherit everything computed so far without copying it. Each worker takes
slices of the work, renders, and writes its files into the staging folder itself; only paths, sizes and
fingerprints come back. The Excel export and the other data files are tasks of their own, so they run
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
import hashlib
import io
import multiprocessing as mp
import operator
import os
import pickle
import shutil
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from jinja2 import TemplateError, TemplateSyntaxError

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


# The work of the current build, set by the parent just before it forks (the workers inherit it).
_PARTS: list[Part] = []
_STAGED: Path | None = None
_PREVIOUS: Previous | None = None
_ZH = True


def render_into(parts: list[Part], staged: Path, previous: Previous | None, workers: int, zh: bool,
                sources: dict[str, str] | None = None, progress: Callable[[int, int], None] | None = None) -> Written:
    """Render every part into `staged`. Raises RenderError for a template mistake (with its place).
    `sources`: every workbook's content digest (what a record read from a row stands for, see _by_source).
    `progress(done, total)`: pages and data files written so far, called in this process between tasks."""
    global _PARTS, _STAGED, _PREVIOUS, _ZH, _SOURCES
    _SOURCES = dict(sources or {})
    install_fast_escape()
    for part in parts:
        part.shared = shared_digest(part.pages)
        precompile(part.pages.env)
    _PARTS, _STAGED, _PREVIOUS, _ZH = parts, staged, previous, zh
    tasks: list[tuple[int, str, list[int]]] = []
    for p, part in enumerate(parts):
        # the big data files first (the Excel export is the longest task), then pages in slices
        tasks += [(p, "file", [i]) for i in range(len(part.files))]
        n = len(part.pages.jobs())
        tasks += [(p, "pages", list(range(i, min(n, i + PAGES_PER_TASK)))) for i in range(0, n, PAGES_PER_TASK)]
    global _TASKS, _NEXT, _DONE
    _TASKS = tasks
    total = sum(len(indexes) for _p, _kind, indexes in tasks)
    results: dict[int, Written | str] = {}
    try:
        if workers <= 1:
            finished = 0
            for i, t in enumerate(tasks):
                results[i] = _task(t)
                finished += len(t[2])
                if progress:
                    progress(finished, total)
        else:
            # this process is one of the workers: one copy of the build's memory fewer than a pool of
            # `workers`; all take the next task from a shared counter, so that they finish together
            ctx = mp.get_context("fork")
            _NEXT, _DONE = ctx.Value("i", 0), ctx.Value("i", 0)
            done = _DONE
            report = (lambda: progress(done.value, total)) if progress else None
            with ProcessPoolExecutor(max_workers=workers - 1, mp_context=ctx, initializer=end_with_parent,
                                     initargs=(os.getpid(),)) as ex:
                others = [ex.submit(_drain) for _ in range(workers - 1)]
                results.update(_drain(report))
                while report and wait(others, timeout=0.25).not_done:
                    report()
                for fut in others:
                    results.update(fut.result())
            if report:
                report()
    finally:
        _PARTS, _STAGED, _PREVIOUS, _TASKS, _NEXT, _DONE = [], None, None, [], None, None
    out = Written()
    for _i, r in sorted(results.items()):
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


_TASKS: list[tuple[int, str, list[int]]] = []
_NEXT: Any = None  # multiprocessing.Value: the index of the next task to take
_DONE: Any = None  # multiprocessing.Value: pages and files of the tasks finished (for the progress bar)


def _drain(report: Callable[[], None] | None = None) -> list[tuple[int, Written | str]]:
    """Take tasks until there are none left; a template error stops this worker (and is reported).
    `report`: called after each task (in the build's own process, which draws the progress bar)."""
    done: list[tuple[int, Written | str]] = []
    while True:
        with _NEXT.get_lock():
            i = _NEXT.value
            _NEXT.value = i + 1
        if i >= len(_TASKS):
            return done
        r = _task(_TASKS[i])
        done.append((i, r))
        with _DONE.get_lock():
            _DONE.value += len(_TASKS[i][2])
        if report:
            report()
        if isinstance(r, str):
            return done


def _task(task: tuple[int, str, list[int]]) -> Written | str:
    p, kind, indexes = task
    part = _PARTS[p]
    staged = _STAGED
    assert staged is not None
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
                _reusable_page(part, render, done)
            else:
                rel, html = render()
                _write(staged, part.prefix + rel, html.encode("utf-8"), done)
                done.rendered += 1
        return done
    except TemplateError as exc:
        return template_problem(exc, _ZH)


class _Reuse(Exception):
    def __init__(self, path: str, fingerprint: str) -> None:
        self.path = path
        self.fingerprint = fingerprint


def _reusable_page(part: Part, render: Callable[[], tuple[str, str]], done: Written) -> None:
    """Render one account (team, rep) page, or link the previous build's identical page."""
    pages = part.pages
    staged = _STAGED
    assert staged is not None
    seen: dict[str, str] = {}
    original = Pages._render

    def check(path: str, fp: str) -> None:
        seen[path] = fp
        prev = _PREVIOUS.pages.get(part.prefix + path) if _PREVIOUS is not None and fp else None
        if prev is not None and prev[0] == fp:
            raise _Reuse(path, fp)

    def known(template: str, path: str, nav: str, title: str, inputs: tuple[Any, ...]) -> None:
        # the page's inputs (gathered by the page method) stand for its context: cheaper to serialise,
        # and an unchanged page is re-used before its view (charts, org chart, notes) is built
        check(path, page_fingerprint(part.shared, template, path, nav, title, {"inputs": _by_rows(inputs)}))

    def fingerprinted(template: str, path: str, nav: str, title: str, **ctx: Any) -> tuple[str, str]:
        if path not in seen:
            check(path, page_fingerprint(part.shared, template, path, nav, title, ctx))
        return original(pages, template, path, nav, title, **ctx)

    pages._render = fingerprinted  # type: ignore[method-assign]
    pages.inputs_known = known  # type: ignore[method-assign]
    try:
        try:
            rel, html = render()
        except _Reuse as r:
            if _link_previous(part.prefix + r.path, done, r.fingerprint):
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


def _link_previous(rel: str, done: Written, fingerprint: str) -> bool:
    """Hard-link (else copy) the previous build's page into the staging folder, if it is still intact."""
    assert _PREVIOUS is not None and _STAGED is not None
    _fp, size, mtime = _PREVIOUS.pages[rel]
    source = safe_path(_PREVIOUS.output, rel)
    try:
        st = source.stat()
        if st.st_size != size or st.st_mtime_ns != mtime:
            return False
        target = safe_path(_STAGED, rel)
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


def page_fingerprint(shared: str, template: str, path: str, nav: str, title: str, ctx: dict[str, Any]) -> str:
    """A digest of a page's own context ("" when some value cannot be serialised faithfully: then the page
    is always rendered)."""
    if template not in REUSABLE.values():
        return ""
    own = sorted((k, v) for k, v in ctx.items() if not (k == "facts" and "scope" in ctx))
    buf = io.BytesIO()
    try:
        _Fingerprinter(buf).dump((shared, template, path, nav, title, own))
    except Exception:  # a function, a cycle, anything without a value: never trusted
        return ""
    return hashlib.sha1(buf.getvalue()).hexdigest()


_NATIVE = object()  # pickled as pickle does it
_REFUSED = object()  # functions: no value to compare
_HOW: dict[type, Any] = {}  # class -> _NATIVE, _REFUSED, or a getter of a dataclass's fields


class _Fingerprinter(pickle.Pickler):
    """Serialises values by content: dataclasses as their fields (read by one C call per object),
    functions refused. The memo stores a value seen twice once (a sheet's rows share Source.columns)."""

    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file, protocol=5)

    def reducer_override(self, obj: Any) -> Any:
        cls = obj.__class__
        how = _HOW.get(cls)
        if how is None:
            how = _HOW[cls] = _how(obj)
        if how is _NATIVE:
            return NotImplemented
        if how is _REFUSED:
            raise TypeError("a function has no value")
        return cls, (how(obj),)


def _how(obj: Any) -> Any:
    cls = obj.__class__
    if isinstance(obj, type):
        return _NATIVE  # a class: by its name
    if cls in _FROM_ROWS:
        return _by_source(_how_fields(cls))
    if dataclasses.is_dataclass(cls):
        names = [f.name for f in dataclasses.fields(cls)]
        if len(names) > 1:
            return operator.attrgetter(*names)
        return (lambda o, n=names[0]: (getattr(o, n),)) if names else (lambda o: ())
    return _REFUSED if callable(obj) else _NATIVE


def _how_fields(cls: type) -> Callable[[Any], Any]:
    names = [f.name for f in dataclasses.fields(cls)]
    return operator.attrgetter(*names)


# Records read from one row of a workbook: given the parts every page shares (the config, every account's id
# and name), a follow-up, key person or competition row is made of its row, the account it was matched to
# and (follow-ups) that account's rep. The row stands for its values: the workbook's content digest, the
# sheet and the row number. (A page holds about fifty follow-ups: this is most of the fingerprint's cost.)
_FROM_ROWS = {FollowUp, KeyPerson, CompetitionRow}
_SOURCES: dict[str, str] = {}  # workbook (relative path) -> content digest, for this build


def _by_source(fields: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def how(o: Any) -> Any:
        src = o.src
        digest = _SOURCES.get(src.file) if src is not None else None
        if not digest:
            return fields(o)
        return ("row", digest, src.sheet, src.row, o.account_id, getattr(o, "rep", None))

    return how


def _by_rows(inputs: tuple[Any, ...]) -> tuple[Any, ...]:
    """The records read from rows in `inputs` (lists of follow-ups, key persons, competition rows) as what
    _by_source() makes of them, in one pass per list: the same content as the pickler's per-object hook
    would give, at a third of the cost (an account page's fingerprint is mostly its fifty follow-ups)."""
    out: list[Any] = []
    for value in inputs:
        if value.__class__ in (list, tuple) and value and value[0].__class__ in _FROM_ROWS:
            rows: list[Any] = []
            for o in value:
                src = o.src
                digest = _SOURCES.get(src.file) if src is not None else None
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
