"""Segmentation (issue 17 §4): accounts by category, grade, industry, region and ownership (企业性质), and
contacts per account against value (seed 001's hunting vs farming).

Per segment: accounts; open value and won value (万元); win rate (won ÷ (won + lost) projects); the share of
accounts contacted in the last 30 and 90 days (an accepted follow-up dated in (as-of − n days, as-of]);
contacts per account in the last 90 days. An account with the field blank is in the segment "" (shown as 未填).

**Over-visited small accounts**: value (open + won) below the median of accounts with value, and more contacts
in the last 90 days than three in four accounts (above the upper quartile, at least 1). **Neglected big
accounts**: in the top 20 % by value, open, and no more contacts in the last 90 days than the lower quartile.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from operator import attrgetter

from ..config import Config
from ..model import Account, FollowUp
from .common import _statuses
from .pipeline import account_value

DIMENSIONS = ("category", "grade", "industry", "region", "nature")
_date = attrgetter("date")


@dataclass(frozen=True, slots=True)
class SegmentRow:
    value: str  # the segment ("" = blank)
    accounts: int
    open_value: float
    won_value: float
    won: int
    lost: int
    contacted_30: int
    contacted_90: int
    contacts_90: int

    @property
    def win_rate(self) -> float | None:
        return round(self.won / (self.won + self.lost), 4) if self.won + self.lost else None

    @property
    def share_30(self) -> float | None:
        return round(self.contacted_30 / self.accounts, 4) if self.accounts else None

    @property
    def share_90(self) -> float | None:
        return round(self.contacted_90 / self.accounts, 4) if self.accounts else None

    @property
    def contacts_per_account(self) -> float | None:
        return round(self.contacts_90 / self.accounts, 2) if self.accounts else None


@dataclass(frozen=True, slots=True)
class AccountPoint:
    account: str
    value: float  # open + won, 万元
    contacts_90: int
    open: bool


@dataclass(frozen=True)
class Segments:
    tables: tuple[tuple[str, tuple[SegmentRow, ...]], ...]  # (dimension, rows by open value, largest first)
    points: tuple[AccountPoint, ...]
    over_visited: tuple[AccountPoint, ...]  # most contacts first
    neglected: tuple[AccountPoint, ...]  # largest value first


def _quantile(sorted_values: Sequence[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    k = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[k]


def segments(accounts: Sequence[Account], followups: Mapping[str, Sequence[FollowUp]], config: Config,
             as_of: date) -> Segments:
    of_stage = _statuses(config)
    d30, d90 = as_of - timedelta(days=30), as_of - timedelta(days=90)
    facts = []
    for a in accounts:
        fus = followups.get(a.id, ())
        hi = bisect_right(fus, as_of, key=_date)
        n30 = hi - bisect_right(fus, d30, key=_date, hi=hi)
        n90 = hi - bisect_right(fus, d90, key=_date, hi=hi)
        st = [of_stage.get(p.stage, "other") for p in a.projects]
        open_value = sum(p.value or 0 for p, s in zip(a.projects, st, strict=True) if s == "open")
        won_value = sum(p.value or 0 for p, s in zip(a.projects, st, strict=True) if s == "won")
        facts.append((a, n30, n90, open_value, won_value, st.count("won"), st.count("lost"), "open" in st))
    tables = []
    for dim in DIMENSIONS:
        groups: dict[str, list[int]] = {}
        values: dict[str, list[float]] = {}
        for a, n30, n90, ov, wv, won, lost, _ in facts:
            key = str(getattr(a, dim) or "")
            g = groups.setdefault(key, [0, 0, 0, 0, 0, 0])
            g[0] += 1
            g[1] += won
            g[2] += lost
            g[3] += 1 if n30 else 0
            g[4] += 1 if n90 else 0
            g[5] += n90
            v = values.setdefault(key, [0.0, 0.0])
            v[0] += ov
            v[1] += wv
        rows = [SegmentRow(k, g[0], round(values[k][0], 2), round(values[k][1], 2), g[1], g[2], g[3], g[4], g[5])
                for k, g in groups.items()]
        rows.sort(key=lambda r: (r.value == "", -r.open_value - r.won_value, r.value))
        tables.append((dim, tuple(rows)))
    points = [AccountPoint(a.id, round(account_value(a, config), 2), n90, is_open)
              for a, _, n90, *_rest, is_open in facts]
    valued = sorted(p.value for p in points if p.value > 0)
    contacts = sorted(p.contacts_90 for p in points)
    median = _quantile(valued, 0.5)
    upper = max(1.0, _quantile(contacts, 0.75))
    lower = _quantile(contacts, 0.25)
    top = sorted((p for p in points if p.value > 0), key=lambda p: (-p.value, p.account))
    top = top[:max(1, round(len(top) * 0.2))] if top else []
    over = sorted((p for p in points if p.value < median and p.contacts_90 > upper),
                  key=lambda p: (-p.contacts_90, p.account))
    neglected = [p for p in top if p.open and p.contacts_90 <= lower]
    return Segments(tuple(tables), tuple(points), tuple(over), tuple(neglected))
