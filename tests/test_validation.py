"""Every validation rule: its exact code, severity and cell (A1), and what happens to the row.

Each test writes the smallest department that shows the rule (openpyxl), loads it in-process and checks
the report. `load_input` also asserts on every run that each sheet's rows are accounted for
(read = accepted + rejected + skipped) and that accepted rows are exactly the records of the dataset.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from helpers import codes, issues, one, sheet_counts
from make_fixtures import Sheet, write

from sitegen.issues import Severity

CUSTOMERS = Sheet("客户档案", [
    ["客户编号", "客户名称", "客户经理", "销售阶段", "预计金额(万元)", "预计成交日期"],
    ["KA-001", "华东电力集团", "张三", "提案", 120, date(2027, 3, 1)],
    ["KA-002", "江南制造", "张三", "立项", 50, date(2027, 5, 1)],
    ["KA-003", "江南制造", "李四", "赢单", 80, date(2026, 1, 1)],  # same name as KA-002; won: no close warning
])
KEYPERSONS = Sheet("关键人", [
    ["客户编号", "姓名", "职务", "影响力", "态度", "汇报对象"],
    ["KA-001", "李建国", "主任", 5, "支持", None],
    ["KA-001", "王芳", "经理", "中", "中立", "李建国"],
])


def department(root: Path, *extra: tuple[str, list[Sheet]]) -> Path:
    write(root / "张三" / "客户.xlsx", [CUSTOMERS, KEYPERSONS])
    for rel, sheets in extra:
        write(root / rel, sheets)
    return root


def customer_row(**cells: object) -> Sheet:
    """A customer sheet with one account row, the given columns changed."""
    header = ["客户编号", "客户名称", "客户经理", "客户等级", "员工人数", "销售阶段", "预计金额(万元)", "成交概率",
              "预计成交日期", "预算(M)"]
    row: dict[str, object] = {"客户编号": "KX-001", "客户名称": "测试客户", "客户经理": "张三", "客户等级": "A",
                              "员工人数": 100, "销售阶段": "提案", "预计金额(万元)": 10, "成交概率": "40%",
                              "预计成交日期": date(2027, 1, 1), "预算(M)": "是"}
    row.update(cells)
    return Sheet("客户档案", [header, [row[h] for h in header]])


# ---------------------------------------------------------------- values: code and cell

@pytest.mark.parametrize(("column", "value", "code", "cell"), [
    ("客户名称", None, "value-missing", "B2"),
    ("客户编号", "  ", "value-missing", "A2"),
    ("客户等级", "D", "value-enum", "D2"),
    ("员工人数", "很多", "value-number", "E2"),
    ("销售阶段", "快成了", "value-enum", "F2"),
    ("预计金额(万元)", "约12万", "value-money", "G2"),
    ("预计金额(万元)", -5, "value-negative", "G2"),
    ("预计金额(万元)", "-12.5万", "value-negative", "G2"),
    ("员工人数", -3, "value-negative", "E2"),
    ("成交概率", "四成", "value-percent", "H2"),
    ("成交概率", "150%", "value-range", "H2"),
    ("预计成交日期", "下个月", "value-date", "I2"),
    ("预计成交日期", "2026-02-30", "value-date", "I2"),
    ("预算(M)", "也许", "value-yesno", "J2"),
])
def test_customer_value_errors(tmp_path: Path, load_input, column: str, value: object, code: str, cell: str) -> None:
    write(tmp_path / "张三" / "客户.xlsx", [customer_row(**{column: value})])
    loaded = load_input(tmp_path)
    i = one(loaded, code)
    assert (i.severity, i.file, i.sheet, i.cell, i.rep) == (Severity.ERROR, "张三/客户.xlsx", "客户档案", cell, "张三")
    assert sheet_counts(loaded) == {"张三/客户.xlsx": {"客户档案": (1, 0, 1, 0)}}  # rejected, never guessed
    assert loaded.dataset.accounts == ()


def test_enum_message_lists_the_accepted_values(tmp_path: Path, load_input) -> None:
    write(tmp_path / "张三" / "客户.xlsx", [customer_row(客户等级="D")])
    msg = one(load_input(tmp_path), "value-enum").message
    assert "“客户等级”的值“D”无法识别" in msg
    assert "A、B、C、VIP、MGC、BZ" in msg


def test_stage_message_lists_stages_and_aliases(tmp_path: Path, load_input) -> None:
    write(tmp_path / "张三" / "客户.xlsx", [customer_row(销售阶段="快成了")])
    msg = one(load_input(tmp_path), "value-enum").message
    assert "客户开发、立项、提案、招投标、商务谈判、工程实施、赢单、丢单、暂停" in msg and "S/P/A/D/C/O" in msg


def test_range_messages_name_the_bounds(tmp_path: Path, load_input) -> None:
    write(tmp_path / "张三" / "客户.xlsx", [customer_row(成交概率="150%")])
    assert "应在 0% 到 100% 之间" in one(load_input(tmp_path), "value-range").message


def test_english_messages(tmp_path: Path, load_input) -> None:
    write(tmp_path / "张三" / "客户.xlsx", [customer_row(客户等级="D")])
    i = one(load_input(tmp_path, language="en"), "value-enum")
    assert i.message.startswith("“Grade”: “D” is not accepted. Accepted: A、B、C")


def test_several_errors_in_one_row_are_all_reported_and_the_row_rejected_once(tmp_path: Path, load_input) -> None:
    write(tmp_path / "张三" / "客户.xlsx", [customer_row(客户等级="D", 成交概率="四成", 预算="也许")])
    loaded = load_input(tmp_path)
    assert [(i.code, i.cell) for i in loaded.report.issues if i.severity is Severity.ERROR] == [
        ("value-enum", "D2"), ("value-percent", "H2")]  # 预算 is not a column name: 预算(M) is
    assert sheet_counts(loaded)["张三/客户.xlsx"]["客户档案"] == (1, 0, 1, 0)


@pytest.mark.parametrize(("header", "value", "low_high"), [
    ("影响力", 6, "1 到 5"), ("影响力", "4.5", "1 到 5"), ("影响力", 0, "1 到 5"),
])
def test_influence_range(tmp_path: Path, load_input, header: str, value: object, low_high: str) -> None:
    department(tmp_path, ("张三/关键人2.xlsx", [Sheet("关键人", [
        ["客户编号", "姓名", header], ["KA-002", "赵强", value]])]))
    i = one(load_input(tmp_path), "value-range")
    assert (i.file, i.sheet, i.cell) == ("张三/关键人2.xlsx", "关键人", "C2")
    assert low_high in i.message


def test_score_range(tmp_path: Path, load_input) -> None:
    department(tmp_path, ("张三/竞争.xlsx", [Sheet("竞争分析", [
        ["客户编号", "竞争方", "品牌", "产品技术", "服务"],
        ["KA-001", "我方", 4, 5, 3],
        ["KA-001", "某某电气", 5, 7, 3],
    ])]))
    loaded = load_input(tmp_path)
    i = one(loaded, "value-range")
    assert (i.cell, i.severity) == ("D3", Severity.ERROR)
    assert sheet_counts(loaded)["张三/竞争.xlsx"]["竞争分析"] == (2, 1, 1, 0)


def test_relationship_and_attitude_values(tmp_path: Path, load_input) -> None:
    department(tmp_path, ("张三/关键人2.xlsx", [Sheet("关键人", [
        ["客户编号", "姓名", "态度", "关系阶段", "购买角色"],
        ["KA-002", "赵强", "反对", "认识", "决策人"],
        ["KA-002", "钱明", "很好", "朋友", "老板"],
    ])]))
    loaded = load_input(tmp_path)
    assert [(i.code, i.cell) for i in issues(loaded, "value-enum")] == [("value-enum", "C3"), ("value-enum", "D3"),
                                                                         ("value-enum", "E3")]
    zhao = next(p for p in loaded.dataset.key_persons if p.name == "赵强")
    assert (zhao.attitude, zhao.relationship, zhao.roles) == ("抵触", 1, ("决策者",))


def test_followup_yesno_and_money(tmp_path: Path, load_input) -> None:
    department(tmp_path, ("张三/跟进.xlsx", [Sheet("跟进记录", [
        ["日期", "客户编号", "有效面谈", "费用(元)"],
        [date(2026, 11, 2), "KA-001", "√", "1,200元"],
        [date(2026, 11, 3), "KA-001", "maybe", 300],
        [date(2026, 11, 4), "KA-001", "×", "三百"],
        [date(2026, 11, 5), "KA-001", "N", -300],
    ])]))
    loaded = load_input(tmp_path)
    assert [(i.code, i.cell) for i in loaded.report.issues if i.severity is Severity.ERROR] == [
        ("value-yesno", "C3"), ("value-money", "D4"), ("value-negative", "D5")]
    (f,) = loaded.dataset.followups
    assert (f.effective, f.expense) == (True, 1200)


def test_required_date_of_a_followup(tmp_path: Path, load_input) -> None:
    department(tmp_path, ("张三/跟进.xlsx", [Sheet("跟进记录", [
        ["日期", "客户编号", "跟进方式"], [None, "KA-001", "拜访"], ["昨天", "KA-001", "拜访"]])]))
    loaded = load_input(tmp_path)
    assert [(i.code, i.cell) for i in loaded.report.issues if i.severity is Severity.ERROR] == [
        ("value-missing", "A2"), ("value-date", "A3")]


# ---------------------------------------------------------------- records and references

def test_account_duplicate_names_both_places(tmp_path: Path, load_input) -> None:
    department(tmp_path, ("李四/客户.xlsx", [Sheet("客户档案", [
        ["客户编号", "客户名称", "客户经理"], ["KA-009", "新客户", "李四"], ["KA-001", "华东电力", "李四"]])]))
    loaded = load_input(tmp_path)
    i = one(loaded, "account-duplicate")
    # files are taken in path order (张 U+5F20 before 李 U+674E): 李四's row is the duplicate
    assert (i.severity, i.file, i.sheet, i.cell) == (Severity.ERROR, "李四/客户.xlsx", "客户档案", "A3")
    assert "张三/客户.xlsx / 客户档案 / A2" in i.message
    counts = sheet_counts(loaded)
    assert counts["李四/客户.xlsx"]["客户档案"] == (2, 1, 1, 0)
    assert counts["张三/客户.xlsx"]["客户档案"] == (3, 3, 0, 0)
    assert next(a for a in loaded.dataset.accounts if a.id == "KA-001").name == "华东电力集团"


def test_account_duplicate_in_the_same_sheet(tmp_path: Path, load_input) -> None:
    write(tmp_path / "张三" / "客户.xlsx", [Sheet("客户档案", [
        ["客户编号", "客户名称"], ["KA-001", "甲"], ["KA-002", "乙"], ["ＫＡ－００１ ", "甲2"]])])
    loaded = load_input(tmp_path)
    i = one(loaded, "account-duplicate")
    assert i.cell == "A4" and "张三/客户.xlsx / 客户档案 / A2" in i.message


def test_same_account_and_project_twice(tmp_path: Path, load_input) -> None:
    write(tmp_path / "张三" / "客户.xlsx", [Sheet("客户档案", [
        ["客户编号", "客户名称", "项目名称"], ["KA-001", "甲", "一期"], ["KA-001", "甲", "二期"], ["KA-001", "甲", "一期"]])])
    loaded = load_input(tmp_path)
    i = one(loaded, "account-duplicate")
    assert i.cell == "A4" and "KA-001 / 一期" in i.message
    assert [p.name for p in loaded.dataset.accounts[0].projects] == ["一期", "二期"]


@pytest.mark.parametrize(("sheet", "cell"), [
    (Sheet("跟进记录", [["日期", "客户编号", "跟进方式"], [date(2026, 11, 2), "KA-404", "拜访"]]), "B2"),
    (Sheet("竞争分析", [["客户编号", "竞争方", "威胁程度"], ["KA-404", "某某电气", "高"]]), "A2"),
    (Sheet("关键人", [["客户编号", "姓名", "职务"], ["KA-404", "孙总", "总经理"]]), "A2"),
])
def test_account_unknown(tmp_path: Path, load_input, sheet: Sheet, cell: str) -> None:
    department(tmp_path, ("张三/其他.xlsx", [sheet]))
    loaded = load_input(tmp_path)
    i = one(loaded, "account-unknown")
    assert (i.severity, i.file, i.sheet, i.cell, i.account) == (Severity.ERROR, "张三/其他.xlsx", sheet.name, cell, "KA-404")
    assert sheet_counts(loaded)["张三/其他.xlsx"][sheet.name] == (1, 0, 1, 0)


def test_followup_by_account_name(tmp_path: Path, load_input) -> None:
    department(tmp_path, ("张三/跟进.xlsx", [Sheet("跟进记录", [
        ["日期", "客户编号", "客户名称", "跟进方式"],
        [date(2026, 11, 2), None, "华东电力集团", "拜访"],  # names exactly one account
        [date(2026, 11, 3), None, " 华东电力集团\u3000", "电话"],  # spaces do not matter
        [date(2026, 11, 4), None, "江南制造", "拜访"],  # two accounts have this name
        [date(2026, 11, 5), None, "无名公司", "拜访"],  # none
        [date(2026, 11, 6), None, None, "拜访"],  # neither id nor name
    ])]))
    loaded = load_input(tmp_path)
    assert [f.account_id for f in loaded.dataset.followups] == ["KA-001", "KA-001"]
    amb = one(loaded, "account-name-ambiguous")
    assert (amb.cell, amb.severity) == ("C4", Severity.ERROR) and "KA-002、KA-003" in amb.message
    unknown = one(loaded, "account-unknown")
    assert unknown.cell == "C5"
    missing = one(loaded, "value-missing")
    assert missing.cell == "B6"
    assert sheet_counts(loaded)["张三/跟进.xlsx"]["跟进记录"] == (5, 2, 3, 0)


def test_person_unknown_contact_and_reports_to(tmp_path: Path, load_input) -> None:
    department(
        tmp_path,
        ("张三/跟进.xlsx", [Sheet("跟进记录", [
            ["日期", "客户编号", "接触人"],
            [date(2026, 11, 2), "KA-001", "李建国"],
            [date(2026, 11, 3), "KA-001", "李建国、王芳"],
            [date(2026, 11, 4), "KA-001", "张总"],
        ])]),
        ("张三/关键人2.xlsx", [Sheet("关键人", [["客户编号", "姓名", "汇报对象"], ["KA-002", "赵强", "钱总"]])]),
    )
    loaded = load_input(tmp_path)
    found = sorted((i.file, i.cell, i.severity) for i in issues(loaded, "person-unknown"))
    assert found == [("张三/关键人2.xlsx", "C2", Severity.WARNING), ("张三/跟进.xlsx", "C4", Severity.WARNING)]
    assert len(loaded.dataset.followups) == 3  # a warning does not reject the row
    assert len(loaded.dataset.key_persons) == 3


def test_date_future_is_a_warning(tmp_path: Path, load_input) -> None:
    department(tmp_path, ("张三/跟进.xlsx", [Sheet("跟进记录", [
        ["日期", "客户编号"], [date(2026, 11, 20), "KA-001"], [date(2026, 11, 21), "KA-001"]])]))
    loaded = load_input(tmp_path)
    i = one(loaded, "date-future")
    assert (i.severity, i.cell) == (Severity.WARNING, "A3")
    assert "2026-11-21" in i.message and "2026-11-20" in i.message
    assert len(loaded.dataset.followups) == 2


def test_close_date_passed_only_for_open_projects(tmp_path: Path, load_input) -> None:
    write(tmp_path / "张三" / "客户.xlsx", [Sheet("客户档案", [
        ["客户编号", "客户名称", "销售阶段", "预计成交日期"],
        ["KA-001", "甲", "提案", date(2026, 11, 19)],  # open, passed
        ["KA-002", "乙", "提案", date(2026, 11, 20)],  # open, today
        ["KA-003", "丙", "赢单", date(2026, 1, 1)],  # won
        ["KA-004", "丁", "丢单", date(2026, 1, 1)],  # lost
        ["KA-005", "戊", "S", "2026/10/1"],  # open, passed
    ])])
    loaded = load_input(tmp_path)
    assert [(i.cell, i.severity, i.account) for i in issues(loaded, "close-date-passed")] == [
        ("D2", Severity.WARNING, "KA-001"), ("D6", Severity.WARNING, "KA-005")]
    assert len(loaded.dataset.accounts) == 5


def test_account_id_from_name(tmp_path: Path, load_input) -> None:
    write(tmp_path / "张三" / "客户.xlsx", [Sheet("客户档案", [["客户名称", "销售阶段"], ["甲公司", "提案"], ["乙公司", "立项"]])])
    without = load_input(tmp_path)
    i = one(without, "column-missing")
    assert (i.cell, i.severity) == ("A1", Severity.ERROR) and "客户编号" in i.message
    assert sheet_counts(without)["张三/客户.xlsx"]["客户档案"] == (2, 0, 2, 0)
    with_names = load_input(tmp_path, account_id_from_name=True)
    assert sorted(a.id for a in with_names.dataset.accounts) == sorted(["甲公司", "乙公司"])
    assert codes(with_names) == []


# ---------------------------------------------------------------- columns

def test_column_missing_rejects_every_row_but_skips_blank_and_subtotal(tmp_path: Path, load_input) -> None:
    department(tmp_path, ("张三/关键人2.xlsx", [Sheet("关键人分析", [
        ["关键人分析"],
        ["客户编号", "职务", "影响力", "态度"],
        ["KA-001", "主任", 5, "支持"],
        [None, None, None, None],
        ["KA-002", "经理", 3, "中立"],
        ["合计", None, 8, None],
    ])]))
    loaded = load_input(tmp_path)
    i = one(loaded, "column-missing")
    assert (i.severity, i.file, i.sheet, i.cell) == (Severity.ERROR, "张三/关键人2.xlsx", "关键人分析", "A2")
    assert "缺少必填列“姓名”" in i.message and "关键人" in i.message  # names the accepted headers
    assert sheet_counts(loaded)["张三/关键人2.xlsx"]["关键人分析"] == (4, 0, 2, 2)


def test_column_duplicate(tmp_path: Path, load_input) -> None:
    write(tmp_path / "张三" / "客户.xlsx", [Sheet("客户档案", [
        ["客户编号", "客户名称", "备注", "客户全称"], ["KA-001", "甲", "x", "甲集团"]])])
    loaded = load_input(tmp_path)
    i = one(loaded, "column-duplicate")
    assert (i.severity, i.cell) == (Severity.WARNING, "D1")
    assert "“客户名称”出现了两次，只使用第一列（B1）" in i.message
    assert loaded.dataset.accounts[0].name == "甲"


def test_unknown_columns_are_kept_as_extra_fields(tmp_path: Path, load_input) -> None:
    write(tmp_path / "张三" / "客户.xlsx", [Sheet("客户档案", [
        ["客户编号", "客户名称", "年度采购重点", "电话"], ["KA-001", "甲", "影像设备", "021-1234"]])])
    a = load_input(tmp_path).dataset.accounts[0]
    assert a.extra == (("年度采购重点", "影像设备"),)
    assert a.private == (("电话", "021-1234"),)  # a private field, never published


# ---------------------------------------------------------------- blank and subtotal rows

def test_blank_and_subtotal_rows_are_skipped_not_rejected(tmp_path: Path, load_input) -> None:
    write(tmp_path / "张三" / "客户.xlsx", [Sheet("客户档案", [
        ["客户编号", "客户名称", "预计金额(万元)"],
        ["KA-001", "甲", 10],
        [None, None, None],
        ["", "  ", "\u3000"],
        ["小计", None, 10],
        ["KA-002", "汇总科技", 5],  # an account whose name looks like a total word: kept
        [None, "合计", 15],
        ["Total", None, 15],
        ["示例", "示例客户", 1],  # the example row of a template
    ])])
    loaded = load_input(tmp_path)
    # the example row belongs to the template, like its header: not read, so not counted as skipped
    assert sheet_counts(loaded)["张三/客户.xlsx"]["客户档案"] == (7, 2, 0, 5)
    assert [a.name for a in loaded.dataset.accounts] == ["甲", "汇总科技"]


def test_a_followup_about_a_summary_is_not_a_subtotal(tmp_path: Path, load_input) -> None:
    department(tmp_path, ("张三/跟进.xlsx", [Sheet("跟进记录", [
        ["日期", "客户编号", "目的"], [date(2026, 11, 2), "KA-001", "周报汇总"], [None, None, "本周合计"]])]))
    loaded = load_input(tmp_path)
    assert sheet_counts(loaded)["张三/跟进.xlsx"]["跟进记录"] == (2, 1, 0, 1)
    assert loaded.dataset.followups[0].purpose == "周报汇总"


# ---------------------------------------------------------------- owner of a workbook

def test_owner_from_column_title_folder_and_config(tmp_path: Path, load_input) -> None:
    header = ["客户编号", "客户名称"]
    write(tmp_path / "column.xlsx", [Sheet("客户档案", [header + ["客户经理"], ["K1", "甲", "陈一"], ["K2", "乙", None]])])
    write(tmp_path / "title.xlsx", [Sheet("客户档案", [["客户档案表"], ["填表人：周二  日期：2026-11-20"], header, ["K3", "丙"]])])
    write(tmp_path / "吴三" / "folder.xlsx", [Sheet("客户档案", [header, ["K4", "丁"]])])
    write(tmp_path / "吴三" / "both.xlsx", [Sheet("客户档案", [["填表人：郑四"], header, ["K5", "戊"]])])
    write(tmp_path / "config.xlsx", [Sheet("客户档案", [header, ["K6", "己"]])])
    loaded = load_input(tmp_path, default_owner="部门助理")
    reps = {a.id: a.rep for a in loaded.dataset.accounts}
    # K2: blank cell in the column -> the workbook's owner, here the config default (no title, no folder)
    assert reps == {"K1": "陈一", "K2": "部门助理", "K3": "周二", "K4": "吴三", "K5": "郑四", "K6": "部门助理"}
    owners = {s.file: s.rep for s in loaded.report.sheets}
    assert owners == {"column.xlsx": "部门助理", "title.xlsx": "周二", "吴三/folder.xlsx": "吴三",
                      "吴三/both.xlsx": "郑四", "config.xlsx": "部门助理"}


def test_owner_unknown_makes_the_rep_column_required(tmp_path: Path, load_input) -> None:
    write(tmp_path / "config.xlsx", [Sheet("客户档案", [["客户编号", "客户名称"], ["K6", "己"]])])
    loaded = load_input(tmp_path)
    i = one(loaded, "column-missing")
    assert "客户经理" in i.message
    assert load_input(tmp_path, owner_from_folder=False, default_owner="X").report.errors == 0


def test_owner_from_folder_can_be_switched_off(tmp_path: Path, load_input) -> None:
    write(tmp_path / "华东" / "客户.xlsx", [Sheet("客户档案", [["客户编号", "客户名称"], ["K1", "甲"]])])
    assert load_input(tmp_path).dataset.accounts[0].rep == "华东"
    assert load_input(tmp_path, owner_from_folder=False, default_owner="助理").dataset.accounts[0].rep == "助理"


def test_an_empty_filler_title_is_not_an_owner(tmp_path: Path, load_input) -> None:
    write(tmp_path / "王五" / "客户.xlsx", [Sheet("客户档案", [["填表人：  日期：2026-11-20"], ["客户编号", "客户名称"], ["K1", "甲"]])])
    assert load_input(tmp_path).dataset.accounts[0].rep == "王五"


def test_followup_rep_defaults_to_the_owner(tmp_path: Path, load_input) -> None:
    department(tmp_path, ("李四/跟进.xlsx", [Sheet("跟进记录", [
        ["日期", "客户编号", "客户经理"], [date(2026, 11, 2), "KA-001", None], [date(2026, 11, 3), "KA-001", "王五"]])]))
    assert [f.rep for f in load_input(tmp_path).dataset.followups] == ["李四", "王五"]


# ---------------------------------------------------------------- every row accounted for

def test_rows_with_errors_are_rejected_with_their_reason(tmp_path: Path, load_input) -> None:
    department(tmp_path, ("张三/跟进.xlsx", [Sheet("跟进记录", [
        ["日期", "客户编号", "跟进方式", "有效面谈"],
        [date(2026, 11, 2), "KA-001", "拜访", "是"],
        [date(2026, 11, 3), "KA-001", "飞鸽传书", "是"],
        [None, None, None, None],
        [date(2026, 11, 4), "KA-404", "电话", "否"],
        ["小计", None, None, None],
        [date(2026, 11, 5), "KA-002", "微信", "否"],
    ])]))
    loaded = load_input(tmp_path)
    assert sheet_counts(loaded)["张三/跟进.xlsx"]["跟进记录"] == (6, 2, 2, 2)
    assert [(i.code, i.cell) for i in loaded.report.issues if i.file == "张三/跟进.xlsx"] == [
        ("value-enum", "C3"), ("account-unknown", "B5")]
    assert loaded.report.errors == 2


def test_duplicate_names_when_ids_come_from_names(tmp_path: Path, load_input) -> None:
    write(tmp_path / "张三" / "客户.xlsx", [Sheet("客户档案", [["客户名称", "销售阶段"], ["甲公司", "提案"], ["甲公司 ", "立项"]])])
    loaded = load_input(tmp_path, account_id_from_name=True)
    i = one(loaded, "account-duplicate")
    assert (i.cell, i.account) == ("A3", "甲公司")
    assert "张三/客户.xlsx / 客户档案 / A2" in i.message


def test_cross_file_messages_in_english(tmp_path: Path, load_input) -> None:
    department(tmp_path, ("张三/跟进.xlsx", [Sheet("跟进记录", [["日期", "客户编号", "接触人"], [date(2026, 11, 2), "KA-001", "张总"]])]))
    i = one(load_input(tmp_path, language="en"), "person-unknown")
    assert i.message.startswith("“Contact”: “张总” is not a key person of account “KA-001”")
