"""Activity (PDCA): last contact per account, stale accounts, overdue next actions, contacts per rep per week."""

from __future__ import annotations

import calendar
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from operator import attrgetter

from ..config import Config
from ..model import Account, FollowUp, Target
from .common import Index, is_open

_date = attrgetter("date")


def last_contact(followups: Sequence[FollowUp], as_of: date) -> date | None:
    """The latest follow-up date on or before the as-of date (later dates are typing mistakes)."""
    dates = [f.date for f in followups if f.date <= as_of]
    return max(dates) if dates else None


def stale_threshold(a: Account, config: Config) -> int:
    return config.stale_days_strict if a.category in config.strict_categories else config.stale_days


@dataclass(frozen=True, slots=True)
class Stale:
    account: str
    last_contact: date | None  # None: never contacted
    days: int | None  # days since the last contact
    threshold: int


_UNKNOWN = date.min  # "not worked out yet" for the `last` arguments below


def stale(a: Account, followups: Sequence[FollowUp], config: Config, as_of: date,
          last: date | None = _UNKNOWN) -> Stale | None:
    """An open account is stale when its last contact is more than its threshold before as-of, or missing.
    `last`: its last contact, when the caller has it already."""
    if not is_open(a, config):
        return None
    if last == _UNKNOWN:
        last = last_contact(followups, as_of)
    limit = stale_threshold(a, config)
    if last is None:
        return Stale(a.id, None, None, limit)
    days = (as_of - last).days
    return Stale(a.id, last, days, limit) if days > limit else None


@dataclass(frozen=True, slots=True)
class Overdue:
    account: str
    rep: str
    due: date
    action: str
    set_on: date  # the date of the contact that set it
    days: int  # days overdue


def overdue(a: Account, followups: Sequence[FollowUp], as_of: date,
            last: date | None = _UNKNOWN) -> Overdue | None:
    """The next action set at the account's latest contact, when its date is before as-of."""
    if last == _UNKNOWN:
        last = last_contact(followups, as_of)
    if last is None:
        return None
    latest = [f for f in followups if f.date == last and f.next_date is not None]
    if not latest:
        return None
    f = max(latest, key=lambda f: (f.next_date or last, f.next_action))
    assert f.next_date is not None
    if f.next_date >= as_of:
        return None
    return Overdue(a.id, f.rep or a.rep, f.next_date, f.next_action, f.date, (as_of - f.next_date).days)


def week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


def weeks_back(as_of: date, n: int) -> list[date]:
    """Mondays of the n ISO weeks ending with the week of as_of, oldest first."""
    last = week_start(as_of)
    return [last - timedelta(weeks=i) for i in range(n - 1, -1, -1)]


def weekly_target(rep: str, monday: date, targets: dict[tuple[str, str], Target], config: Config) -> int:
    """The week's share of 拜访目标 of the month holding its Thursday (an ISO week belongs to the month of its
    Thursday), else the config default. A monthly target is spread in whole visits over the month's weeks:
    each gets target ÷ weeks rounded down, and the remainder adds one to each of the first weeks, so the
    weeks add up to the monthly target (30 in November 2026, four weeks: 8, 8, 7, 7)."""
    thursday = monday + timedelta(days=3)
    t = targets.get((rep, f"{thursday.year:04d}-{thursday.month:02d}"))
    if t is None or t.visit_target is None:
        return config.weekly_contact_target
    first = 1 + (3 - date(thursday.year, thursday.month, 1).weekday()) % 7  # day of the month's first Thursday
    days = calendar.monthrange(thursday.year, thursday.month)[1]
    weeks = (days - first) // 7 + 1
    base, extra = divmod(max(0, round(t.visit_target)), weeks)
    return base + (1 if (thursday.day - first) // 7 < extra else 0)


@dataclass(frozen=True, slots=True)
class Week:
    monday: date
    contacts: int
    effective: int
    target: int  # whole visits (see weekly_target)


@dataclass(frozen=True, slots=True)
class RepActivity:
    rep: str
    team: str
    weeks: tuple[Week, ...]  # oldest first; the last is the as-of week (up to as-of)

    @property
    def this_week(self) -> Week:
        return self.weeks[-1]


def rep_activity(reps: Iterable[str], idx: Index, targets: Sequence[Target], config: Config, as_of: date,
                 n_weeks: int = 8, known: dict[str, RepActivity] | None = None) -> list[RepActivity]:
    """Each rep's contacts per week; `known` remembers reps already done (a rep is in several scopes)."""
    mondays = weeks_back(as_of, n_weeks)
    by_key: dict[tuple[str, str], Target] | None = None
    out = []
    for rep in sorted(set(reps)):
        if known is not None and rep in known:
            out.append(known[rep])
            continue
        if by_key is None:
            by_key = {(t.rep, t.month): t for t in targets}
        counts = {m: [0, 0] for m in mondays}
        fus = idx.followups_by_rep.get(rep, ())
        # oldest first (see Index): the weeks' follow-ups are one run
        start = bisect_left(fus, mondays[0], key=_date)
        for f in fus[start:bisect_right(fus, as_of, lo=start, key=_date)]:
            d = f.date
            c = counts[d - timedelta(days=d.weekday())]  # week_start(d)
            c[0] += 1
            c[1] += 1 if f.effective else 0
        weeks = tuple(Week(m, counts[m][0], counts[m][1], weekly_target(rep, m, by_key, config)) for m in mondays)
        out.append(RepActivity(rep, idx.team_of_rep.get(rep, ""), weeks))
        if known is not None:
            known[rep] = out[-1]
    return out
