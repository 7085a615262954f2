"""Win/loss in depth (issue 17 §5): reasons by competitor and by the stage a deal was lost in, with the average
cycle length and value.

- **Competitors of a deal**: the parties other than us on its account's competition sheet.
- **Stage lost in**: the last open stage the weekly history shows the project in before it was lost; else the
  last open stage named in the 阶段 column of the account's follow-ups (of that project when they name it);
  else unknown ("").
- **Cycle length** (days): from the account's 首次接触日期 (else its first follow-up) to the close: a won
  project's 预计成交日期 (else the week history first saw it won), a lost project's first week lost in history
  (else its 预计成交日期, else the account's last contact). Unknown when either end is missing or the end is
  before the start.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..config import Config
from ..model import Account, CompetitionRow, FollowUp
from .common import _statuses


@dataclass(frozen=True, slots=True)
class Closed:
    account: str
    project: str
    rep: str
    outcome: str  # won, lost
    value: float
    reason: str
    stage_lost: str  # "" when unknown or won
    competitors: tuple[str, ...]
    cycle_days: int | None


@dataclass(frozen=True, slots=True)
class Group:
    key: str
    won: int
    lost: int
    won_value: float
    lost_value: float
    avg_cycle: float | None  # days, over the deals with a known cycle
    reasons: tuple[tuple[str, int], ...]  # lost deals' reasons, most frequent first

    @property
    def win_rate(self) -> float | None:
        return round(self.won / (self.won + self.lost), 4) if self.won + self.lost else None


def _history(history: Sequence[Mapping[str, Any]], config: Config) -> tuple[dict[tuple[str, str], str],
                                                                              dict[tuple[str, str], date],
                                                                              dict[tuple[str, str], date]]:
    """Per project: the last open stage seen, and the first week seen lost and won."""
    of_stage = _statuses(config)
    last_open: dict[tuple[str, str], str] = {}
    lost_on: dict[tuple[str, str], date] = {}
    won_on: dict[tuple[str, str], date] = {}
    for week in history:
        when = date.fromisoformat(week["as_of"])
        for a in week.get("accounts", ()):
            for p in a.get("projects", ()):
                key = (a["id"], p.get("name") or "")
                st = of_stage.get(p.get("stage") or "")
                if st == "open" and key not in lost_on:
                    last_open[key] = p["stage"]
                elif st == "lost":
                    lost_on.setdefault(key, when)
                elif st == "won":
                    won_on.setdefault(key, when)
    return last_open, lost_on, won_on


def closed_deals(accounts: Sequence[Account], competition: Mapping[str, Sequence[CompetitionRow]],
                 followups: Mapping[str, Sequence[FollowUp]], history: Sequence[Mapping[str, Any]], config: Config,
                 as_of: date) -> list[Closed]:
    of_stage = _statuses(config)
    last_open, lost_on, won_on = _history(history, config)
    out = []
    for a in accounts:
        fus = [f for f in followups.get(a.id, ()) if f.date <= as_of]
        start = a.first_contact or (fus[0].date if fus else None)
        parties = tuple(sorted({c.party for c in competition.get(a.id, ()) if not c.is_us and c.party}))
        for p in a.projects:
            outcome = of_stage.get(p.stage)
            if outcome not in ("won", "lost"):
                continue
            key = (a.id, p.name)
            stage_lost = ""
            if outcome == "won":
                end = p.expected_close or won_on.get(key)
            else:
                end = lost_on.get(key) or p.expected_close or (fus[-1].date if fus else None)
                stage_lost = last_open.get(key, "")
                if not stage_lost:
                    named = [f.stage for f in fus if of_stage.get(f.stage) == "open"
                             and (not f.project or not p.name or f.project == p.name)]
                    stage_lost = named[-1] if named else ""
            cycle = (end - start).days if start and end and end >= start else None
            out.append(Closed(a.id, p.name, a.rep, outcome, p.value or 0.0, p.win_loss_reason, stage_lost, parties,
                              cycle))
    return out


def group(deals: Sequence[Closed], key: str) -> Group:
    won = [d for d in deals if d.outcome == "won"]
    lost = [d for d in deals if d.outcome == "lost"]
    cycles = [d.cycle_days for d in deals if d.cycle_days is not None]
    counts: dict[str, int] = {}
    for d in lost:
        if d.reason:
            counts[d.reason] = counts.get(d.reason, 0) + 1
    reasons = tuple(sorted(counts.items(), key=lambda t: (-t[1], t[0])))
    return Group(key, len(won), len(lost), round(sum(d.value for d in won), 2), round(sum(d.value for d in lost), 2),
                 round(sum(cycles) / len(cycles), 1) if cycles else None, reasons)


def by_competitor(deals: Sequence[Closed]) -> list[Group]:
    """One group per competitor met on a won or lost deal (deals without a competitor under "")."""
    keys = sorted({c for d in deals for c in d.competitors})
    groups = [group([d for d in deals if k in d.competitors], k) for k in keys]
    groups.sort(key=lambda g: (-(g.won + g.lost), -g.lost, g.key))
    alone = [d for d in deals if not d.competitors]
    return groups + ([group(alone, "")] if alone else [])


def by_stage_lost(deals: Sequence[Closed], config: Config) -> list[Group]:
    """Lost deals per stage lost in, in the configured stage order (unknown last)."""
    lost = [d for d in deals if d.outcome == "lost"]
    order = [s.name for s in config.stages if s.open] + [""]
    return [group([d for d in lost if d.stage_lost == k], k) for k in order if any(d.stage_lost == k for d in lost)]
