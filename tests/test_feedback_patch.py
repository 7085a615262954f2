"""Feedback copies written into the original package (sitegen/feedbackpatch.py) say what the openpyxl path
says, keep what openpyxl would drop, and leave every unusual package to openpyxl.

The department of tests/test_feedback.py is annotated twice, once as usual and once with the package path
switched off; the two copies are compared through openpyxl. Generated workbooks then put marks where a
patch could go wrong: cells and rows that are not in the XML, self-closing rows, merged ranges, styled
cells, hidden sheets, sheet-local defined names.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import test_feedback as tf
import xlsxwriter
from openpyxl.styles import Font
from openpyxl.workbook.defined_name import DefinedName

from sitegen import feedback
from sitegen.config import Config
from sitegen.feedback import AUTHOR, FILL, MARKER_PROPERTY, annotate_workbook, write_feedback
from sitegen.feedbackpatch import Patch, Unsupported
from sitegen.issues import Issue, Severity
from sitegen.load import load

FAST = (tf.FOLLOWUP, tf.CARD)  # written by xlsxwriter / openpyxl, no comments of their own
SLOW = (tf.CUSTOMER,)  # its marked sheet has a rep's own comment: openpyxl merges the two


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, list[str]]:
    root = tmp_path_factory.mktemp("patch")
    inp = tf.make_department(root)
    config = Config(root=root)
    loaded = load(config, tf.AS_OF, input_dir=inp)
    taken: list[str] = []
    real = feedback._annotate_in_package

    def spy(data: bytes, src: Path, *args: object, **kwargs: object) -> bytes | None:
        out = real(data, src, *args, **kwargs)  # type: ignore[arg-type]
        if out is not None:
            taken.append(src.relative_to(inp).as_posix())
        return out

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(feedback, "_annotate_in_package", spy)
        write_feedback(loaded, config, root / "fast", input_dir=inp, workers=1)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(feedback, "_annotate_in_package", lambda *a, **k: None)
        write_feedback(loaded, config, root / "slow", input_dir=inp, workers=1)
    return inp, root / "fast", root / "slow", taken


def test_the_usual_packages_take_the_package_path(both: tuple[Path, Path, Path, list[str]]) -> None:
    _inp, _fast, _slow, taken = both
    assert sorted(taken) == sorted(FAST)


@pytest.mark.parametrize("rel", FAST)
def test_the_copy_says_what_the_openpyxl_copy_says(both: tuple[Path, Path, Path, list[str]], rel: str) -> None:
    inp, fast, slow, _taken = both
    assert tf.marks(fast / rel) == tf.marks(slow / rel)
    assert tf.issue_rows(fast / rel) == tf.issue_rows(slow / rel)
    a, b, orig = (openpyxl.load_workbook(p) for p in (fast / rel, slow / rel, inp / rel))
    assert a.sheetnames == b.sheetnames == ["问题清单", *orig.sheetnames]
    assert a.active.title == "问题清单"
    assert [bool(ws.sheet_view.tabSelected) for ws in a.worksheets] == [True] + [False] * len(orig.sheetnames)
    la, lb = a.worksheets[0], b.worksheets[0]
    assert (la.freeze_panes, la.auto_filter.ref, la.print_title_rows) == (lb.freeze_panes, lb.auto_filter.ref,
                                                                        lb.print_title_rows)
    assert [str(r) for r in la.merged_cells.ranges] == [str(r) for r in lb.merged_cells.ranges]
    for col in "ABCDEFG":
        assert la.column_dimensions[col].width == lb.column_dimensions[col].width
    assert la.sheet_properties.tabColor.rgb == lb.sheet_properties.tabColor.rgb
    for r in range(1, la.max_row + 1):
        assert la.row_dimensions[r].height == lb.row_dimensions[r].height, r
        for c in range(1, 8):
            x, y = la.cell(r, c), lb.cell(r, c)
            assert (x.value, x.font.b, x.font.color and x.font.color.rgb, x.fill.fgColor.rgb,
                    x.alignment.wrap_text, x.alignment.vertical) == (
                y.value, y.font.b, y.font.color and y.font.color.rgb, y.fill.fgColor.rgb,
                y.alignment.wrap_text, y.alignment.vertical), x.coordinate
    props = {p.name: p.value for p in a.custom_doc_props.props}
    assert props == {p.name: p.value for p in b.custom_doc_props.props}
    for ws in orig.worksheets:  # every value and merge of the rep's sheets is kept
        copy = a[ws.title]
        assert {c.coordinate: c.value for c in copy._cells.values() if c.value is not None} == {
            c.coordinate: c.value for c in ws._cells.values() if c.value is not None}
        assert {str(r) for r in copy.merged_cells.ranges} == {str(r) for r in ws.merged_cells.ranges}


def test_a_sheet_with_comments_of_its_own_goes_to_openpyxl(both: tuple[Path, Path, Path, list[str]]) -> None:
    inp, fast, _slow, _taken = both
    with pytest.raises(Unsupported):
        patch = Patch((inp / tf.CUSTOMER).read_bytes(), (MARKER_PROPERTY,))
        patch.write([feedback_mark("客户档案表", 5, 5)], _tiny_list(), **_style_args())
    ws = openpyxl.load_workbook(fast / tf.CUSTOMER)["客户档案表"]
    assert ws["K5"].comment.text == "rep's own note"
    assert ws["E5"].comment.author == AUTHOR


# ------------------------------------------------------------------------------ generated workbooks


def feedback_mark(sheet: str, row: int, col: int):  # type: ignore[no-untyped-def]
    from sitegen.feedbackpatch import Mark

    return Mark(sheet, row, col, Severity.ERROR, "x", 40, 200)


def _tiny_list():  # type: ignore[no-untyped-def]
    from sitegen.feedbackpatch import IssueList

    return IssueList("问题清单", "t", "i", ("a",), (5,), (), ())


def _style_args() -> dict[str, object]:
    return {"author": AUTHOR, "props": {}, "fills": FILL, "fonts": feedback.FONT, "header_fill": "305496",
            "lines": lambda _t, _w: 1}


def _issue(rel: str, sheet: str, cell: str, sev: Severity = Severity.ERROR) -> Issue:
    return Issue(sev, "value-enum", f"{cell} 的值“X”不是可接受的值", rel, sheet, cell, "张三", "KA-1")


def _followup_book(path: Path, *, method: bool = False) -> Path:
    """A workbook with one follow-up sheet: a header and one row (with 跟进方式 飞鸽 when `method`)."""
    wb = openpyxl.Workbook()
    wb.active.title = "客户跟进表"
    wb.active.append(["日期", "客户编号", *(["跟进方式"] if method else [])])
    wb.active.append(["2026-11-01", "KA-1", *(["飞鸽"] if method else [])])
    wb.save(path)
    return path


def _annotate_both(src: Path, tmp: Path, issues: list[Issue]) -> tuple[Path, Path]:
    fast, slow = tmp / "fast.xlsx", tmp / "slow.xlsx"
    assert feedback._annotate_in_package(src.read_bytes(), src, issues, lang="zh", title=src.name) is not None
    annotate_workbook(src, fast, issues, title=src.name)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(feedback, "_annotate_in_package", lambda *a, **k: None)
        annotate_workbook(src, slow, issues, title=src.name)
    return fast, slow


def _fills(path: Path) -> dict[tuple[str, str], str]:
    wb = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate): c.fill.fgColor.rgb for ws in wb.worksheets[1:] for c in ws._cells.values()
            if c.fill.fill_type == "solid" and c.fill.fgColor.rgb in {"00" + f for f in FILL.values()}}


def _comments(path: Path) -> dict[tuple[str, str], str]:
    wb = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate): c.comment.text for ws in wb.worksheets[1:] for c in ws._cells.values()
            if c.comment is not None}


def test_marks_land_wherever_the_cell_is_or_is_not_written(tmp_path: Path) -> None:
    src = tmp_path / "in.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户跟进表"
    ws.append(["日期", "客户编号", "跟进方式", "接触人"])
    ws.append([date(2026, 11, 1), "KA-1", "拜访", "李总"])
    ws["D2"].font = Font(bold=True, color="FF0000")
    ws["D2"].number_format = "@"
    ws.row_dimensions[3].height = 30  # a row written without cells: <row r="3" .../>
    ws["B5"] = "KA-2"
    ws["F5"] = "x"
    ws["B9"] = "KA-3"
    ws.merge_cells("H2:I4")
    wb.create_sheet("其他")["A1"] = "unmarked"
    wb.save(src)
    cells = ["D2", "A2", "E2", "C3", "A4", "D5", "G5", "A7", "C12", "I3", "B9"]
    issues = [_issue("in.xlsx", "客户跟进表", c) for c in cells]
    issues.append(_issue("in.xlsx", "客户跟进表", "B5", Severity.WARNING))
    fast, slow = _annotate_both(src, tmp_path, issues)
    want = {("客户跟进表", "H2" if c == "I3" else c): "00" + FILL[Severity.ERROR] for c in cells}
    want[("客户跟进表", "B5")] = "00" + FILL[Severity.WARNING]
    assert _fills(fast) == want == _fills(slow)
    assert _comments(fast) == _comments(slow)
    assert set(_comments(fast)) == set(want)
    out = openpyxl.load_workbook(fast)["客户跟进表"]
    assert out["D2"].font.b and out["D2"].font.color.rgb == "00FF0000" and out["D2"].number_format == "@"
    assert out["B2"].value == "KA-1" and out["B5"].value == "KA-2" and out["F5"].value == "x"
    assert out.row_dimensions[3].height == 30
    assert {str(r) for r in out.merged_cells.ranges} == {"H2:I4"}
    assert openpyxl.load_workbook(fast)["其他"]["A1"].value == "unmarked"


def test_cached_formula_results_are_kept(tmp_path: Path) -> None:
    """openpyxl drops the values Excel cached for formulas (the copy then shows nothing until recalculated);
    the package path copies them."""
    src = tmp_path / "f.xlsx"
    book = xlsxwriter.Workbook(str(src))
    ws = book.add_worksheet("客户跟进表")
    ws.write_row(0, 0, ["日期", "客户编号", "金额"])
    ws.write_row(1, 0, ["2026-11-01", "KA-1", 5])
    ws.write_formula(1, 3, "=C2*2", None, 10)
    book.close()
    fast, slow = _annotate_both(src, tmp_path, [_issue("f.xlsx", "客户跟进表", "B2")])
    assert openpyxl.load_workbook(fast, data_only=True)["客户跟进表"]["D2"].value == 10
    assert openpyxl.load_workbook(fast)["客户跟进表"]["D2"].value == "=C2*2"
    assert openpyxl.load_workbook(slow, data_only=True)["客户跟进表"]["D2"].value is None


def test_hidden_sheets_are_shown_and_local_names_follow_their_sheet(tmp_path: Path) -> None:
    src = tmp_path / "h.xlsx"
    wb = openpyxl.Workbook()
    first = wb.active
    first.title = "说明"
    first["A1"] = "readme"
    hidden = wb.create_sheet("客户跟进表")
    hidden.append(["日期", "客户编号"])
    hidden.append(["2026-11-01", "KA-1"])
    hidden.sheet_state = "hidden"
    third = wb.create_sheet("汇总")
    third["A1"] = 1
    third.print_area = "A1:C10"
    wb.defined_names["全局"] = DefinedName("全局", attr_text="'汇总'!$A$1")
    wb.active = 2
    wb.save(src)
    fast, slow = _annotate_both(src, tmp_path, [_issue("h.xlsx", "客户跟进表", "B2")])
    for path in (fast, slow):
        out = openpyxl.load_workbook(path)
        assert out.sheetnames == ["问题清单", "说明", "客户跟进表", "汇总"]
        assert out["客户跟进表"].sheet_state == "visible"
        assert out["汇总"].print_area == "'汇总'!$A$1:$C$10"
        assert not out["说明"].print_area
        assert out.defined_names["全局"].attr_text == "'汇总'!$A$1"
        assert out.active.title == "问题清单"


def test_a_copy_handed_back_goes_to_openpyxl(tmp_path: Path) -> None:
    src = _followup_book(tmp_path / "back.xlsx")
    first = tmp_path / "first.xlsx"
    annotate_workbook(src, first, [_issue("back.xlsx", "客户跟进表", "B2")], title="back.xlsx")
    with pytest.raises(Unsupported):
        Patch(first.read_bytes(), (MARKER_PROPERTY,))
    again = tmp_path / "again.xlsx"
    annotate_workbook(first, again, [_issue("back.xlsx", "客户跟进表", "A2")], title="back.xlsx")
    assert set(_fills(again)) == {("客户跟进表", "A2")}  # the old mark is gone
    assert openpyxl.load_workbook(again).sheetnames == ["问题清单", "客户跟进表"]


def test_a_mistake_of_the_package_path_still_gives_the_rep_a_copy(tmp_path: Path) -> None:
    src = _followup_book(tmp_path / "m.xlsx")

    def broken(*_args: object, **_kwargs: object) -> bytes:
        raise IndexError("a bug in the package path")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Patch, "write", broken)
        annotate_workbook(src, tmp_path / "out.xlsx", [_issue("m.xlsx", "客户跟进表", "B2")], title="m.xlsx")
    assert set(_fills(tmp_path / "out.xlsx")) == {("客户跟进表", "B2")}  # written by openpyxl


@pytest.mark.parametrize("damage", ["no styles", "prefixed sheet", "not a zip"])
def test_unusual_packages_are_refused_before_anything_is_written(tmp_path: Path, damage: str) -> None:
    src = _followup_book(tmp_path / "u.xlsx")
    data = src.read_bytes()
    if damage == "not a zip":
        data = b"PK\x03\x04 broken"
    else:
        buf = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(buf, "w") as zout:
            for info in zin.infolist():
                body = zin.read(info.filename)
                if damage == "no styles" and info.filename == "xl/styles.xml":
                    body = body.replace(b"<cellXfs", b"<cellXfsX").replace(b"</cellXfs>", b"</cellXfsX>")
                if damage == "prefixed sheet" and info.filename == "xl/worksheets/sheet1.xml":
                    body = body.replace(b"<worksheet", b"<x:worksheet").replace(b"</worksheet>", b"</x:worksheet>")
                zout.writestr(info, body)
        data = buf.getvalue()
    with pytest.raises(Unsupported):
        Patch(data, (MARKER_PROPERTY,)).write([feedback_mark("客户跟进表", 2, 2)], _tiny_list(), **_style_args())


def test_the_package_copy_opens_in_libreoffice_with_its_marks(tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not on PATH")
    src = _followup_book(tmp_path / "lo.xlsx", method=True)
    fast, _slow = _annotate_both(src, tmp_path, [_issue("lo.xlsx", "客户跟进表", "C2"),
                                                 _issue("lo.xlsx", "客户跟进表", "D7")])
    # LibreOffice re-saves the copy as xlsx: what it understood comes back through openpyxl
    profile = (tmp_path / "profile").as_uri()
    outdir = tmp_path / "lo"
    proc = subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xlsx",
                           "--outdir", str(outdir), str(fast)], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    back = openpyxl.load_workbook(outdir / "fast.xlsx")
    assert back.sheetnames == ["问题清单", "客户跟进表"]
    ws = back["客户跟进表"]
    assert ws["C2"].value == "飞鸽"
    assert ws["C2"].comment is not None and "错误" in ws["C2"].comment.text
    assert ws["D7"].comment is not None
    assert ws["C2"].fill.fgColor.rgb.upper().endswith(FILL[Severity.ERROR])
    assert back["问题清单"]["A1"].value.startswith("数据问题清单")


# ------------------------------------------------------------------------------------------ property

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_CELLS = st.tuples(st.integers(1, 12), st.integers(1, 8))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(filled=st.sets(_CELLS, max_size=30), marked=st.lists(_CELLS, min_size=1, max_size=12),
       heights=st.sets(st.integers(1, 14), max_size=3), writer=st.sampled_from(["openpyxl", "xlsxwriter"]),
       merge=st.booleans())
def test_any_marks_on_any_sheet_say_what_openpyxl_says(tmp_path_factory: pytest.TempPathFactory,
                                                     filled: set[tuple[int, int]], marked: list[tuple[int, int]],
                                                     heights: set[int], writer: str, merge: bool) -> None:
    tmp = tmp_path_factory.mktemp("prop")
    src = tmp / "p.xlsx"
    if writer == "openpyxl":
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "客户跟进表"
        for r, c in sorted(filled):
            ws.cell(r, c, f"v{r}-{c}")
        for r in heights:
            ws.row_dimensions[r].height = 25  # a row with no cells: written as <row r=".." .../>
        if merge:
            ws.merge_cells("B2:C3")
        wb.save(src)
    else:
        book = xlsxwriter.Workbook(str(src))
        ws = book.add_worksheet("客户跟进表")
        for r, c in sorted(filled):
            ws.write_string(r - 1, c - 1, f"v{r}-{c}")
        for r in heights:
            ws.set_row(r - 1, 25)
        if merge:
            ws.merge_range("B2:C3", "merged")
        book.close()
    refs = [f"{openpyxl.utils.get_column_letter(c)}{r}" for r, c in marked]
    issues = [_issue("p.xlsx", "客户跟进表", ref, Severity.ERROR if n % 3 else Severity.WARNING)
              for n, ref in enumerate(refs)]
    fast, slow = _annotate_both(src, tmp, issues)
    assert _fills(fast) == _fills(slow)
    assert _comments(fast) == _comments(slow)
    assert tf.issue_rows(fast) == tf.issue_rows(slow)
    orig = openpyxl.load_workbook(src)["客户跟进表"]
    copy = openpyxl.load_workbook(fast)["客户跟进表"]
    assert {c.coordinate: c.value for c in copy._cells.values() if c.value is not None} == {
        c.coordinate: c.value for c in orig._cells.values() if c.value is not None}
    for r in heights:
        assert copy.row_dimensions[r].height == orig.row_dimensions[r].height
