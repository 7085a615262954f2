"""Weekly snapshots of the normalised data and its headline measures, in the state folder.

One file per ISO week of the as-of date (`history/2026-W47.json.gz`); rebuilding within a week replaces
that week's file. Snapshots hold no private fields. A missing, damaged or foreign snapshot is skipped
with a note, never trusted and never fatal.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .config import Config
from .model import Dataset

FORMAT = 1  # bump when the snapshot layout changes incompatibly
_NAME = re.compile(r"^(\d{4})-W(\d{2})\.json\.gz$")


def week_key(d: date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y:04d}-W{w:02d}"


def snapshot(dataset: Dataset, config: Config, as_of: date, summary: dict[str, Any],
             unreadable: dict[str, str] | None = None) -> dict[str, Any]:
    """The week's record: accounts with projects, key persons, competition parties, activity, summary."""
    accounts = []
    for a in dataset.accounts:
        accounts.append({
            "id": a.id, "name": a.name, "rep": a.rep, "team": a.team, "category": a.category,
            "file": a.src.file if a.src else "",
            "projects": [
                {"name": p.name, "stage": p.stage, "value": p.value, "probability": p.probability,
                 "expected_close": p.expected_close.isoformat() if p.expected_close else None,
                 "resource_needs": p.resource_needs}
                for p in a.projects
            ],
        })
    persons = [
        {"account": p.account_id, "name": p.name, "title": p.title, "roles": list(p.roles),
         "influence": p.influence, "attitude": p.attitude, "relationship": p.relationship}
        for p in dataset.key_persons
    ]
    competition = [{"account": c.account_id, "party": c.party, "threat": c.threat}
                   for c in dataset.competition if not c.is_us]
    activity: dict[str, dict[str, list[int]]] = {}
    weeks: dict[date, str] = {}  # a year of follow-ups has a few hundred dates
    for f in dataset.followups:
        d = f.date
        if d > as_of:
            continue
        wk = weeks.get(d)
        if wk is None:
            wk = weeks[d] = week_key(d)
        of_rep = activity.get(f.rep)
        if of_rep is None:
            of_rep = activity[f.rep] = {}
        cell = of_rep.get(wk)
        if cell is None:
            cell = of_rep[wk] = [0, 0]
        cell[0] += 1
        if f.effective:
            cell[1] += 1
    return {
        "format": FORMAT,
        "as_of": as_of.isoformat(),
        "week": week_key(as_of),
        "accounts": accounts,
        "persons": persons,
        "competition": competition,
        "activity": {rep: dict(sorted(w.items())) for rep, w in sorted(activity.items())},
        "summary": summary,
        "unreadable": unreadable or {},
    }


@dataclass(frozen=True)
class History:
    weeks: tuple[dict[str, Any], ...]  # oldest first, each a snapshot dict
    notes: tuple[str, ...]  # problems met while reading, in plain words

    def before(self, week: str) -> dict[str, Any] | None:
        """The latest snapshot of a week before `week`."""
        earlier = [s for s in self.weeks if s["week"] < week]
        return earlier[-1] if earlier else None


def history_dir(config: Config) -> Path:
    return config.state_dir / "history"


def load_history(config: Config) -> History:
    """The snapshots of the state folder, and of the project's read-only `history_baseline` folder for the
    weeks the state folder lacks (the demo ships its previous week there, so a first build has changes)."""
    own = _load_folder(history_dir(config))
    if config.history_baseline is None:
        return own
    base = _load_folder(config.path(config.history_baseline))
    have = {s["week"] for s in own.weeks}
    weeks = sorted([*own.weeks, *(s for s in base.weeks if s["week"] not in have)], key=lambda s: s["week"])
    return History(tuple(weeks), own.notes + base.notes)


def _load_folder(folder: Path) -> History:
    weeks: list[dict[str, Any]] = []
    notes: list[str] = []
    if not folder.is_dir():
        return History((), ())
    for path in sorted(folder.iterdir()):
        m = _NAME.match(path.name)
        if not m:
            continue
        try:
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, EOFError, ValueError, UnicodeDecodeError):
            notes.append(f"历史快照 {path.name} 已损坏，已忽略")
            continue
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("week") != path.name[:8]:
            notes.append(f"历史快照 {path.name} 来自其他版本的 sitegen，已忽略")
            continue
        weeks.append(data)
    return History(tuple(weeks), tuple(notes))


def save_snapshot(config: Config, snap: dict[str, Any]) -> Path:
    """Write this week's snapshot (replacing an earlier one of the same week) atomically."""
    folder = history_dir(config)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{snap['week']}.json.gz"
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    raw = json.dumps(snap, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    with open(tmp, "wb") as fh:
        # level 6 (zlib's default): a third of the time of gzip's 9, for a file 4 % larger
        with gzip.GzipFile(fileobj=fh, mode="wb", mtime=0, compresslevel=6) as gz:
            gz.write(raw)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path


def with_current(history: History, snap: dict[str, Any]) -> History:
    """History as it will be once this build's snapshot is saved (the current week replaced)."""
    weeks = [s for s in history.weeks if s["week"] != snap["week"]] + [snap]
    weeks.sort(key=lambda s: s["week"])
    return History(tuple(weeks), history.notes)
