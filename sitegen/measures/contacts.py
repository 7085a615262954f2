"""Contact coverage (issue 18): when each key person was last met, read from the follow-ups' 接触人.

The last contact of a key person is the latest accepted follow-up of their account (on or before the as-of
date) whose 接触人 names them, or their own 最近接触日期 when that is later. A 接触人 cell may name several
people, separated by 、，,/;； or spaces ("李建国、王芳"); a cell that is exactly a person's name matches even
when the name itself holds a space ("Li Jianguo").

From these dates come the account's contact flags:
- `contact_dm_stale`: the account has a 决策者 and none of them was met in the last 60 days;
- `contact_influencer_never_met`: someone with influence ≥ 4 was never met;
- `contact_opponent_stale`: an opponent (抵触 or 恶意拆台) with influence ≥ 4 was not met in the last 30 days;
and how many of the account's departments (部门) were reached: met in the contact window (90 days by default,
`contact_window_days`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from ..model import FollowUp, KeyPerson

DECISION_MAKER = "决策者"
OPPONENT_ATTITUDES = ("抵触", "恶意拆台")
HIGH_INFLUENCE = 4
DM_DAYS = 60  # a decision maker should have been met within this many days
OPPONENT_DAYS = 30  # an influential opponent, within this many days

_SEPARATORS = re.compile(r"[、，,/／;；\s\u3000]+")


@lru_cache(maxsize=65536)
def names_in(cell: str) -> tuple[str, ...]:
    """The names a 接触人 cell holds, in order, without repeats."""
    out: list[str] = []
    for part in _SEPARATORS.split(cell.strip()):
        if part and part not in out:
            out.append(part)
    return tuple(out)


def named(cell: str, known: Iterable[str]) -> tuple[str, ...]:
    """The key persons (of `known` names) a 接触人 cell names."""
    names = known if isinstance(known, (set, frozenset, dict)) else set(known)
    cell = cell.strip()
    if not cell:
        return ()
    if cell in names:
        return (cell,)
    return tuple(n for n in names_in(cell) if n in names)


@dataclass(frozen=True, slots=True)
class PersonContact:
    """One key person's contact facts. `last_contact` is the later of `met` (follow-ups) and `typed`."""

    name: str
    roles: tuple[str, ...]
    dept: str
    last_contact: date | None
    met: date | None  # latest follow-up naming the person
    typed: date | None  # 最近接触日期 as typed on the key-person sheet
    recent: int  # follow-ups naming the person in the contact window
    days_since: int | None

    @property
    def from_followups(self) -> bool:
        return self.met is not None and self.met == self.last_contact


@dataclass(frozen=True, slots=True)
class ContactCoverage:
    persons: tuple[PersonContact, ...] = ()  # in the order of the key-person sheet
    window_days: int = 90
    dm_not_met: tuple[str, ...] = ()  # the decision makers, when none was met within DM_DAYS
    never_met: tuple[str, ...] = ()  # influence ≥ 4, no last contact at all
    opponents_not_met: tuple[str, ...] = ()  # 抵触/恶意拆台 with influence ≥ 4, not met within OPPONENT_DAYS
    departments: tuple[str, ...] = ()  # every 部门 of the account's key persons
    departments_reached: tuple[str, ...] = ()  # those with someone met in the window

    @property
    def departments_missing(self) -> tuple[str, ...]:
        return tuple(d for d in self.departments if d not in self.departments_reached)

    @property
    def flags(self) -> tuple[str, ...]:
        """Codes of the contact problems, in a fixed order (interface strings in locale: flag.<code>)."""
        out = []
        if self.dm_not_met:
            out.append("contact_dm_stale")
        if self.never_met:
            out.append("contact_influencer_never_met")
        if self.opponents_not_met:
            out.append("contact_opponent_stale")
        return tuple(out)

    def of(self, name: str) -> PersonContact | None:
        for p in self.persons:
            if p.name == name:
                return p
        return None


NO_CONTACTS = ContactCoverage()


def contact_coverage(persons: Sequence[KeyPerson], followups: Sequence[FollowUp], as_of: date,
                     window_days: int = 90) -> ContactCoverage:
    """`followups`: the account's accepted follow-ups (any order); those after `as_of` are not contacts yet."""
    if not persons:
        return ContactCoverage(window_days=window_days)
    known = {p.name for p in persons}
    window_start = as_of - timedelta(days=window_days)
    met: dict[str, date] = {}
    recent: dict[str, int] = {}
    seen: dict[str, tuple[str, ...]] = {}  # an account's 接触人 cells repeat: each is split once
    for f in followups:
        contact = f.contact
        if not contact:
            continue
        d = f.date
        if d > as_of:
            continue
        names = seen.get(contact)
        if names is None:
            names = seen[contact] = named(contact, known)
        for name in names:
            last = met.get(name)
            if last is None or d > last:
                met[name] = d
            if d >= window_start:
                recent[name] = recent.get(name, 0) + 1
    out: list[PersonContact] = []
    for k in persons:
        typed = k.last_contact if k.last_contact is None or k.last_contact <= as_of else None
        m = met.get(k.name)
        last = max((d for d in (m, typed) if d is not None), default=None)
        out.append(PersonContact(k.name, k.roles, k.dept, last, m, typed, recent.get(k.name, 0),
                                 (as_of - last).days if last else None))

    def within(c: PersonContact, days: int) -> bool:
        return c.days_since is not None and c.days_since <= days

    dms = [(k, c) for k, c in zip(persons, out, strict=True) if DECISION_MAKER in k.roles]
    dm_not_met = tuple(c.name for _k, c in dms) if dms and not any(within(c, DM_DAYS) for _k, c in dms) else ()
    never_met = tuple(c.name for k, c in zip(persons, out, strict=True)
                      if (k.influence or 0) >= HIGH_INFLUENCE and c.last_contact is None)
    opponents = tuple(c.name for k, c in zip(persons, out, strict=True)
                      if (k.influence or 0) >= HIGH_INFLUENCE and k.attitude in OPPONENT_ATTITUDES
                      and not within(c, OPPONENT_DAYS))
    depts = tuple(dict.fromkeys(k.dept for k in persons if k.dept))
    reached = tuple(dict.fromkeys(c.dept for c in out if c.dept and within(c, window_days)))
    return ContactCoverage(tuple(out), window_days, dm_not_met, never_met, opponents, depts, reached)
