"""The measures of issue 3 §3 on small, hand-made datasets, and on the fixture department."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sitefixture import AS_OF, make_project

from sitegen.config import Config, load_config
from sitegen.load import load
from sitegen.measures import compute
from sitegen.measures.activity import last_contact, overdue, rep_activity, stale, weekly_target
from sitegen.measures.common import index, probability, status, weighted
from sitegen.measures.coverage import coverage, support
from sitegen.measures.pipeline import by_stage, forecast, funnel, pareto, win_loss
from sitegen.model import Account, CompetitionRow, Dataset, FollowUp, KeyPerson, Project, Rep, Target

CFG = Config(root=Path("."))
D = date


def proj(stage: str, value: float | None = 100, probability: float | None = None, close: date | None = None,
         reason: str = "", aid: str = "A") -> Project:
    return Project(aid, "", stage, value, probability, close, None, None, None, win_loss_reason=reason)


def acct(aid: str, *projects: Project, category: str = "", rep: str = "张三", team: str = "T") -> Account:
    return Account(aid, f"客户{aid}", rep, team, category=category, projects=projects)


def fu(d: date, aid: str = "A", rep: str = "张三", nxt: str = "", nd: date | None = None,
       effective: bool | None = None) -> FollowUp:
    return FollowUp(d, aid, rep, next_action=nxt, next_date=nd, effective=effective)


# ---- definitions


def test_status_of_stages() -> None:
    assert [status(proj(s), CFG) for s in ("客户开发", "商务谈判", "工程实施", "赢单", "丢单", "暂停", "", "乱写")] == [
        "open", "open", "won", "won", "lost", "other", "other", "other"]


def test_weighted_uses_row_probability_else_stage_default() -> None:
    assert probability(proj("提案"), CFG) == 0.4
    assert weighted(proj("提案", 200), CFG) == pytest.approx(80)
    assert weighted(proj("提案", 200, probability=0.25), CFG) == pytest.approx(50)
    assert weighted(proj("提案", None), CFG) == 0
    assert weighted(proj("乱写", 100), CFG) == 0


def test_pipeline_by_stage_lists_every_open_stage_in_order() -> None:
    rows = by_stage([proj("提案", 100), proj("提案", 50, 0.5), proj("商务谈判", 10)], CFG)
    assert [r.stage for r in rows] == ["客户开发", "立项", "提案", "招投标", "商务谈判"]
    p = {r.stage: r for r in rows}
    assert (p["提案"].projects, p["提案"].value, p["提案"].weighted) == (2, 150, 65)
    assert p["客户开发"].projects == 0


def test_forecast_by_close_month_with_undated_last() -> None:
    rows = forecast([proj("提案", 100, close=D(2027, 1, 31)), proj("立项", 10), proj("提案", 50, close=D(2026, 12, 1)),
                     proj("提案", 50, close=D(2027, 1, 2))], CFG)
    assert [(r.month, r.projects, r.value) for r in rows] == [("2026-12", 1, 50), ("2027-01", 2, 150), ("", 1, 10)]
    assert rows[1].weighted == pytest.approx(60)


def test_funnel_counts_projects_reaching_each_stage() -> None:
    steps = funnel([proj("客户开发"), proj("提案"), proj("提案"), proj("赢单"), proj("工程实施"), proj("丢单")], CFG)
    assert [(s.stage, s.current, s.reached) for s in steps] == [
        ("客户开发", 1, 5), ("立项", 0, 4), ("提案", 2, 4), ("招投标", 0, 2), ("商务谈判", 0, 2), ("won", 2, 2)]
    assert steps[0].conversion == pytest.approx(0.8)
    assert steps[-1].conversion is None


def test_win_loss_counts_projects_and_ranks_reasons() -> None:
    wl = win_loss([proj("赢单", 10, reason="关系"), proj("工程实施", 5), proj("丢单", 3, reason="价格"),
                   proj("丢单", 4, reason="价格"), proj("丢单", 1, reason="决策人未接触"), proj("提案")], CFG)
    assert (wl.won, wl.lost, wl.won_value, wl.lost_value) == (2, 3, 15, 8)
    assert wl.win_rate == pytest.approx(0.4)
    assert wl.reasons[0] == ("价格", 0, 2)


def test_pareto_top_twenty_percent_share() -> None:
    accounts = [acct(f"A{i}", proj("提案", v)) for i, v in enumerate([80, 5, 5, 5, 5, 0, 0, 0, 0, 0])]
    accounts.append(acct("L", proj("丢单", 1000)))  # lost value does not count
    p = pareto(accounts, CFG)
    assert (p.accounts, p.top) == (5, 1)
    assert p.top_share == pytest.approx(0.8)
    assert p.curve[0] == (0.0, 0.0) and p.curve[-1] == (1.0, 1.0)
    assert pareto([], CFG).top_share is None


# ---- activity


def test_last_contact_ignores_dates_after_as_of() -> None:
    assert last_contact([fu(D(2026, 11, 1)), fu(D(2026, 12, 1))], AS_OF) == D(2026, 11, 1)
    assert last_contact([], AS_OF) is None


def test_stale_thresholds_strict_categories_and_never_contacted() -> None:
    open_a = acct("A", proj("提案"))
    strategic = acct("A", proj("提案"), category="战略客户")
    closed = acct("A", proj("赢单"))
    # 20 days: stale only under the strict threshold (14)
    fus = [fu(D(2026, 10, 31))]
    assert stale(open_a, fus, CFG, AS_OF) is None
    s = stale(strategic, fus, CFG, AS_OF)
    assert s is not None and (s.days, s.threshold) == (20, 14)
    # exactly the threshold is not stale; one more day is
    assert stale(open_a, [fu(D(2026, 10, 21))], CFG, AS_OF) is None
    assert stale(open_a, [fu(D(2026, 10, 20))], CFG, AS_OF) is not None
    never = stale(open_a, [], CFG, AS_OF)
    assert never is not None and never.last_contact is None
    assert stale(closed, [], CFG, AS_OF) is None


def test_overdue_only_from_the_latest_contact() -> None:
    a = acct("A", proj("提案"))
    # an older contact's action is superseded by the later contact
    assert overdue(a, [fu(D(2026, 11, 1), nxt="报价", nd=D(2026, 11, 5)), fu(D(2026, 11, 10))], AS_OF) is None
    o = overdue(a, [fu(D(2026, 11, 1)), fu(D(2026, 11, 10), nxt="报价", nd=D(2026, 11, 15))], AS_OF)
    assert o is not None and (o.due, o.action, o.days) == (D(2026, 11, 15), "报价", 5)
    # due on the as-of date is not overdue yet
    assert overdue(a, [fu(D(2026, 11, 10), nxt="报价", nd=AS_OF)], AS_OF) is None


def test_weekly_target_from_monthly_visit_target_else_config() -> None:
    targets = {("张三", "2026-11"): Target("张三", "2026-11", visit_target=30)}
    assert weekly_target("张三", D(2026, 11, 16), targets, CFG) == 7
    assert weekly_target("李四", D(2026, 11, 16), targets, CFG) == CFG.weekly_contact_target
    # a week belongs to the month of its Thursday: Mon 2026-10-26 -> Thu 10-29 (October)
    assert weekly_target("张三", D(2026, 10, 26), targets, CFG) == CFG.weekly_contact_target


def test_weekly_targets_are_whole_visits_that_add_up_to_the_month() -> None:
    # November 2026 has four Thursdays (5, 12, 19, 26); December 2026 has five (3 ... 31)
    for month, mondays, visit in (("2026-11", [D(2026, 11, d) for d in (2, 9, 16, 23)], 30),
                                  ("2026-12", [D(2026, 11, 30)] + [D(2026, 12, d) for d in (7, 14, 21, 28)], 23),
                                  ("2026-12", [D(2026, 11, 30)] + [D(2026, 12, d) for d in (7, 14, 21, 28)], 3)):
        targets = {("张三", month): Target("张三", month, visit_target=visit)}
        weeks = [weekly_target("张三", m, targets, CFG) for m in mondays]
        assert all(isinstance(w, int) for w in weeks)
        assert sum(weeks) == visit and max(weeks) - min(weeks) <= 1 and weeks == sorted(weeks, reverse=True)
    # Monday 2026-11-30's Thursday is 12-03: the week is December's
    assert weekly_target("张三", D(2026, 11, 30), {("张三", "2026-12"): Target("张三", "2026-12", visit_target=23)},
                         CFG) == 5


def test_overdue_actions_only_on_open_or_implementing_accounts() -> None:
    late = fu(D(2026, 11, 10), nxt="报价", nd=D(2026, 11, 15))
    ds = Dataset(accounts=tuple(acct(aid, *(proj(s, aid=aid) for s in stages)) for aid, stages in (
        ("OPEN", ("提案",)), ("IMPL", ("工程实施",)), ("WON", ("赢单",)), ("LOST", ("丢单",)), ("HOLD", ("暂停",)),
        ("MIX", ("丢单", "商务谈判")), ("DONE", ("赢单", "丢单", "暂停")))),
        reps=(Rep("张三", "T"),),
        followups=tuple(FollowUp(late.date, aid, "张三", next_action="报价", next_date=late.next_date)
                        for aid in ("OPEN", "IMPL", "WON", "LOST", "HOLD", "MIX", "DONE")))
    m = compute(ds, (), CFG, AS_OF)
    assert sorted(o.account for o in m.department.overdue) == ["IMPL", "MIX", "OPEN"]
    assert m.facts["LOST"].overdue is None and m.facts["DONE"].overdue is None


def test_rep_activity_counts_contacts_and_effective_per_week() -> None:
    ds = Dataset(accounts=(acct("A", proj("提案")),), reps=(Rep("张三", "T"),), followups=(
        fu(D(2026, 11, 16), effective=True), fu(D(2026, 11, 20)), fu(D(2026, 11, 21)), fu(D(2026, 11, 9), effective=True)))
    acts = rep_activity(["张三"], index(ds), ds.targets, CFG, AS_OF, n_weeks=3)
    assert [(w.monday, w.contacts, w.effective) for w in acts[0].weeks] == [
        (D(2026, 11, 2), 0, 0), (D(2026, 11, 9), 1, 1), (D(2026, 11, 16), 2, 1)]


# ---- coverage


def kp(name: str, roles: tuple[str, ...] = (), influence: int | None = 3, attitude: str = "", rel: int | None = None
       ) -> KeyPerson:
    return KeyPerson("A", name, roles=roles, influence=influence, attitude=attitude, relationship=rel)


def test_weighted_support() -> None:
    persons = [kp("甲", influence=5, attitude="接受"), kp("乙", influence=3, attitude="抵触"), kp("丙", influence=None,
                                                                                           attitude="接受")]
    assert support(persons, CFG) == pytest.approx((5 * 2 + 3 * -2) / 8, abs=0.01)
    assert support([kp("甲")], CFG) is None


def test_coverage_flags() -> None:
    assert coverage([], CFG).flags == ("no_decision_maker", "no_trusted_insider")
    c = coverage([kp("甲", ("决策者",), 5, "怀疑"), kp("乙", ("内线",), 2, "接受", rel=4), kp("丙", (), 4, "恶意拆台")], CFG)
    assert c.decision_makers == ("甲",)
    assert c.flags == ("decision_maker_not_supportive", "high_influence_opponents")
    assert c.opponents == ("丙",)
    ok = coverage([kp("甲", ("决策者",), 5, "接受"), kp("乙", ("内线", "推荐者"), 2, "接受", rel=5)], CFG)
    assert ok.flags == ()
    assert coverage([kp("乙", ("内线",), 2, "接受", rel=3)], CFG).trusted_insider is False


# ---- competition and the whole department


def test_competitors_count_open_deals_and_compare_scores() -> None:
    ds = Dataset(
        accounts=(acct("A", proj("提案", 100)), acct("B", proj("丢单", 50)), acct("C", proj("立项", 30))),
        competition=(
            CompetitionRow("A", "我方", True, scores=(("品牌", 3),)),
            CompetitionRow("A", "海康", False, scores=(("品牌", 5),), threat="高"),
            CompetitionRow("B", "海康", False, threat="中"),
            CompetitionRow("C", "大华", False, scores=(("品牌", 2),)),
        ), reps=(Rep("张三", "T"),))
    m = compute(ds, (), CFG, AS_OF)
    comps = {c.name: c for c in m.department.competitors}
    assert [c.name for c in m.department.competitors] == ["海康", "大华"]
    h = comps["海康"]
    assert (h.accounts, h.open_accounts, h.value) == (("A", "B"), ("A",), 100)
    assert dict(h.threats) == {"高": 1, "中": 1}
    assert h.scores[0] == ("品牌", 5.0, 3.0)


@pytest.fixture(scope="module")
def department(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("dept")
    config = load_config(make_project(root))
    loaded = load(config, AS_OF)
    return compute(loaded.dataset, loaded.report.issues, config, AS_OF)


def test_fixture_department_figures(department) -> None:
    d = department.department
    assert (d.counts.accounts, d.counts.open_accounts, d.counts.projects, d.counts.open_projects) == (7, 5, 8, 6)
    assert d.open_value == 1230 and d.weighted_value == 576
    assert [s.account for s in d.stale] == ["KA-101", "KA-002"]
    assert [(o.account, o.due.isoformat()) for o in d.overdue] == [
        ("KA-101", "2026-10-15"), ("KA-103", "2026-11-18"), ("KA-003", "2026-11-19")]
    assert d.no_decision_maker == ("KA-002", "KA-003")
    assert (d.win_loss.won, d.win_loss.lost) == (1, 1)
    assert [t.name for t in department.teams] == ["华东团队", "华北团队"]
    assert [r.name for r in department.reps] == ["张三", "李四"]
    # scopes partition the department
    assert sum(t.counts.accounts for t in department.teams) == d.counts.accounts
    assert sum(r.open_value for r in department.reps) == pytest.approx(d.open_value)
    # this week's contacts against the targets of the 销售目标表
    zhang = {r.name: r for r in department.reps}["张三"]
    assert (zhang.contacts_week, zhang.effective_week, zhang.target_week) == (3, 2, 3)  # 12 visits over 4 weeks
