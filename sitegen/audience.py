"""Audiences: one site per audience (e.g. one per team, one for management with everything).

A team's site holds only that team's accounts, their key persons, competition and follow-ups, its reps,
their targets, and the data problems of those reps and accounts. Nothing of another team is computed
into its figures, so no account, person or number of another team can appear in it.
"""

from __future__ import annotations

from dataclasses import replace

from .config import Audience
from .issues import Report
from .model import Dataset


def restrict(dataset: Dataset, report: Report, audience: Audience) -> tuple[Dataset, Report]:
    if not audience.teams:
        return dataset, report
    teams = set(audience.teams)
    accounts = tuple(a for a in dataset.accounts if a.team in teams)
    ids = {a.id for a in accounts}
    reps = tuple(r for r in dataset.reps if r.team in teams)
    rep_names = {r.name for r in reps} | {a.rep for a in accounts}
    files = {a.src.file for a in accounts if a.src} | {p.src.file for a in accounts for p in a.projects if p.src}
    ds = replace(
        dataset,
        accounts=accounts,
        key_persons=tuple(p for p in dataset.key_persons if p.account_id in ids),
        competition=tuple(c for c in dataset.competition if c.account_id in ids),
        followups=tuple(f for f in dataset.followups if f.account_id in ids),
        targets=tuple(t for t in dataset.targets if t.rep in rep_names),
        reps=reps,
    )

    others = {a.id for a in dataset.accounts} - ids

    def mine(i: object) -> bool:
        account = getattr(i, "account", "")
        if account in ids:
            return True
        if account in others:
            return False
        rep = getattr(i, "rep", "")
        if rep:
            return rep in rep_names
        return getattr(i, "file", "") in files

    sheets = tuple(s for s in report.sheets if s.rep in rep_names or s.file in files)
    return ds, Report(tuple(i for i in report.issues if mine(i)), sheets)
