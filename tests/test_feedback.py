"""Annotated feedback workbooks (issue 5, §2 and §4): copies with exactly the wrong cells marked.

The fixtures are small workbooks with known mistakes, written with openpyxl and xlsxwriter in a
temporary input folder: a customer file with title rows, a merged title, an account's cells merged
vertically over its project rows and a data validation; a card-layout customer sheet next to a follow-up
sheet whose name has a space and an apostrophe; a follow-up table written by xlsxwriter; a corrupt file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from openpyxl.worksheet.datavalidation import DataValidation

from sitegen.cli import main
from sitegen.config import Config
from sitegen.feedback import (
    AUTHOR,
    FILL,
    FeedbackError,
    feedback_for_build,
    location,
    quote_sheet,
    safe_name,
    write_feedback,
)
from sitegen.issues import Issue, Report, Severity
from sitegen.load import Loaded, load

AS_OF = date(2026, 11, 20)
OUR_FILLS = {"00" + c for c in FILL.values()}

CUSTOMER = "张三/客户档案.xlsx"
FOLLOWUP = "张三/跟进表.xlsx"
CARD = "李四/北方钢铁.xlsx"
CORRUPT = "李四/坏文件.xlsx"
CARD_SHEET = "KA-003 北方钢铁"
ODD_SHEET = "O'Brien 跟进"

# (file, sheet, cell, code) of every issue `load` reports for the fixtures
EXPECTED = {
    (CUSTOMER, "客户档案表", "E5", "value-enum"),  # 销售阶段 飞单
    (CUSTOMER, "客户档案表", "F5", "value-money"),  # abc
    (CUSTOMER, "客户档案表", "G6", "value-date"),  # 2026-13-45
    (CUSTOMER, "客户档案表", "F7", "value-negative"),  # -5
    (CUSTOMER, "客户档案表", "I8", "value-enum"),  # 客户等级 Z, merged I8:I9 -> reported at the top-left
    (FOLLOWUP, "客户跟进表", "D2", "person-unknown"),  # warning
    (FOLLOWUP, "客户跟进表", "C3", "value-enum"),  # 传真
    (FOLLOWUP, "客户跟进表", "F4", "value-yesno"),  # maybe
    (CARD, CARD_SHEET, "D3", "value-enum"),  # 谈判中
    (CARD, CARD_SHEET, "B4", "value-money"),  # 很多, merged B4:C4
    (CARD, ODD_SHEET, "A3", "value-date"),
    (CARD, ODD_SHEET, "C3", "value-enum"),
    (CARD, ODD_SHEET, "E3", "value-yesno"),
    (CARD, ODD_SHEET, "B2", "account-unknown"),  # the card has errors, so KA-003 is not registered
    (CARD, ODD_SHEET, "B4", "account-unknown"),
    (CORRUPT, "", "", "file-unreadable"),
}


# ------------------------------------------------------------------------------------------ fixtures


def write_customer_file(path: Path) -> None:
    """Title rows, a merged title, account cells merged over three project rows, a validation, a formula."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户档案表"
    ws["A1"] = "客户档案表"
    ws.merge_cells("A1:I1")
    ws["A2"] = "填表人：张三  日期：2026-11-20"
    headers = ["客户编号", "客户名称", "客户经理", "项目名称", "销售阶段", "预计金额(万元)", "预计成交日期", "成交概率",
               "客户等级"]
    for c, h in enumerate(headers, 1):
        ws.cell(3, c, h)
    rows = [
        ["KA-001", "华东电力集团", "张三", "智能配电改造", "提案", 120, date(2026, 12, 31), "40%", "A"],
        [None, None, None, "储能项目", "飞单", "abc", date(2027, 3, 1), "40%", None],
        [None, None, None, "运维外包", "立项", 30, "2026-13-45", "20%", None],
        ["KA-002", "上海地铁", "张三", "信号系统", "招投标", -5, date(2026, 12, 1), "60%", "B"],
        ["KA-004", "南方航空", "张三", "机场专网", "提案", 50, date(2026, 12, 20), "40%", "Z"],
        [None, None, None, "数据中心", "立项", 80, date(2027, 1, 20), "20%", None],
    ]
    for r, row in enumerate(rows, 4):
        for c, v in enumerate(row, 1):
            if v is not None:
                ws.cell(r, c, v)
    for col in "ABCI":
        ws.merge_cells(f"{col}4:{col}6")
    for col in "ABCI":
        ws.merge_cells(f"{col}8:{col}9")
    dv = DataValidation(type="list", formula1='"客户开发,立项,提案,招投标,商务谈判"')
    ws.add_data_validation(dv)
    dv.add("E4:E20")
    ws["K4"] = "=F4*2"
    ws["K5"].comment = openpyxl.comments.Comment("rep's own note", "张三")
    ws.column_dimensions["B"].width = 18
    wb.save(path)


def write_card_file(path: Path) -> None:
    """A card-layout customer sheet, and a follow-up sheet whose name needs quoting."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = CARD_SHEET
    ws["A1"] = "客户卡片"
    ws.merge_cells("A1:D1")
    ws["A2"], ws["B2"], ws["C2"], ws["D2"] = "客户名称", "北方钢铁", "客户编号", "KA-003"
    ws["A3"], ws["B3"], ws["C3"], ws["D3"] = "客户经理", "李四", "销售阶段", "谈判中"
    ws["A4"], ws["B4"], ws["D4"], ws["E4"] = "预计金额(万元)", "很多", "客户等级", "B"
    ws.merge_cells("B4:C4")
    fu = wb.create_sheet(ODD_SHEET)
    fu.append(["日期", "客户编号", "跟进方式", "接触人", "有效面谈"])
    fu.append([date(2026, 11, 10), "KA-003", "拜访", "王总", "是"])
    fu.append(["2026/11/99", "KA-003", "飞鸽", "王总", "可能"])
    fu.append([date(2026, 11, 12), "KA-999", "电话", "赵工", "否"])
    wb.save(path)


def write_followups_xlsxwriter(path: Path) -> None:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("客户跟进表")
    ws.write_row(0, 0, ["日期", "客户编号", "跟进方式", "接触人", "主要内容", "有效面谈"])
    ws.write_row(1, 0, ["2026-11-18", "KA-001", "拜访", "李总", "介绍方案", "是"])
    ws.write_row(2, 0, ["2026-11-19", "KA-001", "传真", "李总", "谈判", "Y"])
    ws.write_row(3, 0, ["2026-11-17", "KA-001", "电话", "", "x", "maybe"])
    ws.write_formula(1, 7, "=LEN(E2)")
    wb.close()


def make_department(root: Path) -> Path:
    inp = root / "input"
    (inp / "张三").mkdir(parents=True)
    (inp / "李四").mkdir()
    write_customer_file(inp / CUSTOMER)
    write_followups_xlsxwriter(inp / FOLLOWUP)
    write_card_file(inp / CARD)
    (inp / CORRUPT).write_bytes(b"PK\x03\x04" + b"\x00" * 100)  # saved half-way
    return inp


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


@dataclasses.dataclass
class Run:
    inp: Path
    out: Path
    config: Config
    loaded: Loaded
    written: list[Path]
    before: dict[str, str]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("feedback")
    inp = make_department(root)
    before = hashes(inp)
    config = Config(root=root)
    loaded = load(config, AS_OF, input_dir=inp)
    out = root / "feedback"
    written = write_feedback(loaded, config, out, input_dir=inp, workers=1)
    return Run(inp, out, config, loaded, written, before)


def issues_of(run: Run, rel: str) -> list[Issue]:
    return [i for i in run.loaded.report.issues if i.file == rel]


def marks(path: Path) -> dict[tuple[str, str], tuple[str, str]]:
    """(sheet, cell) -> (fill colour, comment text) of every cell sitegen marked (fill or comment)."""
    wb = openpyxl.load_workbook(path)
    found = {}
    for ws in wb.worksheets[1:]:
        for cell in ws._cells.values():
            rgb = cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else None
            ours = cell.comment is not None and cell.comment.author == AUTHOR
            if ours or rgb in OUR_FILLS:
                found[(ws.title, cell.coordinate)] = (rgb, cell.comment.text if ours else "")
    return found


def issue_rows(path: Path) -> list[dict[str, object]]:
    """The rows of the 问题清单 sheet (header on row 3), with the hyperlink location of the cell column."""
    ws = openpyxl.load_workbook(path).worksheets[0]
    head = [c.value for c in ws[3]]
    rows = []
    for r in range(4, ws.max_row + 1):
        row = dict(zip(head, (ws.cell(r, c).value for c in range(1, len(head) + 1)), strict=True))
        link = ws.cell(r, head.index("单元格") + 1).hyperlink
        row["link"] = link.location if link is not None else None
        rows.append(row)
    return rows


# --------------------------------------------------------------------------------------------- tests


def test_fixtures_give_the_expected_issues(run: Run) -> None:
    got = {(i.file, i.sheet, i.cell, i.code) for i in run.loaded.report.issues if i.severity is not Severity.INFO}
    assert got == EXPECTED
    severities = {(i.file, i.cell): i.severity for i in run.loaded.report.issues}
    assert severities[(FOLLOWUP, "D2")] is Severity.WARNING


def test_output_layout(run: Run) -> None:
    rels = sorted(p.relative_to(run.out).as_posix() for p in run.written)
    assert rels == sorted(["问题汇总.xlsx", "张三/客户档案.xlsx", "张三/跟进表.xlsx", "李四/北方钢铁.xlsx",
                           "李四/问题清单.xlsx"])
    assert all(p.is_file() for p in run.written)
    assert not list(run.out.rglob("*.tmp"))


@pytest.mark.parametrize("rel", [CUSTOMER, FOLLOWUP, CARD])
def test_exactly_the_issue_cells_are_marked(run: Run, rel: str) -> None:
    issues = [i for i in issues_of(run, rel) if i.cell]
    found = marks(run.out / rel)
    assert set(found) == {(i.sheet, i.cell) for i in issues}
    for i in issues:
        rgb, text = found[(i.sheet, i.cell)]
        assert i.message in text
        want = "错误" if i.severity is Severity.ERROR else "警告"
        assert f"【{want}】" in text
    # the worst severity decides the colour
    for (sheet, cell), (rgb, _) in found.items():
        sevs = {i.severity for i in issues if (i.sheet, i.cell) == (sheet, cell)}
        worst = Severity.ERROR if Severity.ERROR in sevs else Severity.WARNING
        assert rgb == "00" + FILL[worst]


def test_merged_account_cell_is_marked_once_at_its_top_left(run: Run) -> None:
    found = marks(run.out / CUSTOMER)
    rgb, text = found[("客户档案表", "I8")]
    assert text.count("“客户等级”的值“Z”") == 1  # three rows read it, the rep fixes it once
    ws = openpyxl.load_workbook(run.out / CUSTOMER)["客户档案表"]
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:I1", "A4:A6", "B4:B6", "C4:C6", "I4:I6",
                                                           "A8:A9", "B8:B9", "C8:C9", "I8:I9"}


def test_copy_keeps_positions_values_merges_validations_formulas(run: Run) -> None:
    for rel in (CUSTOMER, FOLLOWUP, CARD):
        orig = openpyxl.load_workbook(run.inp / rel)
        copy = openpyxl.load_workbook(run.out / rel)
        assert copy.sheetnames == ["问题清单", *orig.sheetnames]
        for ws in orig.worksheets:
            cs = copy[ws.title]
            assert {str(r) for r in cs.merged_cells.ranges} == {str(r) for r in ws.merged_cells.ranges}
            values = {c.coordinate: c.value for c in ws._cells.values() if c.value is not None}
            copied = {c.coordinate: c.value for c in cs._cells.values() if c.value is not None}
            assert copied == values
    cust = openpyxl.load_workbook(run.out / CUSTOMER)["客户档案表"]
    assert cust["K4"].value == "=F4*2" and cust["K4"].data_type == "f"
    assert [str(dv.sqref) for dv in cust.data_validations.dataValidation] == ["E4:E20"]
    assert cust.column_dimensions["B"].width == 18
    assert cust["K5"].comment is not None and cust["K5"].comment.text == "rep's own note"
    fu = openpyxl.load_workbook(run.out / FOLLOWUP)["客户跟进表"]
    assert fu["H2"].value == "=LEN(E2)"


def test_issue_list_is_first_and_complete(run: Run) -> None:
    for rel in (CUSTOMER, FOLLOWUP, CARD):
        wb = openpyxl.load_workbook(run.out / rel)
        assert wb.sheetnames[0] == "问题清单"
        assert wb.active.title == "问题清单"
        assert [ws.sheet_view.tabSelected for ws in wb.worksheets].count(True) == 1
        ls = wb.worksheets[0]
        assert ls.freeze_panes == "A4"
        assert ls.auto_filter.ref.startswith("A3:G")
        rows = issue_rows(run.out / rel)
        issues = issues_of(run, rel)
        assert len(rows) == len(issues)
        assert sorted((r["工作表"], r["单元格"], r["代码"], r["问题说明"]) for r in rows) == sorted(
            (i.sheet, i.cell, i.code, i.message) for i in issues)
        for r in rows:
            assert r["严重程度"] in ("错误", "警告", "提示")
            if r["单元格"] and str(r["单元格"])[0].isalpha():
                assert r["link"] == location(str(r["工作表"]), str(r["单元格"]))


def test_hyperlinks_quote_sheet_names(run: Run) -> None:
    rows = issue_rows(run.out / CARD)
    links = {r["link"] for r in rows}
    assert "'O''Brien 跟进'!B4" in links
    assert "'KA-003 北方钢铁'!D3" in links
    assert quote_sheet("O'Brien") == "'O''Brien'"
    # every link resolves to an existing sheet and cell
    wb = openpyxl.load_workbook(run.out / CARD)
    for link in links:
        sheet, cell = str(link).rsplit("!", 1)
        assert sheet.startswith("'") and sheet.endswith("'")
        assert sheet[1:-1].replace("''", "'") in wb.sheetnames
        assert wb[sheet[1:-1].replace("''", "'")][cell] is not None


def test_originals_are_never_modified(run: Run) -> None:
    assert hashes(run.inp) == run.before
    assert not [p for p in run.inp.rglob("*") if "问题" in p.name or p.suffix == ".json"]


def test_corrupt_workbook_is_listed_not_copied(run: Run) -> None:
    assert not (run.out / CORRUPT).exists()
    ws = openpyxl.load_workbook(run.out / "李四" / "问题清单.xlsx").worksheets[0]
    head = [c.value for c in ws[3]]
    rows = [dict(zip(head, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=4)]
    assert [(r["文件"], r["代码"]) for r in rows] == [(CORRUPT, "file-unreadable")]
    assert "无法读取" in str(rows[0]["问题说明"])
    assert rows[0]["单元格"] == "（整个文件）"


def test_department_summary_lists_every_issue(run: Run) -> None:
    wb = openpyxl.load_workbook(run.out / "问题汇总.xlsx")
    ws = wb.worksheets[0]
    head = [c.value for c in ws[3]]
    assert head == ["序号", "客户经理", "严重程度", "文件", "工作表", "单元格", "问题说明", "涉及客户", "代码", "反馈文件"]
    rows = [dict(zip(head, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=4)]
    assert len(rows) == len(run.loaded.report.issues)
    got = sorted((r["文件"], r["工作表"] or "", r["单元格"] or "", r["代码"]) for r in rows)
    assert got == sorted((i.file, i.sheet, i.cell, i.code) for i in run.loaded.report.issues)
    by_file = {r["文件"]: r for r in rows}
    assert by_file[CUSTOMER]["客户经理"] == "张三"
    assert by_file[CUSTOMER]["反馈文件"] == "张三/客户档案.xlsx"
    assert by_file[CORRUPT]["反馈文件"] == "李四/问题清单.xlsx"
    link = ws.cell(4 + rows.index(by_file[CUSTOMER]), 10).hyperlink
    assert link is not None and link.target == "张三/客户档案.xlsx"
    assert wb.sheetnames == ["问题汇总", "按客户经理"]
    counts = {r[0].value: r[2].value for r in wb["按客户经理"].iter_rows(min_row=2)}
    errors = [i for i in run.loaded.report.issues if i.severity is Severity.ERROR]
    assert counts == {"张三": sum(1 for i in errors if i.file.startswith("张三/")),
                      "李四": sum(1 for i in errors if i.file.startswith("李四/")), "合计": len(errors)}


def test_copies_open_in_libreoffice(run: Run, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not on PATH")
    for rel in (CUSTOMER, CARD, "问题汇总.xlsx"):
        outdir = tmp_path / Path(rel).stem
        profile = (tmp_path / "profile").as_uri()
        csv_utf8 = 'csv:Text - txt - csv (StarCalc):44,34,76'
        proc = subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", csv_utf8,
                               "--outdir", str(outdir), str(run.out / rel)],
                              capture_output=True, text=True, timeout=180)
        assert proc.returncode == 0, proc.stderr
        csv = list(outdir.glob("*.csv"))
        assert len(csv) == 1
        assert "问题" in csv[0].read_text("utf-8")  # the first sheet is the issue list


def test_out_dir_inside_input_is_refused(run: Run, capsys: pytest.CaptureFixture[str]) -> None:
    for bad in (run.inp, run.inp / "feedback", run.inp / "张三" / "x"):
        with pytest.raises(ValueError, match="输入文件夹"):
            write_feedback(run.loaded, run.config, bad, input_dir=run.inp)
        with pytest.raises(FeedbackError):
            write_feedback(run.loaded, run.config, bad, input_dir=run.inp)
    assert not (run.inp / "feedback").exists()
    code = main(["check", str(run.inp), "--as-of", "2026-11-20", "--feedback", str(run.inp / "fb"), "-q"])
    assert code == 2
    assert "输入文件夹" in capsys.readouterr().err
    assert hashes(run.inp) == run.before


def test_output_is_deterministic(run: Run, tmp_path: Path) -> None:
    written = write_feedback(run.loaded, run.config, tmp_path / "again", input_dir=run.inp, workers=1)
    assert [p.relative_to(tmp_path / "again") for p in written] == [p.relative_to(run.out) for p in run.written]
    for p in written:
        assert p.read_bytes() == (run.out / p.relative_to(tmp_path / "again")).read_bytes(), p


def test_parallel_writers_give_the_same_files(run: Run, tmp_path: Path) -> None:
    written = write_feedback(run.loaded, run.config, tmp_path / "par", input_dir=run.inp, workers=3)
    for p in written:
        assert p.read_bytes() == (run.out / p.relative_to(tmp_path / "par")).read_bytes(), p


def _with_issues(loaded: Loaded, issues: list[Issue]) -> Loaded:
    return dataclasses.replace(loaded, report=Report(tuple(issues), loaded.report.sheets))


def test_text_is_never_a_formula(run: Run, tmp_path: Path) -> None:
    hostile = Issue(Severity.ERROR, "value-enum", "=HYPERLINK(\"http://evil\",\"x\")", CUSTOMER, "客户档案表", "F7",
                    "张三", "@SUM(A1)")
    extra = [Issue(Severity.WARNING, "x-" + c, c + "1+2", CUSTOMER, "客户档案表", "", "张三", c + "cmd") for c in "+-="]
    loaded = _with_issues(run.loaded, [*run.loaded.report.issues, hostile, *extra])
    write_feedback(loaded, run.config, tmp_path / "fb", input_dir=run.inp, workers=1)
    for rel in ("张三/客户档案.xlsx", "问题汇总.xlsx"):
        with zipfile.ZipFile(tmp_path / "fb" / rel) as z:
            first = "xl/worksheets/sheet1.xml"
            assert "<f>" not in z.read(first).decode()
        ws = openpyxl.load_workbook(tmp_path / "fb" / rel).worksheets[0]
        texts = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] in "=+-@"]
        assert {c.value for c in texts} >= {hostile.message, "@SUM(A1)", "+1+2", "-1+2", "=1+2"}
        assert all(c.data_type == "s" for c in texts)
    comment = openpyxl.load_workbook(tmp_path / "fb" / CUSTOMER)["客户档案表"]["F7"].comment
    assert hostile.message in comment.text


def test_stale_copies_are_removed_and_foreign_files_kept(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "fb"
    write_feedback(run.loaded, run.config, out, input_dir=run.inp, workers=1)
    (out / "张三" / "我的笔记.xlsx").write_bytes(b"mine")
    (out / "readme.txt").write_text("mine")
    # next week 李四 fixed everything
    fixed = _with_issues(run.loaded, [i for i in run.loaded.report.issues if not i.file.startswith("李四/")])
    written = write_feedback(fixed, run.config, out, input_dir=run.inp, workers=1)
    assert not (out / "李四").exists()
    assert (out / "张三" / "我的笔记.xlsx").read_bytes() == b"mine"
    assert (out / "readme.txt").exists()
    assert sorted(p.relative_to(out).as_posix() for p in written) == sorted([
        "问题汇总.xlsx", "张三/客户档案.xlsx", "张三/跟进表.xlsx"])


def test_feedback_copy_handed_back_as_input(run: Run, tmp_path: Path) -> None:
    """A rep fixes one cell in the copy and hands the copy in: old marks and the old list go away."""
    inp = tmp_path / "input"
    (inp / "张三").mkdir(parents=True)
    shutil.copy(run.out / CUSTOMER, inp / CUSTOMER)
    wb = openpyxl.load_workbook(inp / CUSTOMER)
    wb["客户档案表"]["F5"] = 80  # fixed
    wb.save(inp / CUSTOMER)
    loaded = load(run.config, AS_OF, input_dir=inp)
    assert ("客户档案表", "F5") not in {(i.sheet, i.cell) for i in loaded.report.issues}
    # the old issue list is not mistaken for a form
    assert {i.code for i in loaded.report.issues if i.sheet == "问题清单"} <= {"sheet-unrecognised"}
    write_feedback(loaded, run.config, tmp_path / "fb", input_dir=inp, workers=1)
    copy = openpyxl.load_workbook(tmp_path / "fb" / CUSTOMER)
    assert copy.sheetnames == ["问题清单", "客户档案表"]
    found = marks(tmp_path / "fb" / CUSTOMER)
    want = {(i.sheet, i.cell) for i in loaded.report.issues if i.file == CUSTOMER and i.cell}
    assert set(found) == want
    assert ("客户档案表", "F5") not in found
    assert copy["客户档案表"]["F5"].fill.fill_type is None


def test_one_copy_per_rep_of_a_shared_workbook(tmp_path: Path) -> None:
    inp = tmp_path / "input"
    inp.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户档案表"
    ws.append(["客户编号", "客户名称", "客户经理", "销售阶段", "预计金额(万元)"])
    ws.append(["KA-101", "甲公司", "张三", "提案", "很多"])
    ws.append(["KA-102", "乙公司", "李四", "飞单", 10])
    ws.append(["KA-103", "丙公司", "李四", "提案", 10])
    wb.save(inp / "部门客户档案.xlsx")
    config = Config(root=tmp_path)
    loaded = load(config, AS_OF, input_dir=inp)
    cells = {(i.rep, i.cell) for i in loaded.report.issues}
    assert cells == {("张三", "E2"), ("李四", "D3")}
    written = write_feedback(loaded, config, tmp_path / "fb", input_dir=inp, workers=1)
    rels = sorted(p.relative_to(tmp_path / "fb").as_posix() for p in written)
    assert rels == sorted(["问题汇总.xlsx", "张三/部门客户档案.xlsx", "李四/部门客户档案.xlsx"])
    assert set(marks(tmp_path / "fb" / "张三/部门客户档案.xlsx")) == {("客户档案表", "E2")}
    assert set(marks(tmp_path / "fb" / "李四/部门客户档案.xlsx")) == {("客户档案表", "D3")}


def test_xlsm_stays_xlsm_and_names_are_safe(tmp_path: Path) -> None:
    inp = tmp_path / "input"
    folder = inp / "王五:华南"
    folder.mkdir(parents=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "跟进"
    ws.append(["日期", "客户编号", "跟进方式", "接触人"])
    ws.append(["昨天", "KA-1", "拜访", "x"])
    wb.save(folder / "跟进 表.xlsm")
    config = Config(root=tmp_path)
    loaded = load(config, AS_OF, input_dir=inp)
    assert any(i.code == "value-date" and i.cell == "A2" for i in loaded.report.issues)
    written = write_feedback(loaded, config, tmp_path / "fb", input_dir=inp, workers=1)
    rels = sorted(p.relative_to(tmp_path / "fb").as_posix() for p in written)
    assert "王五_华南/跟进 表.xlsm" in rels
    copy = openpyxl.load_workbook(tmp_path / "fb" / "王五_华南" / "跟进 表.xlsm", keep_vba=True)
    assert copy.sheetnames[0] == "问题清单"


def test_unknown_rep_goes_to_the_root(tmp_path: Path) -> None:
    inp = tmp_path / "input"
    inp.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "跟进记录"
    ws.append(["日期", "客户编号", "跟进方式", "接触人"])
    ws.append(["2026-11-01", "KA-1", "飞鸽", "x"])
    wb.save(inp / "跟进.xlsx")
    (inp / "旧表.xls").write_bytes(b"not really a workbook")
    config = Config(root=tmp_path)
    loaded = load(config, AS_OF, input_dir=inp)
    written = write_feedback(loaded, config, tmp_path / "fb", input_dir=inp, workers=1)
    rels = sorted(p.relative_to(tmp_path / "fb").as_posix() for p in written)
    assert rels == sorted(["跟进.xlsx", "问题汇总.xlsx", "问题清单.xlsx"])


def test_feedback_for_build_uses_the_configured_folder(run: Run, tmp_path: Path) -> None:
    config = Config(root=tmp_path, feedback=Path("反馈"))
    written = feedback_for_build(run.loaded, config, input_dir=run.inp, workers=1)
    assert all((tmp_path / "反馈") in p.parents for p in written)
    inside = Config(root=tmp_path, feedback=Path("output/feedback"))
    with pytest.raises(FeedbackError, match="网站"):
        feedback_for_build(run.loaded, inside, input_dir=run.inp)
    assert feedback_for_build(run.loaded, inside, input_dir=run.inp, allow_inside_site=True, workers=1)


@pytest.mark.parametrize(("name", "safe"), [
    ("张三", "张三"), ("a/b", "a_b"), ('x:y*?"<>|', "x_y______"), ("CON", "_CON"), ("com1.xlsx", "_com1.xlsx"),
    ("trailing. ", "trailing"), ("", "_"), ("..", "_"),
])
def test_safe_name(name: str, safe: str) -> None:
    assert safe_name(name) == safe


def test_hidden_sheet_with_issues_is_shown_in_the_copy(tmp_path: Path) -> None:
    inp = tmp_path / "input" / "张三"
    inp.mkdir(parents=True)
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active["A1"] = "本工作簿记录张三的客户跟进"
    ws = wb.create_sheet("客户跟进表")
    ws.append(["日期", "客户编号", "跟进方式", "接触人"])
    ws.append(["2026-11-01", "KA-1", "飞鸽", "x"])
    ws.sheet_state = "hidden"
    wb.save(inp / "跟进.xlsx")
    config = Config(root=tmp_path)
    loaded = load(config, AS_OF, input_dir=tmp_path / "input")
    assert ("客户跟进表", "C2", "value-enum") in {(i.sheet, i.cell, i.code) for i in loaded.report.issues}
    write_feedback(loaded, config, tmp_path / "fb", input_dir=tmp_path / "input", workers=1)
    copy = openpyxl.load_workbook(tmp_path / "fb" / "张三" / "跟进.xlsx")
    assert copy["客户跟进表"].sheet_state == "visible"
    assert ("客户跟进表", "C2") in marks(tmp_path / "fb" / "张三" / "跟进.xlsx")


def test_english_names(run: Run, tmp_path: Path) -> None:
    config = Config(root=run.config.root, language="en")
    written = write_feedback(run.loaded, config, tmp_path / "fb", input_dir=run.inp, workers=1)
    rels = {p.relative_to(tmp_path / "fb").as_posix() for p in written}
    assert {"issues-summary.xlsx", "李四/issues.xlsx", CUSTOMER} <= rels
    assert openpyxl.load_workbook(tmp_path / "fb" / CUSTOMER).sheetnames[0] == "Issues"


def test_unchanged_files_are_not_rewritten(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "fb"
    first = write_feedback(run.loaded, run.config, out, input_dir=run.inp, workers=1)
    stat = {p: p.stat().st_mtime_ns for p in first}
    (out / CARD).write_bytes(b"damaged by hand")
    fewer = _with_issues(run.loaded, [i for i in run.loaded.report.issues if i.cell != "F7"])
    again = write_feedback(fewer, run.config, out, input_dir=run.inp, workers=1)
    assert again == first
    changed = {p.relative_to(out).as_posix() for p in again if p.stat().st_mtime_ns != stat[p]}
    assert changed == {CARD, CUSTOMER, "问题汇总.xlsx"}  # rewritten by hand / fewer issues / fewer issues
    assert openpyxl.load_workbook(out / CARD).sheetnames[0] == "问题清单"
    assert ("客户档案表", "F7") not in marks(out / CUSTOMER)


REPO_INPUT = Path(__file__).resolve().parents[1] / "input"


def test_every_demo_issue_has_a_marked_cell(tmp_path: Path) -> None:
    """Issue 5, done when: on the shipped demo every issue has a marked cell in a feedback workbook."""
    if not any(REPO_INPUT.rglob("*.xlsx")):
        pytest.skip("the demo department is not in input/")
    before = hashes(REPO_INPUT)
    config = Config(root=tmp_path)
    loaded = load(config, AS_OF, input_dir=REPO_INPUT)
    out = tmp_path / "fb"
    write_feedback(loaded, config, out, input_dir=REPO_INPUT)
    ws = openpyxl.load_workbook(out / "问题汇总.xlsx").worksheets[0]
    head = [c.value for c in ws[3]]
    rows = [dict(zip(head, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=4)]
    assert len(rows) == len(loaded.report.issues)
    books: dict[str, openpyxl.Workbook] = {}
    for i in loaded.report.issues:
        if not i.cell:
            continue
        row = next(r for r in rows if (r["文件"], r["工作表"], r["单元格"], r["代码"]) == (i.file, i.sheet, i.cell, i.code))
        fb = str(row["反馈文件"])
        wb = books.setdefault(fb, openpyxl.load_workbook(out / fb))
        cell = wb[i.sheet][i.cell]
        assert cell.comment is not None and i.message in cell.comment.text, (fb, i.sheet, i.cell)
        assert cell.fill.fgColor.rgb in OUR_FILLS
    assert hashes(REPO_INPUT) == before


def test_a_rep_sheet_named_like_the_issue_list_is_kept(tmp_path: Path) -> None:
    inp = tmp_path / "input" / "张三"
    inp.mkdir(parents=True)
    wb = openpyxl.Workbook()
    wb.active.title = "问题清单"
    wb.active["A1"] = "张三自己的待办问题"
    ws = wb.create_sheet("客户跟进表")
    ws.append(["日期", "客户编号", "跟进方式", "接触人"])
    ws.append(["2026-11-01", "KA-1", "飞鸽", "x"])
    wb.save(inp / "跟进.xlsx")
    config = Config(root=tmp_path)
    for week in (1, 2):
        loaded = load(config, AS_OF, input_dir=tmp_path / "input")
        write_feedback(loaded, config, tmp_path / "fb", input_dir=tmp_path / "input", workers=1)
        copy = openpyxl.load_workbook(tmp_path / "fb" / "张三" / "跟进.xlsx")
        assert copy.sheetnames == ["问题清单2", "问题清单", "客户跟进表"], week
        assert copy["问题清单"]["A1"].value == "张三自己的待办问题"
        if week == 1:  # the rep hands the copy back unchanged
            shutil.copy(tmp_path / "fb" / "张三" / "跟进.xlsx", inp / "跟进.xlsx")
