"""The demo department one week earlier, as a history snapshot: what `sitegen build` would have recorded on the
previous Friday. Shipped beside the demo (sitegen.yaml's `history_baseline`) so that the very first build of
the demo has a changes page and two points on every trend chart.

Made from the generated input by the real pipeline (load -> measures -> snapshot), with this week's work
undone: the follow-ups after last week's date are dropped, and a few projects, key persons, competitors and
accounts are put back to how they stood before this week (chosen with the seed, in a fixed order, so the same
input gives the same snapshot).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ..config import Config, config_from_dict
from ..history import snapshot
from ..load import load
from ..measures import compute
from ..model import Account, Dataset, KeyPerson, Project
from ..render.data import summary
from .world import rng_for

_OPEN = ("客户开发", "立项", "提案", "招投标", "商务谈判")
_ATTITUDES = ("接受", "怀疑", "冷淡", "抵触")


@dataclass(frozen=True)
class Undone:
    """What this week changed (and the snapshot undoes): (account id, project or person name) pairs."""

    advanced: tuple[tuple[str, str], ...]
    fell_back: tuple[tuple[str, str], ...]
    slipped: tuple[tuple[str, str], ...]
    value_changed: tuple[tuple[str, str], ...]
    won: tuple[tuple[str, str], ...]
    lost: tuple[tuple[str, str], ...]
    new_accounts: tuple[str, ...]
    new_persons: tuple[tuple[str, str], ...]
    attitude_changed: tuple[tuple[str, str], ...]
    new_competitors: tuple[tuple[str, str], ...]


def last_week(input_dir: Path, as_of: date, seed: int) -> tuple[dict[str, Any], Undone]:
    """The snapshot of the week before `as_of`, and what this week changed since."""
    config = config_from_dict({}, input_dir.parent)
    loaded = load(config, as_of, input_dir=input_dir)
    before = as_of - timedelta(days=7)
    ds, undone = rewind(loaded.dataset, before, seed)
    measures = compute(ds, loaded.report.issues, config, before)
    return snapshot(ds, config, before, summary(measures, loaded.report)), undone


def rewind(ds: Dataset, before: date, seed: int) -> tuple[Dataset, Undone]:
    rng = rng_for(seed, "last-week")
    accounts = sorted(ds.accounts, key=lambda a: a.id)
    projects = [(a, p) for a in accounts for p in a.projects]

    def take(pool: list[tuple[Account, Project]], n: int, used: set[tuple[str, str]]) -> list[tuple[str, str]]:
        pool = [(a, p) for a, p in pool if (a.id, p.name) not in used]
        chosen = rng.sample(pool, min(n, len(pool)))
        keys = sorted((a.id, p.name) for a, p in chosen)
        used.update(keys)
        return keys

    used: set[tuple[str, str]] = set()
    advanced = take([(a, p) for a, p in projects if p.stage in _OPEN[1:]], 5, used)
    fell_back = take([(a, p) for a, p in projects if p.stage in _OPEN[:-1]], 1, used)
    won = take([(a, p) for a, p in projects if p.stage == "赢单"], 2, used)
    lost = take([(a, p) for a, p in projects if p.stage == "丢单"], 1, used)
    slipped = take([(a, p) for a, p in projects if p.stage in _OPEN and p.expected_close], 3, used)
    value_changed = take([(a, p) for a, p in projects if p.stage in _OPEN and p.value], 3, used)

    def old_project(a: Account, p: Project) -> Project:
        key = (a.id, p.name)
        if key in advanced:
            return replace(p, stage=_OPEN[_OPEN.index(p.stage) - 1], probability=None)
        if key in fell_back:
            return replace(p, stage=_OPEN[_OPEN.index(p.stage) + 1], probability=None)
        if key in won:
            return replace(p, stage="商务谈判", probability=None)
        if key in lost:
            return replace(p, stage="招投标", probability=None)
        if key in slipped and p.expected_close:
            return replace(p, expected_close=p.expected_close - timedelta(days=rng.choice((14, 21, 30))))
        if key in value_changed and p.value:
            return replace(p, value=round(p.value * rng.choice((0.8, 0.9, 1.2)), 1))
        return p

    new_accounts = sorted(a.id for a in rng.sample([a for a in accounts if len(a.projects) == 1], 2))
    kept = [replace(a, projects=tuple(old_project(a, p) for p in a.projects))
            for a in accounts if a.id not in new_accounts]
    ids = {a.id for a in kept}

    persons = sorted((k for k in ds.key_persons if k.account_id in ids), key=lambda k: (k.account_id, k.name))
    new_persons = sorted((k.account_id, k.name) for k in rng.sample(persons, min(3, len(persons))))
    left = [k for k in persons if (k.account_id, k.name) not in new_persons]
    attitude_changed = sorted((k.account_id, k.name) for k in rng.sample([k for k in left if k.attitude], 3))

    def old_person(k: KeyPerson) -> KeyPerson:
        if (k.account_id, k.name) in attitude_changed:
            return replace(k, attitude=rng.choice([x for x in _ATTITUDES if x != k.attitude]))
        return k

    rivals = sorted((c for c in ds.competition if c.account_id in ids and not c.is_us),
                    key=lambda c: (c.account_id, c.party))
    new_competitors = sorted((c.account_id, c.party) for c in rng.sample(rivals, min(2, len(rivals))))
    old = Dataset(
        accounts=tuple(kept),
        key_persons=tuple(old_person(k) for k in left),
        competition=tuple(c for c in ds.competition
                          if c.account_id in ids and (c.account_id, c.party) not in new_competitors),
        followups=tuple(f for f in ds.followups if f.date <= before and f.account_id in ids),
        targets=ds.targets,
        reps=ds.reps,
    )
    return old, Undone(tuple(advanced), tuple(fell_back), tuple(slipped), tuple(value_changed), tuple(won),
                       tuple(lost), tuple(new_accounts), tuple(new_persons), tuple(attitude_changed),
                       tuple(new_competitors))


def write_last_week(input_dir: Path, history_dir: Path, as_of: date, seed: int) -> Path:
    """Write the previous week's snapshot into `history_dir` (a folder named `history`; its other snapshots
    are removed), as `sitegen build` writes its own."""
    from ..history import save_snapshot

    if history_dir.name != "history":
        raise ValueError(f"the demo's history folder must be named history: {history_dir}")
    snap, _ = last_week(input_dir, as_of, seed)
    history_dir.mkdir(parents=True, exist_ok=True)
    for old in history_dir.glob("*.json.gz"):
        old.unlink()
    return save_snapshot(Config(root=history_dir.parent, state=Path(".")), snap)
