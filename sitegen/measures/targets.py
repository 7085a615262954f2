"""Targets against results (issue 17 §1): signed value and contacts against 销售目标表, per rep, team and
department, for the as-of month, the quarter to date and the year to date.

Periods are whole months: the as-of month; the quarter's months up to and including it; the year's months up
to and including it. **Signed** in a period: the value of won projects (赢单, 工程实施) whose 预计成交日期 falls in
it; a won project without a close date counts on the date history first saw it won (this week when history
never did). **Visits**: accepted follow-ups of the rep dated in the period, up to the as-of date, against
拜访目标. **Gap** = target − signed. **Pipeline cover** = the weighted value of open projects expected to close
from the as-of date to the period's end ÷ gap (none when there is no gap).
"""

from __future__ import annotations

import calendar
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Any

from ..config import Config
from ..model import Account, Target
from .common import Index, _statuses, weighted

PERIODS = ("month", "qtd", "ytd")
_date = attrgetter("date")

ProjectKey = tuple[str, str]  # (account id, project name)


def month_key(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def month_end(d: date) -> date:
    return date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])


def period_months(as_of: date, period: str) -> list[str]:
    """The months of a period ending with the as-of month."""
    first = {"month": as_of.month, "qtd": (as_of.month - 1) // 3 * 3 + 1, "ytd": 1}[period]
    return [f"{as_of.year:04d}-{m:02d}" for m in range(first, as_of.month + 1)]


def first_won(history: Sequence[Mapping[str, Any]], config: Config) -> dict[ProjectKey, date]:
    """The as-of date of the first weekly snapshot in which each project was won."""
    of_stage = _statuses(config)
    out: dict[ProjectKey, date] = {}
    for week in history:
        when = date.fromisoformat(week["as_of"])
        for a in week.get("accounts", ()):
            for p in a.get("projects", ()):
                key = (a["id"], p.get("name") or "")
                if key not in out and of_stage.get(p.get("stage") or "") == "won":
                    out[key] = when
    return out


def signed_on(accounts: Iterable[Account], config: Config, won_on: Mapping[ProjectKey, date],
              as_of: date) -> list[tuple[str, date, float]]:
    """(rep, the date a won project counts as signed, its value) for every won project."""
    of_stage = _statuses(config)
    out = []
    for a in accounts:
        for p in a.projects:
            if of_stage.get(p.stage) != "won":
                continue
            when = p.expected_close or won_on.get((a.id, p.name), as_of)
            out.append((a.rep, when, p.value or 0.0))
    return out


@dataclass(frozen=True, slots=True)
class Period:
    key: str  # month, qtd, ytd
    months: tuple[str, ...]
    target: float | None  # 万元; None when no rep of the scope has a 签约目标 in the period
    signed: float
    open_weighted: float  # weighted open value expected to close from as-of to the period's end
    visit_target: int | None
    visits: int

    @property
    def attainment(self) -> float | None:
        return round(self.signed / self.target, 4) if self.target else None

    @property
    def gap(self) -> float | None:
        return round(self.target - self.signed, 2) if self.target is not None else None

    @property
    def cover(self) -> float | None:
        gap = self.gap
        return round(self.open_weighted / gap, 2) if gap is not None and gap > 0 else None

    @property
    def visit_attainment(self) -> float | None:
        return round(self.visits / self.visit_target, 4) if self.visit_target else None

    def to_json(self) -> dict[str, Any]:
        return {"months": list(self.months), "signing_target": self.target, "signed": self.signed,
                "attainment": self.attainment, "gap": self.gap, "open_weighted": self.open_weighted,
                "pipeline_cover": self.cover, "visit_target": self.visit_target, "visits": self.visits,
                "visit_attainment": self.visit_attainment}


@dataclass(frozen=True, slots=True)
class MonthBar:
    month: str
    target: float | None
    signed: float
    visit_target: int | None
    visits: int


@dataclass(frozen=True)
class Attainment:
    kind: str  # department, team, rep
    name: str
    reps: tuple[str, ...]
    periods: tuple[Period, ...]  # month, qtd, ytd
    months: tuple[MonthBar, ...]  # every month of the as-of year

    def period(self, key: str) -> Period:
        return next(p for p in self.periods if p.key == key)

    @property
    def has_targets(self) -> bool:
        return any(m.target is not None or m.visit_target is not None for m in self.months)


class Targets:
    """Per-rep monthly figures worked out once; a scope's figures are sums over its reps."""

    def __init__(self, accounts: Sequence[Account], targets: Sequence[Target], idx: Index, config: Config,
                 as_of: date, won_on: Mapping[ProjectKey, date]) -> None:
        self.as_of = as_of
        self.year_months = [f"{as_of.year:04d}-{m:02d}" for m in range(1, 13)]
        self.sign_target: dict[tuple[str, str], float] = {}
        self.visit_target: dict[tuple[str, str], int] = {}
        for t in targets:
            if t.sign_target is not None:
                self.sign_target[(t.rep, t.month)] = t.sign_target
            if t.visit_target is not None:
                self.visit_target[(t.rep, t.month)] = t.visit_target
        self.signed: dict[tuple[str, str], float] = {}
        for rep, when, value in signed_on(accounts, config, won_on, as_of):
            key = (rep, month_key(when))
            self.signed[key] = self.signed.get(key, 0.0) + value
        self.visits: dict[tuple[str, str], int] = {}
        start = date(as_of.year, 1, 1)
        months = {m: f"{as_of.year:04d}-{m:02d}" for m in range(1, 13)}
        for rep, fus in idx.followups_by_rep.items():
            lo = bisect_left(fus, start, key=_date)
            for f in fus[lo:bisect_right(fus, as_of, lo=lo, key=_date)]:
                key = (rep, months[f.date.month])  # the dates are all in as-of's year
                self.visits[key] = self.visits.get(key, 0) + 1
        # open projects closing from as-of to the end of the as-of month (the end of every period here)
        end = month_end(as_of)
        of_stage = _statuses(config)
        self.closing: dict[str, float] = {}
        for a in accounts:
            for p in a.projects:
                if of_stage.get(p.stage) == "open" and p.expected_close and as_of <= p.expected_close <= end:
                    self.closing[a.rep] = self.closing.get(a.rep, 0.0) + weighted(p, config)

    def _sum_target(self, table: Mapping[tuple[str, str], Any], reps: Sequence[str],
                    months: Sequence[str]) -> Any:
        got = [table[(r, m)] for r in reps for m in months if (r, m) in table]
        return round(sum(got), 2) if got else None

    def scope(self, kind: str, name: str, reps: Iterable[str]) -> Attainment:
        rs = tuple(sorted(set(reps)))
        periods = []
        for key in PERIODS:
            months = period_months(self.as_of, key)
            vt = self._sum_target(self.visit_target, rs, months)
            periods.append(Period(
                key, tuple(months), self._sum_target(self.sign_target, rs, months),
                round(sum(self.signed.get((r, m), 0.0) for r in rs for m in months), 2),
                round(sum(self.closing.get(r, 0.0) for r in rs), 2),
                int(vt) if vt is not None else None,
                sum(self.visits.get((r, m), 0) for r in rs for m in months)))
        bars = []
        for m in self.year_months:
            vt = self._sum_target(self.visit_target, rs, [m])
            bars.append(MonthBar(m, self._sum_target(self.sign_target, rs, [m]),
                                 round(sum(self.signed.get((r, m), 0.0) for r in rs), 2),
                                 int(vt) if vt is not None else None,
                                 sum(self.visits.get((r, m), 0) for r in rs)))
        return Attainment(kind, name, rs, tuple(periods), tuple(bars))
