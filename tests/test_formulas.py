"""Formula cells without a value (issue 15): an error (#N/A, #DIV/0!, …) or no cached result is reported at
its cell, never read as an empty cell, whichever tool wrote the workbook."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from formula_books import TOOLS, F, write_book
from helpers import sheet_counts

from sitegen.issues import Severity
from sitegen.read.formulas import UNCACHED, CellProblem, scan_problems
from sitegen.read.workbook import read_workbook

HEADER = ["客户编号", "客户名称", "客户经理", "销售阶段", "预计金额(万元)", "预计成交日期", "备注"]
ROWS: list[list[object]] = [
    ["KA-1", "甲公司", "张三", "提案", 10, "2026-12-01", "正常"],
    ["KA-2", "乙公司", "张三", F("VLOOKUP(A3,阶段!A:B,2,0)", "#N/A"), 20, "2026-12-01", ""],
    [F("FOO(B4)", "#NAME?"), "丙公司", "张三", "提案", 5, "2026-12-01", ""],
    ["KA-4", "丁公司", "张三", "提案", F("E2/0", "#DIV/0!"), "2026-12-01", ""],
    ["KA-5", "戊公司", "张三", "提案", 8, F("DATE(2026,12,15)", 46371), ""],
    ["KA-6", "己公司", "张三", "提案", 8, "2026-12-01", F("Z1&\"说明\"", "#REF!")],
    ["KA-7", "庚公司", "张三", "商务谈判", F("E2*2", 20), "2026-12-01", ""],
]
# where each formula sits, and whether its column makes the problem an error (required or typed)
CELLS = {"D3": True, "A4": True, "E5": True, "F6": True, "G7": False, "E8": True}


def expected(tool: str, cached: object) -> str | None:
    """The issue code a formula cell should give when `tool` wrote it."""
    error = isinstance(cached, str) and cached.startswith("#")
    if tool == "openpyxl":
        return "formula-uncached"  # openpyxl never stores a result (a workbook it loaded and saved loses them)
    if error:
        return "formula-error"
    if tool == "xlsxwriter":
        return "formula-uncached"  # the 0 placeholder of a workbook that asks to be recalculated
    return None  # Excel, WPS, LibreOffice store the result


def _rows_for(tool: str) -> list[list[object]]:
    # xlsxwriter stores the value a caller gives: a script (pandas) gives none except for errors it copies
    out = []
    for row in ROWS:
        out.append([F(v.formula, v.cached if isinstance(v.cached, str) else None)
                    if tool == "xlsxwriter" and isinstance(v, F) else v for v in row])
    return out


@pytest.mark.parametrize("tool", TOOLS)
def test_formula_cells_are_reported_at_their_cell(tool: str, tmp_path: Path, load_input) -> None:
    write_book(tool, tmp_path / "张三" / "客户.xlsx", {"客户档案": [HEADER, *_rows_for(tool)]})
    loaded = load_input(tmp_path)
    found = {i.cell: i for i in loaded.report.issues if i.code.startswith("formula-")}
    want = {}
    for r, row in enumerate(ROWS, 2):
        for c, v in enumerate(row):
            if isinstance(v, F):
                code = expected(tool, v.cached)
                if code:
                    want["ABCDEFG"[c] + str(r)] = code
    assert {cell: i.code for cell, i in found.items()} == want
    for cell, i in found.items():
        assert i.severity is (Severity.ERROR if CELLS[cell] else Severity.WARNING), (cell, i)
        assert i.file == "张三/客户.xlsx" and i.sheet == "客户档案"
        if i.code == "formula-error":
            assert "公式出错（" in i.message and "请在 Excel 中检查这个公式" in i.message
        else:
            assert "这个公式没有计算结果：请在 Excel 或 WPS 中打开并保存一次" in i.message
    # the filled 客户编号 with #NAME? is never "必须填写"
    assert not [i for i in loaded.report.issues if i.code == "value-missing"]
    rejected = {int(c[1:]) for c, code in want.items() if CELLS[c]}
    counts = sheet_counts(loaded)["张三/客户.xlsx"]["客户档案"]
    assert counts == (len(ROWS), len(ROWS) - len(rejected), len(rejected), 0)
    accounts = {a.id: a for a in loaded.dataset.accounts}
    if "D3" in want:
        assert "KA-2" not in accounts  # never published without its stage
    if tool in ("excel", "wps", "libreoffice"):
        assert accounts["KA-5"].projects[0].expected_close == date(2026, 12, 15)
        assert accounts["KA-7"].projects[0].value == 20
    assert "KA-6" in accounts  # a warning in a free-text column keeps the row


def test_the_scan_finds_what_calamine_empties() -> None:
    xml = (b'<sheetData><row r="2"><c r="A2" t="e"><f>NA()</f><v>#N/A</v></c>'
           b'<c r="B2"><f>1+1</f><v/></c><c r="C2"><f>1+1</f><v></v></c><c r="D2"><f>1+1</f><v>2</v></c>'
           b'<c r="E2" t="str"><f>"a"</f><v>a</v></c><c r="F2" t="e"><v>#DIV/0!</v></c>'
           b'<c r="G2"><f t="shared" si="0"/></c><c r="H2"><f>0*1</f><v>0</v></c>'
           b'<x:c r="AA2"><x:f>1</x:f></x:c></row></sheetData>')
    got = scan_problems(xml)
    assert got == {(1, 0): CellProblem("#N/A"), (1, 1): UNCACHED, (1, 2): UNCACHED, (1, 5): CellProblem("#DIV/0!"),
                   (1, 6): UNCACHED, (1, 26): UNCACHED}
    assert scan_problems(xml, full_calc_on_load=True)[(1, 7)] == UNCACHED  # xlsxwriter's 0 placeholder


def test_a_workbook_without_formulas_takes_the_plain_path(tmp_path: Path) -> None:
    path = write_book("excel", tmp_path / "a.xlsx", {"客户档案": [HEADER, ROWS[0]]})
    from sitegen.read.workbook import check_package

    assert check_package(path).formula_parts == set()
    path = write_book("excel", tmp_path / "b.xlsx", {"客户档案": [HEADER, ROWS[1]]})
    assert check_package(path).formula_parts == {"xl/worksheets/sheet1.xml"}
    sheet = read_workbook(path).sheets[0]
    assert sheet.rows[1][3] == CellProblem("#N/A")


def test_an_uncached_cell_beyond_calamines_range_is_still_found(tmp_path: Path) -> None:
    # openpyxl: the last column holds only formulas, which calamine leaves out of the sheet's range
    path = write_book("openpyxl", tmp_path / "c.xlsx",
                      {"跟进": [["日期", "客户编号", "跟进方式", "下次跟进日期"],
                                ["2026-11-02", "KA-1", "拜访", F("A2+7")]]})
    rows = read_workbook(path).sheets[0].rows
    assert rows[1][3] is UNCACHED or rows[1][3] == UNCACHED


def test_formula_problems_in_a_followup_and_a_card(tmp_path: Path, load_input) -> None:
    write_book("excel", tmp_path / "张三" / "客户.xlsx", {"客户档案": [HEADER, ROWS[0]]})
    write_book("excel", tmp_path / "张三" / "跟进.xlsx", {
        "跟进表": [["日期", "客户编号", "跟进方式", "主要内容", "下次跟进日期"],
                   [F("TODAY()", "#VALUE!"), "KA-1", "拜访", "交流", "2026-11-30"],
                   ["2026-11-02", "KA-1", "拜访", F("C3", "#N/A"), "2026-11-30"]],
        "王五卡片": [["客户名称", "卡片公司", "客户编号", "KA-9"],
                     ["客户经理", "张三", "销售阶段", F("X1", "#N/A")],
                     ["行业", "制造", "预计金额(万元)", 3]],
    })
    loaded = load_input(tmp_path)
    by_cell = {(i.sheet, i.cell): i for i in loaded.report.issues if i.code.startswith("formula-")}
    assert by_cell[("跟进表", "A2")].severity is Severity.ERROR  # 日期 is required
    assert by_cell[("跟进表", "D3")].severity is Severity.WARNING  # 主要内容 is free text
    assert by_cell[("王五卡片", "D2")].severity is Severity.ERROR
    counts = sheet_counts(loaded)["张三/跟进.xlsx"]
    assert counts["跟进表"] == (2, 1, 1, 0)
    assert counts["王五卡片"] == (1, 0, 1, 0)
    assert "KA-9" not in {a.id for a in loaded.dataset.accounts}


def test_english_messages(tmp_path: Path, load_input) -> None:
    write_book("openpyxl", tmp_path / "张三" / "客户.xlsx", {"客户档案": [HEADER, ROWS[4]]})
    loaded = load_input(tmp_path, language="en")
    i = next(i for i in loaded.report.issues if i.code == "formula-uncached")
    assert i.message.startswith("This formula has no calculated result") and "Expected close" in i.message


@pytest.mark.parametrize("sheet_xml", [
    # a namespace prefix (some .NET writers), and single quotes: the extent scan's slow path
    b"<x:worksheet xmlns:x='http://schemas.openxmlformats.org/spreadsheetml/2006/main'><x:sheetData>"
    b"<x:row r='1'><x:c r='A1' t='inlineStr'><x:is><x:t>a</x:t></x:is></x:c><x:c r='B1' t='e'><x:v>#N/A</x:v></x:c>"
    b"</x:row></x:sheetData></x:worksheet>",
    b"<worksheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'><sheetData>"
    b"<row r='1'><c r='A1' t='inlineStr'><is><t>a</t></is></c><c r='B1'><f>1/0</f></c></row></sheetData></worksheet>",
])
def test_odd_writers_are_scanned_too(tmp_path: Path, sheet_xml: bytes) -> None:
    import zipfile

    src = write_book("excel", tmp_path / "src.xlsx", {"S": [["a", "b"]]})
    dst = tmp_path / "odd.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            zout.writestr(item, sheet_xml if item.filename == "xl/worksheets/sheet1.xml" else zin.read(item))
    rows = read_workbook(dst).sheets[0].rows
    assert isinstance(rows[0][1], CellProblem)


def test_the_feedback_workbook_marks_formula_cells(tmp_path: Path, load_input) -> None:
    import openpyxl

    from sitegen.config import config_from_dict
    from sitegen.feedback import write_feedback

    inp = tmp_path / "in"
    write_book("excel", inp / "张三" / "客户.xlsx", {"客户档案": [HEADER, *ROWS]})
    loaded = load_input(inp)
    written = write_feedback(loaded, config_from_dict({}, inp), tmp_path / "fb", input_dir=inp)
    copy = next(p for p in written if p.name == "客户.xlsx")
    wb = openpyxl.load_workbook(copy)
    listed = " ".join(str(c.value) for row in wb.worksheets[0].iter_rows() for c in row if c.value)
    assert "公式出错（#N/A）" in listed and "公式出错（#NAME?）" in listed
    assert wb["客户档案"]["D3"].comment is not None and "#N/A" in wb["客户档案"]["D3"].comment.text


def test_ods_error_cells_are_not_read_as_zero(tmp_path: Path, load_input) -> None:
    from formula_books import write_ods

    write_ods(tmp_path / "张三" / "客户.ods", {"客户档案": [HEADER, *ROWS, ["KA-8", "辛公司", "张三", "提案", F("E2*0")]]})
    loaded = load_input(tmp_path)
    found = {i.cell: (i.code, i.message.split("：")[0]) for i in loaded.report.issues if i.code.startswith("formula-")}
    assert found == {"D3": ("formula-error", "公式出错（#N/A）"), "A4": ("formula-error", "公式出错（#NAME?）"),
                     "E5": ("formula-error", "公式出错（#DIV/0!）"), "G7": ("formula-error", "公式出错（#REF!）"),
                     "E9": ("formula-uncached", "这个公式没有计算结果")}
    accounts = {a.id: a for a in loaded.dataset.accounts}
    assert "KA-4" not in accounts  # #DIV/0! in 预计金额 is not a value of 0
    assert accounts["KA-5"].projects[0].expected_close == date(2026, 12, 15)
