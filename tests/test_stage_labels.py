"""CRM stage labels (issue 15): a value is accepted only when all of it is understood."""

from __future__ import annotations

from pathlib import Path

from formula_books import write_book
from helpers import issues

HEADER = ["客户编号", "客户名称", "客户经理", "销售阶段", "预计金额(万元)"]


def test_crm_labels_in_a_customer_file(tmp_path: Path, load_input) -> None:
    rows = [["KA-1", "甲", "张三", "5 Closed Won", 10], ["KA-2", "乙", "张三", "6 Closed Lost", 10],
            ["KA-3", "丙", "张三", "3 提案", 10], ["KA-4", "丁", "张三", "5 快成了", 10],
            ["KA-5", "戊", "张三", "3-投标", 10], ["KA-6", "己", "张三", "Negotiation", 10]]
    write_book("excel", tmp_path / "张三" / "客户.xlsx", {"客户档案": [HEADER, *rows]})
    loaded = load_input(tmp_path)
    stages = {a.id: a.projects[0].stage for a in loaded.dataset.accounts}
    assert stages == {"KA-1": "赢单", "KA-2": "丢单", "KA-3": "提案", "KA-6": "商务谈判"}
    partial = issues(loaded, "value-stage-partial")
    assert [(i.cell, i.account) for i in partial] == [("D5", "KA-4")]
    assert "“5”是“商务谈判”" in partial[0].message and "“快成了”无法识别" in partial[0].message
    conflict = issues(loaded, "value-stage-conflict")
    assert [i.cell for i in conflict] == ["D6"] and "编号 3 是“提案”" in conflict[0].message


def test_sitegen_yaml_aliases_take_precedence(tmp_path: Path, load_input) -> None:
    rows = [["KA-1", "甲", "张三", "Won", 10], ["KA-2", "乙", "张三", "3-投标", 10]]
    write_book("excel", tmp_path / "张三" / "客户.xlsx", {"客户档案": [HEADER, *rows]})
    loaded = load_input(tmp_path, stage_aliases={"Won": "工程实施", "3-投标": "招投标"})
    assert {a.id: a.projects[0].stage for a in loaded.dataset.accounts} == {"KA-1": "工程实施", "KA-2": "招投标"}
    loaded = load_input(tmp_path, value_aliases={"stage": {"won": "商务谈判"}})
    assert {a.id: a.projects[0].stage for a in loaded.dataset.accounts} == {"KA-1": "商务谈判"}
