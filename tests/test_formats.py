"""More formats (issue 15): .csv (UTF-8 with or without BOM, GBK/GB18030; comma, semicolon or tab), .xlsb
and WPS's .et are read through the same layout detection; a format sitegen cannot read is a warning
naming the file and what to do, and the file's last good data is kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from formula_books import F, write_book, write_xlsb
from helpers import issues, one, sheet_counts

from sitegen.cli import main
from sitegen.issues import Severity
from sitegen.read.csvfile import sniff_delimiter
from sitegen.read.discover import discover

CUSTOMERS = [["客户编号", "客户名称", "客户经理", "销售阶段", "预计金额(万元)"],
             ["KA-1", "华东电力集团", "张三", "提案", "12.5"],
             ["KA-2", "南方制造", "张三", "5 Closed Won", "8"]]
FOLLOWUPS = [["日期", "客户编号", "跟进方式", "主要内容"],
             ["2026-11-02", "KA-1", "拜访", "谈了价格，客户说“再看看”"],
             ["2026/11/3", "KA-2", "电话", "#N/A"]]


def _csv(rows: list[list[str]], sep: str) -> str:
    return "\r\n".join(sep.join(f'"{v}"' if sep in v or '"' in v else v for v in row) for row in rows) + "\r\n"


@pytest.mark.parametrize(("encoding", "sep"), [("utf-8-sig", ","), ("utf-8", ";"), ("gbk", "\t"), ("gb18030", ","),
                                               ("utf-16", "\t")])
def test_csv_in_every_encoding_and_delimiter(tmp_path: Path, load_input, encoding: str, sep: str) -> None:
    (tmp_path / "张三").mkdir()
    (tmp_path / "张三" / "客户档案.csv").write_bytes(_csv(CUSTOMERS, sep).encode(encoding))
    (tmp_path / "张三" / "跟进表.csv").write_bytes(_csv(FOLLOWUPS, sep).encode(encoding))
    loaded = load_input(tmp_path)
    accounts = {a.id: a for a in loaded.dataset.accounts}
    assert accounts["KA-1"].name == "华东电力集团" and accounts["KA-1"].projects[0].value == 12.5
    assert accounts["KA-2"].projects[0].stage == "赢单"
    # the #N/A is a warning in a free-text column: both follow-ups are kept
    assert sorted(f.content for f in loaded.dataset.followups) == ["", "谈了价格，客户说“再看看”"]
    i = one(loaded, "formula-error")
    assert (i.file, i.cell, i.severity) == ("张三/跟进表.csv", "D3", Severity.WARNING)
    assert sheet_counts(loaded)["张三/客户档案.csv"] == {"客户档案": (2, 2, 0, 0)}


def test_the_delimiter_is_detected() -> None:
    assert sniff_delimiter("a,b;c\n1,2;3\n") == ","
    assert sniff_delimiter("a;b;c\n1,5;2;3\n") == ";"
    assert sniff_delimiter("a\tb\tc\n1\t2\t3\n") == "\t"


def test_a_csv_that_is_no_text_is_a_warning(tmp_path: Path, load_input) -> None:
    (tmp_path / "张三").mkdir()
    (tmp_path / "张三" / "跟进表.csv").write_bytes(b"\x81\x30\xff\xfe\x00\x00" * 50)
    loaded = load_input(tmp_path)
    i = one(loaded, "file-format")
    assert i.severity is Severity.WARNING and i.file == "张三/跟进表.csv" and "另存为 .xlsx" in i.message


def test_xlsb_is_read_with_its_error_cells(tmp_path: Path, load_input) -> None:
    rows = [*CUSTOMERS, ["KA-3", "北方", "张三", F("VLOOKUP(A4,X!A:B,2,0)", "#N/A"), 3],
            ["KA-4", "西部", "张三", "提案", F("", "#DIV/0!")]]
    write_xlsb(tmp_path / "张三" / "客户.xlsb", {"说明": [["这是说明"]], "客户档案": rows})
    loaded = load_input(tmp_path)
    assert {a.id for a in loaded.dataset.accounts} == {"KA-1", "KA-2"}
    assert {(i.sheet, i.cell, i.message.split("：")[0]) for i in issues(loaded, "formula-error")} == {
        ("客户档案", "D4", "公式出错（#N/A）"), ("客户档案", "E5", "公式出错（#DIV/0!）")}
    assert not issues(loaded, "file-skipped")


def test_et_files_are_read_whether_biff_or_zip_inside(tmp_path: Path, load_input) -> None:
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("客户档案")
    for r, row in enumerate(CUSTOMERS):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    (tmp_path / "张三").mkdir()
    wb.save(str(tmp_path / "张三" / "客户.et"))  # WPS's .et: an OLE2 compound file with a BIFF workbook
    write_book("wps", tmp_path / "李四" / "客户.et", {"客户档案": [CUSTOMERS[0], ["KA-9", "李四的客户", "李四", "提案", 1]]})
    loaded = load_input(tmp_path)
    assert {a.id for a in loaded.dataset.accounts} == {"KA-1", "KA-2", "KA-9"}


def test_unreadable_formats_are_warnings_not_skipped(tmp_path: Path, load_input) -> None:
    (tmp_path / "张三").mkdir()
    (tmp_path / "张三" / "客户.numbers").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    (tmp_path / "张三" / "假的.xlsb").write_bytes(b"not a workbook at all")
    files, skipped = discover(tmp_path)
    assert {f.rel for f in files} == {"张三/客户.numbers", "张三/假的.xlsb"} and not skipped
    loaded = load_input(tmp_path)
    found = {i.file: i for i in issues(loaded, "file-format")}
    assert set(found) == {"张三/客户.numbers", "张三/假的.xlsb"}
    assert all(i.severity is Severity.WARNING and "请用 Excel 或 WPS 打开后另存为 .xlsx" in i.message for i in found.values())


def test_last_good_data_of_a_csv_is_kept_and_named_in_check_and_build(tmp_path: Path, capsys) -> None:
    root = tmp_path / "proj"
    (root / "input" / "张三").mkdir(parents=True)
    (root / "sitegen.yaml").write_text("title: t\n", encoding="utf-8")
    csv_path = root / "input" / "张三" / "客户档案.csv"
    csv_path.write_bytes(_csv(CUSTOMERS, ",").encode("gbk"))
    import os

    cwd = os.getcwd()
    os.chdir(root)
    try:
        assert main(["build", "--as-of", "2026-11-20", "-q"]) == 0
        csv_path.write_bytes(b"\xff\xfe\xfd" * 10 + b"\x81")  # saved in an encoding nobody can read
        capsys.readouterr()
        assert main(["check", "--as-of", "2026-11-27"]) == 0  # a warning: no error
        out = capsys.readouterr().out
        assert "张三/客户档案.csv" in out and "另存为 .xlsx" in out
        assert main(["build", "--as-of", "2026-11-27"]) == 0
        out = capsys.readouterr().out
    finally:
        os.chdir(cwd)
    first = out.splitlines()[:3]
    assert any("张三/客户档案.csv" in line for line in first), out
    site = root / "output"
    accounts = (site / "data" / "accounts.json").read_text(encoding="utf-8")
    assert "KA-1" in accounts and "KA-2" in accounts  # last week's data is kept
    quality = (site / "quality.html").read_text(encoding="utf-8")
    assert "张三/客户档案.csv" in quality
    shutil.rmtree(root)
