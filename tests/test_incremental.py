"""Warm builds are correct (issue 6 §3–§4): whatever changed, a build that re-uses the read cache, the last
build's record and its unchanged account pages writes exactly what a cold build (no state, no output) of
the same input writes — every path and every byte. A damaged cache or build record is discarded with a note
and never trusted. Timings belong to `sitegen bench`, not here."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sitegen.build import BuildOptions, BuildResult, build
from sitegen.config import load_config

AS_OF = date(2026, 11, 20)


@pytest.fixture(scope="module")
def department(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated department in every layout (per rep, per form with titles, cards), with mistakes."""
    from sitegen.demo.generate import generate_department

    root = tmp_path_factory.mktemp("department")
    generate_department(root / "input", teams=2, reps_per_team=2, accounts=16, followups_per_account=6,
                        seed=6, as_of=AS_OF, mistakes=True)
    (root / "sitegen.yaml").write_text("title: 大客户部\n", encoding="utf-8")
    return root


@pytest.fixture
def project(department: Path, tmp_path: Path) -> Path:
    """A copy of the department, built once (the warm state every test starts from)."""
    root = tmp_path / "project"
    shutil.copytree(department, root)  # copy2: same modification times, hence the same feedback stamps
    run(root)
    return root


def run(root: Path, echo: list[str] | None = None) -> BuildResult:
    result = build(load_config(root / "sitegen.yaml"), BuildOptions(as_of=AS_OF, quiet=echo is None),
                   echo=echo.append if echo is not None else None)
    assert result.exit_code == 0
    return result


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def fresh_copy(root: Path, tmp_path: Path) -> Path:
    """`root`'s input, config and layouts in a new folder: no cache, no output, no feedback."""
    fresh = tmp_path / "cold"
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir()
    for name in ("input", "layouts"):
        if (root / name).exists():
            shutil.copytree(root / name, fresh / name)
    shutil.copy2(root / "sitegen.yaml", fresh / "sitegen.yaml")
    return fresh


def cold(root: Path, tmp_path: Path) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """What a cold build of `root`'s input, config and layouts writes: (site, feedback workbooks)."""
    fresh = fresh_copy(root, tmp_path)
    run(fresh)
    return tree(fresh / "output"), tree(fresh / "feedback")


def assert_same_as_cold(root: Path, tmp_path: Path) -> None:
    site, feedback = cold(root, tmp_path)
    warm = tree(root / "output")
    assert sorted(warm) == sorted(site)
    different = [rel for rel in site if warm[rel] != site[rel]]
    assert not different, f"differ from a cold build: {different[:5]}"
    assert tree(root / "feedback") == feedback


def workbook_with(root: Path, sheet_word: str) -> Path:
    for p in sorted((root / "input").rglob("*.xlsx")):
        wb = load_workbook(p, read_only=True)
        names = wb.sheetnames
        wb.close()
        if any(sheet_word in n for n in names):
            return p
    raise AssertionError(f"no workbook with a sheet named like {sheet_word}")


def inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*.html")}


# ---------------------------------------------------------------- nothing changed

def test_nothing_changed_is_the_cold_build_and_writes_nothing(project: Path, tmp_path: Path) -> None:
    out = project / "output"
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    again = run(project)
    after = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    assert after == before  # stopped before writing anything: the site is exactly the last one
    assert again.files == len(before) - 1 and again.pages == sum(p.suffix == ".html" for p in before)  # - marker
    assert_same_as_cold(project, tmp_path)


def test_nothing_changed_reports_like_a_build(project: Path) -> None:
    lines: list[str] = []
    run(project, lines)
    first = [line for line in lines if line.startswith("输入与上次相同")]
    assert len(first) == 1 and first[0].endswith(str(project / "output" / "index.html")), lines
    pages = sum(1 for _ in (project / "output").rglob("*.html"))
    assert any(line.strip().startswith(f"页面 {pages} 个：全部沿用上次") for line in lines), lines
    assert any("数据错误" in line for line in lines) and any(line.strip().startswith("读取") for line in lines)


def test_a_damaged_output_is_rebuilt(project: Path, tmp_path: Path) -> None:
    page = next((project / "output" / "accounts").glob("*.html"))
    page.write_text("edited by hand", encoding="utf-8")
    run(project)
    assert page.read_text(encoding="utf-8") != "edited by hand"
    assert_same_as_cold(project, tmp_path)


# ---------------------------------------------------------------- each kind of change

def test_edit_a_cell(project: Path, tmp_path: Path) -> None:
    book = workbook_with(project, "跟进")
    wb = load_workbook(book)
    ws = next(ws for ws in wb.worksheets if "跟进" in ws.title)
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row):
        for cell in row:
            if isinstance(cell.value, str) and len(cell.value) > 6 and cell.row > 3:
                cell.value = cell.value + "（已修改）"
                break
        else:
            continue
        break
    wb.save(book)
    run(project)
    assert_same_as_cold(project, tmp_path)


def test_add_a_row_reuses_the_pages_it_does_not_touch(project: Path, tmp_path: Path) -> None:
    before = inodes(project / "output")
    book = workbook_with(project, "跟进")
    wb = load_workbook(book)
    ws = next(ws for ws in wb.worksheets if "跟进" in ws.title)
    record = next(row for row in ws.iter_rows(values_only=True)
                  if any(isinstance(v, str) and v.startswith("KA-") for v in row))
    ws.append(list(record))  # the same contact logged twice: one account's page changes
    wb.save(book)
    run(project)
    after = inodes(project / "output")
    reused = [rel for rel in after if rel.startswith("accounts/") and before.get(rel) == after[rel]]
    assert reused, "no account page was re-used"
    assert len(reused) < len([r for r in after if r.startswith("accounts/")])  # the changed account was not
    assert_same_as_cold(project, tmp_path)


def test_delete_a_workbook(project: Path, tmp_path: Path) -> None:
    book = workbook_with(project, "跟进")
    book.unlink()
    run(project)
    assert_same_as_cold(project, tmp_path)


def test_delete_the_workbook_of_accounts_removes_them(project: Path, tmp_path: Path) -> None:
    book = workbook_with(project, "客户")
    before = set(tree(project / "output"))
    book.unlink()
    run(project)
    after = set(tree(project / "output"))
    assert {p for p in before - after if p.startswith("accounts/")}, "no account page went away"
    assert_same_as_cold(project, tmp_path)


def test_rename_a_sheet(project: Path, tmp_path: Path) -> None:
    book = workbook_with(project, "关键人")
    wb = load_workbook(book)
    ws = next(ws for ws in wb.worksheets if "关键人" in ws.title)
    ws.title = ws.title + "（新）"
    wb.save(book)
    run(project)
    assert_same_as_cold(project, tmp_path)


def test_change_the_config(project: Path, tmp_path: Path) -> None:
    (project / "sitegen.yaml").write_text("title: 大客户部（华东）\nstale_days: 10\n", encoding="utf-8")
    run(project)
    assert "大客户部（华东）" in (project / "output" / "index.html").read_text(encoding="utf-8")
    assert_same_as_cold(project, tmp_path)


def test_change_a_layout(project: Path, tmp_path: Path) -> None:
    layouts = project / "layouts"
    layouts.mkdir()
    (layouts / "account.html").write_text(
        '{% extends "default:account.html" %}{% block content %}<p class="note">内部资料</p>{{ super() }}'
        "{% endblock %}", encoding="utf-8")
    run(project)
    page = next((project / "output" / "accounts").glob("*.html")).read_text(encoding="utf-8")
    assert "内部资料" in page
    assert_same_as_cold(project, tmp_path)
    (layouts / "account.html").unlink()  # and back: every account page changes again
    run(project)
    assert "内部资料" not in next((project / "output" / "accounts").glob("*.html")).read_text(encoding="utf-8")
    assert_same_as_cold(project, tmp_path)


def test_a_new_as_of_date(project: Path, tmp_path: Path) -> None:
    result = build(load_config(project / "sitegen.yaml"), BuildOptions(as_of=date(2026, 11, 21), quiet=True))
    assert result.exit_code == 0
    fresh = tmp_path / "cold-as-of"
    fresh.mkdir()
    shutil.copytree(project / "input", fresh / "input")
    shutil.copy2(project / "sitegen.yaml", fresh / "sitegen.yaml")
    assert build(load_config(fresh / "sitegen.yaml"), BuildOptions(as_of=date(2026, 11, 21), quiet=True)).exit_code == 0
    assert tree(project / "output") == tree(fresh / "output")


# ---------------------------------------------------------------- damaged state

def test_a_damaged_cache_file_is_discarded_with_a_note(project: Path, tmp_path: Path) -> None:
    entries = sorted((project / ".sitegen" / "cache" / "read").glob("*.pkl"))
    assert entries
    entries[0].write_bytes(entries[0].read_bytes()[:40] + b"garbage")
    entries[1].write_bytes(b"sitegen-cache001" + entries[1].read_bytes()[16:])  # an older format
    book = workbook_with(project, "跟进")
    book.touch()  # same content: still no reason to read it again
    (project / ".sitegen" / "build.json").unlink()  # no shortcut: the cache is consulted
    lines: list[str] = []
    run(project, lines)
    notes = [line for line in lines if "缓存文件" in line and "已丢弃" in line]
    assert len(notes) == 2, lines
    assert_same_as_cold(project, tmp_path)
    lines.clear()
    (project / ".sitegen" / "build.json").unlink()
    run(project, lines)
    assert not [line for line in lines if "缓存文件" in line]  # rewritten whole


def test_a_damaged_build_record_is_discarded_with_a_note(project: Path, tmp_path: Path) -> None:
    record = project / ".sitegen" / "build.json"
    record.write_text('{"format": 1, "key": "', encoding="utf-8")
    lines: list[str] = []
    run(project, lines)
    assert any("构建记录" in line and "已丢弃" in line for line in lines), lines
    assert_same_as_cold(project, tmp_path)
    lines.clear()
    run(project, lines)
    assert not any("构建记录" in line for line in lines)


def test_a_page_record_that_lies_is_not_trusted(project: Path, tmp_path: Path) -> None:
    """A page whose file was replaced after the build (same fingerprint recorded) is rendered again."""
    import json

    record = project / ".sitegen" / "build.json"
    data = json.loads(record.read_text(encoding="utf-8"))
    rel = next(iter(data["pages"]))
    page = project / "output" / rel
    page.write_text("x" * data["pages"][rel][1], encoding="utf-8")  # same size, new modification time
    book = workbook_with(project, "跟进")
    wb = load_workbook(book)
    wb.save(book)  # a change elsewhere: a full build, which could re-use this page
    run(project)
    assert page.read_text(encoding="utf-8") != "x" * data["pages"][rel][1]
    assert_same_as_cold(project, tmp_path)


# ---------------------------------------------------------------- a new as-of date

def _cache_entries(root: Path) -> dict[str, int]:
    return {p.name: p.stat().st_ino for p in (root / ".sitegen" / "cache" / "read").glob("*.pkl")}


def test_a_new_as_of_date_reads_again_only_the_workbooks_that_depend_on_it(project: Path, tmp_path: Path) -> None:
    """A date typed without its year (3月1日) takes the as-of date's year: only its workbook is read again
    when the date moves on; every other workbook comes from the cache, and the site is the cold build's."""
    from sitegen.cache import CacheWriter

    book = workbook_with(project, "跟进")
    wb = load_workbook(book)
    ws = next(ws for ws in wb.worksheets if "跟进" in ws.title)
    header = next(r for r in ws.iter_rows(min_row=1, max_row=10) if any(c.value in ("日期", "跟进日期") for c in r))
    col = next(c.column for c in header if c.value in ("日期", "跟进日期"))
    ws.cell(row=header[0].row + 1, column=col).value = "3月1日"
    wb.save(book)
    run(project)
    before = _cache_entries(project)
    later = date(2027, 3, 5)
    fresh = tmp_path / "cold-later"  # the cold build starts from the same history (weeks compared), no cache
    fresh.mkdir()
    shutil.copytree(project / ".sitegen" / "history", fresh / ".sitegen" / "history")

    def at(root: Path) -> BuildResult:
        result = build(load_config(root / "sitegen.yaml"), BuildOptions(as_of=later, quiet=True))
        assert result.exit_code == 0
        return result

    at(project)
    after = _cache_entries(project)
    rel = book.relative_to(project / "input").as_posix()
    dated = CacheWriter(project / ".sitegen" / "cache" / "read", "", "").path(rel).name
    assert sorted(after) == sorted(before)
    assert [name for name in after if after[name] != before[name]] == [dated]
    shutil.copytree(project / "input", fresh / "input")
    shutil.copy2(project / "sitegen.yaml", fresh / "sitegen.yaml")
    at(fresh)
    assert tree(project / "output") == tree(fresh / "output")
    assert "2027-03-01" in (project / "output" / "data" / "export.xlsx").read_bytes().decode("latin-1") or any(
        "2027-03-01" in p.read_text(encoding="utf-8") for p in (project / "output" / "accounts").glob("*.html"))
