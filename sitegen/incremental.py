"""Reading with the cache, and keeping a workbook's last good data when this week's file is unreadable.

A workbook that cannot be read at all (corrupt, encrypted, truncated, not an xlsx) while the cache holds
its last successful read keeps that data: its accounts stay on the site, marked "数据截至 <date>". A
workbook that is no longer in the input folder was removed on purpose: its cache entry is pruned and its
accounts disappear (a change the changes page shows as account_removed). The two cases differ by whether
the file is present.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from .cache import ReadCache, digest
from .i18n import Translator
from .issues import Issue, make_issue
from .read.discover import InputFile
from .read.extract import ReadContext, WorkbookResult
from .read.pool import read_all


@dataclass
class ReadStats:
    read: int = 0
    cached: int = 0
    stale: dict[str, str] = field(default_factory=dict)  # rel -> as-of date of the data kept
    locked: set[str] = field(default_factory=set)  # of those, the workbooks that may not be read (open in Excel)


def cached_reader(cache: ReadCache, as_of: date, stats: ReadStats,
                  progress: Callable[[InputFile], None] | None = None, digests: dict[str, str] | None = None
                  ) -> Callable[[list[InputFile], ReadContext], list[WorkbookResult]]:
    """A reader for load(): cache hits are loaded, the rest is read in parallel (the reading processes
    store what they read in the cache). `digests` (rel -> content digest) saves hashing files twice."""

    def read(files: list[InputFile], ctx: ReadContext) -> list[WorkbookResult]:
        results: dict[str, WorkbookResult] = {}
        todo: list[InputFile] = []
        for f in files:
            d = (digests or {}).get(f.rel)
            if d is None:
                try:
                    d = digest(f)
                except OSError:  # gone or locked: the reading process reports it
                    d = ""
            hit = cache.get(f, d) if d else None
            if hit is not None:
                results[f.rel] = hit
                stats.cached += 1
                if progress:
                    progress(f)
            else:
                todo.append(f)
        hidden = {f.rel for f in todo if f.size < 0}  # in a folder that cannot be read
        for r in read_all(todo, ctx, progress=progress, store=cache.writer):
            stats.read += 1
            if r.unreadable:
                if r.rel in hidden:
                    r = replace(r, locked=False)
                r = _last_good(cache, r, ctx, in_folder=r.rel in hidden) or r
                if r.rows or r.blocks:
                    stats.stale[r.rel] = _stale_date(cache, r.rel)
                    if r.locked:
                        stats.locked.add(r.rel)
            results[r.rel] = r
        present = {f.rel for f in files}
        cache.prune(present)
        cache.confirm({rel for rel, r in results.items() if not r.unreadable}, present)
        return [results[f.rel] for f in files]

    return read


def with_unreadable_folders(cache: ReadCache, files: list[InputFile], skipped: list[Issue], root: Path
                            ) -> tuple[list[InputFile], dict[str, list[str]]]:
    """A folder that cannot be read this week (share permissions) is like a file that cannot be read: every
    workbook last seen under it is still an input, whose reading fails and whose last good data is kept
    (instead of a whole team vanishing, and next week's changes calling its accounts removed). Returns the
    inputs and, per unreadable folder ("华东一组/"), the workbooks it stands for."""
    folders = [i.file for i in skipped if i.code == "file-unreadable" and i.file.endswith("/")]
    if not folders:
        return files, {}
    have = {f.rel for f in files}
    under: dict[str, list[str]] = {}
    extra: list[InputFile] = []
    for rel in sorted(cache.last_seen()):
        if rel in have:
            continue
        folder = next((d for d in folders if d == "./" or rel.startswith(d)), None)
        if folder is not None:
            extra.append(InputFile(root.joinpath(*rel.split("/")), rel, -1, 0))  # size -1: not seen this week
            under.setdefault(folder, []).append(rel)
    return sorted([*files, *extra], key=lambda f: f.rel), under


def _stale_date(cache: ReadCache, rel: str) -> str:
    """The as-of date of the last build that read `rel` whole (its cache entry may be older: an unchanged
    workbook is not read again when the date moves on)."""
    seen = cache.last_seen().get(rel)
    if seen:
        return seen
    entry = cache.load(rel)
    return entry.as_of if entry else ""


def _last_good(cache: ReadCache, failed: WorkbookResult, ctx: ReadContext, in_folder: bool = False
               ) -> WorkbookResult | None:
    """The workbook's last good data in place of this week's failed read; `in_folder`: its folder could not
    be read (the folder's own issue says why: the note alone is added)."""
    entry = cache.load(failed.rel)
    if entry is None:
        return None
    good = entry.result
    note = make_issue("stale-data", lang=ctx.lang, file=failed.rel, rep=good.owner or _rep_of(good), date=entry.as_of)
    issues = [note] if in_folder else [*failed.issues, note]
    if failed.locked:  # one warning, the one a Windows user recognises: the data is last week's, nothing is wrong
        issues = [replace(note, message=Translator(ctx.lang)("read.locked_stale", date=entry.as_of))]
    return replace(good, issues=issues, unreadable=True, digest=failed.digest, locked=failed.locked)


def _rep_of(result: WorkbookResult) -> str:
    for row in result.all_rows():
        if row.rep:
            return row.rep
    return ""
