"""Satisfaction and cost to serve (issue 18): the follow-ups' 满意度 and 费用(元) per account and combined."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from helpers import issues
from make_fixtures import Sheet, write

from sitegen.config import Config
from sitegen.measures.service import combined, service
from sitegen.model import FollowUp, Project

CFG = Config(root=Path("."))
AS_OF = date(2026, 11, 20)


def fu(d: date, expense: float | None = None, sat: int | None = None) -> FollowUp:
    return FollowUp(d, "A", "张三", expense=expense, satisfaction=sat)


def proj(stage: str, value: float) -> Project:
    return Project("A", "", stage, value, None, None, None, None, None)


def test_cost_and_satisfaction_of_the_last_12_months() -> None:
    fus = [fu(AS_OF - timedelta(days=400), 9999, 1),  # older than 12 months: left out
           fu(date(2026, 9, 3), 300, 4), fu(date(2026, 9, 20), None, 2), fu(date(2026, 11, 2), 200.5, 5),
           fu(AS_OF + timedelta(days=3), 500, 1)]  # after the as-of date: left out
    s = service(fus, [proj("赢单", 100), proj("工程实施", 25), proj("提案", 999)], CFG, AS_OF)
    assert (s.cost, s.costed, s.won_value) == (500.5, 2, 125)
    assert s.cost_per_won == 4.0
    assert s.satisfaction == (("2026-09", 3.0, 2), ("2026-11", 5.0, 1))
    assert (s.latest, s.average) == (5.0, 3.67)


def test_nothing_won_has_no_cost_per_won() -> None:
    s = service([fu(date(2026, 11, 1), 100)], [proj("提案", 50)], CFG, AS_OF)
    assert s.cost_per_won is None and s.average is None


def test_combined_services_add_up_by_month() -> None:
    a = service([fu(date(2026, 10, 1), 100, 5)], [proj("赢单", 10)], CFG, AS_OF)
    b = service([fu(date(2026, 10, 9), 300, 3), fu(date(2026, 11, 1), None, 4)], [proj("赢单", 30)], CFG, AS_OF)
    c = combined([a, b])
    assert (c.cost, c.won_value, c.cost_per_won) == (400, 40, 10.0)
    assert c.satisfaction == (("2026-10", 4.0, 2), ("2026-11", 4.0, 1))


def test_satisfaction_column_is_read_and_checked(tmp_path: Path, load_input) -> None:
    write(tmp_path / "张三" / "客户.xlsx", [
        Sheet("客户档案", [["客户编号", "客户名称", "客户经理", "销售阶段"], ["KA-1", "客户", "张三", "赢单"]]),
        Sheet("跟进表", [["日期", "客户编号", "满意度", "费用(元)"],
                         [date(2026, 11, 2), "KA-1", 4, 300], [date(2026, 11, 3), "KA-1", None, None],
                         [date(2026, 11, 4), "KA-1", 9, None]])])
    loaded = load_input(tmp_path)
    assert sorted((f.date.day, f.satisfaction) for f in loaded.dataset.followups) == [(2, 4), (3, None)]
    [bad] = issues(loaded, "value-range")
    assert bad.cell == "C4"
