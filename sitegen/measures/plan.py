"""The plan side of PDCA (issue 17 §3): next week's planned actions, and whether last week's happened.

- **Next week's plan**: the next actions (下一步行动, 下次跟进日期) set at each account's latest contact up to the
  as-of date and due in the 7 days after it.
- **Last week's plan completion**: the next actions set by any accepted follow-up and due in the 7 days before
  the as-of date; one is **done** when a later follow-up of the same account is dated on or before its due
  date. The same action (account, due date, words) set twice counts once. The trend repeats this for the
  as-of date of every week in history, from today's follow-ups.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from operator import attrgetter

from ..model import FollowUp

DAYS = 7
_due = attrgetter("due")


@dataclass(frozen=True, slots=True)
class Action:
    account: str
    rep: str
    action: str
    due: date
    contact: str  # the key person(s) named at the contact that set it
    set_on: date
    done: bool | None = None  # for last week's actions: a contact of the account after set_on, by due


@dataclass(frozen=True, slots=True)
class Completion:
    due: int
    done: int

    @property
    def rate(self) -> float | None:
        return round(self.done / self.due, 4) if self.due else None


def next_week(followups: Mapping[str, Sequence[FollowUp]], accounts: Iterable[str], rep_of: Mapping[str, str],
              as_of: date) -> list[Action]:
    """Each account's planned actions due in (as-of, as-of + 7 days], soonest first."""
    end = as_of + timedelta(days=DAYS)
    out = []
    for aid in accounts:
        fus = [f for f in followups.get(aid, ()) if f.date <= as_of]
        if not fus:
            continue
        last = max(f.date for f in fus)
        seen = set()
        for f in fus:
            if f.date == last and f.next_date is not None and as_of < f.next_date <= end:
                key = (f.next_date, f.next_action)
                if key not in seen:
                    seen.add(key)
                    out.append(Action(aid, f.rep or rep_of.get(aid, ""), f.next_action, f.next_date, f.contact,
                                      f.date))
    return sorted(out, key=lambda a: (a.due, a.account, a.action))


def set_actions(followups: Mapping[str, Sequence[FollowUp]], rep_of: Mapping[str, str], as_of: date,
                since: date = date.min) -> list[Action]:
    """Every next action set by a follow-up up to as-of and due from `since` to before as-of, marked done or
    not, by due date. Follow-ups of an account are oldest first (measures.common.Index)."""
    out = []
    for aid, fus in followups.items():
        dates: list[date] | None = None
        seen = set()
        for f in fus:
            nd = f.next_date
            if nd is None or nd < since or nd >= as_of or f.date > as_of or nd < f.date:
                continue
            if dates is None:
                dates = [g.date for g in fus if g.date <= as_of]
            key = (nd, f.next_action)
            if key in seen:
                continue
            seen.add(key)
            after = bisect_right(dates, f.date)
            done = after < len(dates) and dates[after] <= nd
            out.append(Action(aid, f.rep or rep_of.get(aid, ""), f.next_action, nd, f.contact, f.date, done))
    return sorted(out, key=lambda a: (a.due, a.account, a.action))


def due_between(actions: Sequence[Action], start: date, end: date) -> Sequence[Action]:
    """The actions (sorted by due date) due in [start, end)."""
    return actions[bisect_left(actions, start, key=_due):bisect_left(actions, end, key=_due)]


def last_week(actions: Sequence[Action], as_of: date) -> Sequence[Action]:
    """The actions due in the 7 days before as-of."""
    return due_between(actions, as_of - timedelta(days=DAYS), as_of)


def completion(actions: Sequence[Action]) -> Completion:
    return Completion(len(actions), sum(1 for a in actions if a.done))
