"""Buying influences per deal (issue 18): the key-person sheet's optional 项目名称 column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from helpers import issues
from make_fixtures import Sheet, write

from sitegen.issues import Severity
from sitegen.model import KeyPerson

CUSTOMERS = Sheet("客户档案", [
    ["客户编号", "项目名称", "客户名称", "客户经理", "销售阶段", "预计金额(万元)", "预计成交日期"],
    ["KA-001", "智慧园区", "华东电力", "张三", "提案", 120, date(2027, 3, 1)],
    ["KA-001", "数据中心", "华东电力", "张三", "立项", 50, date(2027, 5, 1)],
])


def test_without_the_column_a_person_serves_every_project() -> None:
    k = KeyPerson("A", "王总")
    assert k.serves("智慧园区") and k.serves("数据中心") and k.serves("")


def test_project_names_are_read_and_split(tmp_path: Path, load_input) -> None:
    write(tmp_path / "张三" / "客户.xlsx", [CUSTOMERS, Sheet("关键人", [
        ["客户编号", "姓名", "项目名称"],
        ["KA-001", "王总", None],
        ["KA-001", "刘工", "智慧园区"],
        ["KA-001", "赵经理", "智慧园区、数据中心"],
        ["KA-001", "孙主管", " 数据中心 ；智慧园区；数据中心"],
    ])])
    loaded = load_input(tmp_path)
    persons = {k.name: k for k in loaded.dataset.key_persons}
    assert persons["王总"].projects == ()
    assert persons["刘工"].projects == ("智慧园区",)
    assert persons["赵经理"].projects == ("智慧园区", "数据中心")
    assert persons["孙主管"].projects == ("数据中心", "智慧园区")
    serving = {p: sorted(k.name for k in persons.values() if k.serves(p)) for p in ("智慧园区", "数据中心")}
    assert serving == {"智慧园区": ["刘工", "孙主管", "王总", "赵经理"], "数据中心": ["孙主管", "王总", "赵经理"]}
    assert not issues(loaded, "person-project-unknown")


def test_an_unknown_project_is_a_warning_naming_the_cell_and_the_projects(tmp_path: Path, load_input) -> None:
    write(tmp_path / "张三" / "客户.xlsx", [CUSTOMERS, Sheet("关键人", [
        ["客户编号", "姓名", "项目名称"],
        ["KA-001", "刘工", "智慧园区、三期"],
    ])])
    loaded = load_input(tmp_path)
    [i] = issues(loaded, "person-project-unknown")
    assert (i.severity, i.cell, i.account) == (Severity.WARNING, "C2", "KA-001")
    assert "三期" in i.message and "数据中心、智慧园区" in i.message
    assert len(loaded.dataset.key_persons) == 1  # a warning keeps the person


def test_account_page_and_plans_show_each_deal_its_own_persons(tmp_path: Path) -> None:
    import json

    from sitegen.build import BuildOptions, build
    from sitegen.config import load_config

    write(tmp_path / "input" / "张三" / "客户.xlsx", [CUSTOMERS, Sheet("关键人", [
        ["客户编号", "姓名", "项目名称", "购买角色"],
        ["KA-001", "王总", None, "决策者"],
        ["KA-001", "刘工", "智慧园区", "推荐者"],
        ["KA-001", "赵经理", "数据中心", "采购者"],
    ])])
    (tmp_path / "sitegen.yaml").write_text("title: 测试\n", encoding="utf-8")
    out = build(load_config(tmp_path / "sitegen.yaml"), BuildOptions(as_of=date(2026, 11, 20), quiet=True)).output_dir
    [a] = json.loads((out / "data" / "accounts.json").read_text(encoding="utf-8"))
    page = (out / a["url"]).read_text(encoding="utf-8")
    assert "<td class=\"wrap\">全部项目</td>" in page and "<td class=\"wrap\">智慧园区</td>" in page
    plans = {p["name"]: (out / p["plan_url"]).read_text(encoding="utf-8") for p in a["projects"]}
    assert "刘工" in plans["智慧园区"] and "赵经理" not in plans["智慧园区"]
    assert "赵经理" in plans["数据中心"] and "刘工" not in plans["数据中心"]
    assert all("王总" in text for text in plans.values())
