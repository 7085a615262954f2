"""measures.index: each account's and each rep's follow-ups in the order one stable sort of all the
follow-ups by (date, file, sheet, row) gives, whatever order the dataset holds them in."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

from sitegen.measures.common import index
from sitegen.model import Dataset, FollowUp, Rep, Source


def _expected(ds: Dataset) -> tuple[dict[str, list[FollowUp]], dict[str, list[FollowUp]]]:
    def order(f: FollowUp) -> tuple[date, str, str, int]:
        return (f.date, f.src.file if f.src else "", f.src.sheet if f.src else "", f.src.row if f.src else 0)

    by_account: dict[str, list[FollowUp]] = defaultdict(list)
    by_rep: dict[str, list[FollowUp]] = defaultdict(list)
    for f in sorted(ds.followups, key=order):
        by_account[f.account_id].append(f)
        by_rep[f.rep].append(f)
    first_account = list(dict.fromkeys(f.account_id for f in ds.followups))
    first_rep = list(dict.fromkeys(f.rep for f in ds.followups))
    return ({k: by_account[k] for k in first_account}, {k: by_rep[k] for k in first_rep})


def _followups(seed: int, with_sources: bool = True) -> list[FollowUp]:
    rnd = random.Random(seed)
    out = []
    for i in range(600):
        d = date(2026, 11, 1) + timedelta(days=rnd.randrange(6))  # many ties on the date
        src = (Source(rnd.choice(["a.xlsx", "b.xlsx"]), rnd.choice(["跟进", "拜访", "电话"]), rnd.randrange(2, 9))
               if with_sources and rnd.random() > 0.05 else None)
        # the content tells apart follow-ups that tie on every sort key
        out.append(FollowUp(d, f"K{rnd.randrange(12):03d}", f"rep{rnd.randrange(4)}", content=str(i), src=src))
    return out


def test_index_keeps_the_order_of_one_stable_sort() -> None:
    for seed in range(5):
        for with_sources in (True, False):
            fus = _followups(seed, with_sources)
            for arrangement in (fus, sorted(fus, key=lambda f: (f.account_id, f.date))):
                ds = Dataset(followups=tuple(arrangement), reps=(Rep("rep0", "T"),))
                idx = index(ds)
                accounts, reps = _expected(ds)
                assert list(idx.followups) == list(accounts)
                assert {k: list(v) for k, v in idx.followups.items()} == accounts
                assert list(idx.followups_by_rep) == list(reps)
                assert {k: list(v) for k, v in idx.followups_by_rep.items()} == reps
