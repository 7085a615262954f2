"""The one-page account plan of an open project (issue 18): Miller Heiman's Blue Sheet in the forms' words.

- the objective: the project, its value, stage, close date, probability and MAN;
- its buying influences: the key persons who serve the project (the key-person sheet's 项目名称, else every
  key person of the account), with their last contact, against the organisation's needs (组织需求);
- the 朋友/伙伴/陌路人/对手 matrix of seed 002: personal need met (relationship 认同 or better) against
  organisational need met (attitude scoring above 0):
  朋友 (personal Y, organisational n), 伙伴 (Y, y), 陌路人 (N, n), 对手 (N, y);
- red flags: the coverage and contact flags of these persons, a close date that has passed, MAN answered 否;
- each competitor's strengths and weaknesses, and ours, from the competition sheet;
- the next actions of the follow-ups of this project (or of no project), newest first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ..config import Config
from ..model import Account, CompetitionRow, FollowUp, KeyPerson, Project
from .common import probability
from .contacts import ContactCoverage, PersonContact, contact_coverage
from .coverage import attitude_score, coverage

QUADRANTS = ("伙伴", "朋友", "对手", "陌路人")  # display order: the best first
UNASSESSED = "未评估"
PERSONAL_MET = 3  # 关系阶段 认同 or better
NEXT_ACTIONS = 5


def quadrant(k: KeyPerson, config: Config) -> str:
    """Seed 002's matrix: relationship (personal need) against attitude (organisational need)."""
    score = attitude_score(k, config)
    if k.relationship is None or score is None:
        return UNASSESSED
    personal = k.relationship >= PERSONAL_MET
    organisational = score > 0
    if personal:
        return "伙伴" if organisational else "朋友"
    return "对手" if organisational else "陌路人"


@dataclass(frozen=True, slots=True)
class Influence:
    person: KeyPerson
    contact: PersonContact
    quadrant: str


@dataclass(frozen=True, slots=True)
class NextAction:
    set_on: date  # the date of the follow-up that set it
    action: str
    due: dt.date | None
    overdue: bool


@dataclass(frozen=True)
class Plan:
    account: Account
    project: Project
    probability: float
    influences: tuple[Influence, ...]  # most influential first
    org_needs: tuple[str, ...]
    matrix: tuple[tuple[str, tuple[str, ...]], ...]  # (quadrant, names) for QUADRANTS and UNASSESSED
    flags: tuple[str, ...]  # codes: locale flag.<code>
    dm_not_met: tuple[str, ...]
    us: CompetitionRow | None
    competitors: tuple[CompetitionRow, ...]
    next_actions: tuple[NextAction, ...]
    contacts: ContactCoverage


def plan(a: Account, p: Project, persons: Sequence[KeyPerson], competition: Sequence[CompetitionRow],
         followups: Sequence[FollowUp], config: Config, as_of: date) -> Plan:
    """`followups`: the account's, oldest first."""
    serving = [k for k in persons if k.serves(p.name)]
    cc = contact_coverage(serving, followups, as_of, config.contact_window_days)
    influences = sorted((Influence(k, c, quadrant(k, config)) for k, c in zip(serving, cc.persons, strict=True)),
                        key=lambda i: -(i.person.influence or 0))
    matrix = tuple((q, tuple(i.person.name for i in influences if i.quadrant == q)) for q in (*QUADRANTS, UNASSESSED))
    cov = coverage(serving, config)
    flags = [*cov.flags, *cc.flags]
    if p.expected_close is not None and p.expected_close < as_of:
        flags.append("plan_close_passed")
    flags += [code for code, answer in (("plan_no_budget", p.budget), ("plan_dm_not_reached", p.decision_maker),
                                        ("plan_need_unclear", p.need)) if answer is False]
    ours = [r for r in competition if r.is_us]
    # an action set at the account's latest contact and due before the as-of date is overdue (no contact since)
    latest = max((f.date for f in followups if f.date <= as_of), default=None)
    actions: list[NextAction] = []
    for f in reversed(followups):
        if f.date > as_of or not f.next_action or (f.project and p.name and f.project != p.name):
            continue
        actions.append(NextAction(f.date, f.next_action, f.next_date,
                                  f.date == latest and f.next_date is not None and f.next_date < as_of))
        if len(actions) == NEXT_ACTIONS:
            break
    return Plan(
        account=a, project=p, probability=probability(p, config), influences=tuple(influences),
        org_needs=tuple(dict.fromkeys(k.org_need for k in serving if k.org_need)), matrix=matrix, flags=tuple(flags),
        dm_not_met=cc.dm_not_met, us=ours[0] if ours else None,
        competitors=tuple(r for r in competition if not r.is_us), next_actions=tuple(actions), contacts=cc,
    )
