"""The week in context: this week's snapshot, the changes since the previous week in history, the
trends across all weeks, and which data is last week's because this week's file could not be read.

Built by build.py from plain values; rendered by the changes page and the sections of the rep, team,
account and quality pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from .changes import Changes, compare, conversion, trends
from .config import Config
from .history import History, snapshot, with_current
from .model import Dataset


@dataclass(frozen=True)
class Weekly:
    snapshot: dict[str, Any]
    changes: Changes
    trends: dict[str, Any]  # see changes.trends
    conversion: list[dict[str, Any]]  # see changes.conversion
    weeks: int  # number of weeks in history, this one included
    notes: tuple[str, ...] = ()  # history problems, in plain words
    stale_files: dict[str, str] = field(default_factory=dict)  # file -> as-of date of the data kept
    stale_accounts: dict[str, str] = field(default_factory=dict)  # account id -> as-of date of the data kept
    stale_reps: dict[str, str] = field(default_factory=dict)  # rep -> as-of date of the data kept

    def for_accounts(self, ids: set[str]) -> Weekly:
        """The same view restricted to some accounts (an audience's site)."""
        ch = self.changes
        items = tuple(c for c in ch.items if c.account in ids)
        reps = {c.rep for c in items} | {r for r, _ in self.stale_reps.items()}
        contacts = tuple(c for c in ch.contacts if c.rep in reps or any(i.rep == c.rep for i in items))
        return replace(
            self,
            changes=replace(ch, items=items, contacts=contacts),
            stale_accounts={k: v for k, v in self.stale_accounts.items() if k in ids},
        )


def weekly_view(config: Config, dataset: Dataset, summary: dict[str, Any], as_of: date, history: History,
                stale_files: dict[str, str]) -> Weekly:
    snap = snapshot(dataset, config, as_of, summary, unreadable=stale_files)
    full = with_current(history, snap)
    previous = history.before(snap["week"])
    changes = compare(previous, snap, config)
    stale_accounts: dict[str, str] = {}
    stale_reps: dict[str, str] = {}
    if stale_files:
        for a in dataset.accounts:
            srcs = [a.src] + [p.src for p in a.projects]
            for s in srcs:
                if s is not None and s.file in stale_files:
                    stale_accounts[a.id] = stale_files[s.file]
                    stale_reps[a.rep] = stale_files[s.file]
        for rec in (*dataset.key_persons, *dataset.competition, *dataset.followups):
            s = rec.src
            if s is not None and s.file in stale_files:
                stale_accounts.setdefault(rec.account_id, stale_files[s.file])
        for f in dataset.followups:
            if f.src is not None and f.src.file in stale_files:
                stale_reps.setdefault(f.rep, stale_files[f.src.file])
    return Weekly(
        snapshot=snap,
        changes=changes,
        trends=trends(full.weeks),
        conversion=conversion(full.weeks, config),
        weeks=len(full.weeks),
        notes=history.notes,
        stale_files=dict(stale_files),
        stale_accounts=stale_accounts,
        stale_reps=stale_reps,
    )
