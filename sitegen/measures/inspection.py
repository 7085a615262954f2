"""Deal inspection (issue 17 §2): flags with stable codes on each open project, from this week's data and
from the weekly history. The codes are a contract (data/accounts.json `flags`); their words live in the
locale catalogue (`insp.<code>`), their thresholds in sitegen.yaml.

- close-date-passed: open, 预计成交日期 before the as-of date;
- stage-ahead-of-qualification: stage `qualified_from_stage` (提案) or later with 预算(M), 决策人(A) or 需求(N)
  = 否, or left blank from `qualified_blank_from_stage` (招投标) on;
- decision-maker-not-met: stage `qualified_from_stage` or later, and no 决策者 of the account has a last
  contact: no accepted follow-up (dated up to as-of) names them as 接触人 (a cell may name several people,
  separated by 、，,/ or spaces) and none has a 最近接触日期; also when the account has no 决策者;
- pushed: the close date moved later at least `pushed_min` times over the weeks in history;
- stuck: in the same stage for more than `stuck_weeks[stage]` weeks (counted from the first week in history
  that shows it there without a break);
- value-down: 预计金额 lower than in the previous week in history.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..config import Config
from ..model import Account, FollowUp, KeyPerson, Project
from .common import _statuses, probability, stage_index, weighted
from .coverage import DECISION_MAKER

CODES = ("close-date-passed", "stage-ahead-of-qualification", "decision-maker-not-met", "pushed", "stuck",
         "value-down")
_SPLIT = re.compile(r"[、，,/／\s]+")


@dataclass(frozen=True, slots=True)
class Flag:
    code: str
    args: tuple[tuple[str, Any], ...] = ()  # the figures its explanation names

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.args)


@dataclass(frozen=True, slots=True)
class Deal:
    """An open project and its flags."""

    account: str
    project: str
    rep: str
    team: str
    stage: str
    value: float | None
    weighted: float
    probability: float
    close: date | None
    flags: tuple[Flag, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.flags)


def names_in(cell: str) -> set[str]:
    """The people a 接触人 cell names."""
    return {n for n in _SPLIT.split(cell.strip()) if n}


def decision_maker_met(persons: Sequence[KeyPerson], followups: Sequence[FollowUp], as_of: date) -> bool | None:
    """Whether some 决策者 of the account has a last contact; None when no 决策者 is identified."""
    dms = {k.name for k in persons if DECISION_MAKER in k.roles}
    if not dms:
        return None
    if any(k.last_contact is not None for k in persons if k.name in dms):
        return True
    return any(f.date <= as_of and f.contact and names_in(f.contact) & dms for f in followups)


@dataclass(frozen=True)
class ProjectHistory:
    """One project over the weeks in history, oldest first: (as-of date, stage, value, close date)."""

    weeks: tuple[tuple[date, str, float | None, date | None], ...]

    def pushes(self) -> tuple[int, int]:
        """How often the close date moved later, and by how many days in all."""
        times = days = 0
        last: date | None = None
        for _, _, _, close in self.weeks:
            if close is not None:
                if last is not None and close > last:
                    times += 1
                    days += (close - last).days
                last = close
        return times, days

    def in_stage_since(self, stage: str) -> date | None:
        since = None
        for when, st, _, _ in reversed(self.weeks):
            if st != stage:
                break
            since = when
        return since

    def previous_value(self) -> float | None:
        return self.weeks[-2][2] if len(self.weeks) >= 2 else None


def project_histories(history: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str], ProjectHistory]:
    weeks: dict[tuple[str, str], list[tuple[date, str, float | None, date | None]]] = {}
    for week in history:
        when = date.fromisoformat(week["as_of"])
        for a in week.get("accounts", ()):
            for p in a.get("projects", ()):
                close = p.get("expected_close")
                weeks.setdefault((a["id"], p.get("name") or ""), []).append(
                    (when, p.get("stage") or "", p.get("value"), date.fromisoformat(close) if close else None))
    return {k: ProjectHistory(tuple(v)) for k, v in weeks.items()}


def _man_missing(p: Project, blank_counts: bool) -> list[str]:
    out = []
    for letter, v in (("M", p.budget), ("A", p.decision_maker), ("N", p.need)):
        if v is False or (v is None and blank_counts):
            out.append(letter)
    return out


def flags(a: Account, p: Project, config: Config, as_of: date, dm_met: bool | None,
          past: ProjectHistory | None) -> tuple[Flag, ...]:
    """The flags of one open project (none for a project that is not open)."""
    if _statuses(config).get(p.stage) != "open":
        return ()
    order = stage_index(config)
    here = order.get(p.stage, -1)
    qualified_from = order.get(config.qualified_from_stage, len(order))
    blank_from = order.get(config.qualified_blank_from_stage, len(order))
    out: list[Flag] = []
    if p.expected_close is not None and p.expected_close < as_of:
        out.append(Flag("close-date-passed", (("date", p.expected_close.isoformat()),
                                              ("days", (as_of - p.expected_close).days))))
    if here >= qualified_from:
        missing = _man_missing(p, here >= blank_from)
        if missing:
            out.append(Flag("stage-ahead-of-qualification", (("missing", "/".join(missing)),)))
        if not dm_met:
            out.append(Flag("decision-maker-not-met", (("identified", dm_met is not None),)))
    if past is not None:
        times, days = past.pushes()
        if times >= config.pushed_min:
            out.append(Flag("pushed", (("times", times), ("days", days))))
        limit = config.stuck_weeks.get(p.stage)
        since = past.in_stage_since(p.stage)
        if limit and since is not None and (as_of - since).days > limit * 7:
            out.append(Flag("stuck", (("weeks", (as_of - since).days // 7), ("since", since.isoformat()),
                                      ("limit", limit))))
        before = past.previous_value()
        if before is not None and p.value is not None and p.value < before:
            out.append(Flag("value-down", (("from", before), ("to", p.value),
                                           ("delta", round(p.value - before, 2)))))
    return tuple(out)


def inspect(accounts: Sequence[Account], team_of: Mapping[str, str], persons: Mapping[str, Sequence[KeyPerson]],
            followups: Mapping[str, Sequence[FollowUp]], history: Sequence[Mapping[str, Any]], config: Config,
            as_of: date) -> dict[tuple[str, str], Deal]:
    """Every open project of the accounts, with its flags, by (account id, project name)."""
    pasts = project_histories(history)
    of_stage = _statuses(config)
    out: dict[tuple[str, str], Deal] = {}
    for a in accounts:
        opened = [p for p in a.projects if of_stage.get(p.stage) == "open"]
        if not opened:
            continue
        met = decision_maker_met(persons.get(a.id, ()), followups.get(a.id, ()), as_of)
        for p in opened:
            key = (a.id, p.name)
            out[key] = Deal(a.id, p.name, a.rep, team_of.get(a.id, a.team), p.stage, p.value,
                            round(weighted(p, config), 2), probability(p, config), p.expected_close,
                            flags(a, p, config, as_of, met, pasts.get(key)))
    return out
