"""Pipeline, weighted forecast by close month, funnel, win/loss and the 80/20 share."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ..config import Config
from ..model import Account, Project
from .common import _statuses, weighted


@dataclass(frozen=True, slots=True)
class StageRow:
    stage: str
    projects: int
    value: float  # 万元
    weighted: float


def by_stage(projects: Sequence[Project], config: Config) -> list[StageRow]:
    """Open projects per open stage, in the configured order (every open stage listed, even when empty)."""
    rows = []
    for s in config.stages:
        if not s.open:
            continue
        ps = [p for p in projects if p.stage == s.name]
        rows.append(StageRow(s.name, len(ps), round(sum(p.value or 0 for p in ps), 2),
                             round(sum(weighted(p, config) for p in ps), 2)))
    return rows


@dataclass(frozen=True, slots=True)
class MonthRow:
    month: str  # "2026-11", or "" for open projects without a close date
    projects: int
    value: float
    weighted: float


def forecast(projects: Sequence[Project], config: Config) -> list[MonthRow]:
    """Open projects by expected close month (months without a date last)."""
    groups: dict[str, list[Project]] = defaultdict(list)
    for p in projects:
        key = f"{p.expected_close.year:04d}-{p.expected_close.month:02d}" if p.expected_close else ""
        groups[key].append(p)
    keys = sorted(k for k in groups if k) + ([""] if "" in groups else [])
    return [MonthRow(k, len(groups[k]), round(sum(p.value or 0 for p in groups[k]), 2),
                     round(sum(weighted(p, config) for p in groups[k]), 2)) for k in keys]


@dataclass(frozen=True, slots=True)
class FunnelStep:
    stage: str  # an open stage name, or "won"
    current: int  # projects in this stage now
    reached: int  # projects in this stage or further (won counts as having passed every stage)
    conversion: float | None  # reached(next) / reached(this); None for the last step


def funnel(projects: Sequence[Project], config: Config) -> list[FunnelStep]:
    """Single-snapshot funnel over open and won projects (lost and on-hold projects have no known stage)."""
    steps = [s.name for s in config.stages if s.open]
    pos = {name: i for i, name in enumerate(steps)}
    current = [0] * (len(steps) + 1)
    of_stage = _statuses(config)
    for p in projects:
        st = of_stage.get(p.stage, "other")
        if st == "open" and p.stage in pos:
            current[pos[p.stage]] += 1
        elif st == "won":
            current[-1] += 1
    reached = [sum(current[i:]) for i in range(len(current))]
    names = steps + ["won"]
    out = []
    for i, name in enumerate(names):
        conv = None
        if i + 1 < len(names):
            conv = round(reached[i + 1] / reached[i], 3) if reached[i] else None
        out.append(FunnelStep(name, current[i], reached[i], conv))
    return out


@dataclass(frozen=True, slots=True)
class WinLoss:
    won: int
    lost: int
    won_value: float
    lost_value: float
    reasons: tuple[tuple[str, int, int], ...]  # (reason, won projects, lost projects), most frequent first

    @property
    def win_rate(self) -> float | None:
        total = self.won + self.lost
        return round(self.won / total, 3) if total else None


def win_loss(projects: Sequence[Project], config: Config) -> WinLoss:
    of_stage = _statuses(config)
    won = [p for p in projects if of_stage.get(p.stage) == "won"]
    lost = [p for p in projects if of_stage.get(p.stage) == "lost"]
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for p in won:
        if p.win_loss_reason:
            counts[p.win_loss_reason][0] += 1
    for p in lost:
        if p.win_loss_reason:
            counts[p.win_loss_reason][1] += 1
    reasons = sorted(((r, c[0], c[1]) for r, c in counts.items()), key=lambda t: (-(t[1] + t[2]), -t[2], t[0]))
    return WinLoss(len(won), len(lost), round(sum(p.value or 0 for p in won), 2),
                   round(sum(p.value or 0 for p in lost), 2), tuple(reasons))


@dataclass(frozen=True, slots=True)
class Pareto:
    accounts: int  # accounts with value
    top: int  # the top 20% of them (at least 1)
    top_share: float | None  # share of value they hold
    curve: tuple[tuple[float, float], ...]  # (share of accounts, cumulative share of value), from (0, 0)
    top_accounts: tuple[tuple[str, float], ...]  # (account id, value) of the top 20%


def account_value(a: Account, config: Config) -> float:
    """Open plus won value of an account (the value at stake or earned; lost and on-hold excluded)."""
    of_stage = _statuses(config)
    return sum(p.value or 0 for p in a.projects if of_stage.get(p.stage) in ("open", "won"))


def pareto(accounts: Sequence[Account], config: Config) -> Pareto:
    values = sorted(((account_value(a, config), a.id) for a in accounts), key=lambda t: (-t[0], t[1]))
    values = [(v, i) for v, i in values if v > 0]
    n = len(values)
    total = sum(v for v, _ in values)
    if not n or total <= 0:
        return Pareto(0, 0, None, (), ())
    top = max(1, round(n * 0.2))
    cum = 0.0
    curve = [(0.0, 0.0)]
    step = max(1, n // 100)  # at most ~100 points, whatever the size of the department
    for k, (v, _) in enumerate(values, 1):
        cum += v
        if k % step == 0 or k == n:
            curve.append((round(k / n, 4), round(cum / total, 4)))
    share = round(sum(v for v, _ in values[:top]) / total, 3)
    return Pareto(n, top, share, tuple(curve), tuple((i, round(v, 2)) for v, i in values[:top]))
