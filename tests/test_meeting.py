"""Issue 17 on small hand-made datasets: targets and attainment, deal-inspection flags, the forecast by
category, and the JSON contract (data/reps.json, data/targets.json, project `flags` in data/accounts.json).
Every expected figure below is worked out by hand from the rows written in the test."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sitegen.config import Config, ConfigError, config_from_dict
from sitegen.measures import compute
from sitegen.measures.inspection import decision_maker_met, names_in
from sitegen.meeting import Meeting, by_category, category
from sitegen.model import Account, Dataset, FollowUp, KeyPerson, Project, Rep, Target
from sitegen.render import data

CFG = Config(root=Path("."))
AS_OF = date(2026, 11, 20)
D = date


def proj(aid: str, name: str, stage: str, value: float | None = 100, close: date | None = None,
         man: tuple[bool | None, bool | None, bool | None] = (True, True, True),
         probability: float | None = None) -> Project:
    return Project(aid, name, stage, value, probability, close, *man)


def acct(aid: str, rep: str, *projects: Project, team: str = "") -> Account:
    return Account(aid, f"客户{aid}", rep, team, projects=projects)


def week(as_of: date, *projects: tuple[str, str, str, float | None, str | None]) -> dict[str, Any]:
    """A history snapshot holding (account, project, stage, value, close) rows."""
    accounts: dict[str, dict[str, Any]] = {}
    for aid, name, stage, value, close in projects:
        accounts.setdefault(aid, {"id": aid, "projects": []})["projects"].append(
            {"name": name, "stage": stage, "value": value, "probability": None, "expected_close": close})
    return {"as_of": as_of.isoformat(), "week": "", "accounts": list(accounts.values())}


def meeting_of(ds: Dataset, history: list[dict[str, Any]] | None = None, config: Config = CFG,
               as_of: date = AS_OF) -> tuple[Meeting, Any]:
    m = compute(ds, (), config, as_of)
    return Meeting(ds, m, config, history or []), m


# ---- targets and attainment


def targets_dataset() -> Dataset:
    zhang = acct("A", "张三",
                 proj("A", "won-nov", "赢单", 120, D(2026, 11, 5)),
                 proj("A", "impl-oct", "工程实施", 80, D(2026, 10, 10)),
                 proj("A", "won-jan", "赢单", 30, D(2026, 1, 15)),
                 proj("A", "won-last-year", "赢单", 999, D(2025, 12, 31)),
                 proj("A", "won-undated", "赢单", 40, None),
                 proj("A", "lost", "丢单", 500, D(2026, 11, 2)),
                 proj("A", "open-late-nov", "商务谈判", 100, D(2026, 11, 25)),  # weighted 80, closes in the rest
                 proj("A", "open-dec", "提案", 100, D(2026, 12, 5)),  # after the month: not in the cover
                 team="东区")
    li = acct("B", "李四", proj("B", "won", "赢单", 50, D(2026, 11, 1)), team="东区")
    wang = acct("C", "王五", proj("C", "won", "赢单", 10, D(2026, 11, 3)), team="西区")
    targets = (
        Target("张三", "2026-11", 20, 200.0), Target("张三", "2026-10", 10, 100.0), Target("张三", "2026-01", 5, 50.0),
        Target("李四", "2026-11", None, 100.0),
        # 王五 has no target at all
    )
    fus = (
        FollowUp(D(2026, 11, 2), "A", "张三"), FollowUp(D(2026, 11, 19), "A", "张三"),
        FollowUp(D(2026, 11, 20), "A", "张三"), FollowUp(D(2026, 11, 21), "A", "张三"),  # after as-of: not counted
        FollowUp(D(2026, 10, 30), "A", "张三"), FollowUp(D(2025, 12, 30), "A", "张三"),
        FollowUp(D(2026, 11, 3), "B", "李四"),
    )
    reps = (Rep("张三", "东区"), Rep("李四", "东区"), Rep("王五", "西区"))
    return Dataset(accounts=(zhang, li, wang), followups=fus, targets=targets, reps=reps)


def test_rep_month_qtd_ytd_by_hand() -> None:
    mt, m = meeting_of(targets_dataset())
    zhang = next(s for s in m.reps if s.name == "张三")
    at = mt.of(zhang).attainment
    month, qtd, ytd = at.period("month"), at.period("qtd"), at.period("ytd")
    # November: 120 won; the undated won project counts this week (no history) = November
    assert (month.target, month.signed) == (200.0, 160.0)
    assert month.attainment == pytest.approx(0.8)
    assert month.gap == 40.0
    assert month.open_weighted == 80.0  # 商务谈判 100 × 0.8, closing 11-25 (from as-of to the month's end)
    assert month.cover == pytest.approx(2.0)
    assert (month.visit_target, month.visits) == (20, 3)
    # Q4 to date: October and November
    assert qtd.months == ("2026-10", "2026-11")
    assert (qtd.target, qtd.signed, qtd.gap) == (300.0, 240.0, 60.0)
    assert qtd.cover == pytest.approx(80 / 60, abs=0.01)
    assert (qtd.visit_target, qtd.visits) == (30, 4)
    # the year to date: January too; last year's deal never
    assert (ytd.target, ytd.signed, ytd.gap) == (350.0, 270.0, 80.0)
    assert (ytd.visit_target, ytd.visits) == (35, 4)
    bars = {b.month: b for b in at.months}
    assert len(at.months) == 12 and bars["2026-01"].signed == 30 and bars["2026-12"].target is None


def test_team_and_department_sum_their_reps_and_missing_targets_stay_null() -> None:
    mt, m = meeting_of(targets_dataset())
    east = mt.of(next(s for s in m.teams if s.name == "东区")).attainment.period("month")
    assert (east.target, east.signed) == (300.0, 210.0)  # 200 + 100; 160 + 50
    assert east.attainment == pytest.approx(0.7)
    assert (east.visit_target, east.visits) == (20, 4)  # 李四 has no 拜访目标
    west = mt.of(next(s for s in m.teams if s.name == "西区")).attainment.period("month")
    assert (west.target, west.signed, west.attainment, west.gap, west.cover) == (None, 10.0, None, None, None)
    dept = mt.of(m.department).attainment.period("month")
    assert (dept.target, dept.signed) == (300.0, 220.0)


def test_over_target_has_no_cover() -> None:
    ds = Dataset(accounts=(acct("A", "张三", proj("A", "", "赢单", 300, D(2026, 11, 1))),),
                 targets=(Target("张三", "2026-11", None, 200.0),), reps=(Rep("张三", "T"),))
    mt, m = meeting_of(ds)
    p = mt.of(m.reps[0]).attainment.period("month")
    assert (p.gap, p.cover, p.attainment) == (-100.0, None, 1.5)


def test_undated_won_project_counts_in_the_week_history_first_saw_it_won() -> None:
    ds = Dataset(accounts=(acct("A", "张三", proj("A", "x", "赢单", 40, None)),),
                 targets=(Target("张三", "2026-10", None, 100.0), Target("张三", "2026-11", None, 100.0)),
                 reps=(Rep("张三", "T"),))
    history = [week(D(2026, 10, 23), ("A", "x", "商务谈判", 40, None)),
               week(D(2026, 10, 30), ("A", "x", "赢单", 40, None)),
               week(D(2026, 11, 6), ("A", "x", "赢单", 40, None))]
    mt, m = meeting_of(ds, history)
    at = mt.of(m.reps[0]).attainment
    assert at.period("month").signed == 0 and {b.month: b.signed for b in at.months}["2026-10"] == 40


# ---- deal inspection


def test_names_in_a_contact_cell() -> None:
    assert names_in("王总、李明，张三,赵四/钱五 孙六") == {"王总", "李明", "张三", "赵四", "钱五", "孙六"}
    assert names_in("  ") == set()


def test_decision_maker_met_by_followup_or_last_contact_date() -> None:
    dm = KeyPerson("A", "王总", roles=("决策者",))
    other = KeyPerson("A", "李工", roles=("使用者",))
    assert decision_maker_met([other], [], AS_OF) is None
    assert decision_maker_met([dm, other], [FollowUp(D(2026, 11, 1), "A", "张三", contact="李工")], AS_OF) is False
    assert decision_maker_met([dm], [FollowUp(D(2026, 11, 1), "A", "张三", contact="李工、王总")], AS_OF) is True
    # a contact dated after as-of is a typing mistake: not counted
    assert decision_maker_met([dm], [FollowUp(D(2026, 12, 1), "A", "张三", contact="王总")], AS_OF) is False
    assert decision_maker_met([KeyPerson("A", "王总", roles=("决策者",), last_contact=D(2026, 9, 1))], [],
                              AS_OF) is True


def flags_of(ds: Dataset, history: list[dict[str, Any]] | None = None, config: Config = CFG) -> dict[str, list[str]]:
    mt, _ = meeting_of(ds, history, config)
    return {f"{a}/{p}": list(d.codes) for (a, p), d in mt.deals.items()}


def test_current_data_flags_by_hand() -> None:
    y, n = True, False
    a = acct("A", "张三",
             proj("A", "passed", "立项", 100, D(2026, 11, 19), (n, n, n)),  # before 提案: MAN not checked
             proj("A", "due-today", "立项", 100, D(2026, 11, 20)),
             proj("A", "no-budget", "提案", 100, None, (n, y, y)),
             proj("A", "blank-at-proposal", "提案", 100, None, (None, y, None)),  # blanks only count from 招投标
             proj("A", "blank-at-bid", "招投标", 100, None, (y, None, y)),
             proj("A", "won", "赢单", 100, D(2026, 1, 1), (n, n, n)))
    b = acct("B", "李四", proj("B", "p", "提案", 10))
    persons = (KeyPerson("A", "王总", roles=("决策者",)), KeyPerson("B", "陈总", roles=("决策者", "影响者")))
    fus = (FollowUp(D(2026, 11, 2), "B", "李四", contact="陈总 刘工"),)
    ds = Dataset(accounts=(a, b), key_persons=persons, followups=fus)
    got = flags_of(ds)
    assert got == {
        "A/passed": ["close-date-passed"],
        "A/due-today": [],
        "A/no-budget": ["stage-ahead-of-qualification", "decision-maker-not-met"],
        "A/blank-at-proposal": ["decision-maker-not-met"],
        "A/blank-at-bid": ["stage-ahead-of-qualification", "decision-maker-not-met"],
        "B/p": [],
    }
    mt, _ = meeting_of(ds)
    passed = mt.deals[("A", "passed")].flags[0].params
    assert passed == {"date": "2026-11-19", "days": 1}
    assert mt.deals[("A", "no-budget")].flags[0].params == {"missing": "M"}
    assert mt.deals[("A", "blank-at-bid")].flags[0].params == {"missing": "A"}


def test_no_decision_maker_identified_is_not_met() -> None:
    ds = Dataset(accounts=(acct("A", "张三", proj("A", "", "商务谈判", 10)),),
                 key_persons=(KeyPerson("A", "李工", roles=("使用者",)),),
                 followups=(FollowUp(D(2026, 11, 2), "A", "张三", contact="李工"),))
    mt, _ = meeting_of(ds)
    f = mt.deals[("A", "")].flags
    assert [x.code for x in f] == ["decision-maker-not-met"] and f[0].params == {"identified": False}


def test_history_flags_pushed_stuck_value_down_by_hand() -> None:
    cfg = config_from_dict({"stuck_weeks": {"提案": 2}, "pushed_min": 2}, Path("."))
    ds = Dataset(accounts=(acct("A", "张三",
                                proj("A", "p", "提案", 80, D(2026, 12, 20)),
                                proj("A", "once", "提案", 100, D(2026, 12, 10)),
                                proj("A", "new", "招投标", 50, D(2026, 12, 1))),),
                 key_persons=(KeyPerson("A", "王总", roles=("决策者",), last_contact=D(2026, 11, 1)),))
    history = [
        week(D(2026, 10, 30), ("A", "p", "立项", 100, "2026-11-30"), ("A", "once", "提案", 100, "2026-12-01")),
        week(D(2026, 11, 6), ("A", "p", "提案", 100, "2026-12-05"), ("A", "once", "提案", 100, "2026-12-10")),
        # a week without a close date does not reset the count
        week(D(2026, 11, 13), ("A", "p", "提案", 100, None), ("A", "once", "提案", 100, "2026-12-10")),
        week(D(2026, 11, 20), ("A", "p", "提案", 80, "2026-12-20"), ("A", "once", "提案", 100, "2026-12-10"),
             ("A", "new", "招投标", 50, "2026-12-01")),
    ]
    mt, _ = meeting_of(ds, history, cfg)
    p = mt.deals[("A", "p")]
    assert p.codes == ("pushed", "value-down")  # in 提案 since 11-06: 14 days = 2 weeks, not more
    # 11-30 -> 12-05 (+5), 12-05 -> 12-20 (+15)
    assert p.flags[0].params == {"times": 2, "days": 20}
    assert p.flags[1].params == {"from": 100, "to": 80, "delta": -20}
    once = mt.deals[("A", "once")]
    # in 提案 since 10-30: 21 days > 2 weeks; pushed once only
    assert once.codes == ("stuck",)
    assert once.flags[0].params == {"weeks": 3, "since": "2026-10-30", "limit": 2}
    assert mt.deals[("A", "new")].codes == ()


def test_thresholds_are_checked_in_config() -> None:
    with pytest.raises(ConfigError, match="stuck_weeks"):
        config_from_dict({"stuck_weeks": {"提案": 0}}, Path("."))
    assert config_from_dict({"pushed_min": 3}, Path(".")).pushed_min == 3


def test_forecast_categories() -> None:
    ds = Dataset(accounts=(acct("A", "张三",
                                proj("A", "neg", "商务谈判", 100, D(2026, 11, 25)),
                                proj("A", "sure", "提案", 50, D(2026, 11, 28), probability=0.9),
                                proj("A", "bid", "招投标", 20, D(2026, 11, 30)),
                                proj("A", "dev", "客户开发", 10, D(2026, 11, 1)),
                                proj("A", "dec", "提案", 7, D(2026, 12, 3)),
                                proj("A", "jan", "提案", 7, D(2027, 1, 3))),),
                 key_persons=(KeyPerson("A", "王总", roles=("决策者",), last_contact=D(2026, 11, 1)),))
    mt, m = meeting_of(ds)
    sm = mt.of(m.department)
    assert [d.project for d in sm.closing] == ["dev", "neg", "sure", "bid"]
    rows = {r.category: r for r in sm.forecast_month}
    assert (rows["commit"].projects, rows["commit"].value, rows["commit"].weighted) == (2, 150, 125)
    assert (rows["best_case"].projects, rows["best_case"].value, rows["best_case"].weighted) == (1, 20, 12)
    assert (rows["pipeline"].projects, rows["pipeline"].value, rows["pipeline"].weighted) == (1, 10, 1)
    q = {r.category: r.projects for r in sm.forecast_quarter}
    assert q == {"commit": 2, "best_case": 1, "pipeline": 2}  # December's too, not January's
    cfg = config_from_dict({"commit_stages": [], "commit_probability": 0.95, "best_case_stages": ["商务谈判"]},
                           Path("."))
    assert category(mt.deals[("A", "neg")], cfg) == "best_case"
    assert [r.projects for r in by_category(list(sm.closing), cfg)] == [0, 1, 3]
    # the flagged deals: close-date-passed on "dev"
    assert [d.project for d in sm.attention] == ["dev"]


# ---- the JSON contract


def test_reps_json_and_project_flags_in_accounts_json() -> None:
    from sitegen.render import make_urls

    ds = targets_dataset()
    mt, m = meeting_of(ds)
    reps = data.reps(m, mt)
    assert reps == [
        {"rep": "张三", "team": "东区", "month": "2026-11", "signing_target": 200.0, "signed": 160.0,
         "visit_target": 20, "visits": 3},
        {"rep": "李四", "team": "东区", "month": "2026-11", "signing_target": 100.0, "signed": 50.0,
         "visit_target": None, "visits": 1},
        {"rep": "王五", "team": "西区", "month": "2026-11", "signing_target": None, "signed": 10.0,
         "visit_target": None, "visits": 0},
    ]
    accounts = data.accounts(m, CFG, make_urls(ds, m), mt)
    projects = {p["name"]: p["flags"] for p in accounts[0]["projects"]}
    assert projects["won-nov"] == [] and projects["open-late-nov"] == ["decision-maker-not-met"]
    t = data.targets(m, mt)
    assert t["department"]["month"]["signed"] == 220.0
    assert [r["name"] for r in t["reps"]] == ["张三", "李四", "王五"]
    assert t["reps"][0]["qtd"]["pipeline_cover"] == pytest.approx(1.33)


# ---- next week's plan and last week's completion


def plan_dataset() -> Dataset:
    fus = (
        # A: the latest contact (11-18) plans a call on 11-24 (next week); an older plan on 11-22 is superseded
        FollowUp(D(2026, 11, 10), "A", "张三", contact="王总", next_action="旧计划", next_date=D(2026, 11, 22)),
        FollowUp(D(2026, 11, 18), "A", "张三", contact="王总、李工", next_action="电话确认", next_date=D(2026, 11, 24)),
        # B: due 11-15 (last week), followed up on 11-15 (on the due date): done
        FollowUp(D(2026, 11, 5), "B", "张三", next_action="送方案", next_date=D(2026, 11, 15)),
        FollowUp(D(2026, 11, 15), "B", "张三", next_action="回访", next_date=D(2026, 11, 28)),  # after the window
        # C: due 11-13 (last week), next contact 11-14 (too late): not done; due 11-27 (the window's last day)
        FollowUp(D(2026, 11, 1), "C", "李四", next_action="报价", next_date=D(2026, 11, 13)),
        FollowUp(D(2026, 11, 14), "C", "李四", next_action="签约", next_date=D(2026, 11, 27)),
        # D: due on as-of itself: neither last week nor next week
        FollowUp(D(2026, 11, 12), "D", "李四", next_action="拜访", next_date=D(2026, 11, 20)),
    )
    accounts = tuple(acct(x, "张三" if x in "AB" else "李四", proj(x, "", "提案", 10), team="东区") for x in "ABCD")
    return Dataset(accounts=accounts, followups=fus, reps=(Rep("张三", "东区"), Rep("李四", "东区")))


def test_next_week_plan_by_hand() -> None:
    mt, m = meeting_of(plan_dataset())
    dept = mt.of(m.department)
    assert [(a.account, a.action, a.due, a.contact) for a in dept.next_week] == [
        ("A", "电话确认", D(2026, 11, 24), "王总、李工"), ("C", "签约", D(2026, 11, 27), "")]
    zhang = mt.of(next(s for s in m.reps if s.name == "张三"))
    assert [a.account for a in zhang.next_week] == ["A"]


def test_last_week_completion_by_hand() -> None:
    history = [week(D(2026, 11, 13)), week(D(2026, 11, 20))]
    mt, m = meeting_of(plan_dataset(), history)
    dept = mt.of(m.department)
    # due in 11-13 .. 11-19: B 送方案 (11-15, done), C 报价 (11-13, not done)
    assert [(a.account, a.action, a.done) for a in dept.last_week] == [("C", "报价", False), ("B", "送方案", True)]
    assert (dept.completion.due, dept.completion.done, dept.completion.rate) == (2, 1, 0.5)
    by_rep = {r: c for r, c, _ in dept.by_rep}
    assert (by_rep["张三"].due, by_rep["张三"].done) == (1, 1) and (by_rep["李四"].due, by_rep["李四"].done) == (1, 0)
    # the week of 11-13 looks at 11-06 .. 11-12: A's 旧计划 is due 11-22, nothing is due then
    assert [(w, c.due, c.done) for w, c in dept.trend] == [(D(2026, 11, 13), 0, 0), (D(2026, 11, 20), 2, 1)]


# ---- segmentation


def test_segments_by_hand() -> None:
    from sitegen.measures.segments import segments

    accounts = (
        Account("A", "甲", "张三", "T", category="重要客户", industry="电力",
                projects=(proj("A", "1", "提案", 100), proj("A", "2", "赢单", 50), proj("A", "3", "丢单", 30))),
        Account("B", "乙", "张三", "T", category="重要客户", industry="",
                projects=(proj("B", "", "赢单", 20),)),
        Account("C", "丙", "李四", "T", category="潜在大客户", industry="电力",
                projects=(proj("C", "", "客户开发", 5),)),
    )
    fus = {
        "A": (FollowUp(D(2026, 8, 1), "A", "张三"), FollowUp(D(2026, 11, 1), "A", "张三")),  # 111 and 19 days ago
        "B": (FollowUp(D(2026, 9, 1), "B", "张三"),),  # 80 days
        "C": (FollowUp(D(2026, 11, 10), "C", "李四"), FollowUp(D(2026, 11, 12), "C", "李四"),
              FollowUp(D(2026, 11, 21), "C", "李四")),  # two in 30 days; one after as-of, not counted
    }
    seg = segments(accounts, fus, CFG, AS_OF)
    tables = dict(seg.tables)
    cat = {r.value: r for r in tables["category"]}
    imp = cat["重要客户"]
    assert (imp.accounts, imp.open_value, imp.won_value, imp.won, imp.lost) == (2, 100, 70, 2, 1)
    assert imp.win_rate == pytest.approx(2 / 3, abs=1e-4)
    assert (imp.contacted_30, imp.contacted_90, imp.contacts_90) == (1, 2, 2)
    assert (imp.share_30, imp.share_90, imp.contacts_per_account) == (0.5, 1.0, 1.0)
    pot = cat["潜在大客户"]
    assert (pot.accounts, pot.win_rate, pot.contacts_90, pot.share_30) == (1, None, 2, 1.0)
    ind = [r.value for r in tables["industry"]]
    assert ind == ["电力", ""]  # blank last
    assert [d for d, _ in seg.tables] == ["category", "grade", "industry", "region", "nature"]
    # values: A 150, B 20, C 5; median of valued = 20; contacts in 90 days: A 1, B 1, C 2; upper quartile 2
    assert [(p.account, p.value, p.contacts_90) for p in seg.points] == [("A", 150, 1), ("B", 20, 1), ("C", 5, 2)]
    assert seg.over_visited == ()  # C has 2 contacts, not more than the upper quartile (2)
    # top 20% of 3 valued accounts = 1 (A): open, 1 contact <= the lower quartile (1)
    assert [p.account for p in seg.neglected] == ["A"]


# ---- win/loss


def test_win_loss_by_competitor_and_stage_lost_by_hand() -> None:
    from sitegen.measures.winloss import by_competitor, by_stage_lost, closed_deals
    from sitegen.model import CompetitionRow

    accounts = (
        Account("A", "甲", "张三", "T", first_contact=D(2026, 1, 1),
                projects=(Project("A", "won", "赢单", 100, None, D(2026, 3, 2), None, None, None),
                          Project("A", "lost", "丢单", 40, None, None, None, None, None, win_loss_reason="价格"))),
        Account("B", "乙", "李四", "T",
                projects=(Project("B", "", "丢单", 60, None, D(2026, 6, 30), None, None, None, win_loss_reason="关系"),)),
    )
    comp = {"A": (CompetitionRow("A", "华为", False), CompetitionRow("A", "我方", True)),
            "B": (CompetitionRow("B", "华为", False), CompetitionRow("B", "中兴", False))}
    fus = {"B": (FollowUp(D(2026, 2, 1), "B", "李四", stage="提案"), FollowUp(D(2026, 5, 1), "B", "李四", stage="招投标"),
                 FollowUp(D(2026, 6, 1), "B", "李四", stage="丢单"))}
    history = [week(D(2026, 5, 8), ("A", "lost", "商务谈判", 40, None)),
               week(D(2026, 5, 15), ("A", "lost", "丢单", 40, None))]
    deals = {(d.account, d.project): d for d in closed_deals(accounts, comp, fus, history, CFG, AS_OF)}
    won, lost, b = deals[("A", "won")], deals[("A", "lost")], deals[("B", "")]
    assert (won.outcome, won.cycle_days, won.competitors, won.stage_lost) == ("won", 60, ("华为",), "")
    # lost: history saw it lost first on 05-15, last open stage 商务谈判; 2026-01-01 -> 05-15 = 134 days
    assert (lost.stage_lost, lost.cycle_days) == ("商务谈判", 134)
    # B: no history; stage from the follow-ups (招投标); first follow-up 02-01 -> close date 06-30 = 149 days
    assert (b.stage_lost, b.cycle_days, b.competitors) == ("招投标", 149, ("中兴", "华为"))
    groups = {g.key: g for g in by_competitor(list(deals.values()))}
    hw = groups["华为"]
    assert (hw.won, hw.lost, hw.won_value, hw.lost_value) == (1, 2, 100, 100)
    assert hw.avg_cycle == pytest.approx((60 + 134 + 149) / 3, abs=0.05)
    assert hw.reasons == (("价格", 1), ("关系", 1))
    assert (groups["中兴"].won, groups["中兴"].lost) == (0, 1)
    stages = [(g.key, g.lost, g.avg_cycle) for g in by_stage_lost(list(deals.values()), CFG)]
    assert stages == [("招投标", 1, 149), ("商务谈判", 1, 134)]


# ---- every flag is documented and explained


def test_every_flag_code_is_documented_and_has_words() -> None:
    from sitegen.i18n import strings
    from sitegen.measures.inspection import CODES

    doc = (Path(__file__).resolve().parents[1] / "docs" / "meeting.md").read_text(encoding="utf-8")
    for code in CODES:
        assert f"| `{code}` |" in doc, code
        for lang in ("zh", "en"):
            assert f"insp.{code}" in strings(lang) and f"insp.{code}_short" in strings(lang), (lang, code)
    for key in ("pushed_min", "stuck_weeks", "qualified_from_stage", "qualified_blank_from_stage", "commit_stages",
                "commit_probability", "best_case_stages"):
        assert f"`{key}`" in doc or key in (Path(__file__).resolve().parents[1] / "docs" / "config.md").read_text(
            encoding="utf-8"), key


def test_a_large_department_lists_plan_completion_per_team() -> None:
    from sitegen import meeting as meeting_module

    ds = plan_dataset()
    reps = (Rep("张三", "东区"), Rep("李四", "西区"))
    ds = Dataset(accounts=ds.accounts, followups=ds.followups, reps=reps)
    old = meeting_module.REPS_LISTED
    meeting_module.REPS_LISTED = 1
    try:
        mt, m = meeting_of(ds)
    finally:
        meeting_module.REPS_LISTED = old
    dept = mt.of(m.department)
    assert dept.by_team and [(k, c.due, c.done) for k, c, _ in dept.by_rep] == [("东区", 1, 1), ("西区", 1, 0)]
    assert not mt.of(m.teams[0]).by_team
