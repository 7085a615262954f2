"""Competition department-wide: which competitors appear in how many open deals, what value they threaten."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ..config import Config
from ..model import Account, CompetitionRow
from .common import Index, _statuses

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


def competitors(accounts: Iterable[Account], idx: Index, config: Config,
                memo: dict[str, tuple[bool, tuple[float, ...], int, int]] | None = None) -> list[Competitor]:
    """Competitors over the given accounts, most threatening (open value) first. `memo` remembers each
    account's (open, values of its open projects, won, lost) across the scopes of one build."""
    rows_by_party: dict[str, list[CompetitionRow]] = defaultdict(list)
    ours: dict[str, CompetitionRow] = {}
    accs = {a.id: a for a in accounts}
    for aid in sorted(accs):
        for r in idx.competition.get(aid, ()):
            if r.is_us:
                ours.setdefault(aid, r)
            else:
                rows_by_party[r.party].append(r)
    known = memo if memo is not None else {}
    of_stage = _statuses(config)

    def summary(aid: str) -> tuple[bool, tuple[float, ...], int, int]:
        got = known.get(aid)
        if got is None:
            a = accs[aid]
            states = [of_stage.get(p.stage, "other") for p in a.projects]
            values = tuple(p.value or 0 for p, st in zip(a.projects, states, strict=True) if st == "open")
            got = known[aid] = ("open" in states, values, states.count("won"), states.count("lost"))
        return got

    our_scores = {aid: r.scores for aid, r in ours.items()}
    out = []
    for name, rows in rows_by_party.items():
        ids = tuple(sorted({r.account_id for r in rows}))
        facts = [summary(i) for i in ids]
        open_ids = tuple(i for i, f in zip(ids, facts, strict=True) if f[0])
        value = sum(v for f in facts if f[0] for v in f[1])  # in the order of accounts, then projects
        threat = Counter(r.threat for r in rows)
        # each dimension's scores in the order of rows, then of the row's scores
        theirs: dict[str, list[int]] = {dim: [] for dim in config.score_dimensions}
        us: dict[str, list[int]] = {dim: [] for dim in config.score_dimensions}
        for r in rows:
            for d, v in r.scores:
                if d in theirs:
                    theirs[d].append(v)
            for d, v in our_scores.get(r.account_id, ()):
                if d in us:
                    us[d].append(v)
        scores = [(dim, _mean(theirs[dim]), _mean(us[dim])) for dim in config.score_dimensions]
        out.append(Competitor(name, ids, open_ids, round(value, 2),
                              tuple((t, threat[t]) for t in (*THREATS, "") if threat[t]),
                              sum(f[2] for f in facts), sum(f[3] for f in facts), tuple(scores)))
    return sorted(out, key=lambda c: (-c.value, -len(c.open_accounts), c.name))
