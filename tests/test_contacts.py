"""Contact coverage (issue 18): a key person's last contact from the follow-ups' 接触人, and the account flags."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sitegen.measures.contacts import contact_coverage, named, names_in
from sitegen.model import FollowUp, KeyPerson

AS_OF = date(2026, 11, 20)


def kp(name: str, roles: tuple[str, ...] = (), influence: int | None = None, attitude: str = "", dept: str = "",
       typed: date | None = None) -> KeyPerson:
    return KeyPerson("A", name, dept=dept, roles=roles, influence=influence, attitude=attitude, last_contact=typed)


def fu(d: date, contact: str) -> FollowUp:
    return FollowUp(d, "A", "张三", contact=contact)


def ago(n: int) -> date:
    return AS_OF - timedelta(days=n)


@pytest.mark.parametrize("cell, expected", [
    ("李建国", ("李建国",)),
    ("李建国、王芳", ("李建国", "王芳")),
    ("李建国，王芳,赵六", ("李建国", "王芳", "赵六")),
    ("李建国/王芳 赵六", ("李建国", "王芳", "赵六")),
    ("李建国　王芳", ("李建国", "王芳")),  # full-width space
    (" 李建国 、 李建国 ", ("李建国",)),
    ("", ()),
])
def test_a_contact_cell_may_name_several_people(cell: str, expected: tuple[str, ...]) -> None:
    assert names_in(cell) == expected


def test_only_key_persons_of_the_account_are_matched() -> None:
    known = {"李建国", "王芳", "Li Jianguo"}
    assert named("李建国、陌生人", known) == ("李建国",)
    assert named("Li Jianguo", known) == ("Li Jianguo",)  # the whole cell is a name with a space
    assert named("陌生人", known) == ()
    assert named("  ", known) == ()


def test_last_contact_is_the_latest_follow_up_naming_the_person_or_the_typed_date_if_later() -> None:
    persons = [kp("王总", typed=ago(40)), kp("刘工", typed=ago(2)), kp("赵经理")]
    fus = [fu(ago(30), "王总、刘工"), fu(ago(10), "王总"), fu(ago(50), "刘工"), fu(ago(5), "别人")]
    cc = contact_coverage(persons, fus, AS_OF)
    wang, liu, zhao = cc.persons
    assert (wang.last_contact, wang.met, wang.from_followups, wang.days_since) == (ago(10), ago(10), True, 10)
    assert (liu.last_contact, liu.met, liu.from_followups) == (ago(2), ago(30), False)
    assert (zhao.last_contact, zhao.days_since, zhao.recent) == (None, None, 0)
    assert (wang.recent, liu.recent) == (2, 2)


def test_follow_ups_after_the_as_of_date_and_typed_future_dates_are_not_contacts() -> None:
    cc = contact_coverage([kp("王总", typed=AS_OF + timedelta(days=3))], [fu(AS_OF + timedelta(days=1), "王总")], AS_OF)
    assert cc.persons[0].last_contact is None


def test_contacts_in_the_window_count_follow_ups_not_days() -> None:
    fus = [fu(ago(0), "王总"), fu(ago(0), "王总"), fu(ago(89), "王总"), fu(ago(90), "王总"), fu(ago(91), "王总")]
    assert contact_coverage([kp("王总")], fus, AS_OF).persons[0].recent == 4
    assert contact_coverage([kp("王总")], fus, AS_OF, window_days=30).persons[0].recent == 2


def test_decision_maker_not_met_in_60_days() -> None:
    dm = ("决策者",)
    assert contact_coverage([kp("王总", dm)], [fu(ago(61), "王总")], AS_OF).flags == ("contact_dm_stale",)
    assert contact_coverage([kp("王总", dm)], [fu(ago(60), "王总")], AS_OF).flags == ()
    # one of two decision makers met recently is enough
    two = [kp("王总", dm), kp("李总", ("决策者", "推荐者"))]
    assert contact_coverage(two, [fu(ago(100), "王总"), fu(ago(3), "李总")], AS_OF).dm_not_met == ()
    assert contact_coverage(two, [fu(ago(100), "王总")], AS_OF).dm_not_met == ("王总", "李总")
    # no decision maker identified is another flag (coverage.no_decision_maker), not this one
    assert contact_coverage([kp("刘工", ("推荐者",))], [], AS_OF).dm_not_met == ()


def test_influential_person_never_met() -> None:
    persons = [kp("王总", influence=5), kp("刘工", influence=4), kp("孙主管", influence=3), kp("钱", influence=None)]
    cc = contact_coverage(persons, [fu(ago(200), "王总")], AS_OF)
    assert cc.never_met == ("刘工",)
    assert "contact_influencer_never_met" in cc.flags


@pytest.mark.parametrize("attitude, influence, met, flagged", [
    ("抵触", 4, 31, True), ("抵触", 4, 30, False), ("恶意拆台", 5, None, True), ("抵触", 3, None, False),
    ("冷淡", 5, 100, False), ("接受", 5, 100, False),
])
def test_influential_opponent_not_met_in_30_days(attitude: str, influence: int, met: int | None,
                                                 flagged: bool) -> None:
    fus = [fu(ago(met), "赵经理")] if met is not None else []
    cc = contact_coverage([kp("赵经理", influence=influence, attitude=attitude)], fus, AS_OF)
    assert ("contact_opponent_stale" in cc.flags) is flagged
    assert cc.opponents_not_met == (("赵经理",) if flagged else ())


def test_departments_reached_in_the_window() -> None:
    persons = [kp("王总", dept="总经办"), kp("刘工", dept="信息中心"), kp("小刘", dept="信息中心"), kp("赵", dept="采购部"),
               kp("无部门")]
    cc = contact_coverage(persons, [fu(ago(5), "小刘"), fu(ago(100), "赵"), fu(ago(1), "无部门")], AS_OF)
    assert cc.departments == ("总经办", "信息中心", "采购部")
    assert cc.departments_reached == ("信息中心",)
    assert cc.departments_missing == ("总经办", "采购部")


def test_an_account_without_key_persons_has_no_flags() -> None:
    cc = contact_coverage([], [fu(ago(1), "王总")], AS_OF)
    assert (cc.persons, cc.flags, cc.departments) == ((), (), ())
