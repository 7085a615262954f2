"""The Monday meeting (issue 17): targets against results, deal inspection, the closing-this-month list and the
forecast by category, for every scope (department, team, rep).

Built once per site from the measures and the weekly history (the history-based flags need the weeks before
this one), then read by the pages, the meeting pack and the JSON contract, so that they always agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from .config import Config
from .measures import Measures, Scope
from .measures.inspection import Deal, inspect
from .measures.targets import Attainment, Targets, first_won, month_end, month_key
from .model import Dataset

CATEGORIES = ("commit", "best_case", "pipeline")


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


class Meeting:
    def __init__(self, dataset: Dataset, m: Measures, config: Config, history: Sequence[dict[str, Any]]) -> None:
        self.config = config
        self.as_of = m.as_of
        idx = m.index
        team_of = {aid: f.team for aid, f in m.facts.items()}
        self.deals = inspect(dataset.accounts, team_of, idx.persons, idx.followups, history, config, m.as_of)
        self.targets = Targets(dataset.accounts, dataset.targets, idx, config, m.as_of, first_won(history, config))
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
        return ScopeMeeting(self.targets.scope(s.kind, s.name, s.reps), tuple(deals), tuple(attention),
                            tuple(closing), tuple(by_category(closing, self.config)),
                            tuple(by_category(quarter, self.config)))

    def of(self, s: Scope) -> ScopeMeeting:
        return self.scopes[(s.kind, s.name)]

    def codes(self, account: str, project: str) -> list[str]:
        d = self.deals.get((account, project))
        return list(d.codes) if d else []
