"""The eight real workbooks in ../shared/realworld (see its SOURCES.md): read from there, never copied.

None may crash the reader; every sheet is either read (it has row counts) or reported with a reason; and
with the shipped example configurations alone, the datawhale customer master and the maven pipeline
export read as customer files.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from helpers import assert_accounted

from sitegen.config import load_config
from sitegen.load import load
from sitegen.read.discover import discover
from sitegen.read.extract import ReadContext, read_file
from sitegen.read.pool import read_serial
from sitegen.read.workbook import read_workbook

REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "realworld"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
AS_OF = date(2026, 11, 20)

pytestmark = pytest.mark.skipif(not REALWORLD.is_dir(), reason=f"{REALWORLD} is not present (real workbooks are not in the repo)")

WORKBOOKS = sorted(p.name for p in REALWORLD.glob("*.xlsx")) if REALWORLD.is_dir() else []
SHEET_REASONS = ("sheet-unrecognised", "sheet-empty", "sheet-unreadable", "sheet-near-miss", "sheet-near-miss-few")


def test_there_are_eight() -> None:
    assert len(WORKBOOKS) == 8


@pytest.mark.parametrize("name", WORKBOOKS)
def test_every_sheet_read_or_reported_with_a_reason(name: str) -> None:
    cfg = load_config(None, cwd=REALWORLD)
    files, _ = discover(REALWORLD)
    (f,) = [f for f in files if f.rel == name]
    result = read_file(f, ReadContext(cfg, AS_OF))
    assert not result.unreadable
    read = {s.sheet for s in result.sheets}
    reported = {i.sheet: i for i in result.issues if i.code in SHEET_REASONS}
    for sheet in read_workbook(f.path).sheets:
        assert (sheet.name in read) != (sheet.name in reported), sheet.name
        if sheet.name in reported and reported[sheet.name].code == "sheet-unrecognised":
            assert "标准列名" in reported[sheet.name].message  # the reason, in words
    if not read:
        assert any(i.code in ("file-no-forms", "sheet-near-miss", "sheet-near-miss-few") for i in result.issues)


def test_the_whole_folder_with_default_settings() -> None:
    cfg = load_config(None, cwd=REALWORLD)
    loaded = load(cfg, AS_OF, input_dir=REALWORLD, read=read_serial)
    assert_accounted(loaded)
    assert {i.file for i in loaded.report.issues if i.code == "file-skipped"} == {"SOURCES.md"}
    assert not [i for i in loaded.report.issues if i.code in ("file-unreadable", "file-too-large", "sheet-unreadable")]


def _example(name: str):
    cfg = load_config(EXAMPLES / name / "sitegen.yaml")
    assert cfg.input_dir.resolve() == REALWORLD.resolve()
    loaded = load(cfg, AS_OF, read=read_serial)
    assert_accounted(loaded)
    return cfg, loaded


def test_datawhale_customer_master() -> None:
    _, loaded = _example("datawhale")
    (sheet,) = [s for s in loaded.report.sheets if s.file == "cn_customer_master_datawhale.xlsx"]
    assert (sheet.form, sheet.read, sheet.accepted, sheet.rejected, sheet.skipped) == ("customer", 55, 55, 0, 0)
    accounts = [a for a in loaded.dataset.accounts if a.src and a.src.file == "cn_customer_master_datawhale.xlsx"]
    assert len(accounts) == 55
    assert all(a.id == a.name for a in accounts)  # ids from names
    first = next(a for a in accounts if a.name == "尹承望")
    assert (first.rep, first.team, first.region) == ("占亮", "南区", "贵州")
    assert ("客户方负责人", "孙康适") in first.extra
    assert dict(first.private) == {"电话": "***-****-***"}  # 联系电话 is 电话: private, never published
    assert not [i for i in loaded.report.issues if i.file == "cn_customer_master_datawhale.xlsx" and i.severity.value == "error"]


def test_maven_pipeline() -> None:
    cfg, loaded = _example("maven")
    assert cfg.language == "en"
    (sheet,) = [s for s in loaded.report.sheets if s.file == "en_crm_sales_pipeline_maven.xlsx"]
    # 1,425 open opportunities have no account: rejected with a reason, never guessed
    assert (sheet.form, sheet.read, sheet.accepted, sheet.rejected, sheet.skipped) == ("customer", 8800, 7375, 1425, 0)
    missing = [i for i in loaded.report.issues if i.file == sheet.file and i.code == "value-missing"]
    assert len(missing) == 1425 and all(i.cell.startswith("D") for i in missing)
    accounts = [a for a in loaded.dataset.accounts if a.src and a.src.file == sheet.file]
    assert len(accounts) == 85  # accounts by name
    projects = [p for a in accounts for p in a.projects]
    assert len(projects) == 7375  # opportunities as projects
    stages = Counter(p.stage for p in projects)
    # Won / Lost / Engaging / Prospecting, mapped by the example's stage_aliases; every won and lost deal
    # has an account, the open ones without an account were rejected above
    assert set(stages) == {"赢单", "丢单", "提案", "客户开发"}
    assert (stages["赢单"], stages["丢单"], stages["提案"] + stages["客户开发"]) == (4238, 2473, 7375 - 4238 - 2473)
    cancity = next(a for a in accounts if a.name == "Cancity")
    first = next(p for p in cancity.projects if p.name == "1C1I7A6R")
    assert first.stage == "赢单" and first.expected_close == date(2017, 3, 1)
    assert first.value == pytest.approx(1054 * 0.00072)  # USD scaled to 万元
    assert not [i for i in loaded.report.issues if i.file == sheet.file and i.severity.value == "error"
                and i.code != "value-missing"]
