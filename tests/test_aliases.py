"""A column mapping you can trust (issue 15): sitegen.yaml aliases first, then built-in ones; one header may
feed several columns; every alias mistake is a configuration error naming its key; messages list the
aliases in force and follow `language`; a sheet that looks like a form says what it lacks."""

from __future__ import annotations

from pathlib import Path

import pytest
from formula_books import write_book
from helpers import issues, one

from sitegen.cli import main
from sitegen.config import ConfigError, config_from_dict
from sitegen.issues import Severity


def test_a_user_alias_wins_over_a_built_in_alias_of_another_column(tmp_path: Path, load_input) -> None:
    # 项目 is a built-in alias of 项目名称: the user gives it to 客户名称
    write_book("excel", tmp_path / "张三" / "客户.xlsx", {"客户档案": [
        ["客户编号", "项目", "客户经理", "销售阶段"], ["KA-1", "华东电力", "张三", "提案"]]})
    loaded = load_input(tmp_path, aliases={"customer": {"客户名称": ["项目"]}})
    (a,) = loaded.dataset.accounts
    assert a.name == "华东电力" and a.projects[0].name == ""
    loaded = load_input(tmp_path)  # without it, 项目 is the project and the name is missing
    assert one(loaded, "column-missing").message.startswith("工作表像客户档案表，但缺少必填列“客户名称”")


def test_an_empty_list_takes_the_built_in_aliases_away(tmp_path: Path, load_input) -> None:
    write_book("excel", tmp_path / "张三" / "客户.xlsx", {"客户档案": [
        ["客户编号", "客户名称", "项目", "客户经理"], ["KA-1", "华东电力", "配电改造", "张三"]]})
    (a,) = load_input(tmp_path).dataset.accounts
    assert a.projects[0].name == "配电改造"
    (a,) = load_input(tmp_path, aliases={"customer": {"项目名称": []}}).dataset.accounts
    assert a.projects[0].name == "" and ("项目", "配电改造") in a.extra


def test_one_source_column_feeds_several(tmp_path: Path, load_input) -> None:
    write_book("excel", tmp_path / "crm" / "export.xlsx", {"Opportunities": [
        ["AccountId", "Owner", "Stage", "Amount"], ["0015g00000ABC", "张三", "5 Closed Won", 12]]})
    loaded = load_input(tmp_path, aliases={"customer": {
        "客户编号": ["AccountId"], "客户名称": ["AccountId"], "客户经理": ["Owner"], "销售阶段": ["Stage"],
        "预计金额(万元)": ["Amount"]}})
    (a,) = loaded.dataset.accounts
    assert (a.id, a.name, a.rep, a.projects[0].stage, a.projects[0].value) == (
        "0015g00000ABC", "0015g00000ABC", "张三", "赢单", 12)


@pytest.mark.parametrize(("aliases", "words"), [
    ({"customer": {"客户名": ["公司"]}}, ["aliases.customer.客户名", "客户档案表没有“客户名”这一列"]),
    ({"followup": {"日期": ["客户名称"]}}, ["aliases.followup.日期", "“客户名称”是另一列“客户名称”的标准列名"]),
    ({"customer": {"客户经理": ["客户名称"]}}, ["aliases.customer.客户经理", "同时被“客户经理”和“客户名称”认领"]),
    ({"custmer": {"客户名称": ["公司"]}}, ["“custmer”无效"]),
    ({"competition": {"品牌": ["Brand"], "服务分": ["Service"]}}, ["aliases.competition.服务分"]),
])
def test_alias_mistakes_are_configuration_errors(tmp_path: Path, aliases: dict, words: list[str]) -> None:
    with pytest.raises(ConfigError) as exc:
        config_from_dict({"aliases": aliases}, tmp_path)
    for w in words:
        assert w in str(exc.value)


def test_alias_mistake_exits_2_from_the_command_line(tmp_path: Path, capsys) -> None:
    (tmp_path / "input").mkdir()
    (tmp_path / "sitegen.yaml").write_text("aliases:\n  customer:\n    客户名: [公司]\n", encoding="utf-8")
    assert main(["check", str(tmp_path / "input"), "--config", str(tmp_path / "sitegen.yaml")]) == 2
    assert "aliases.customer.客户名" in capsys.readouterr().err


def test_score_dimensions_and_english_names_are_known(tmp_path: Path) -> None:
    cfg = config_from_dict({"aliases": {"competition": {"品牌": ["Brand"], "threat": ["Risk"]},
                                        "customer": {"Account name": ["Company"]}}}, tmp_path)
    assert cfg.aliases["competition"]["品牌"] == ["Brand"]


def test_messages_list_the_aliases_in_force_in_the_configured_language(tmp_path: Path, load_input) -> None:
    write_book("excel", tmp_path / "张三" / "客户.xlsx", {"客户档案": [
        ["客户名称", "客户经理", "销售阶段"], ["华东电力", "张三", "提案"]]})
    loaded = load_input(tmp_path, language="en", aliases={"customer": {"客户编号": ["AccountId", "CRM 编号"]}})
    i = one(loaded, "column-missing")
    assert "The sheet looks like a Customer file but the required column “Account ID” is missing" in i.message
    assert "found: Account name, Rep, Stage" in i.message
    accepted = i.message.split("Accepted names: ")[1]
    assert accepted.startswith("Account ID, 客户编号, AccountId, CRM 编号, 客户代码")  # the user's first


def test_a_sheet_that_looks_like_a_form_says_what_it_lacks_without_verbose(tmp_path: Path, load_input) -> None:
    write_book("excel", tmp_path / "张三" / "杂项.xlsx", {"Sheet1": [
        ["序号", "日期", "客户编号"], [1, "2026-11-02", "KA-1"]]})
    loaded = load_input(tmp_path)
    i = one(loaded, "sheet-near-miss-few")
    assert i.severity is Severity.WARNING and i.sheet == "Sheet1"
    assert "工作表像客户跟进表，但只识别出 2 个标准列（日期、客户编号）" in i.message
    assert not issues(loaded, "file-no-forms")  # one warning says it all


def test_near_miss_names_the_missing_required_column(tmp_path: Path, load_input) -> None:
    write_book("excel", tmp_path / "张三" / "人.xlsx", {"Sheet1": [["姓名", "部门"], ["王主任", "信息中心"]]})
    i = one(load_input(tmp_path), "sheet-near-miss")
    assert "工作表像大客户关键人决策影响力分析表，但缺少：客户编号（已识别：姓名、部门）" in i.message


def test_a_recognised_sheet_without_a_required_column_says_what_was_found(tmp_path: Path, load_input) -> None:
    write_book("excel", tmp_path / "张三" / "人.xlsx", {"Sheet1": [
        ["客户编号", "部门", "职务"], ["KA-1", "信息中心", "主任"]]})
    i = one(load_input(tmp_path), "column-missing")
    assert i.message.startswith("工作表像大客户关键人决策影响力分析表，但缺少必填列“姓名”（已识别：客户编号、部门、职务）")


def test_sitegen_columns_explains_every_sheet_in_workbook_order(tmp_path: Path, capsys) -> None:
    path = write_book("excel", tmp_path / "export.xlsx", {
        "Opportunities": [["AccountId", "Owner", "Stage", "Amount", "Region2"], ["A1", "张三", "Won", 1, "x"]],
        "说明": [["这是说明"]],
        "跟进": [["日期", "客户编号", "跟进方式"], ["2026-11-02", "A1", "拜访"]],
    })
    cfg = tmp_path / "sitegen.yaml"
    cfg.write_text("aliases:\n  customer:\n    客户编号: [AccountId]\n    客户名称: [AccountId]\n"
                   "    客户经理: [Owner]\n    销售阶段: [Stage]\n    预计金额(万元): [Amount]\n", encoding="utf-8")
    assert main(["columns", str(path), "--config", str(cfg)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "export.xlsx"
    assert out[1] == "[Opportunities] 客户档案表，表头在第 1 行"
    assert out[2] == "  A AccountId → 客户编号（标准列名）、客户名称（sitegen.yaml 中的别名）"
    assert out[3] == "  B Owner → 客户经理（sitegen.yaml 中的别名）"
    assert "  E Region2 → 额外列（显示在客户页面）" in out
    sheets = [line.split("]")[0] for line in out if line.startswith("[")]
    assert sheets == ["[Opportunities", "[说明", "[跟进"]
    assert any(line.startswith("[跟进] 客户跟进表") for line in out)


def test_sitegen_columns_in_english_and_on_an_unreadable_file(tmp_path: Path, capsys) -> None:
    path = write_book("excel", tmp_path / "c.xlsx", {"客户档案": [["客户名称", "项目", "客户经理"], ["甲", "P", "张三"]]})
    cfg = tmp_path / "sitegen.yaml"
    cfg.write_text("language: en\n", encoding="utf-8")
    assert main(["columns", str(path), "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "  B 项目 → Project (built-in alias)" in out and "! required but missing: Account ID" in out
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"nothing")
    assert main(["columns", str(bad), "--config", str(cfg)]) == 1
    assert "bad.xlsx: cannot be read" in capsys.readouterr().out


def test_alias_mistakes_follow_language(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        config_from_dict({"language": "en", "aliases": {"customer": {"Acount": ["Company"]}}}, tmp_path)
    assert str(exc.value).startswith("sitegen.yaml: “aliases.customer.Acount”: Customer file has no column “Acount”")
