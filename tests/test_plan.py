"""The one-page account plan (issue 18): who serves the deal, the seed-002 matrix, red flags, next actions."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from sitegen.config import Config
from sitegen.measures.dealplan import UNASSESSED, plan, quadrant
from sitegen.model import Account, CompetitionRow, FollowUp, KeyPerson, Project

CFG = Config(root=Path("."))
AS_OF = date(2026, 11, 20)


def ago(n: int) -> date:
    return AS_OF - timedelta(days=n)


def kp(name: str, relationship: int | None = 3, attitude: str = "接受", influence: int | None = 3,
       roles: tuple[str, ...] = (), projects: tuple[str, ...] = (), org_need: str = "") -> KeyPerson:
    return KeyPerson("A", name, roles=roles, influence=influence, attitude=attitude, relationship=relationship,
                     projects=projects, org_need=org_need)


def project(name: str = "园区", **kw: object) -> Project:
    base: dict[str, object] = dict(account_id="A", name=name, stage="提案", value=100.0, probability=None,
                                   expected_close=date(2027, 1, 1), budget=True, decision_maker=True, need=True)
    base.update(kw)
    return Project(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize("relationship, attitude, expected", [
    (3, "接受", "伙伴"), (5, "接受", "伙伴"), (4, "怀疑", "朋友"), (3, "抵触", "朋友"),
    (2, "接受", "对手"), (1, "恶意拆台", "陌路人"), (2, "冷淡", "陌路人"), (None, "接受", UNASSESSED), (3, "", UNASSESSED),
])
def test_matrix_relationship_against_attitude(relationship: int | None, attitude: str, expected: str) -> None:
    assert quadrant(kp("x", relationship, attitude), CFG) == expected


def test_only_the_persons_serving_the_project_are_its_buying_influences() -> None:
    a = Account("A", "客户", "张三", "T", projects=(project("园区"), project("机房")))
    persons = [kp("王总", influence=5, roles=("决策者",)), kp("刘工", influence=4, projects=("机房",)),
               kp("赵经理", influence=3, projects=("园区", "机房"), org_need="降低能耗")]
    p1 = plan(a, a.projects[0], persons, (), (), CFG, AS_OF)
    assert [i.person.name for i in p1.influences] == ["王总", "赵经理"]
    assert p1.org_needs == ("降低能耗",)
    p2 = plan(a, a.projects[1], persons, (), (), CFG, AS_OF)
    assert [i.person.name for i in p2.influences] == ["王总", "刘工", "赵经理"]  # most influential first
    assert dict(p2.matrix)["伙伴"] == ("王总", "刘工", "赵经理")


def test_red_flags_from_coverage_contacts_close_date_and_man() -> None:
    p = project(expected_close=ago(1), budget=False, need=None)
    a = Account("A", "客户", "张三", "T", projects=(p,))
    persons = [kp("王总", roles=("决策者",), influence=5), kp("陈总", attitude="抵触", influence=5, relationship=1)]
    fus = [FollowUp(ago(70), "A", "张三", contact="王总")]
    got = plan(a, p, persons, (), fus, CFG, AS_OF)
    assert got.flags == ("no_trusted_insider", "high_influence_opponents", "contact_dm_stale", "contact_influencer_never_met",
                         "contact_opponent_stale", "plan_close_passed", "plan_no_budget")
    assert got.dm_not_met == ("王总",)
    clean = plan(a, project(), [kp("王总", roles=("决策者", "内线"), relationship=4)],
                 (), [FollowUp(ago(3), "A", "张三", contact="王总")], CFG, AS_OF)
    assert clean.flags == ()


def test_competitors_and_us() -> None:
    a = Account("A", "客户", "张三", "T", projects=(project(),))
    comp = [CompetitionRow("A", "海康", False, strengths="品牌"), CompetitionRow("A", "我方", True, strengths="服务"),
            CompetitionRow("A", "大华", False)]
    got = plan(a, a.projects[0], (), comp, (), CFG, AS_OF)
    assert got.us is not None and got.us.strengths == "服务"
    assert [r.party for r in got.competitors] == ["海康", "大华"]


def test_next_actions_of_this_project_newest_first_and_the_overdue_one() -> None:
    a = Account("A", "客户", "张三", "T", projects=(project("园区"), project("机房")))
    fus = [FollowUp(ago(20), "A", "张三", next_action="报方案", next_date=ago(15)),
           FollowUp(ago(10), "A", "张三", next_action="机房测试", project="机房"),
           FollowUp(ago(5), "A", "张三", next_action="约王总", next_date=ago(1), project="园区"),
           FollowUp(AS_OF + timedelta(days=2), "A", "张三", next_action="未来的记录")]
    got = plan(a, a.projects[0], (), (), fus, CFG, AS_OF)
    assert [(n.action, n.overdue) for n in got.next_actions] == [("约王总", True), ("报方案", False)]
