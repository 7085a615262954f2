"""A workbook or sheet of which every data row was rejected is named on the first lines of the build summary
and at the top of the quality page; issues are listed in workbook order (issue 15)."""

from __future__ import annotations

import os
from pathlib import Path

from formula_books import F, write_book

from sitegen.cli import main
from sitegen.issues import Report, SheetCount, all_rejected

HEADER = ["客户编号", "客户名称", "客户经理", "销售阶段", "预计金额(万元)"]


def test_all_rejected_names_sheets_and_whole_workbooks() -> None:
    sheets = (SheetCount("a.xlsx", "客户", "customer", "张三", 3, 0, 3, 0),
              SheetCount("a.xlsx", "跟进", "followup", "张三", 4, 2, 1, 1),
              SheetCount("b.xlsx", "客户", "customer", "李四", 2, 0, 2, 0),
              SheetCount("b.xlsx", "跟进", "followup", "李四", 5, 0, 4, 1),
              SheetCount("c.xlsx", "空", "followup", "王五", 2, 0, 0, 2))
    assert all_rejected(Report((), sheets)) == [("a.xlsx", "客户", 3), ("b.xlsx", "", 6)]


def test_build_summary_and_quality_page_name_them_first(tmp_path: Path, capsys) -> None:
    root = tmp_path
    (root / "sitegen.yaml").write_text("title: t\n", encoding="utf-8")
    write_book("excel", root / "input" / "张三" / "客户.xlsx", {"客户档案": [
        HEADER, ["KA-1", "甲", "张三", "提案", 1], ["KA-2", "乙", "张三", "提案", 2]]})
    # every row of 李四's customer file has a formula error in 销售阶段
    write_book("excel", root / "input" / "李四" / "客户.xlsx", {"客户档案": [
        HEADER, ["KB-1", "丙", "李四", F("VLOOKUP(A2,X!A:B,2,0)", "#N/A"), 1],
        ["KB-2", "丁", "李四", F("VLOOKUP(A3,X!A:B,2,0)", "#N/A"), 2]]})
    (root / "input" / "王五").mkdir()
    (root / "input" / "王五" / "客户.numbers").write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        assert main(["build", "--as-of", "2026-11-20"]) == 0
    finally:
        os.chdir(cwd)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("注意：李四/客户.xlsx（工作表“客户档案”）的 2 行数据全部被拒绝")
    assert lines[1].startswith("注意：王五/客户.numbers：") and "另存为 .xlsx" in lines[1]
    quality = (root / "output" / "quality.html").read_text(encoding="utf-8")
    top = quality.index('id="attention"')
    assert top < quality.index('class="kpis"')
    section = quality[top: quality.index("</section>", top)]
    assert "李四/客户.xlsx" in section and "2 行数据全部被拒绝" in section and "王五/客户.numbers" in section
    assert "张三/客户.xlsx" not in section


def test_check_lists_sheets_in_workbook_order(tmp_path: Path, capsys) -> None:
    rows = [HEADER, ["KA-1", "甲", "张三", "快成了", 1]]
    write_book("excel", tmp_path / "张三" / "客户.xlsx", {"甲表": rows, "乙表": rows, "丙表": rows})
    assert main(["check", str(tmp_path), "--as-of", "2026-11-20"]) == 1
    out = capsys.readouterr().out
    assert out.index("甲表!D2") < out.index("乙表!D2") < out.index("丙表!D2")
