"""Measures: pure functions of (Dataset, Config, as-of). Nothing here reads files or renders.

`compute` returns the facts of every account and the measures of every scope (the department, each team,
each rep). Pages and the JSON contract are built from these values only, so they always agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from ..config import Config
from ..issues import Issue, Severity
from ..model import Account, Dataset
from .activity import Overdue, RepActivity, Stale, overdue, rep_activity, stale
from .common import Index, _statuses, index, is_active, open_projects, stage_index, weighted
from .competition import Competitor, competitors
from .contacts import NO_CONTACTS, ContactCoverage, contact_coverage
from .coverage import Coverage, coverage
from .pipeline import (
    FunnelStep,
    MonthRow,
    Pareto,
    StageRow,
    WinLoss,
    by_stage,
    forecast,
    funnel,
    pareto,
    win_loss,
)
from .service import NO_SERVICE, Service, service

__all__ = ["AccountFacts", "Counts", "Measures", "Scope", "compute", "Index"]


@dataclass(frozen=True, slots=True)
class AccountFacts:
    account: Account
    team: str
    open: bool
    stage: str  # the furthest open project's stage, else the furthest stage of any project
    open_value: float
    weighted: float
    last_contact: date | None
    days_since: int | None
    stale: Stale | None
    overdue: Overdue | None
    coverage: Coverage
    contacts: ContactCoverage = NO_CONTACTS  # when each key person was last met (issue 18)
    service: Service = NO_SERVICE  # satisfaction and cost to serve (issue 18)


@dataclass(frozen=True, slots=True)
class Counts:
    accounts: int
    open_accounts: int
    projects: int
    open_projects: int
    key_persons: int
    competition_rows: int
    followups: int


@dataclass(frozen=True)
class Scope:
    """The measures of one part of the department: kind 'department', 'team' or 'rep'."""

    kind: str
    name: str
    reps: tuple[str, ...]
    accounts: tuple[AccountFacts, ...]  # sorted by account id
    counts: Counts
    open_value: float
    weighted_value: float
    by_stage: tuple[StageRow, ...]
    forecast: tuple[MonthRow, ...]
    funnel: tuple[FunnelStep, ...]
    win_loss: WinLoss
    pareto: Pareto
    activity: tuple[RepActivity, ...]
    stale: tuple[Stale, ...]  # longest silence first
    overdue: tuple[Overdue, ...]  # most overdue first
    no_decision_maker: tuple[str, ...]  # open accounts without a 决策者
    competitors: tuple[Competitor, ...]
    issues: tuple[Issue, ...]

    @property
    def contacts_week(self) -> int:
        return sum(r.this_week.contacts for r in self.activity)

    @property
    def effective_week(self) -> int:
        return sum(r.this_week.effective for r in self.activity)

    @property
    def target_week(self) -> int:
        return sum(r.this_week.target for r in self.activity)

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.issues if i.severity is Severity.WARNING)


@dataclass(frozen=True)
class Measures:
    as_of: date
    index: Index
    facts: dict[str, AccountFacts]  # by account id
    department: Scope
    teams: tuple[Scope, ...]  # sorted by name
    reps: tuple[Scope, ...]  # sorted by name


def account_stage(a: Account, config: Config) -> str:
    order = stage_index(config)
    of_stage = _statuses(config)
    opened = [p.stage for p in a.projects if of_stage.get(p.stage) == "open"]
    pool = opened or [p.stage for p in a.projects if p.stage in order]
    return max(pool, key=lambda s: order.get(s, -1)) if pool else ""


def account_facts(a: Account, idx: Index, config: Config, as_of: date) -> AccountFacts:
    fus = idx.followups.get(a.id, ())
    # oldest first (see Index): the last contact is the last date on or before as-of, and the contacts of
    # that day are the ones just before it
    end = len(fus)
    while end and fus[end - 1].date > as_of:
        end -= 1
    last = fus[end - 1].date if end else None
    start = end
    while start and fus[start - 1].date == last:
        start -= 1
    of_stage = _statuses(config)
    opened = [p for p in a.projects if of_stage.get(p.stage) == "open"]
    return AccountFacts(
        account=a,
        team=idx.team(a),
        open=bool(opened),
        stage=account_stage(a, config),
        open_value=round(sum(p.value or 0 for p in opened), 2),
        weighted=round(sum(weighted(p, config) for p in opened), 2),
        last_contact=last,
        days_since=(as_of - last).days if last else None,
        stale=stale(a, fus, config, as_of, last),
        overdue=overdue(a, fus[start:end], as_of, last) if is_active(a, config) else None,
        coverage=coverage(idx.persons.get(a.id, ()), config),
        contacts=contact_coverage(idx.persons.get(a.id, ()), fus, as_of, config.contact_window_days),
        service=service(fus, a.projects, config, as_of),
    )


def scope(kind: str, name: str, facts: Sequence[AccountFacts], reps: Iterable[str], idx: Index, ds: Dataset,
          issues: Sequence[Issue], config: Config, as_of: date,
          activity: dict[str, RepActivity] | None = None,
          memo: dict[str, tuple[bool, tuple[float, ...], int, int]] | None = None) -> Scope:
    facts = sorted(facts, key=lambda f: f.account.id)
    accounts = [f.account for f in facts]
    projects = [p for a in accounts for p in a.projects]
    opened = open_projects(accounts, config)
    rep_names = tuple(sorted(set(reps)))
    stale_list = sorted((f.stale for f in facts if f.stale),
                        key=lambda s: (s.days is not None, -(s.days or 0), s.account))
    overdue_list = sorted((f.overdue for f in facts if f.overdue), key=lambda o: (o.due, o.account))
    return Scope(
        kind=kind,
        name=name,
        reps=rep_names,
        accounts=tuple(facts),
        counts=Counts(
            accounts=len(accounts),
            open_accounts=sum(1 for f in facts if f.open),
            projects=len(projects),
            open_projects=len(opened),
            key_persons=sum(len(idx.persons.get(a.id, ())) for a in accounts),
            competition_rows=sum(len(idx.competition.get(a.id, ())) for a in accounts),
            followups=sum(len(idx.followups.get(a.id, ())) for a in accounts),
        ),
        open_value=round(sum(p.value or 0 for p in opened), 2),
        weighted_value=round(sum(weighted(p, config) for p in opened), 2),
        by_stage=tuple(by_stage(opened, config)),
        forecast=tuple(forecast(opened, config)),
        funnel=tuple(funnel(projects, config)),
        win_loss=win_loss(projects, config),
        pareto=pareto(accounts, config),
        activity=tuple(rep_activity(rep_names, idx, ds.targets, config, as_of, known=activity)),
        stale=tuple(stale_list),
        overdue=tuple(overdue_list),
        no_decision_maker=tuple(f.account.id for f in facts if f.open and not f.coverage.decision_makers),
        competitors=tuple(competitors(accounts, idx, config, memo)),
        issues=tuple(issues),
    )


def compute(ds: Dataset, issues: Sequence[Issue], config: Config, as_of: date) -> Measures:
    idx = index(ds)
    facts = {a.id: account_facts(a, idx, config, as_of) for a in sorted(ds.accounts, key=lambda a: a.id)}
    all_reps = sorted({r.name for r in ds.reps} | {a.rep for a in ds.accounts if a.rep})
    activity: dict[str, RepActivity] = {}  # a rep's weeks are the same in every scope
    memo: dict[str, tuple[bool, tuple[float, ...], int, int]] = {}  # and so is an account's summary for competitors
    department = scope("department", "", list(facts.values()), all_reps, idx, ds, issues, config, as_of, activity,
                       memo)

    by_team: dict[str, list[AccountFacts]] = defaultdict(list)
    by_rep: dict[str, list[AccountFacts]] = defaultdict(list)
    for f in facts.values():
        by_team[f.team].append(f)
        by_rep[f.account.rep].append(f)
    issues_of: dict[str, list[Issue]] = defaultdict(list)
    for i in issues:
        issues_of[i.rep].append(i)

    teams = []
    for team in sorted({f.team for f in facts.values() if f.team} | set(ds.teams)):
        members = [r for r in all_reps if idx.team_of_rep.get(r, "") == team]
        fs = by_team.get(team, [])
        members = sorted(set(members) | {f.account.rep for f in fs})
        member_set = set(members)
        team_issues = [i for i in issues if i.rep in member_set]
        teams.append(scope("team", team, fs, members, idx, ds, team_issues, config, as_of, activity, memo))

    reps = []
    for rep in all_reps:
        reps.append(scope("rep", rep, by_rep.get(rep, []), [rep], idx, ds, issues_of.get(rep, []), config, as_of,
                          activity, memo))
    return Measures(as_of, idx, facts, department, tuple(teams), tuple(reps))
