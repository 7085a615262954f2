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
from .model import CompetitionRow, Dataset, FollowUp, KeyPerson


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
    history: tuple[dict[str, Any], ...] = ()  # every week's snapshot, oldest first, this one included

    def for_accounts(self, ids: set[str]) -> Weekly:
        """The same view restricted to some accounts (an audience's site): their changes (and the removals of
        accounts of their teams), the contacts of their teams' reps, their stale data, and a history cut down
        to their teams' accounts. The department-wide `trends` and `conversion` are dropped: the renderer
        computes an audience's series from its restricted `history`, so no figure of another team remains."""
        mine = [a for a in self.snapshot["accounts"] if a["id"] in ids]
        teams = {a["team"] for a in mine}
        reps = {a["rep"] for a in mine}
        files = {a["file"] for a in mine if a["file"]}
        ch = self.changes
        items = tuple(c for c in ch.items
                      if c.account in ids or (c.kind == "account_removed" and c.team and c.team in teams))
        contacts = tuple(c for c in ch.contacts if c.rep in reps or (c.team and c.team in teams))
        return replace(
            self,
            snapshot={},
            changes=replace(ch, items=items, contacts=contacts),
            trends={},
            conversion=[],
            stale_files={k: v for k, v in self.stale_files.items() if k in files},
            stale_accounts={k: v for k, v in self.stale_accounts.items() if k in ids},
            stale_reps={k: v for k, v in self.stale_reps.items() if k in reps},
            history=tuple(_restrict_week(w, ids, teams, reps) for w in self.history),
        )


def _restrict_week(week: dict[str, Any], ids: set[str], teams: set[str], reps: set[str]) -> dict[str, Any]:
    """One week's snapshot cut down to some accounts: those with the given ids, or of the given teams that week."""
    accounts = [a for a in week.get("accounts", []) if a["id"] in ids or (a.get("team") and a["team"] in teams)]
    kept = {a["id"] for a in accounts}
    week_reps = reps | {a["rep"] for a in accounts}
    summary = week.get("summary", {})
    by_rep = {r: v for r, v in summary.get("issues_by_rep", {}).items() if r in week_reps}
    return {
        **{k: week[k] for k in ("format", "as_of", "week") if k in week},
        "accounts": accounts,
        "persons": [p for p in week.get("persons", []) if p["account"] in kept],
        "competition": [c for c in week.get("competition", []) if c["account"] in kept],
        "activity": {r: v for r, v in week.get("activity", {}).items() if r in week_reps},
        "summary": {
            "stale_accounts": [a for a in summary.get("stale_accounts", []) if a in kept],
            "issues_by_rep": by_rep,
            "issues": ({"error": sum(v.get("error", 0) for v in by_rep.values()),
                        "warning": sum(v.get("warning", 0) for v in by_rep.values())}
                       if "issues_by_rep" in summary else {}),  # unknown for a week recorded without it
        },
        "unreadable": {},
    }


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
        records: tuple[KeyPerson | CompetitionRow | FollowUp, ...] = (
            *dataset.key_persons, *dataset.competition, *dataset.followups)
        for rec in records:
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
        history=full.weeks,
    )
