"""The Monday meeting (issue 17): targets against results, deal inspection, the closing-this-month list and the
forecast by category, for every scope (department, team, rep).

Built once per site from the measures and the weekly history (the history-based flags need the weeks before
this one), then read by the pages, the meeting pack and the JSON contract, so that they always agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .config import Config
from .measures import Measures, Scope
from .measures.inspection import Deal, inspect
from .measures.plan import Action, Completion, last_week, next_week, set_actions
from .measures.targets import Attainment, Targets, first_won, month_end, month_key
from .model import Dataset

CATEGORIES = ("commit", "best_case", "pipeline")
REPS_LISTED = 30  # above this many reps, the department's plan completion is listed per team


@dataclass(frozen=True, slots=True)
class CategoryRow:
    category: str  # commit, best_case, pipeline
    projects: int
    value: float
    weighted: float


def category(d: Deal, config: Config) -> str:
    if d.stage in config.commit_stages or d.probability >= config.commit_probability:
        return "commit"
    if d.stage in config.best_case_stages:
        return "best_case"
    return "pipeline"


def by_category(deals: Sequence[Deal], config: Config) -> list[CategoryRow]:
    rows = []
    for c in CATEGORIES:
        ds = [d for d in deals if category(d, config) == c]
        rows.append(CategoryRow(c, len(ds), round(sum(d.value or 0 for d in ds), 2),
                                round(sum(d.weighted for d in ds), 2)))
    return rows


@dataclass(frozen=True)
class ScopeMeeting:
    attainment: Attainment
    deals: tuple[Deal, ...]  # the scope's open projects, by account id and project name
    attention: tuple[Deal, ...]  # flagged ones: most flags first, then largest value
    closing: tuple[Deal, ...]  # expected to close in the as-of month, soonest first
    forecast_month: tuple[CategoryRow, ...]  # open projects closing in the as-of month
    forecast_quarter: tuple[CategoryRow, ...]  # ... in the rest of the as-of quarter (the month included)
    next_week: tuple[Action, ...]  # the scope's reps' actions due in the 7 days after as-of
    last_week: tuple[Action, ...]  # ... due in the 7 days before as-of, each done or not
    completion: Completion  # of last_week
    trend: tuple[tuple[date, Completion], ...]  # last week's completion at each week in history, oldest first
    by_rep: tuple[tuple[str, Completion, tuple[Completion, ...]], ...]  # each rep: completion, and its trend
    # (the department with more than REPS_LISTED reps: each team instead, and by_team is True)
    by_team: bool = False


class Meeting:
    def __init__(self, dataset: Dataset, m: Measures, config: Config, history: Sequence[dict[str, Any]]) -> None:
        self.config = config
        self.as_of = m.as_of
        idx = m.index
        team_of = {aid: f.team for aid, f in m.facts.items()}
        self.deals = inspect(dataset.accounts, team_of, idx.persons, idx.followups, history, config, m.as_of)
        self.targets = Targets(dataset.accounts, dataset.targets, idx, config, m.as_of, first_won(history, config))
        rep_of = {a.id: a.rep for a in dataset.accounts}
        self.team_of = idx.team_of_rep
        self.next_week = next_week(idx.followups, sorted(idx.followups), rep_of, m.as_of)
        self.weeks = sorted({date.fromisoformat(w["as_of"]) for w in history} | {m.as_of})
        actions = set_actions(idx.followups, rep_of, m.as_of, self.weeks[0] - timedelta(days=7))
        self.done: dict[tuple[str, date], Completion] = {}  # (rep, week's as-of) -> last week's completion
        self.last_week: dict[str, list[Action]] = {}
        for w in self.weeks:
            per_rep: dict[str, list[int]] = {}
            for a in last_week(actions, w):
                c = per_rep.setdefault(a.rep, [0, 0])
                c[0] += 1
                c[1] += 1 if a.done else 0
                if w == m.as_of:
                    self.last_week.setdefault(a.rep, []).append(a)
            for rep, (due, done) in per_rep.items():
                self.done[(rep, w)] = Completion(due, done)
        self.scopes: dict[tuple[str, str], ScopeMeeting] = {}
        for s in (m.department, *m.teams, *m.reps):
            self.scopes[(s.kind, s.name)] = self._scope(s)

    def _scope(self, s: Scope) -> ScopeMeeting:
        ids = {f.account.id for f in s.accounts}
        deals = sorted((d for (aid, _), d in self.deals.items() if aid in ids), key=lambda d: (d.account, d.project))
        attention = sorted((d for d in deals if d.flags), key=lambda d: (-len(d.flags), -(d.value or 0), d.account,
                                                                          d.project))
        month = month_key(self.as_of)
        closing = sorted((d for d in deals if d.close and month_key(d.close) == month),
                         key=lambda d: (d.close, d.account, d.project))
        q_end_month = (self.as_of.month - 1) // 3 * 3 + 3
        q_end = month_end(date(self.as_of.year, q_end_month, 1))
        quarter = [d for d in deals if d.close and d.close <= q_end and
                   (d.close.year, d.close.month) >= (self.as_of.year, self.as_of.month)]
        reps = set(s.reps)
        plan = tuple(a for a in self.next_week if a.rep in reps)
        last = tuple(sorted((a for r in s.reps for a in self.last_week.get(r, ())),
                            key=lambda a: (a.due, a.account, a.action)))

        def done(rs: Sequence[str], w: date) -> Completion:
            cs = [self.done[(r, w)] for r in rs if (r, w) in self.done]
            return Completion(sum(c.due for c in cs), sum(c.done for c in cs))

        trend = tuple((w, done(s.reps, w)) for w in self.weeks)
        groups = [(r, [r]) for r in s.reps]
        by_team = s.kind == "department" and len(s.reps) > REPS_LISTED
        if by_team:
            teams = sorted({self.team_of.get(r, "") for r in s.reps})
            groups = [(t, [r for r in s.reps if self.team_of.get(r, "") == t]) for t in teams]
        by_rep = tuple((name, done(rs, self.as_of), tuple(done(rs, w) for w in self.weeks)) for name, rs in groups)
        return ScopeMeeting(self.targets.scope(s.kind, s.name, s.reps), tuple(deals), tuple(attention),
                            tuple(closing), tuple(by_category(closing, self.config)),
                            tuple(by_category(quarter, self.config)), plan, last, done(s.reps, self.as_of), trend,
                            by_rep, by_team)

    def of(self, s: Scope) -> ScopeMeeting:
        return self.scopes[(s.kind, s.name)]

    def codes(self, account: str, project: str) -> list[str]:
        d = self.deals.get((account, project))
        return list(d.codes) if d else []
