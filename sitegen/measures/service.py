"""Serving an account (issue 18): satisfaction over time (满意度 of the follow-ups) and the cost to serve
(费用(元) of the follow-ups), per account and summed per rep, team or department.

Both look at the follow-ups of the last 12 months up to the as-of date (SERVICE_DAYS). Cost per won 万元 is
that cost divided by the value of the won projects (赢单, 工程实施) of the same accounts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ..config import Config
from ..model import FollowUp, Project
from .common import _statuses

SERVICE_DAYS = 365


@dataclass(frozen=True, slots=True)
class Service:
    cost: float = 0.0  # 元
    costed: int = 0  # follow-ups with a 费用
    won_value: float = 0.0  # 万元
    months: tuple[tuple[str, int, int], ...] = ()  # ("2026-11", sum of 满意度, count), oldest first

    @property
    def cost_per_won(self) -> float | None:
        """元 spent per 万元 won; None when nothing was won."""
        return round(self.cost / self.won_value, 1) if self.won_value > 0 else None

    @property
    def satisfaction(self) -> tuple[tuple[str, float, int], ...]:
        """(month, average 满意度, answers), oldest first."""
        return tuple((m, round(total / n, 2), n) for m, total, n in self.months if n)

    @property
    def latest(self) -> float | None:
        s = self.satisfaction
        return s[-1][1] if s else None

    @property
    def average(self) -> float | None:
        n = sum(c for _m, _t, c in self.months)
        return round(sum(t for _m, t, _c in self.months) / n, 2) if n else None


NO_SERVICE = Service()


def service(followups: Sequence[FollowUp], projects: Iterable[Project], config: Config, as_of: date) -> Service:
    since = as_of - timedelta(days=SERVICE_DAYS)
    cost = 0.0
    costed = 0
    months: dict[tuple[int, int], list[int]] = {}
    for f in followups:
        expense, score = f.expense, f.satisfaction
        if not expense and score is None:
            continue
        d = f.date
        if not since < d <= as_of:
            continue
        if expense:
            cost += expense
            costed += 1
        if score is not None:
            cell = months.get((d.year, d.month))
            if cell is None:
                cell = months[(d.year, d.month)] = [0, 0]
            cell[0] += score
            cell[1] += 1
    of_stage = _statuses(config)
    won = sum(p.value or 0 for p in projects if of_stage.get(p.stage) == "won")
    return Service(round(cost, 2), costed, round(won, 2),
                   tuple((f"{y:04d}-{m:02d}", t, n) for (y, m), (t, n) in sorted(months.items())))


def combined(parts: Iterable[Service]) -> Service:
    """The service of several accounts together (a rep, a team, the department)."""
    cost = 0.0
    costed = 0
    won = 0.0
    months: dict[str, list[int]] = {}
    for s in parts:
        cost += s.cost
        costed += s.costed
        won += s.won_value
        for m, t, n in s.months:
            cell = months.setdefault(m, [0, 0])
            cell[0] += t
            cell[1] += n
    return Service(round(cost, 2), costed, round(won, 2), tuple((m, t, n) for m, (t, n) in sorted(months.items())))
