"""A year of follow-ups per account, and the reps' monthly targets."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from . import pools
from .world import OPEN, STAGES, Account, Project, World, rng_for

_FACE_TO_FACE = ("拜访", "演示", "公司参观", "客户参观", "宴请")
_METHODS_BY_STAGE: dict[int, tuple[tuple[str, ...], tuple[int, ...]]] = {
    0: (("电话", "拜访", "微信", "邮件"), (3, 3, 2, 1)),
    1: (("拜访", "电话", "微信", "邮件"), (4, 2, 2, 1)),
    2: (("拜访", "演示", "公司参观", "客户参观", "微信", "电话"), (3, 2, 1, 1, 2, 1)),
    3: (("拜访", "电话", "微信", "邮件"), (3, 2, 2, 2)),
    4: (("拜访", "宴请", "电话", "微信"), (3, 1, 2, 2)),
    5: (("拜访", "电话", "微信", "邮件"), (3, 2, 2, 1)),
    6: (("电话", "微信", "拜访", "其他"), (2, 2, 2, 1)),
}


Day = date  # the field `date` below would shadow the type in annotations


@dataclass(frozen=True, slots=True)
class FollowUp:
    date: Day
    account_id: str
    project: str
    method: str
    contact: str
    purpose: str
    content: str
    feedback: str
    effective: bool
    stage: str
    stage_changed: bool  # the first contact at this stage (reps tend to note the stage then)
    next_action: str
    next_date: Day | None
    expense: int | None


def _stage_at(p: Project, d: date, start: date, last: date) -> str:
    if p.switch is not None and d >= p.switch:
        return p.stage
    end = p.switch or last
    frac = (d - start).days / max(1, (end - start).days)
    idx = p.start_stage + int(frac * (p.peak_stage - p.start_stage + 1))
    return STAGES[min(idx, p.peak_stage)]


def _dates(rng: random.Random, acc: Account, as_of: date, year_start: date) -> list[date]:
    if acc.quiet_days:
        last = as_of - timedelta(days=acc.quiet_days)
    elif acc.overdue:
        last = as_of - timedelta(days=rng.randint(12, 24))
    else:
        last = as_of - timedelta(days=rng.randint(0, 10 if acc.category in ("战略客户", "重要客户") else 20))
    start = min(max(year_start, acc.first_contact), last)
    fixed = {last} | {p.switch for p in acc.projects if p.switch and start <= p.switch <= last}
    span = (last - start).days
    out = list(fixed)
    for _ in range(max(0, acc.followups - len(fixed))):
        # strictly before the last contact, so the last contact's next action is the account's latest one
        d = start + timedelta(days=rng.randint(0, max(0, span - 1)))
        if d.weekday() >= 5 and rng.random() < 0.85:
            d += timedelta(days=(-1 if d.weekday() == 5 else 1))
            d = min(max(d, start), last - timedelta(days=1)) if span else last
        out.append(d)
    return sorted(out)


def _contact(rng: random.Random, acc: Account, stage_idx: int, method: str) -> str:
    weights = []
    for p in acc.persons:
        w = 1.0
        if "决策者" in p.roles:
            w = 1.5 if stage_idx >= 2 else 0.5
        elif "内线" in p.roles:
            w = 3.0
        elif p.influence >= 3:
            w = 2.0
        if method == "宴请" and p.influence < 3:
            w = 0.2
        weights.append(w)
    return rng.choices(acc.persons, weights)[0].name


def followups_for(acc: Account, seed: int, as_of: date) -> list[FollowUp]:
    """The account's follow-ups of the year ending `as_of`, oldest first."""
    rng = rng_for(seed, "followups", acc.id)
    year_start = as_of - timedelta(days=364)
    dates = _dates(rng, acc, as_of, year_start)
    start, last = dates[0], dates[-1]
    switch_of = {p.switch: p for p in acc.projects if p.switch}
    out: list[FollowUp] = []
    seen: dict[str, str] = {}
    for i, d in enumerate(dates):
        final = i == len(dates) - 1
        if d in switch_of:
            project = switch_of[d]
        else:
            weights = [3.0 if p.is_open else (2.0 if p.switch and d < p.switch else 0.5) for p in acc.projects]
            project = rng.choices(acc.projects, weights)[0]
        stage = _stage_at(project, d, start, last)
        k = STAGES.index(stage)
        methods, m_weights = _METHODS_BY_STAGE[min(k, 6)]
        method = rng.choices(methods, m_weights)[0]
        effective = (method in _FACE_TO_FACE) == (rng.random() < 0.9)
        purposes, contents, feedbacks, actions = pools.FOLLOWUP_TEXTS[stage]
        action = rng.choice([a for a in actions if a] if final else actions)
        if not action:
            next_date = None
        elif not final:
            next_date = d + timedelta(days=rng.randint(3, 14))
        elif acc.quiet_days:
            next_date = d + timedelta(days=rng.randint(5, 14))
        elif acc.overdue:
            next_date = d + timedelta(days=rng.randint(3, 9))
        else:
            next_date = as_of + timedelta(days=rng.randint(1, 21))
        expense = None
        if method == "宴请":
            expense = rng.randint(5, 30) * 100
        elif method == "客户参观":
            expense = rng.randint(10, 60) * 100
        elif method == "公司参观":
            expense = rng.randint(2, 15) * 100
        elif method == "拜访" and rng.random() < 0.4:
            expense = rng.randint(1, 4) * 50
        out.append(FollowUp(d, acc.id, project.name, method, _contact(rng, acc, k, method),
                            rng.choice(purposes), rng.choice(contents), rng.choice(feedbacks), effective, stage,
                            seen.get(project.name) != stage, action, next_date, expense))
        seen[project.name] = stage
    return _settle_last_stages(acc, out)


def _settle_last_stages(acc: Account, fus: list[FollowUp]) -> list[FollowUp]:
    """The latest follow-up of an open project shows its current stage, as in the customer file."""
    last_index = {f.project: i for i, f in enumerate(fus)}
    by_name = {p.name: p for p in acc.projects}
    for name, i in last_index.items():
        p = by_name[name]
        if p.stage in OPEN and fus[i].stage != p.stage:
            f = fus[i]
            fus[i] = FollowUp(f.date, f.account_id, f.project, f.method, f.contact, f.purpose, f.content,
                              f.feedback, f.effective, p.stage, True, f.next_action, f.next_date, f.expense)
    return fus


def followups_of(accounts: Iterable[Account], seed: int, as_of: date) -> list[FollowUp]:
    """All follow-ups of some accounts, in the order a rep logs them (by date)."""
    out = [f for acc in accounts for f in followups_for(acc, seed, as_of)]
    out.sort(key=lambda f: (f.date, f.account_id))
    return out


def last_contacts(fus: Iterable[FollowUp]) -> dict[tuple[str, str], date]:
    out: dict[tuple[str, str], date] = {}
    for f in fus:
        key = (f.account_id, f.contact)
        if key not in out or out[key] < f.date:
            out[key] = f.date
    return out


def months_ending(as_of: date, n: int = 12) -> list[str]:
    y, m = as_of.year, as_of.month
    out = []
    for _ in range(n):
        out.append(f"{y}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def target_months(as_of: date) -> list[str]:
    """The months the demo's targets cover: the 12 months to as_of and the rest of as_of's year (the year's
    figures and the monthly chart against the target line need every month of it)."""
    rest = [f"{as_of.year}-{m:02d}" for m in range(as_of.month + 1, 13)]
    return months_ending(as_of) + rest


def targets(world: World, followups_per_rep: dict[str, int]) -> list[tuple[str, str, int, int]]:
    """(rep, month, contacts target, signing target in 万元) for every rep and every month of target_months:
    a month's signing target is about a twelfth of what the rep signed over the year plus a little of the
    open pipeline, so that attainment lands around the mark (some reps above it, some below)."""
    out = []
    months = target_months(world.as_of)
    for rep in world.reps:
        rng = rng_for(world.seed, "targets", rep.name)
        projects = [p for a in world.accounts_of(rep.name) for p in a.projects]
        won = sum(p.value for p in projects if p.stage in ("赢单", "工程实施"))
        open_value = sum(p.value for p in projects if p.stage in OPEN and p.stage != "工程实施")
        for month in months:
            visits = max(5, round(followups_per_rep.get(rep.name, 0) / 12 * rng.uniform(1.0, 1.25) / 5) * 5)
            sign = max(10, round((won + 0.05 * open_value) / 12 * rng.uniform(0.8, 1.3) / 10) * 10)
            out.append((rep.name, month, visits, sign))
    return out


def overdue_accounts(fus: Sequence[FollowUp], as_of: date) -> list[str]:
    """Accounts whose latest follow-up set a next date that has passed."""
    latest: dict[str, FollowUp] = {}
    for f in fus:
        if f.account_id not in latest or latest[f.account_id].date <= f.date:
            latest[f.account_id] = f
    return sorted(a for a, f in latest.items() if f.next_date is not None and f.next_date < as_of)
