"""Shared definitions (issue 3 §3): which projects are open, won or lost, and what a project is worth."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from operator import attrgetter

from ..config import Config
from ..model import Account, CompetitionRow, Dataset, FollowUp, KeyPerson, Project


def status(p: Project, config: Config) -> str:
    """'open', 'won', 'lost' or 'other' (on hold, no stage, unknown stage)."""
    return _statuses(config).get(p.stage, "other")


_STATUS: dict[int, tuple[Config, dict[str, str]]] = {}


def _statuses(config: Config) -> dict[str, str]:
    """Stage name -> status, worked out once per config (measures ask it hundreds of thousands of times)."""
    known = _STATUS.get(id(config))
    if known is not None and known[0] is config:
        return known[1]
    out: dict[str, str] = {}
    for s in reversed(config.stages):  # the first stage of a name wins, as in config.stage()
        out[s.name] = "open" if s.open else "won" if s.won else "lost" if s.lost else "other"
    if len(_STATUS) > 16:
        _STATUS.clear()
    _STATUS[id(config)] = (config, out)
    return out


def probability(p: Project, config: Config) -> float:
    """The row's 成交概率, else the stage's default probability, else 0."""
    if p.probability is not None:
        return p.probability
    s = config.stage(p.stage)
    return s.probability if s else 0.0


def weighted(p: Project, config: Config) -> float:
    return (p.value or 0.0) * probability(p, config)


def is_open(a: Account, config: Config) -> bool:
    of_stage = _statuses(config)
    return any(of_stage.get(p.stage) == "open" for p in a.projects)


def is_active(a: Account, config: Config) -> bool:
    """Open, or being implemented: a project in an open stage, or in a won stage listed before the last won
    stage (工程实施 before 赢单 by default). Lost, paused and closed-won accounts are not nagged about their
    next actions."""
    of_stage = _statuses(config)
    return any(of_stage.get(p.stage) == "open" or p.stage in _implementing(config) for p in a.projects)


def _implementing(config: Config) -> frozenset[str]:
    won = [s.name for s in config.stages if s.won and not s.open]
    return frozenset(won[:-1])


def open_projects(accounts: Iterable[Account], config: Config) -> list[Project]:
    of_stage = _statuses(config)
    return [p for a in accounts for p in a.projects if of_stage.get(p.stage) == "open"]


def stage_index(config: Config) -> dict[str, int]:
    return {s.name: i for i, s in enumerate(config.stages)}


@dataclass(frozen=True)
class Index:
    """The dataset's rows grouped by account and by rep, built once per build."""

    accounts: dict[str, Account]
    persons: dict[str, tuple[KeyPerson, ...]]
    competition: dict[str, tuple[CompetitionRow, ...]]
    followups: dict[str, tuple[FollowUp, ...]]  # by account, oldest first (date, file, sheet, row)
    followups_by_rep: dict[str, tuple[FollowUp, ...]]  # by rep, in the same order
    team_of_rep: dict[str, str]

    def team(self, a: Account) -> str:
        return a.team or self.team_of_rep.get(a.rep, "")


def index(ds: Dataset) -> Index:
    persons: dict[str, list[KeyPerson]] = defaultdict(list)
    for k in ds.key_persons:
        persons[k.account_id].append(k)
    comp: dict[str, list[CompetitionRow]] = defaultdict(list)
    for c in ds.competition:
        comp[c.account_id].append(c)
    # each account's and each rep's follow-ups in ds.followups order (dicts by first appearance, as before),
    # each list then sorted stably by (date, file, sheet, row): the order one stable sort of all the
    # follow-ups would give them. An account's follow-ups are mostly in date order already, and a rep's are
    # a few such runs, which the sort merges.
    fus: dict[str, list[FollowUp]] = {}
    by_rep: dict[str, list[FollowUp]] = {}
    for f in ds.followups:
        got = fus.get(f.account_id)
        if got is None:
            got = fus[f.account_id] = []
        got.append(f)
        got = by_rep.get(f.rep)
        if got is None:
            got = by_rep[f.rep] = []
        got.append(f)
    try:
        followups = {k: tuple(sorted(v, key=_PLACE)) for k, v in fus.items()}
        followups_by_rep = {k: tuple(sorted(v, key=_PLACE)) for k, v in by_rep.items()}
    except AttributeError:  # some follow-up has no source: ("", "", 0)
        followups = {k: tuple(sorted(v, key=_order)) for k, v in fus.items()}
        followups_by_rep = {k: tuple(sorted(v, key=_order)) for k, v in by_rep.items()}
    return Index(
        accounts={a.id: a for a in ds.accounts},
        persons={k: tuple(v) for k, v in persons.items()},
        competition={k: tuple(v) for k, v in comp.items()},
        followups=followups,
        followups_by_rep=followups_by_rep,
        team_of_rep={r.name: r.team for r in ds.reps},
    )


_PLACE = attrgetter("date", "src.file", "src.sheet", "src.row")


def _order(f: FollowUp) -> tuple[date, str, str, int]:
    return (f.date, f.src.file if f.src else "", f.src.sheet if f.src else "", f.src.row if f.src else 0)
