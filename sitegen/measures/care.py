"""After the sale (issue 18): won accounts not contacted for a while, and late resource-support requests.

- **Care**: an account with a won project (赢单 or 工程实施) and no open project, whose last contact is more than
  `care_days` (90 by default) before the as-of date, or that was never contacted, needs a return visit.
- **Resource requests**: open projects with a 资源支持需求; a request is *late* when the project is at 招投标 or
  a later stage, or closes within 30 days of the as-of date (the support can hardly arrive in time).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

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


def resource_requests(accounts: Iterable[Account], config: Config, as_of: date) -> list[ResourceRequest]:
    """Open projects with a 资源支持需求, by rep, then stage (furthest first), then close date."""
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
            out.append(ResourceRequest(a, p, bool(reasons), reasons, days))
    out.sort(key=lambda r: (r.account.rep, -order.get(r.project.stage, -1), r.project.expected_close or date.max,
                            r.account.id, r.project.name))
    return out
