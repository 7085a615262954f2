"""Annotated feedback workbooks: each rep gets their own workbooks back with the wrong cells marked.

For every input workbook with issues, a COPY is written (the original is only ever read, as bytes):

* every offending cell is filled (light red for an error, yellow for a warning, light blue for a
  hint) and carries a comment by the author ``sitegen`` with the message(s): what is wrong and what is
  accepted. Cell positions are exactly those of the original — the reader reports the top-left cell
  of a merged range, title rows and card layouts keep their places, because the copy *is* the original
  workbook with marks added. Usually literally so: the marks are patched into the rep's own zip package
  (feedbackpatch.py), which keeps every part it does not touch byte for byte (cached formula results,
  charts, images, macros) and takes about 30 ms; a package of an unusual shape (a copy handed back, a
  marked sheet that has comments of its own, prefixed XML) is rewritten with openpyxl instead;
* a first sheet ``问题清单`` lists every issue of the workbook (severity, sheet, cell with a hyperlink
  to it, message, account, code), including the issues of the whole file or of a whole sheet.

Output layout under ``out_dir``::

    问题汇总.xlsx                  every issue of the department, one row each, for the assistant
    问题清单.xlsx                  only if some workbook of an unknown rep could not be copied
    <rep>/<relative path>.xlsx     the annotated copies of that rep (.xlsm stays .xlsm)
    <rep>/问题清单.xlsx            the rep's workbooks that could not be copied (corrupt, encrypted,
                                   .xls/.ods, too large), with their issues
    .sitegen-feedback.json         what the last run wrote (so that stale copies are removed)

``<rep>`` is the issue's rep, else the workbook's owner (填表人 title, folder name, ``default_owner``);
a workbook whose issues belong to several reps gets one copy per rep, each with that rep's cells marked
and the issues of the whole file. The relative path is the one under the input folder, without its
folders named after the rep (``input/张三/跟进表.xlsx`` -> ``张三/跟进表.xlsx``, ``input/华东一组/张三/跟进表.xlsx``
-> ``张三/华东一组/跟进表.xlsx``).
Folder and file names are made safe for Windows and Linux (Chinese is kept); clashes get `` (2)``.

Safety: ``out_dir`` inside the input folder is refused (the copies would be read as input next time);
nothing is ever written inside the input folder; text written by sitegen into cells is always stored
as a string, never as a formula (a message or value starting with ``=`` stays text). Files are written
atomically, with fixed zip timestamps, so that the same input gives the same bytes.

A copy in which the rep fixed the cells and that comes back as input is handled: its old
``问题清单`` sheet, sitegen comments and sitegen fills are removed before the new marks are added.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import multiprocessing as mp
import os
import re
import unicodedata
import warnings
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from . import procs
from .cells import cell_sort_key, parse_a1
from .config import Config, ConfigError
from .issues import Issue, Severity
from .orphans import end_with_parent

if TYPE_CHECKING:  # pragma: no cover
    from openpyxl.cell.cell import Cell
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from .load import Loaded

AUTHOR = "sitegen"
MANIFEST = ".sitegen-feedback.json"
FORMAT_VERSION = 2  # bump when the look of the feedback files changes: every file is rewritten
MARKER_PROPERTY = "sitegen-feedback"  # custom document property of a feedback copy: the original's path
SHEET_PROPERTY = "sitegen-feedback-sheet"  # ... and the name of its issue list
COPY_SUFFIXES = (".xlsx", ".xlsm")
MAX_COPY_BYTES = 50 * 1024 * 1024  # larger workbooks are listed, not copied (openpyxl needs ~50x in memory)
MAX_COMMENT_CHARS = 2000
MAX_COMMENTS = 5000  # comments per copy; further marked cells are coloured only (comments are heavy VML)
EXCEL_MAX_ROW = 1_048_576
EXCEL_MAX_COL = 16_384

FILL = {Severity.ERROR: "FFC7CE", Severity.WARNING: "FFEB9C", Severity.INFO: "DDEBF7"}
FONT = {Severity.ERROR: "9C0006", Severity.WARNING: "9C5700", Severity.INFO: "1F4E78"}
HEADER_FILL = "305496"
_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}

_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "sheet": "问题清单",
        "rep_file": "问题清单.xlsx",
        "summary_file": "问题汇总.xlsx",
        "summary_sheet": "问题汇总",
        "by_rep_sheet": "按客户经理",
        "error": "错误",
        "warning": "警告",
        "info": "提示",
        "no": "序号",
        "severity": "严重程度",  # not 级别/客户编号: those are column names of the forms, and a copy
        # handed back as input must not have its issue list read as a customer file
        "rep": "客户经理",
        "file": "文件",
        "sheet_col": "工作表",
        "cell": "单元格",
        "message": "问题说明",
        "account": "涉及客户",
        "code": "代码",
        "feedback": "反馈文件",
        "reason": "未生成标注副本的原因",
        "whole_file": "（整个文件）",
        "whole_sheet": "（整个工作表）",
        "unknown_rep": "（未确定）",
        "files": "文件数",
        "total": "合计",
        "title": "数据问题清单：{file}",
        "intro": ("共 {n} 个问题（错误 {e}，警告 {w}，提示 {i}）。点击“单元格”列可跳到出问题的单元格；"
                  "红色 = 错误（该行未被网站采用），黄色 = 警告。请在您自己的原始工作簿中改正后重新提交；"
                  "本副本仅用于查看问题。"),
        "rep_title": "无法生成标注副本的工作簿：{rep}",
        "rep_intro": "以下工作簿无法打开或不是 .xlsx/.xlsm 格式，无法在副本中标注。请按“问题说明”处理后重新提交。",
        "sum_title": "数据问题汇总（全部门）",
        "sum_intro": "共 {n} 个问题（错误 {e}，警告 {w}，提示 {i}），涉及 {f} 个文件。点击“反馈文件”列可打开标注副本。",
        "no_copy_format": "不是 .xlsx/.xlsm 格式，无法标注。请用 Excel 或 WPS 另存为 .xlsx 后重新提交",
        "no_copy_unreadable": "文件无法读取（见问题说明）",
        "no_copy_large": "文件过大，未生成标注副本",
        "no_copy_open": "无法打开此工作簿（{reason}）",
        "comment_footer": "—— sitegen 数据检查",
        "old_comment": "—— 原批注 ——",
    },
    "en": {
        "sheet": "Issues",
        "rep_file": "issues.xlsx",
        "summary_file": "issues-summary.xlsx",
        "summary_sheet": "Issues",
        "by_rep_sheet": "By rep",
        "error": "Error",
        "warning": "Warning",
        "info": "Info",
        "no": "No.",
        "severity": "Severity",
        "rep": "Rep",
        "file": "File",
        "sheet_col": "Sheet",
        "cell": "Cell",
        "message": "Message",
        "account": "Account",
        "code": "Code",
        "feedback": "Feedback file",
        "reason": "Why no annotated copy",
        "whole_file": "(whole file)",
        "whole_sheet": "(whole sheet)",
        "unknown_rep": "(unknown)",
        "files": "Files",
        "total": "Total",
        "title": "Data issues: {file}",
        "intro": ("{n} issues ({e} errors, {w} warnings, {i} hints). Click a cell reference to jump to it; "
                  "red = error (the row was not used by the site), yellow = warning. Fix your original "
                  "workbook and hand it in again; this copy is for reading only."),
        "rep_title": "Workbooks that could not be annotated: {rep}",
        "rep_intro": "These workbooks cannot be opened or are not .xlsx/.xlsm, so no annotated copy was made.",
        "sum_title": "Data issues (whole department)",
        "sum_intro": "{n} issues ({e} errors, {w} warnings, {i} hints) in {f} files. Click a feedback file to open it.",
        "no_copy_format": "not .xlsx/.xlsm; save it as .xlsx in Excel or WPS and hand it in again",
        "no_copy_unreadable": "the file cannot be read (see the message)",
        "no_copy_large": "the file is too large for an annotated copy",
        "no_copy_open": "the workbook cannot be opened ({reason})",
        "comment_footer": "-- sitegen data check",
        "old_comment": "-- original comment --",
    },
}


class FeedbackError(ConfigError, ValueError):
    """The feedback folder is unusable (e.g. inside the input folder). A usage problem: the CLI exits 2."""


def _t(lang: str) -> dict[str, str]:
    return _TEXT["en" if lang == "en" else "zh"]


# --------------------------------------------------------------------------------------------- names

_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def safe_name(name: str, *, limit: int = 120) -> str:
    """A file or folder name that works on Windows, macOS and Linux; Chinese and other letters are kept."""
    s = _UNSAFE.sub("_", name).strip().rstrip(". ")
    if not s or s in (".", ".."):
        s = "_"
    if s.split(".")[0].lower() in _RESERVED:
        s = "_" + s
    if len(s) > limit:
        stem, dot, ext = s.rpartition(".")
        if dot and 0 < len(ext) <= 8:
            s = stem[: limit - len(ext) - 1].rstrip(". ") + "." + ext
        else:
            s = s[:limit].rstrip(". ")
    return s


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_out_dir(out_dir: Path, input_dir: Path, *, lang: str = "zh") -> Path:
    """Resolve out_dir; refuse a folder inside the input folder. Returns the resolved folder."""
    out = Path(out_dir).expanduser().resolve()
    inp = Path(input_dir).expanduser().resolve()
    if _inside(out, inp):
        suggest = inp.parent / "feedback"
        if lang == "en":
            raise FeedbackError(
                f"the feedback folder {out} is inside the input folder {inp}: the copies would be read as input "
                f"by the next check or build. Choose a folder outside it, e.g. {suggest}")
        raise FeedbackError(
            f"反馈文件夹 {out} 位于输入文件夹 {inp} 之内：反馈副本会在下次检查或生成时被当作输入读取。"
            f"请换一个输入文件夹之外的文件夹，例如 {suggest}")
    if out.exists() and not out.is_dir():
        raise FeedbackError(f"{out} is a file, not a folder" if lang == "en" else f"{out} 是一个文件，不是文件夹")
    return out


# ------------------------------------------------------------------------------------------ planning


@dataclass
class _Job:
    """One feedback copy to write: a workbook, the rep it is for, and the issues to mark."""

    rel: str  # of the original, relative to the input folder
    src: Path
    dest: str  # relative to out_dir, posix
    rep: str
    issues: list[Issue]
    digest: str = ""  # SHA-256 of the original, from the reader
    mtime_ns: int = 0


@dataclass
class _Listed:
    """A workbook that gets no copy: listed in the rep's 问题清单.xlsx."""

    rel: str
    rep: str
    reason: str
    issues: list[Issue]


@dataclass
class _Plan:
    jobs: list[_Job] = field(default_factory=list)
    listed: list[_Listed] = field(default_factory=list)
    placed: dict[Issue, tuple[str, str]] = field(default_factory=dict)  # issue -> (rep, feedback file)
    taken: set[str] = field(default_factory=set)  # casefolded destinations


def _relevant(i: Issue) -> bool:
    """Worth a feedback copy: every error and warning, and hints that point at a cell."""
    return i.severity is not Severity.INFO or bool(i.cell)


def _owner(rel: str, result_owner: str, config: Config) -> str:
    if result_owner:
        return result_owner
    parts = rel.split("/")
    if config.owner_from_folder and len(parts) >= 2:
        return parts[-2]
    return config.default_owner


def _claim(plan: _Plan, wanted: str) -> str:
    """Reserve a destination (case-insensitively, for Windows shares); add ' (2)' etc. on a clash."""
    p = PurePosixPath(wanted)
    candidate = wanted
    n = 2
    while candidate.casefold() in plan.taken:
        candidate = str(p.with_name(f"{p.stem} ({n}){p.suffix}"))
        n += 1
    plan.taken.add(candidate.casefold())
    return candidate


def _dest_for(rel: str, rep: str) -> str:
    parts = rel.split("/")
    folders = [p for p in parts[:-1] if p != rep]  # input/华东一组/张三/跟进.xlsx -> 张三/华东一组/跟进.xlsx
    safe = [safe_name(p) for p in (*folders, parts[-1])]
    if rep:
        safe.insert(0, safe_name(rep))
    return "/".join(safe)


def _sniff_zip(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _plan(loaded: Loaded, config: Config) -> _Plan:
    t = _t(config.language)
    plan = _Plan()
    plan.taken.add(t["summary_file"].casefold())
    plan.taken.add(t["rep_file"].casefold())
    results = {r.rel: r for r in loaded.results}
    files = {f.rel: f for f in loaded.files}
    by_file: dict[str, list[Issue]] = defaultdict(list)
    for i in loaded.report.issues:
        if i.file in files:
            by_file[i.file].append(i)
    reps = {r.name for r in loaded.dataset.reps}
    teams = set(loaded.dataset.teams) - reps
    reps_seen: set[str] = set()
    for rel in sorted(by_file):
        issues = by_file[rel]
        result = results.get(rel)
        owner = _owner(rel, result.owner if result else "", config)
        groups: dict[str, list[Issue]] = defaultdict(list)
        shared: list[Issue] = []
        for i in issues:
            # a sheet without a 客户经理 column in a team folder gets the team's name as its rep: not a rep
            if i.rep and i.rep not in teams:
                groups[i.rep].append(i)
            else:
                shared.append(i)
        if shared:
            # issues of the whole file or sheet concern every rep with rows in it, else the file's owner
            if groups:
                for g in groups.values():
                    g.extend(shared)
            else:
                groups[owner] = shared
        f = files[rel]
        suffix = f.path.suffix.lower()
        too_large = f.size > MAX_COPY_BYTES or any(i.code == "sheet-too-large" for i in issues)
        unreadable = bool(result and result.unreadable)
        for rep in sorted(groups):
            group = groups[rep]
            if not any(_relevant(i) for i in group):
                continue
            if rep and rep not in reps_seen:
                reps_seen.add(rep)
                plan.taken.add(f"{safe_name(rep)}/{t['rep_file']}".casefold())
            if unreadable:
                plan.listed.append(_Listed(rel, rep, t["no_copy_unreadable"], group))
            elif suffix not in COPY_SUFFIXES or not _sniff_zip(f.path):
                plan.listed.append(_Listed(rel, rep, t["no_copy_format"], group))
            elif too_large:
                plan.listed.append(_Listed(rel, rep, t["no_copy_large"], group))
            else:
                plan.jobs.append(_Job(rel, f.path, "", rep, group, result.digest if result else "", f.mtime_ns))
    for job in plan.jobs:
        job.dest = _claim(plan, _dest_for(job.rel, job.rep))
    return plan


# ------------------------------------------------------------------------------------- cell writing

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean_text(value: str, limit: int = 32_000) -> str:
    """Text that openpyxl accepts in a cell or comment: no XML-illegal control characters, bounded."""
    return _ILLEGAL.sub("", value)[:limit]


def put(cell: Cell, value: object) -> None:
    """Set a cell. Text is always stored as text: '=1+1', '+86…', '-x', '@x' never become formulas."""
    if isinstance(value, str):
        cell.value = clean_text(value)
        cell.data_type = "s"
    else:
        cell.value = value


def quote_sheet(name: str) -> str:
    """A sheet name as it appears in a reference: always quoted, apostrophes doubled."""
    return "'" + name.replace("'", "''") + "'"


def location(sheet: str, cell: str = "A1") -> str:
    """The internal hyperlink location of a cell: 'Sheet name'!D17."""
    return f"{quote_sheet(sheet)}!{cell}"


def _restyle(cell: Cell, name: str, make: Callable[[], dict[str, object]]) -> None:
    """Set style attributes through a per-workbook cache keyed by (current style, name).

    openpyxl deduplicates every new Font/Fill/Alignment by comparing it with all known ones; doing that
    for each of 20,000 rows takes minutes. The cache makes it once per distinct style. `name` must
    identify the attributes `make` returns exactly.
    """
    wb = cell.parent.parent
    cache: dict[tuple[object, ...], object] = wb.__dict__.setdefault("_sitegen_styles", {})
    key = (tuple(cell._style) if cell._style is not None else (), name)
    arr = cache.get(key)
    if arr is None:
        for k, v in make().items():
            setattr(cell, k, v)
        cache[key] = copy.copy(cell._style)
    else:
        cell._style = copy.copy(arr)


def _top(cell: Cell, wrap: bool) -> Callable[[], dict[str, object]]:
    from openpyxl.styles import Alignment

    return lambda: {"alignment": Alignment(wrap_text=wrap, vertical="top", horizontal=cell.alignment.horizontal)}


def _mark(sev: Severity) -> Callable[[], dict[str, object]]:
    from openpyxl.styles import PatternFill

    return lambda: {"fill": PatternFill("solid", fgColor=FILL[sev])}


def _link(cell: Cell, *, location_: str | None = None, target: str | None = None, tooltip: str = "") -> None:
    from openpyxl.styles import Font
    from openpyxl.worksheet.hyperlink import Hyperlink

    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=location_, target=target, tooltip=tooltip or None)
    _restyle(cell, "link", lambda: {"font": Font(color="0563C1", underline="single")})


def _severity_label(sev: Severity, lang: str) -> str:
    return _t(lang)[sev.value]


def _cell_sort(ref: str) -> tuple[int, int]:
    return cell_sort_key(ref)


def _deterministic_time(mtimes: Iterable[int]) -> datetime:
    """A timestamp for document properties that depends only on the input: its newest file."""
    ns = max(mtimes, default=0)
    if ns <= 0:
        return datetime(2000, 1, 1)
    return datetime.fromtimestamp(ns / 1e9, tz=timezone.utc).replace(tzinfo=None, microsecond=0)


_MODIFIED = re.compile(rb"(<dcterms:modified\b[^>]*>)[^<]*(</dcterms:modified>)")


def _save(wb: Workbook, dest: Path, stamp: datetime) -> None:
    """Save with fixed zip timestamps and a fixed 'modified' property, atomically (temp file + rename)."""
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(raw) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(lambda m: m.group(1) + iso + m.group(2), data)
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zout.writestr(zi, data)
    _write_atomic(dest, out.getvalue())


def _style_table(ws: Worksheet, header_row: int, last_row: int, widths: Sequence[float], *,
                 wrap_cols: Sequence[int] = ()) -> None:
    """Styled frozen header, autofilter, widths, wrapped long text, landscape fit-to-width printing."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="BFBFBF")
    for c, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(c)].width = width
        h = ws.cell(header_row, c)
        h.font = Font(bold=True, color="FFFFFF")
        h.fill = PatternFill("solid", fgColor=HEADER_FILL)
        h.alignment = Alignment(horizontal="center", vertical="center")
        h.border = Border(bottom=thin)
    for r in range(header_row + 1, last_row + 1):
        lines = 1
        for c in range(1, len(widths) + 1):
            cell = ws.cell(r, c)
            wrap = c in wrap_cols
            _restyle(cell, f"top-{wrap}", _top(cell, wrap))
            if wrap and isinstance(cell.value, str):
                lines = max(lines, _lines(cell.value, widths[c - 1]))
        if lines > 1:  # neither Excel nor LibreOffice grows rows written without a height
            ws.row_dimensions[r].height = 16 * lines
    last_col = get_column_letter(len(widths))
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    ws.auto_filter.ref = f"A{header_row}:{last_col}{max(last_row, header_row)}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _lines(text: str, width: float) -> int:
    per = max(1, int(width) - 1)
    return min(15, sum(max(1, -(-_display_width(line) // per)) for line in text.splitlines() or [""]))


def _title(ws: Worksheet, title: str, intro: str, ncols: int) -> None:
    from openpyxl.styles import Alignment, Font

    put(ws.cell(1, 1), title)
    ws.cell(1, 1).font = Font(bold=True, size=14)
    put(ws.cell(2, 1), intro)
    ws.cell(2, 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=ncols)
    ws.row_dimensions[2].height = 48


def _severity_cell(cell: Cell, sev: Severity, lang: str) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    put(cell, _severity_label(sev, lang))
    _restyle(cell, f"severity-{sev.value}", lambda: {
        "fill": PatternFill("solid", fgColor=FILL[sev]), "font": Font(color=FONT[sev], bold=sev is Severity.ERROR),
        "alignment": Alignment(horizontal="center", vertical="top")})


def _counts(issues: Sequence[Issue]) -> dict[str, int]:
    return {
        "n": len(issues),
        "e": sum(1 for i in issues if i.severity is Severity.ERROR),
        "w": sum(1 for i in issues if i.severity is Severity.WARNING),
        "i": sum(1 for i in issues if i.severity is Severity.INFO),
    }


# ------------------------------------------------------------------------------------ the copy itself


def _top_left(ws: Worksheet, row: int, col: int) -> tuple[int, int]:
    for rng in ws.merged_cells.ranges:
        if rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col:
            return rng.min_row, rng.min_col
    return row, col


def _remove_old_marks(wb: Workbook, sheet_title: str) -> None:
    """A feedback copy handed back as input: drop its issue list, sitegen comments and sitegen fills."""
    from openpyxl.styles import PatternFill
    from openpyxl.worksheet.worksheet import Worksheet

    props = getattr(wb, "custom_doc_props", None)
    if props is None:
        return
    names = {p.name: p.value for p in props.props}
    if MARKER_PROPERTY not in names:
        return
    recorded = str(names.get(SHEET_PROPERTY) or "")
    lists = {recorded} if recorded else {_TEXT["zh"]["sheet"], _TEXT["en"]["sheet"], sheet_title}
    for ws in list(wb.worksheets):
        if ws.title in lists and len(wb.worksheets) > 1:
            wb.remove(ws)
    ours = {("00" + c).upper() for c in FILL.values()} | {("FF" + c).upper() for c in FILL.values()}
    for ws in wb.worksheets:
        if not isinstance(ws, Worksheet):
            continue
        for cell in list(ws._cells.values()):
            if cell.comment is not None and cell.comment.author == AUTHOR:
                cell.comment = None
                rgb = cell.fill.fgColor.rgb if cell.fill is not None and cell.fill.fgColor is not None else None
                if isinstance(rgb, str) and rgb.upper() in ours:
                    cell.fill = PatternFill()
    props.props = [p for p in props.props if p.name not in (MARKER_PROPERTY, SHEET_PROPERTY)]


def _comment_text(items: Sequence[Issue], lang: str, old: str) -> str:
    t = _t(lang)
    seen: list[str] = []
    for i in sorted(items, key=lambda i: (_RANK[i.severity], i.code, i.message)):
        line = f"【{_severity_label(i.severity, lang)}】{i.message}"
        if line not in seen:
            seen.append(line)
    text = "\n".join(seen)
    if len(text) > MAX_COMMENT_CHARS:
        text = text[: MAX_COMMENT_CHARS - 1] + "…"
    text += "\n" + t["comment_footer"]
    if old:
        text += "\n" + t["old_comment"] + "\n" + old
    return clean_text(text)


def annotate_workbook(src: Path, dest: Path, issues: Sequence[Issue], *, lang: str = "zh",
                      title: str = "", stamp: datetime | None = None) -> None:
    """Write an annotated copy of the workbook at `src` to `dest`. `src` is only read (as bytes).

    Raises whatever openpyxl raises for a workbook it cannot open; the caller lists such files instead.
    """
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.packaging.custom import StringProperty
    from openpyxl.worksheet.worksheet import Worksheet

    t = _t(lang)
    data = src.read_bytes()
    fast = _annotate_in_package(data, src, issues, lang=lang, title=title)
    if fast is not None:
        _write_atomic(dest, fast)
        return
    keep_vba = src.suffix.lower() == ".xlsm"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "extension not supported", "unknown style" and the like
        wb = openpyxl.load_workbook(io.BytesIO(data), keep_vba=keep_vba, keep_links=True, rich_text=True)
    _remove_old_marks(wb, t["sheet"])
    sheet_index = {ws.title: n for n, ws in enumerate(wb.worksheets)}

    # --- mark the cells
    ordered_cells, placed = _place_issues(issues, wb.sheetnames, lambda s: isinstance(wb[s], Worksheet),
                                          lambda s, r, c: _top_left(wb[s], r, c))
    for n, ((sheet, row, col), items) in enumerate(ordered_cells):
        ws = wb[sheet]
        cell = ws.cell(row, col)
        worst = min((i.severity for i in items), key=lambda s: _RANK[s])
        _restyle(cell, f"mark-{worst.value}", _mark(worst))
        if ws.sheet_state != "visible":
            ws.sheet_state = "visible"
        if n >= MAX_COMMENTS:  # a sheet where every row is wrong: colour only, the list has every message
            continue
        old = cell.comment.text if cell.comment is not None and cell.comment.author != AUTHOR else ""
        text = _comment_text(items, lang, old)
        cell.comment = Comment(text, AUTHOR, height=_comment_height(text), width=COMMENT_WIDTH)

    # --- the issue list, first
    name = _list_name(t, wb.sheetnames)
    ls = wb.create_sheet(name, 0)
    headers = [t[k] for k in LIST_HEADERS]
    _title(ls, t["title"].format(file=title or src.name), t["intro"].format(**_counts(issues)), len(headers))
    for c, h in enumerate(headers, 1):
        put(ls.cell(3, c), h)
    r = 3
    for r, i in enumerate(_list_order(issues, sheet_index), 4):
        put(ls.cell(r, 1), r - 3)
        _severity_cell(ls.cell(r, 2), i.severity, lang)
        put(ls.cell(r, 3), i.sheet)
        where, link, tip = _list_place(i, placed, sheet_index, t)
        put(ls.cell(r, 4), where)
        if link:
            _link(ls.cell(r, 4), location_=link, tooltip=tip)
        put(ls.cell(r, 5), i.message)
        put(ls.cell(r, 6), i.account)
        put(ls.cell(r, 7), i.code)
    _style_table(ls, 3, r, LIST_WIDTHS, wrap_cols=LIST_WRAP)
    ls.sheet_properties.tabColor = "C00000"

    # --- open on the issue list, with no other sheet selected (Excel would group selected sheets)
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = False
    ls.sheet_view.tabSelected = True
    wb.active = 0
    if wb.views:
        wb.views[0].firstSheet = 0
    wb.calculation.fullCalcOnLoad = True  # openpyxl drops cached formula results: recalculate on open
    wb.custom_doc_props.append(StringProperty(name=MARKER_PROPERTY, value=title or src.name))
    wb.custom_doc_props.append(StringProperty(name=SHEET_PROPERTY, value=name))
    _save(wb, dest, stamp or datetime(2000, 1, 1))


def _annotate_in_package(data: bytes, src: Path, issues: Sequence[Issue], *, lang: str, title: str) -> bytes | None:
    """The annotated copy written into the original package (feedbackpatch.py), with the same marks, issue
    list and properties as the openpyxl path above; None when the package is not of the usual shape."""
    from . import feedbackpatch as fp

    t = _t(lang)
    try:
        patch = fp.Patch(data, (MARKER_PROPERTY, SHEET_PROPERTY))
        ordered_cells, placed = _place_issues(issues, patch.sheet_names, patch.is_worksheet, patch.top_left)
        marks = []
        for n, ((sheet, row, col), items) in enumerate(ordered_cells):
            worst = min((i.severity for i in items), key=lambda s: _RANK[s])
            text = _comment_text(items, lang, "") if n < MAX_COMMENTS else None
            marks.append(fp.Mark(sheet, row, col, worst, text, _comment_height(text) if text else 0, COMMENT_WIDTH))
        sheet_index = {name: n for n, name in enumerate(patch.sheet_names)}
        name = _list_name(t, patch.sheet_names)
        rows = []
        for r, i in enumerate(_list_order(issues, sheet_index), 1):
            where, link, tip = _list_place(i, placed, sheet_index, t)
            rows.append(fp.ListRow((r, _severity_label(i.severity, lang), clean_text(i.sheet), clean_text(where),
                                    clean_text(i.message), clean_text(i.account), clean_text(i.code)),
                                   i.severity, link, tip))
        lst = fp.IssueList(name, clean_text(t["title"].format(file=title or src.name)),
                           t["intro"].format(**_counts(issues)), tuple(t[k] for k in LIST_HEADERS), LIST_WIDTHS,
                           LIST_WRAP, tuple(rows))
        return patch.write(marks, lst, author=AUTHOR, props={MARKER_PROPERTY: title or src.name, SHEET_PROPERTY: name},
                           fills=FILL, fonts=FONT, header_fill=HEADER_FILL, lines=_lines)
    except fp.Unsupported:
        return None
    except Exception:  # noqa: BLE001 - a package this path misreads still gets its copy, from openpyxl
        return None


# ---- what both ways of writing a copy share: where each issue is marked, and the issue list

LIST_HEADERS = ("no", "severity", "sheet_col", "cell", "message", "account", "code")
LIST_WIDTHS = (6, 8, 20, 14, 80, 14, 22)
LIST_WRAP = (5,)
COMMENT_WIDTH = 360


def _place_issues(issues: Sequence[Issue], sheet_names: Sequence[str], is_worksheet: Callable[[str], bool],
                  top_left: Callable[[str, int, int], tuple[int, int]]
                  ) -> tuple[list[tuple[tuple[str, int, int], list[Issue]]], dict[int, str]]:
    """The issues grouped by the cell that shows them (the top-left cell of a merged range), in the order of
    sheets, rows and columns; and id(issue) -> the A1 reference of that cell."""
    from openpyxl.utils import get_column_letter

    sheet_index = {name: n for n, name in enumerate(sheet_names)}
    at: dict[tuple[str, int, int], list[Issue]] = defaultdict(list)
    placed: dict[int, str] = {}
    for i in issues:
        if not (i.cell and i.sheet in sheet_index and is_worksheet(i.sheet)):
            continue
        try:
            r0, c0 = parse_a1(i.cell)
        except ValueError:
            continue
        if r0 + 1 > EXCEL_MAX_ROW or c0 + 1 > EXCEL_MAX_COL:
            continue
        row, col = top_left(i.sheet, r0 + 1, c0 + 1)
        at[(i.sheet, row, col)].append(i)
        placed[id(i)] = f"{get_column_letter(col)}{row}"
    return sorted(at.items(), key=lambda kv: (sheet_index[kv[0][0]], kv[0][1], kv[0][2])), placed


def _comment_height(text: str) -> int:
    lines = sum(1 + len(line) // 24 for line in text.splitlines())
    return min(600, 20 + 17 * lines)


def _list_name(t: dict[str, str], sheet_names: Sequence[str]) -> str:
    """问题清单, or 问题清单2, 3… when the rep has a sheet of that name."""
    name, n = t["sheet"], 2
    while name in sheet_names:
        name, n = f"{t['sheet']}{n}", n + 1
    return name


def _list_order(issues: Sequence[Issue], sheet_index: dict[str, int]) -> list[Issue]:
    """The issue list's order: the file's own issues, then by sheet, cell, severity."""
    return sorted(issues, key=lambda i: (sheet_index.get(i.sheet, -1) if i.sheet else -2, _cell_sort(i.cell),
                                         _RANK[i.severity], i.code, i.message))


def _list_place(i: Issue, placed: dict[int, str], sheet_index: dict[str, int], t: dict[str, str]
                ) -> tuple[str, str | None, str]:
    """The issue list's cell column: (text, hyperlink location or None, tooltip)."""
    ref = placed.get(id(i))
    if ref:
        return ref, location(i.sheet, ref), f"{i.sheet}!{ref}"
    if i.sheet and i.sheet in sheet_index:
        return i.cell or t["whole_sheet"], location(i.sheet, "A1"), i.sheet
    return i.cell or t["whole_file"], None, ""


def _write_atomic(dest: Path, data: bytes) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".~sitegen-{os.getpid()}-{dest.name}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            tmp.unlink()


def _write_job(src: Path, dest: Path, issues: list[Issue], lang: str, title: str,
               stamp: datetime) -> str | None:
    """Worker entry point: None on success, else the reason (one line)."""
    try:
        annotate_workbook(src, dest, issues, lang=lang, title=title, stamp=stamp)
        return None
    except MemoryError:
        return "memory"
    except Exception as exc:  # openpyxl raises many kinds for damaged or unusual files
        s = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"{type(exc).__name__}: {s}"[:160]


# ---------------------------------------------------------------------------------- summary workbooks


def _new_workbook() -> Workbook:
    import openpyxl

    wb = openpyxl.Workbook()
    return wb


def _write_rep_list(dest: Path, rep: str, listed: Sequence[_Listed], lang: str, stamp: datetime) -> None:
    """The rep's workbooks that got no copy, with their issues."""
    t = _t(lang)
    wb = _new_workbook()
    ws = wb.active
    ws.title = t["sheet"]
    headers = [t["no"], t["file"], t["reason"], t["severity"], t["sheet_col"], t["cell"], t["message"], t["code"]]
    _title(ws, t["rep_title"].format(rep=rep or t["unknown_rep"]), t["rep_intro"], len(headers))
    for c, h in enumerate(headers, 1):
        put(ws.cell(3, c), h)
    r = 3
    n = 0
    for item in sorted(listed, key=lambda x: x.rel):
        for i in sorted(item.issues, key=lambda i: (i.sheet, _cell_sort(i.cell), _RANK[i.severity], i.code)):
            r += 1
            n += 1
            put(ws.cell(r, 1), n)
            put(ws.cell(r, 2), item.rel)
            put(ws.cell(r, 3), item.reason)
            _severity_cell(ws.cell(r, 4), i.severity, lang)
            put(ws.cell(r, 5), i.sheet)
            put(ws.cell(r, 6), i.cell or (t["whole_sheet"] if i.sheet else t["whole_file"]))
            put(ws.cell(r, 7), i.message)
            put(ws.cell(r, 8), i.code)
    _style_table(ws, 3, r, (6, 30, 30, 8, 18, 12, 80, 20), wrap_cols=(3, 7))
    _props(wb, stamp)
    _save(wb, dest, stamp)


def _write_summary(dest: Path, issues: Sequence[Issue], placed: dict[Issue, tuple[str, str]],
                   owners: dict[str, str], lang: str, stamp: datetime) -> None:
    """Every issue of the department, one row each, with a link to the rep's feedback file."""
    t = _t(lang)

    def rep_of(i: Issue) -> str:
        return placed[i][0] if i in placed else (i.rep or owners.get(i.file, ""))

    wb = _new_workbook()
    ws = wb.active
    ws.title = t["summary_sheet"]
    headers = [t["no"], t["rep"], t["severity"], t["file"], t["sheet_col"], t["cell"], t["message"], t["account"],
               t["code"], t["feedback"]]
    files = {i.file for i in issues if i.file}
    _title(ws, t["sum_title"], t["sum_intro"].format(f=len(files), **_counts(issues)), len(headers))
    for c, h in enumerate(headers, 1):
        put(ws.cell(3, c), h)
    rows = sorted(issues, key=lambda i: (rep_of(i), i.file, i.sheet, _cell_sort(i.cell),
                                         _RANK[i.severity], i.code, i.message))
    r = 3
    for r, i in enumerate(rows, 4):
        rep = rep_of(i)
        put(ws.cell(r, 1), r - 3)
        put(ws.cell(r, 2), rep)
        _severity_cell(ws.cell(r, 3), i.severity, lang)
        put(ws.cell(r, 4), i.file)
        put(ws.cell(r, 5), i.sheet)
        put(ws.cell(r, 6), i.cell)
        put(ws.cell(r, 7), i.message)
        put(ws.cell(r, 8), i.account)
        put(ws.cell(r, 9), i.code)
        fb = placed[i][1] if i in placed else ""
        if fb:
            cell = ws.cell(r, 10)
            put(cell, fb)
            _link(cell, target=fb, location_=location(i.sheet, i.cell) if i.sheet and i.cell else None)
    _style_table(ws, 3, r, (6, 12, 8, 34, 18, 10, 80, 14, 22, 40), wrap_cols=(7,))

    # counts per rep
    by = wb.create_sheet(t["by_rep_sheet"])
    heads = [t["rep"], t["files"], t["error"], t["warning"], t["info"]]
    for c, h in enumerate(heads, 1):
        put(by.cell(1, c), h)
    per: dict[str, list[Issue]] = defaultdict(list)
    for i in issues:
        per[rep_of(i)].append(i)
    r = 1
    for r, rep in enumerate(sorted(per), 2):
        items = per[rep]
        k = _counts(items)
        put(by.cell(r, 1), rep or t["unknown_rep"])
        put(by.cell(r, 2), len({i.file for i in items if i.file}))
        put(by.cell(r, 3), k["e"])
        put(by.cell(r, 4), k["w"])
        put(by.cell(r, 5), k["i"])
    k = _counts(issues)
    r += 1
    put(by.cell(r, 1), t["total"])
    put(by.cell(r, 2), len(files))
    put(by.cell(r, 3), k["e"])
    put(by.cell(r, 4), k["w"])
    put(by.cell(r, 5), k["i"])
    _style_table(by, 1, r, (16, 10, 10, 10, 10))
    _props(wb, stamp)
    _save(wb, dest, stamp)


def _props(wb: Workbook, stamp: datetime) -> None:
    wb.properties.creator = AUTHOR
    wb.properties.created = stamp
    wb.properties.modified = stamp


# ----------------------------------------------------------------------------------------- the runs


def _mp_context() -> mp.context.BaseContext:
    return procs.context()


def _run_jobs(jobs: list[_Job], out: Path, lang: str, workers: int,
              done: dict[int, str | None] | None = None) -> dict[int, str | None]:
    """Write every copy not in `done`; returns job index -> None (written) or the reason it failed."""
    outcome: dict[int, str | None] = dict(done or {})
    args = {n: (j.src, out / j.dest, j.issues, lang, j.rel, _deterministic_time([j.mtime_ns]))
            for n, j in enumerate(jobs) if n not in outcome}
    if workers > 1 and len(args) >= 4:
        try:
            with ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context(), initializer=end_with_parent,
                                     initargs=(os.getpid(),)) as ex:
                with procs.starting():
                    futures = {n: ex.submit(_write_job, *a) for n, a in args.items()}
                for n, fut in futures.items():
                    try:
                        outcome[n] = fut.result()
                    except BrokenProcessPool:
                        pass
        except (BrokenProcessPool, OSError):
            pass
    for n, a in args.items():
        if n not in outcome:
            outcome[n] = _write_job(*a)
    return outcome


def _key(*parts: object) -> str:
    """What a feedback file is made from: equal keys give equal bytes, so the file need not be rewritten."""
    blob = json.dumps([FORMAT_VERSION, *parts], ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _file_sha(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


class _Manifest:
    """out_dir/.sitegen-feedback.json: the files the last run wrote, with their keys and hashes."""

    def __init__(self, out: Path) -> None:
        self.path = out / MANIFEST
        self.out = out
        self.previous: dict[str, dict[str, str]] = {}
        try:
            data = json.loads(self.path.read_text("utf-8"))
            files = data.get("files", {}) if isinstance(data, dict) else {}
            if isinstance(files, list):
                files = {f: {} for f in files if isinstance(f, str)}
            self.previous = {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, dict)}
        except (OSError, ValueError, AttributeError):
            self.previous = {}
        self.current: dict[str, dict[str, str]] = {}

    def fresh(self, rel: str, key: str) -> bool:
        """The file is there, unchanged since we wrote it from the same key."""
        prev = self.previous.get(rel, {})
        return prev.get("key") == key and bool(prev.get("sha256")) and _file_sha(self.out / rel) == prev["sha256"]

    def record(self, rel: str, key: str) -> None:
        self.current[rel] = {"key": key, "sha256": _file_sha(self.out / rel)}

    def save(self, input_dir: Path) -> None:
        _clean_stale(self.out, input_dir, self.previous, set(self.current))
        text = json.dumps({"version": FORMAT_VERSION, "files": dict(sorted(self.current.items()))},
                          ensure_ascii=False, indent=1)
        self.path.write_text(text + "\n", "utf-8")


def _default_workers() -> int:
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:
        n = os.cpu_count() or 1
    return max(1, min(n, 8))


def _clean_stale(out: Path, input_dir: Path, previous: Iterable[str], current: set[str]) -> None:
    """Remove the files the previous run wrote and this one did not (a workbook fixed since)."""
    for rel in sorted(set(previous) - current):
        p = (out / rel).resolve()
        if not _inside(p, out) or _inside(p, input_dir) or p.suffix.lower() not in COPY_SUFFIXES or not p.is_file():
            continue
        try:
            p.unlink()
        except OSError:
            continue
        parent = p.parent
        while parent != out and _inside(parent, out):
            try:
                parent.rmdir()  # only if empty
            except OSError:
                break
            parent = parent.parent


def write_feedback(loaded: Loaded, config: Config, out_dir: Path, *, input_dir: Path,
                   workers: int | None = None) -> list[Path]:
    """Write the annotated feedback workbooks of `loaded` under `out_dir`; return every feedback file, sorted.

    A file whose inputs (original's digest and mtime, its issues, language) are those of the last run and
    that nobody changed since is left as it is (and still returned): a weekly run rewrites only what changed.

    See the module docstring for the layout. Raises FeedbackError (a ValueError, and a ConfigError so
    the CLI reports it as a usage problem) when `out_dir` is inside `input_dir`. Workbooks that cannot be
    copied are listed in the rep's 问题清单.xlsx; nothing here raises for bad input.
    """
    lang = config.language
    t = _t(lang)
    out = check_out_dir(out_dir, input_dir, lang=lang)
    inp = Path(input_dir).expanduser().resolve()
    plan = _plan(loaded, config)
    for job in plan.jobs:
        if _inside((out / job.dest).resolve(), inp):
            raise FeedbackError(f"refusing to write {out / job.dest} inside the input folder {inp}" if lang == "en"
                                else f"拒绝写入输入文件夹 {inp} 内的 {out / job.dest}")
    stamp = _deterministic_time(f.mtime_ns for f in loaded.files)
    out.mkdir(parents=True, exist_ok=True)
    manifest = _Manifest(out)
    keys = [_key("copy", lang, j.rel, j.dest, j.digest, j.mtime_ns, [i.to_dict() for i in j.issues])
            for j in plan.jobs]
    done: dict[int, str | None] = {n: None for n, j in enumerate(plan.jobs) if manifest.fresh(j.dest, keys[n])}
    outcome = _run_jobs(plan.jobs, out, lang, workers if workers is not None else _default_workers(), done)

    written: list[Path] = []
    for n, job in enumerate(plan.jobs):
        reason = outcome[n]
        if reason is None:
            written.append(out / job.dest)
            manifest.record(job.dest, keys[n])
            for i in job.issues:
                plan.placed.setdefault(i, (job.rep, job.dest))
        else:
            plan.listed.append(_Listed(job.rel, job.rep, t["no_copy_open"].format(reason=reason), job.issues))

    by_rep: dict[str, list[_Listed]] = defaultdict(list)
    for item in plan.listed:
        by_rep[item.rep].append(item)
    for rep in sorted(by_rep):
        rel = f"{safe_name(rep)}/{t['rep_file']}" if rep else t["rep_file"]
        dest = out / rel
        if _inside(dest.resolve(), inp):
            continue
        items = sorted(by_rep[rep], key=lambda x: x.rel)
        key = _key("list", lang, rel, rep, stamp, [(x.rel, x.reason, [i.to_dict() for i in x.issues]) for x in items])
        if not manifest.fresh(rel, key):
            _write_rep_list(dest, rep, items, lang, stamp)
        manifest.record(rel, key)
        written.append(dest)
        for item in items:
            for i in item.issues:
                plan.placed.setdefault(i, (item.rep, rel))

    owners = {r.rel: _owner(r.rel, r.owner, config) for r in loaded.results}
    summary = out / t["summary_file"]
    if not _inside(summary.resolve(), inp):
        issues = loaded.report.issues
        key = _key("summary", lang, stamp, [(i.to_dict(), plan.placed.get(i)) for i in issues], sorted(owners.items()))
        if not manifest.fresh(t["summary_file"], key):
            _write_summary(summary, issues, plan.placed, owners, lang, stamp)
        manifest.record(t["summary_file"], key)
        written.append(summary)

    manifest.save(inp)
    return sorted(written)


def feedback_for_build(loaded: Loaded, config: Config, *, input_dir: Path | None = None,
                       allow_inside_site: bool = False, workers: int | None = None) -> list[Path]:
    """The build's hook: write the feedback workbooks to `config.feedback_dir` (``feedback`` key of
    sitegen.yaml, default ``feedback/`` next to sitegen.yaml, i.e. outside the published ``output/``).

    The copies hold the reps' private fields (phone numbers, birthdays…), so a feedback folder inside
    the site output (or the publish folder) is refused unless `allow_inside_site` is given, e.g. for a
    site whose web server protects a per-rep folder. `input_dir` defaults to ``config.input_dir`` (pass
    the build's ``--input`` when it was given). Returns the files written, like `write_feedback`.
    """
    inp = input_dir or config.input_dir
    fb = config.feedback_dir.expanduser().resolve()
    if not allow_inside_site:
        sites = [config.output_dir] + ([config.path(config.publish)] if config.publish else [])
        for site in sites:
            site = site.expanduser().resolve()
            if _inside(fb, site):
                raise FeedbackError(
                    f"the feedback folder {fb} is inside the site folder {site}: the copies hold private fields "
                    "and would be published. Set 'feedback' in sitegen.yaml to a folder outside it."
                    if config.language == "en" else
                    f"反馈文件夹 {fb} 位于网站文件夹 {site} 之内：反馈副本含个人信息，会被发布到网站上。"
                    "请在 sitegen.yaml 中把 feedback 设为网站之外的文件夹。")
    return write_feedback(loaded, config, fb, input_dir=inp, workers=workers)
