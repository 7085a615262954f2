"""Care after the sale and the resource-support board (issue 18): which accounts and requests are listed."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from make_fixtures import Sheet, write

from sitegen.config import Config
from sitegen.measures.care import needs_care, resource_requests
from sitegen.model import Account, Project

CFG = Config(root=Path("."))
AS_OF = date(2026, 11, 20)


def ago(n: int) -> date:
    return AS_OF - timedelta(days=n)


def proj(stage: str, value: float = 100, close: date | None = None, needs: str = "", name: str = "") -> Project:
    return Project("A", name, stage, value, None, close, None, None, None, resource_needs=needs)


def acct(*projects: Project, aid: str = "A", rep: str = "张三") -> Account:
    return Account(aid, f"客户{aid}", rep, "T", projects=projects)


def test_won_accounts_not_contacted_for_care_days_need_care() -> None:
    won = acct(proj("赢单", 300), proj("工程实施", 50), proj("丢单", 20))
    c = needs_care(won, ago(91), CFG, AS_OF)
    assert c is not None and (c.days, c.won_value) == (91, 350)
    assert needs_care(won, ago(90), CFG, AS_OF) is None
    assert needs_care(won, None, CFG, AS_OF) is not None  # never contacted
    assert needs_care(acct(proj("赢单"), proj("提案")), ago(200), CFG, AS_OF) is None  # still selling: not care
    assert needs_care(acct(proj("丢单")), ago(200), CFG, AS_OF) is None
    assert needs_care(won, ago(31), Config(root=Path("."), care_days=30), AS_OF) is not None


def test_resource_requests_of_open_projects_flag_the_late_ones() -> None:
    accounts = [
        acct(proj("提案", close=AS_OF + timedelta(days=90), needs="售前工程师两名", name="早"),
             proj("招投标", close=AS_OF + timedelta(days=90), needs="投标资质", name="阶段晚"),
             proj("立项", close=AS_OF + timedelta(days=30), needs="样机", name="临近"),
             proj("提案", needs="  ", name="空"), proj("赢单", needs="实施团队", name="已赢")),
        acct(proj("商务谈判", close=AS_OF + timedelta(days=5), needs="价格支持"), aid="B", rep="李四"),
    ]
    got = resource_requests(accounts, CFG, AS_OF)
    assert [(r.account.rep, r.project.name, r.reasons) for r in got] == [
        ("张三", "阶段晚", ("stage",)), ("张三", "早", ()), ("张三", "临近", ("closing",)),
        ("李四", "", ("stage", "closing"))]
    assert [r.late for r in got] == [True, False, True, True]


def week(as_of: date, needs: str | None, name: str = "") -> dict[str, object]:
    projects = [{"name": name, "stage": "提案", **({"resource_needs": needs} if needs is not None else {})}]
    return {"as_of": as_of.isoformat(), "accounts": [{"id": "A", "projects": projects}]}


def test_a_request_stands_since_the_first_week_of_its_unbroken_run_in_history() -> None:
    p = proj("提案", needs="样机", close=AS_OF + timedelta(days=90))
    history = [week(ago(28), "样机"), week(ago(21), "别的"), week(ago(14), "样机"), week(ago(7), "样机"),
               week(AS_OF, "样机")]
    [r] = resource_requests([acct(p)], CFG, AS_OF, history)
    assert (r.since, r.days_standing, r.since_typed) == (ago(14), 14, False)
    # a week recorded before the column was kept (no "resource_needs") ends the run
    [r] = resource_requests([acct(p)], CFG, AS_OF, [week(ago(7), None), week(AS_OF, "样机")])
    assert (r.since, r.days_standing) == (AS_OF, 0)
    [r] = resource_requests([acct(p)], CFG, AS_OF)  # no history at all: unknown
    assert r.since is None and r.days_standing is None


def test_a_typed_request_date_wins_over_history() -> None:
    p = Project("A", "", "提案", 10, None, None, None, None, None, resource_needs="样机", request_date=ago(40),
                request_status="待审批")
    [r] = resource_requests([acct(p)], CFG, AS_OF, [week(ago(7), "样机"), week(AS_OF, "样机")])
    assert (r.since, r.days_standing, r.since_typed) == (ago(40), 40, True)


def test_request_date_and_status_columns_are_read(tmp_path: Path, load_input) -> None:
    write(tmp_path / "张三" / "客户.xlsx", [Sheet("客户档案", [
        ["客户编号", "客户名称", "客户经理", "销售阶段", "资源支持需求", "申请日期", "处理状态"],
        ["KA-1", "客户", "张三", "提案", "申请样机", date(2026, 11, 2), "待审批"]])])
    [a] = load_input(tmp_path).dataset.accounts
    assert (a.projects[0].request_date, a.projects[0].request_status) == (date(2026, 11, 2), "待审批")
