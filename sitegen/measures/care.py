"""After the sale (issue 18): won accounts not contacted for a while, and late resource-support requests.

- **Care**: an account with a won project (赢单 or 工程实施) and no open project, whose last contact is more than
  `care_days` (90 by default) before the as-of date, or that was never contacted, needs a return visit.
- **Resource requests**: open projects with a 资源支持需求; a request is *late* when the project is at 招投标 or
  a later stage, or closes within 30 days of the as-of date (the support can hardly arrive in time). It has
  stood since its 申请日期 when the customer file has that column, else since the first of the unbroken run of
  weekly snapshots (history) that recorded the same request text for the project, up to this week.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..config import Config
from ..model import Account, Project
from .common import _statuses, stage_index

LATE_STAGE = "招投标"
LATE_DAYS = 30


@dataclass(frozen=True, slots=True)
class Care:
    account: str
    rep: str
    last_contact: date | None
    days: int | None  # since the last contact; None = never contacted
    won_value: float  # 万元, of its won projects


def needs_care(a: Account, last_contact: date | None, config: Config, as_of: date) -> Care | None:
    of_stage = _statuses(config)
    states = [of_stage.get(p.stage, "other") for p in a.projects]
    if "won" not in states or "open" in states:
        return None
    days = (as_of - last_contact).days if last_contact else None
    if days is not None and days <= config.care_days:
        return None
    won = sum(p.value or 0 for p, s in zip(a.projects, states, strict=True) if s == "won")
    return Care(a.id, a.rep, last_contact, days, round(won, 2))


@dataclass(frozen=True, slots=True)
class ResourceRequest:
    account: Account
    project: Project
    late: bool
    reasons: tuple[str, ...]  # "stage", "closing"
    days_to_close: int | None
    since: date | None = None  # 申请日期, else the first week history recorded the request
    days_standing: int | None = None
    since_typed: bool = False  # `since` is the 申请日期 typed in the customer file


def _history_index(history: Sequence[dict[str, Any]]) -> list[tuple[date, dict[tuple[str, str], str]]]:
    """Per week (newest first): its as-of date and each project's request text."""
    out = []
    for week in reversed(history):
        try:
            when = date.fromisoformat(str(week.get("as_of")))
        except ValueError:
            continue
        texts = {(str(a.get("id")), str(p.get("name"))): str(p.get("resource_needs") or "")
                 for a in week.get("accounts", ()) for p in a.get("projects", ())}
        out.append((when, texts))
    return out


def standing_since(weeks: list[tuple[date, dict[tuple[str, str], str]]], account: str, project: str,
                   text: str) -> date | None:
    """The as-of date of the earliest week of the unbroken run, ending with the newest week, that recorded
    the same request."""
    since = None
    for when, texts in weeks:
        if texts.get((account, project)) != text:
            break
        since = when
    return since


def resource_requests(accounts: Iterable[Account], config: Config, as_of: date,
                      history: Sequence[dict[str, Any]] = ()) -> list[ResourceRequest]:
    """Open projects with a 资源支持需求, by rep, then stage (furthest first), then close date. `history`: the
    weekly snapshots, oldest first, this week's included (weekly.Weekly.history)."""
    weeks = _history_index(history)
    of_stage = _statuses(config)
    order = stage_index(config)
    late_from = order.get(LATE_STAGE, len(order))
    out = []
    for a in accounts:
        for p in a.projects:
            if of_stage.get(p.stage) != "open" or not p.resource_needs.strip():
                continue
            days = (p.expected_close - as_of).days if p.expected_close else None
            reasons = tuple(r for r, yes in (("stage", order.get(p.stage, -1) >= late_from),
                                             ("closing", days is not None and days <= LATE_DAYS)) if yes)
            typed = p.request_date is not None
            since = p.request_date if typed else standing_since(weeks, a.id, p.name, p.resource_needs)
            out.append(ResourceRequest(a, p, bool(reasons), reasons, days, since,
                                       (as_of - since).days if since else None, typed))
    out.sort(key=lambda r: (r.account.rep, -order.get(r.project.stage, -1), r.project.expected_close or date.max,
                            r.account.id, r.project.name))
    return out
