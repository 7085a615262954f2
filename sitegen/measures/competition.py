"""Competition department-wide: which competitors appear in how many open deals, what value they threaten."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ..config import Config
from ..model import Account, CompetitionRow
from .common import Index, is_open, status

THREATS = ("高", "中", "低")


@dataclass(frozen=True, slots=True)
class Competitor:
    name: str
    accounts: tuple[str, ...]  # every account it appears in (ids, sorted)
    open_accounts: tuple[str, ...]  # of those, the open ones
    value: float  # open value (万元) of the accounts it appears in
    threats: tuple[tuple[str, int], ...]  # (高/中/低/"", rows)
    won: int  # projects won in the accounts it appears in
    lost: int  # projects lost in those accounts
    scores: tuple[tuple[str, float | None, float | None], ...]  # (dimension, its mean, our mean on the same accounts)


def _mean(xs: list[int]) -> float | None:
    return round(sum(xs) / len(xs), 2) if xs else None


def competitors(accounts: Iterable[Account], idx: Index, config: Config) -> list[Competitor]:
    """Competitors over the given accounts, most threatening (open value) first."""
    rows_by_party: dict[str, list[CompetitionRow]] = defaultdict(list)
    ours: dict[str, CompetitionRow] = {}
    accs = {a.id: a for a in accounts}
    for aid in sorted(accs):
        for r in idx.competition.get(aid, ()):
            if r.is_us:
                ours.setdefault(aid, r)
            else:
                rows_by_party[r.party].append(r)
    out = []
    for name, rows in rows_by_party.items():
        ids = tuple(sorted({r.account_id for r in rows}))
        open_ids = tuple(i for i in ids if is_open(accs[i], config))
        value = sum(p.value or 0 for i in open_ids for p in accs[i].projects if status(p, config) == "open")
        threat = Counter(r.threat for r in rows)
        scores = []
        for dim in config.score_dimensions:
            theirs = [v for r in rows for d, v in r.scores if d == dim]
            us = [v for r in rows if r.account_id in ours for d, v in ours[r.account_id].scores if d == dim]
            scores.append((dim, _mean(theirs), _mean(us)))
        closed = [status(p, config) for i in ids for p in accs[i].projects]
        out.append(Competitor(name, ids, open_ids, round(value, 2),
                              tuple((t, threat[t]) for t in (*THREATS, "") if threat[t]),
                              closed.count("won"), closed.count("lost"), tuple(scores)))
    return sorted(out, key=lambda c: (-c.value, -len(c.open_accounts), c.name))
