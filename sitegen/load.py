"""The front half of the pipeline: find -> read (in parallel) -> assemble. Used by `check` and `build`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from .assemble import assemble
from .config import Config
from .issues import Issue, Report, sort_issues
from .model import Dataset
from .privacy import withheld_columns
from .read.discover import InputFile, discover
from .read.extract import ReadContext, WorkbookResult
from .read.pool import read_all


class InputError(Exception):
    """The input folder itself is missing or unusable."""


@dataclass(frozen=True)
class Loaded:
    dataset: Dataset
    report: Report
    results: tuple[WorkbookResult, ...]
    files: tuple[InputFile, ...]


def load(config: Config, as_of: date, *, input_dir: Path | None = None,
         read: Callable[[list[InputFile], ReadContext], list[WorkbookResult]] | None = None,
         progress: Callable[[InputFile], None] | None = None,
         found: tuple[list[InputFile], list[Issue]] | None = None) -> Loaded:
    """`found`: the input folder's files as discover() gave them (when the caller has looked already)."""
    root = input_dir or config.input_dir
    files, skipped = found if found is not None else find(config, root)
    ctx = ReadContext(config, as_of)
    results = read(files, ctx) if read else read_all(files, ctx, progress=progress)
    return combine(results, skipped, files, config, as_of)


def find(config: Config, root: Path) -> tuple[list[InputFile], list[Issue]]:
    if not root.is_dir():
        raise InputError(f"找不到输入文件夹 {root}" if config.language != "en" else f"input folder not found: {root}")
    return discover(root, lang=config.language)


def combine(results: list[WorkbookResult], skipped: list[Issue], files: list[InputFile], config: Config,
            as_of: date) -> Loaded:
    assembled = assemble(results, config, as_of)
    issues: list[Issue] = list(skipped)
    for r in results:
        issues.extend(r.issues)
    issues.extend(assembled.issues)
    # sheets in workbook order: the reader reports each sheet's issues and counts one sheet after another
    order: dict[tuple[str, str], int] = {}
    for r in results:
        for key in [(i.file, i.sheet) for i in r.issues] + [(s.file, s.sheet) for s in r.sheets]:
            order.setdefault(key, len(order))
    report = Report(tuple(sort_issues(issues, order)), tuple(assembled.sheets),
                    withheld=withheld_columns(results, config))
    # the rows now live in the dataset: the results keep what feedback needs (owner, digest, issues)
    kept = tuple(replace(r, rows=[], blocks=None) for r in results)
    return Loaded(assembled.dataset, report, kept, tuple(files))
