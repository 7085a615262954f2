"""Shared definitions (issue 3 §3): which projects are open, won or lost, and what a project is worth."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from operator import itemgetter

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
    # each account's and each rep's follow-ups, in ds.followups order (dicts by first appearance, as before),
    # then each list sorted stably by (date, file, sheet, row)
    fl = ds.followups
    try:
        places = [(f.date, (src := f.src).file, src.sheet, src.row, f.account_id, f.rep)  # type: ignore[union-attr]
                  for f in fl]
    except AttributeError:  # some follow-up has no source ("", "", 0)
        places = [(*_order(f), f.account_id, f.rep) for f in fl]
    of_account: dict[str, list[int]] = {}
    of_rep: dict[str, list[int]] = {}
    for i, p in enumerate(places):
        got = of_account.get(p[4])
        if got is None:
            got = of_account[p[4]] = []
        got.append(i)
        got = of_rep.get(p[5])
        if got is None:
            got = of_rep[p[5]] = []
        got.append(i)
    key = _sort_key(places)
    at = fl.__getitem__
    return Index(
        accounts={a.id: a for a in ds.accounts},
        persons={k: tuple(v) for k, v in persons.items()},
        competition={k: tuple(v) for k, v in comp.items()},
        followups={k: tuple(map(at, sorted(v, key=key))) for k, v in of_account.items()},
        followups_by_rep={k: tuple(map(at, sorted(v, key=key))) for k, v in of_rep.items()},
        team_of_rep={r.name: r.team for r in ds.reps},
    )


def _order(f: FollowUp) -> tuple[date, str, str, int]:
    return (f.date, f.src.file if f.src else "", f.src.sheet if f.src else "", f.src.row if f.src else 0)


def _sort_key(places: list[tuple[date, str, str, int, str, str]]) -> Callable[[int], object]:
    """A key for positions in `places` (date, file, sheet, row, ...) that orders them as (date, file, sheet,
    row) would: one int per place when it can (ints compare much faster than tuples of dates and strings)."""
    rows = list(map(itemgetter(3), places))
    if (set(map(type, map(itemgetter(0), places))) - {date} or set(map(type, rows)) - {int}
            or min(rows, default=0) < 0):
        return lambda i: places[i][:4]
    file_rank = {f: i for i, f in enumerate(sorted(set(map(itemgetter(1), places))))}
    sheet_rank = {s: i for i, s in enumerate(sorted(set(map(itemgetter(2), places))))}
    n_files, n_sheets, n_rows = len(file_rank), len(sheet_rank), max(rows, default=0) + 1
    keys = [((d.toordinal() * n_files + file_rank[f]) * n_sheets + sheet_rank[s]) * n_rows + r
            for d, f, s, r, _, _ in places]
    return keys.__getitem__
