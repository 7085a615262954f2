"""Every layout of domain.md, written by openpyxl, by xlsxwriter and (committed once) by LibreOffice Calc:
title rows above the header, a two-row merged header, account cells merged over project rows, the card
layout, one workbook per rep with four sheets, one file per form, hidden sheets, and the files that are
skipped (lock files, hidden files, other types).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from helpers import codes, issues, one, sheet_counts
from make_fixtures import EXPECTED, LIBREOFFICE_DIR, WRITERS, Sheet, department, write

from sitegen.issues import Severity
from sitegen.model import Dataset


@pytest.fixture(scope="module", params=WRITERS)
def dept(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return department(tmp_path_factory.mktemp(request.param) / "input", request.param)


@pytest.fixture(scope="module", params=[".xlsx", ".ods"])
def libreoffice(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The department as LibreOffice Calc saved it (tests/fixtures/libreoffice, one format at a time)."""
    root = tmp_path_factory.mktemp("lo" + request.param[1:]) / "input"
    for f in LIBREOFFICE_DIR.rglob("*" + request.param):
        target = root / f.relative_to(LIBREOFFICE_DIR)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(f, target)
    return root


def _expected(suffix: str = ".xlsx") -> dict[str, dict[str, tuple[int, int, int, int]]]:
    return {f[: -len(".xlsx")] + suffix: sheets for f, sheets in EXPECTED.items()}


def test_department_counts(dept: Path, load_input) -> None:
    loaded = load_input(dept)
    assert sheet_counts(loaded) == _expected()
    assert loaded.report.errors == 0
    # 导出.csv (客户编号, 客户名称 and nothing else) is read, and said to be too thin to be a customer file
    assert codes(loaded, severity=Severity.WARNING) == ["account-conflict", "sheet-near-miss-few"]
    assert one(loaded, "sheet-near-miss-few").file == "导出.csv"


def test_libreoffice_saved_department(libreoffice: Path, load_input) -> None:
    suffix = ".ods" if next(libreoffice.rglob("*.ods"), None) else ".xlsx"
    loaded = load_input(libreoffice)
    assert sheet_counts(loaded) == _expected(suffix)
    assert loaded.report.errors == 0
    _check_department_data(loaded.dataset)


def test_department_data(dept: Path, load_input) -> None:
    _check_department_data(load_input(dept).dataset)


def _check_department_data(ds: Dataset) -> None:
    accounts = {a.id: a for a in ds.accounts}
    assert sorted(accounts) == ["KA-001", "KA-002", "KA-003", "KB-001", "KB-002", "KC-001", "KC-002"]
    # title rows above the header; owner from the 填表人 title; values as reps type them
    ka1, ka2, ka3 = accounts["KA-001"], accounts["KA-002"], accounts["KA-003"]
    assert (ka1.rep, ka2.rep, ka1.team, ka1.category) == ("张三", "张三", "华东一组", "战略客户")
    p1, p2, p3 = ka1.projects[0], ka2.projects[0], ka3.projects[0]
    assert (p1.stage, p1.value, p1.probability, p1.expected_close) == ("提案", 120, 0.4, date(2026, 12, 31))
    assert (p1.budget, p1.decision_maker, p1.need) == (True, False, True)
    assert (p2.stage, p2.value, p2.probability, p2.expected_close) == ("提案", 12.5, 0.4, date(2027, 1, 15))
    assert (p3.stage, p3.value, p3.probability, p3.expected_close) == ("客户开发", 12.5, 0.1, date(2027, 2, 3))
    assert ka1.notes == "**重点**"
    # 项目名称: one row per project under merged account cells, two-row merged header
    kb1, kb2 = accounts["KB-001"], accounts["KB-002"]
    assert (kb1.name, kb1.rep, kb1.industry) == ("北方重工", "李四", "机械")
    assert [(p.name, p.stage, p.value) for p in kb1.projects] == [
        ("一期改造", "招投标", 300), ("二期扩容", "客户开发", 80), ("运维服务", "商务谈判", 45)]
    assert [(p.name, p.stage, p.probability) for p in kb2.projects] == [("储能试点", "提案", 0.4), ("储能推广", "商务谈判", None)]
    # cards: several label/value pairs per row, extra labels kept
    kc1 = accounts["KC-001"]
    assert (kc1.name, kc1.category, kc1.grade, kc1.industry, kc1.rep) == ("东华医院", "重要客户", "A", "医疗", "王五")
    assert (kc1.projects[0].stage, kc1.projects[0].value, kc1.projects[0].probability) == ("立项", 12.5, 0.4)
    assert accounts["KC-002"].projects[0].stage == "立项"
    assert ("年度采购重点", "影像设备") in kc1.extra
    # the other forms
    persons = {(p.account_id, p.name): p for p in ds.key_persons}
    li = persons[("KA-001", "李建国")]
    assert (li.roles, li.influence, li.attitude, li.relationship, li.last_contact) == (
        ("决策者",), 5, "接受", 4, date(2026, 11, 10))
    assert ("电话", "13800000000") in li.private and not any(k == "电话" for k, _ in li.extra)
    wang = persons[("KA-001", "王芳")]
    assert (wang.roles, wang.influence, wang.attitude, wang.relationship, wang.reports_to) == (
        ("采购者", "内线"), 3, "怀疑", 2, "李建国")
    assert persons[("KB-001", "孙总")].influence == 5
    us = next(c for c in ds.competition if c.is_us)
    assert (us.account_id, us.party, dict(us.scores)) == ("KA-001", "我方", {"品牌": 4, "产品技术": 5, "商务价格": 3, "服务": 4, "客户关系": 4})
    follow = sorted((f.date, f.account_id, f.rep, f.method, f.expense) for f in ds.followups)
    assert follow == [
        (date(2026, 11, 3), "KA-001", "张三", "拜访", 300),
        (date(2026, 11, 5), "KA-002", "张三", "电话", 1200),  # by name, no id
        (date(2026, 11, 12), "KB-001", "李四", "拜访", None),
        (date(2026, 11, 13), "KC-001", "王五", "演示", None),
        (date(2026, 11, 14), "KC-002", "王五", "电话", None),
        (date(2026, 11, 18), "KA-003", "张三", "微信", None),  # 11月18日: the year of the as-of date
    ]


def test_account_conflict_between_project_rows(dept: Path, load_input) -> None:
    i = one(load_input(dept), "account-conflict")
    assert (i.severity, i.file, i.sheet, i.cell, i.account) == (Severity.WARNING, "李四/客户档案表.xlsx", "客户档案表", "C6", "KB-001")
    assert "“行业”不一致：“装备”与 C4 的“机械”" in i.message


def test_skipped_files_are_listed_at_info_level(dept: Path, load_input) -> None:
    skipped = {i.file: i for i in issues(load_input(dept), "file-skipped")}
    assert set(skipped) == {"张三/~$张三的客户.xlsx", ".隐藏文件.xlsx", "说明.txt"}  # a .csv is read (issue 15)
    assert all(i.severity is Severity.INFO for i in skipped.values())
    assert "锁定文件" in skipped["张三/~$张三的客户.xlsx"].message
    assert "隐藏文件" in skipped[".隐藏文件.xlsx"].message
    assert "不是工作簿" in skipped["说明.txt"].message


def test_hidden_sheets(tmp_path: Path, load_input) -> None:
    """A hidden sheet holding a form is read like any other (its rows are the rep's); a hidden sheet with
    something else (a dropdown list) is reported at info level only."""
    write(tmp_path / "张三" / "客户.xlsx", [
        Sheet("客户档案", [["客户编号", "客户名称"], ["K1", "甲"]]),
        Sheet("客户档案（旧）", [["客户编号", "客户名称"], ["K2", "乙"]], hidden=True),
        Sheet("下拉列表", [["A"], ["B"], ["C"]], hidden=True),
        Sheet("空白", [], hidden=True),
    ])
    loaded = load_input(tmp_path)
    assert sorted(a.id for a in loaded.dataset.accounts) == ["K1", "K2"]
    unrecognised = issues(loaded, "sheet-unrecognised")
    assert [(i.sheet, i.severity) for i in unrecognised] == [("下拉列表", Severity.INFO)]
    assert issues(loaded, "sheet-empty") == []  # an empty hidden sheet is not worth a line


def test_many_sheets_per_file_and_unrecognised_sheets(tmp_path: Path, load_input) -> None:
    write(tmp_path / "张三" / "全部.xlsx", [
        Sheet("说明", [["本工作簿包含四张表"], ["请按月更新"]]),
        Sheet("客户档案", [["客户编号", "客户名称"], ["K1", "甲"]]),
        Sheet("Sheet2", []),
        Sheet("拜访", [["日期", "客户编号", "跟进方式"], [date(2026, 11, 2), "K1", "拜访"]]),
        Sheet("决策链", [["客户编号", "姓名", "影响力"], ["K1", "孙总", "高"]]),
        Sheet("对手", [["客户编号", "竞争方", "威胁程度"], ["K1", "某公司", "中"]]),
        Sheet("目标", [["客户经理", "月份", "拜访目标"], ["张三", "2026-11", 20]]),
    ], "xlsxwriter")
    loaded = load_input(tmp_path)
    assert {s.sheet: s.form for s in loaded.report.sheets} == {
        "客户档案": "customer", "拜访": "followup", "决策链": "keyperson", "对手": "competition", "目标": "targets"}
    # in workbook order (issue 15): 说明 is the first sheet
    assert [(i.code, i.sheet) for i in loaded.report.issues] == [("sheet-unrecognised", "说明"), ("sheet-empty", "Sheet2")]
    assert "前 30 行中没有" in issues(loaded, "sheet-unrecognised")[0].message
    ds = loaded.dataset
    assert (len(ds.followups), len(ds.key_persons), len(ds.competition), len(ds.targets)) == (1, 1, 1, 1)


def test_sheet_recognised_by_header_when_the_name_says_nothing(tmp_path: Path, load_input) -> None:
    write(tmp_path / "张三" / "工作簿1.xlsx", [
        Sheet("Sheet1", [["日期", "客户编号", "跟进方式", "接触人"], [date(2026, 11, 2), "K1", "拜访", None]]),
        Sheet("Sheet2", [["客户编号", "客户名称", "客户等级", "销售阶段"], ["K1", "甲", "A", "提案"]]),
    ])
    loaded = load_input(tmp_path)
    assert {s.sheet: s.form for s in loaded.report.sheets} == {"Sheet1": "followup", "Sheet2": "customer"}
    assert loaded.report.errors == 0


def test_header_far_below_titles_and_in_a_later_column(tmp_path: Path, load_input) -> None:
    rows: list[list[object]] = [[None, "客户档案表"], [None, "填表人：张三"], [], [None, "说明：金额单位万元"]]
    rows += [[None, "客户编号", "客户名称", "预计金额（万元）"], [None, "K1", "甲", "12.5万"]]
    write(tmp_path / "x.xlsx", [Sheet("客户档案", rows)], "xlsxwriter")
    loaded = load_input(tmp_path)
    (a,) = loaded.dataset.accounts
    assert (a.rep, a.projects[0].value, a.src.cell("account_id")) == ("张三", 12.5, "B6")


@pytest.mark.parametrize("writer", WRITERS)
def test_merged_header_cells_and_merged_values(tmp_path: Path, load_input, writer: str) -> None:
    """Merged account cells over follow-up rows: each row reads the merged value; cells point to the top-left."""
    write(tmp_path / "张三" / "跟进.xlsx", [
        Sheet("客户档案", [["客户编号", "客户名称"], ["K1", "甲"], ["K2", "乙"]]),
        Sheet("跟进记录", [
            ["客户跟进表", None, None],
            ["客户编号", "日期", "跟进方式"],
            ["K1", date(2026, 11, 2), "拜访"],
            [None, date(2026, 11, 9), "电话"],
            ["K2", date(2026, 11, 3), "飞鸽"],
            [None, date(2026, 11, 10), "微信"],
        ], merges=("A1:C1", "A3:A4", "A5:A6")),
    ], writer)
    loaded = load_input(tmp_path)
    assert sorted((f.account_id, f.date.day) for f in loaded.dataset.followups) == [("K1", 2), ("K1", 9), ("K2", 10)]
    i = one(loaded, "value-enum")
    assert (i.cell, i.account) == ("C5", "K2")
    assert sorted(f.src.cell("account_id") for f in loaded.dataset.followups) == ["A3", "A3", "A5"]


def test_one_file_per_form_in_one_folder(tmp_path: Path, load_input) -> None:
    write(tmp_path / "客户档案表.xlsx", [Sheet("Sheet1", [["客户档案表"], ["客户编号", "客户名称", "客户经理"], ["K1", "甲", "张三"]])])
    write(tmp_path / "客户跟进表.xlsx", [Sheet("Sheet1", [["日期", "客户编号", "拜访人"], [date(2026, 11, 2), "K1", "张三"]])],
          "xlsxwriter")
    write(tmp_path / "关键人分析表.xlsx", [Sheet("Sheet1", [["填表人：张三"], ["客户编号", "姓名", "态度"], ["K1", "孙总", "支持"]])])
    write(tmp_path / "竞争分析表.xlsx", [Sheet("Sheet1", [["客户编号", "竞争方", "品牌"], ["K1", "我司", 4]])], "xlsxwriter")
    loaded = load_input(tmp_path)
    assert loaded.report.errors == 0
    ds = loaded.dataset
    assert [(f.rep, f.account_id) for f in ds.followups] == [("张三", "K1")]
    assert [(p.name, p.attitude) for p in ds.key_persons] == [("孙总", "接受")]
    assert [(c.party, c.is_us) for c in ds.competition] == [("我方", True)]


def test_card_layout_with_merged_labels(tmp_path: Path, load_input) -> None:
    """A card whose labels are merged over two columns, value cells after them, and a 填表人 title."""
    write(tmp_path / "卡片.xlsx", [Sheet("KA-100", [
        ["客户信息卡"],
        ["填表人：赵六"],
        ["客户编号", None, "KA-100", "客户名称", None, "远东物流"],
        ["客户类别", None, "高价值客户", "销售阶段", None, "4"],
        ["决策人(A)", None, "否", "预计成交日期", None, "2027年3月1日"],
    ], merges=("A3:B3", "D3:E3", "A4:B4", "D4:E4", "A5:B5", "D5:E5"))], "xlsxwriter")
    loaded = load_input(tmp_path)
    (a,) = loaded.dataset.accounts
    assert (a.id, a.name, a.category, a.rep) == ("KA-100", "远东物流", "高价值客户", "赵六")
    assert (a.projects[0].stage, a.projects[0].decision_maker, a.projects[0].expected_close) == ("招投标", False, date(2027, 3, 1))
    assert a.src.cell("account_name") == "F3"


def test_card_with_a_bad_value_is_rejected_with_its_cell(tmp_path: Path, load_input) -> None:
    write(tmp_path / "王五" / "卡片.xlsx", [Sheet("客户", [
        ["客户名称", "甲", "客户编号", "K1"], ["客户等级", "Z", "成交概率", "40%"], ["行业", "医疗"]])])
    loaded = load_input(tmp_path)
    i = one(loaded, "value-enum")
    assert (i.cell, i.rep) == ("B2", "王五")
    assert sheet_counts(loaded) == {"王五/卡片.xlsx": {"客户": (1, 0, 1, 0)}}


def test_wide_and_two_row_headers_with_english_names(tmp_path: Path, load_input) -> None:
    write(tmp_path / "crm.xlsx", [Sheet("Accounts", [
        ["客户", None, "销售", None],
        ["Account ID", "Customer name", "Owner", "Stage"],
        ["A-1", "Acme", "Tom", "won"],
    ], merges=("A1:B1", "C1:D1"))])
    loaded = load_input(tmp_path)
    (a,) = loaded.dataset.accounts
    assert (a.id, a.name, a.rep, a.projects[0].stage) == ("A-1", "Acme", "Tom", "赢单")
