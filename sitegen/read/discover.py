"""Find the workbooks under the input folder; say why everything else is skipped."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..issues import Issue, make_issue
from ..names import shown

# .numbers is found so that it is reported as a format to save again (a warning, its last good data kept)
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".xlsb", ".et", ".csv", ".tsv", ".numbers")


@dataclass(frozen=True, slots=True)
class InputFile:
    path: Path
    rel: str  # relative to the input folder, forward slashes
    size: int
    mtime_ns: int


def rel_name(path: Path, root: Path) -> str:
    """The relative path as shown and recorded: a name in GBK bytes decoded (see names.py)."""
    return shown(path.relative_to(root).as_posix())


def discover(root: Path, *, lang: str = "zh") -> tuple[list[InputFile], list[Issue]]:
    """Every workbook under root (recursively, links not followed), sorted by relative path."""
    files: list[InputFile] = []
    issues: list[Issue] = []
    root = root.resolve()

    def skip(rel: str, why_zh: str, why_en: str) -> None:
        issues.append(make_issue("file-skipped", lang=lang, file=rel, reason=why_en if lang == "en" else why_zh))

    def unreadable(exc: OSError) -> None:
        # a folder that cannot be listed would silently drop its workbooks: say so
        where = Path(exc.filename) if exc.filename else root
        try:
            rel = rel_name(where, root) if where != root else "."
        except ValueError:
            rel = str(where)
        why = (f"the folder cannot be read ({exc.strerror or type(exc).__name__}); its workbooks were not read "
               "(the site keeps their last good data)" if lang == "en"
               else f"无法读取此文件夹（{exc.strerror or type(exc).__name__}），其中的工作簿本周没有读取（生成网站时沿用它们上次的数据）")
        issues.append(make_issue("file-unreadable", lang=lang, file=rel + "/", reason=why))

    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=unreadable):
        here = Path(dirpath)
        keep = []
        for d in sorted(dirnames):
            p = here / d
            rel = rel_name(p, root)
            if p.is_symlink():
                issues.append(_link_issue(p, rel, root, lang))
            elif d.startswith(".") or d.startswith("~"):
                skip(rel + "/", "隐藏文件夹", "hidden folder")
            else:
                keep.append(d)
        dirnames[:] = keep
        for name in sorted(filenames):
            p = here / name
            rel = rel_name(p, root)
            if p.is_symlink():
                issues.append(_link_issue(p, rel, root, lang))
                continue
            if name.startswith("~$") or name.startswith(".~"):
                skip(rel, "Excel/WPS 的临时锁定文件（文件正在被打开）", "Excel/WPS lock file (the workbook is open)")
                continue
            if name.startswith("."):
                skip(rel, "隐藏文件", "hidden file")
                continue
            suffix = p.suffix.lower()
            if suffix not in WORKBOOK_SUFFIXES:
                skip(rel, "不是工作簿文件", "not a workbook")
                continue
            try:
                st = p.stat()
            except OSError:
                skip(rel, "无法访问此文件", "the file cannot be accessed")
                continue
            if not p.is_file():
                skip(rel, "不是普通文件", "not a regular file")
                continue
            files.append(InputFile(p, rel, st.st_size, st.st_mtime_ns))
    files.sort(key=lambda f: f.rel)
    return files, issues


def _link_issue(p: Path, rel: str, root: Path, lang: str) -> Issue:
    try:
        target = p.resolve()
        inside = target == root or root in target.parents
    except OSError:
        inside = False
    if inside:
        why = "symbolic link (not followed)" if lang == "en" else "快捷方式（符号链接），未读取"
        return make_issue("file-skipped", lang=lang, file=rel, reason=why)
    return make_issue("file-symlink", lang=lang, file=rel)
