"""The week in the pages (issue 4): the changes since the previous week in history, grouped for the weekly
meeting and indexed once by account, rep and team; and the trend series of every scope (department, team,
rep), computed in one pass over the weeks in history.

Per-page work is a dictionary look-up: an account page costs O(changes of that account), never a scan of
every change. Display text (from → to, deltas) is made here, so templates stay simple and layouts can still
reach the raw `Change` as `row.c`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..changes import Change, ContactDelta, conversion
from ..config import Config
from ..i18n import Translator
from ..measures import Measures
from ..weekly import Weekly
from .env import money

# The order of a weekly meeting: results first, then what moved, then who and what is new.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("winloss", ("won", "lost")),
    ("stage", ("stage_advanced", "stage_fell_back")),
    ("close", ("close_slipped", "close_pulled_in")),
    ("value", ("value_changed",)),
    ("accounts", ("account_new", "account_removed")),
    ("persons", ("attitude_changed", "relationship_changed", "person_added", "person_removed")),
    ("competitors", ("competitor_new",)),
)
KIND_ORDER = {kind: i for i, kind in enumerate(k for _, kinds in GROUPS for k in kinds)}
GROUP_OF = {kind: key for key, kinds in GROUPS for kind in kinds}
RELATIONSHIP_NAMES = ("认识", "约会", "认同", "信赖", "同盟")


@dataclass(frozen=True)
class ChangeRow:
    """One change as a page shows it."""

    c: Change
    group: str
    subject: str  # project, key person or competitor ("" for the account itself)
    old: str  # display text, "" when the kind has no "from"
    new: str
    delta: str  # "+1 阶段", "推迟 15 天", "+50 万元", or ""
    tone: str  # good | bad | neutral
    value: float | None  # the project's value now (万元) for won/lost/stage/close rows, a new account's
    # open value; else None
    linked: bool  # the account has a page (a removed account has none)


@dataclass(frozen=True)
class ChangeGroup:
    key: str
    kinds: tuple[str, ...]
    rows: tuple[ChangeRow, ...]


@dataclass
class Series:
    """A scope's values across the weeks in history (oldest first)."""

    weeks: list[str]  # "2026-W47"
    labels: list[str]  # "W47 · 11-20"
    by_stage: dict[str, list[float]]  # open stages, in the configured order
    open_total: list[float]
    weighted: list[float]
    stale: list[int]
    errors: list[int | None]
    warnings: list[int | None]
    conversion: list[dict[str, Any]] = field(default_factory=list)


class WeekView:
    """Everything weekly the pages need, prepared once per site."""

    def __init__(self, weekly: Weekly, m: Measures, config: Config, t: Translator,
                 stage_label: Callable[[str], str]) -> None:
        self.weekly = weekly
        self.changes = weekly.changes
        self.has_previous = weekly.changes.previous_week is not None
        self.weeks = len(weekly.history) or weekly.weeks
        self.stale_accounts = weekly.stale_accounts
        self.stale_reps = weekly.stale_reps
        self.stale_files = weekly.stale_files
        # reps whose follow-ups (some of them) are last week's: their contacts this week are not known
        self.stale_contacts: dict[str, str] = {}
        if weekly.stale_files:
            for rep, fus in m.index.followups_by_rep.items():
                for f in fus:
                    if f.src is not None and f.src.file in weekly.stale_files:
                        self.stale_contacts[rep] = weekly.stale_files[f.src.file]
                        break
        self._t = t
        self._label = stage_label
        self._config = config
        values: dict[tuple[str, str], float | None] = {}
        for a in m.index.accounts.values():
            for p in a.projects:
                values[(a.id, p.name)] = p.value
            facts = m.facts.get(a.id)
            values[(a.id, "\0account")] = facts.open_value if facts else None
        self.rows = tuple(sorted((self._row(c, values, c.account in m.index.accounts) for c in weekly.changes.items),
                                 key=_row_key))
        self.by_account: dict[str, list[ChangeRow]] = defaultdict(list)
        self.by_rep: dict[str, list[ChangeRow]] = defaultdict(list)
        self.by_team: dict[str, list[ChangeRow]] = defaultdict(list)
        for r in self.rows:
            self.by_account[r.c.account].append(r)
            if r.c.rep:
                self.by_rep[r.c.rep].append(r)
            team = r.c.team or m.index.team_of_rep.get(r.c.rep, "")
            if team:
                self.by_team[team].append(r)
        self.contacts: tuple[ContactDelta, ...] = weekly.changes.contacts
        self.contacts_by_rep = {c.rep: c for c in self.contacts}
        team_of = {rep: s.name for s in m.teams for rep in s.reps}
        self.contacts_by_team: dict[str, list[ContactDelta]] = defaultdict(list)
        for c in self.contacts:
            team = c.team or team_of.get(c.rep, "")
            if team:
                self.contacts_by_team[team].append(c)
        self.series = scope_series(weekly.history, m, config)
        self.counts = {k: 0 for k in KIND_ORDER}
        for r in self.rows:
            self.counts[r.c.kind] += 1

    # ---- lists for the pages

    def groups(self, rows: Iterable[ChangeRow] | None = None) -> list[ChangeGroup]:
        """Every group, in meeting order, each with its rows (possibly none)."""
        by_group: dict[str, list[ChangeRow]] = defaultdict(list)
        for r in self.rows if rows is None else rows:
            by_group[r.group].append(r)
        return [ChangeGroup(key, kinds, tuple(by_group.get(key, ()))) for key, kinds in GROUPS]

    def for_account(self, account: str) -> list[ChangeRow]:
        return self.by_account.get(account, [])

    def for_rep(self, rep: str) -> list[ChangeRow]:
        return self.by_rep.get(rep, [])

    def for_team(self, team: str) -> list[ChangeRow]:
        return self.by_team.get(team, [])

    def for_scope(self, kind: str, name: str) -> list[ChangeRow]:
        if kind == "team":
            return self.for_team(name)
        if kind == "rep":
            return self.for_rep(name)
        return list(self.rows)

    def contacts_for(self, kind: str, name: str) -> list[ContactDelta]:
        if kind == "team":
            return self.contacts_by_team.get(name, [])
        if kind == "rep":
            c = self.contacts_by_rep.get(name)
            return [c] if c else []
        return list(self.contacts)

    def headline(self, rows: Iterable[ChangeRow]) -> list[tuple[str, int]]:
        """(kind, count) of the kinds present, in meeting order: the one-line summary of a scope's week."""
        counts: dict[str, int] = defaultdict(int)
        for r in rows:
            counts[r.c.kind] += 1
        return [(k, counts[k]) for k in KIND_ORDER if counts.get(k)]

    # ---- display text

    def _row(self, c: Change, values: dict[tuple[str, str], float | None], linked: bool) -> ChangeRow:
        t, k = self._t, c.kind
        subject = c.person or c.party or c.project
        old = new = delta = ""
        tone = "neutral"
        value = None
        if k in ("won", "lost", "stage_advanced", "stage_fell_back", "close_slipped", "close_pulled_in"):
            value = values.get((c.account, c.project))
        elif k == "account_new":
            value = values.get((c.account, "\0account"))  # its open value
        if k in ("won", "lost", "stage_advanced", "stage_fell_back"):
            old, new = self._label(str(c.old or "")), self._label(str(c.new or ""))
            tone = "good" if k in ("won", "stage_advanced") else "bad"
            if k.startswith("stage") and isinstance(c.delta, int):
                delta = t("chg.delta_stages", n=f"{c.delta:+d}".replace("-", "−"))
        elif k in ("close_slipped", "close_pulled_in"):
            old, new = str(c.old or ""), str(c.new or "")
            days = abs(int(c.delta or 0))
            delta = t("chg.delta_later" if k == "close_slipped" else "chg.delta_earlier", n=days)
            tone = "bad" if k == "close_slipped" else "good"
        elif k == "value_changed":
            old, new = _money(c.old), _money(c.new)
            d = float(c.delta or 0)
            delta = t("chg.delta_wan", n=("+" if d > 0 else "−") + money(abs(d)))
            tone = "good" if d > 0 else "bad"
        elif k == "attitude_changed":
            old, new = str(c.old or ""), str(c.new or "")
            scores = self._config.attitude_scores
            a, b = scores.get(old), scores.get(new)
            tone = "neutral" if a is None or b is None or a == b else "good" if b > a else "bad"
        elif k == "relationship_changed":
            old, new = _relationship(c.old), _relationship(c.new)
            tone = "good" if (c.delta or 0) > 0 else "bad"
            if isinstance(c.delta, int):
                delta = t("chg.delta_stages", n=f"{c.delta:+d}".replace("-", "−"))
        elif k == "person_added":
            new = str(c.new or "")  # the title
            tone = "neutral"
        elif k == "person_removed":
            old = str(c.old or "")
            tone = "neutral"
        elif k == "competitor_new":
            new = str(c.new or "")  # the threat
            tone = "bad"
        elif k == "account_new":
            tone = "good"
        elif k == "account_removed":
            tone = "bad"
        return ChangeRow(c, GROUP_OF.get(k, "accounts"), subject, old, new, delta, tone, value, linked)


def _row_key(r: ChangeRow) -> tuple[Any, ...]:
    c = r.c
    return (KIND_ORDER.get(c.kind, 99), -(r.value or 0), c.team, c.rep, c.account, c.project, c.person, c.party)


def _money(v: Any) -> str:
    return money(v) if isinstance(v, int | float) else "—"


def _relationship(level: Any) -> str:
    if isinstance(level, int) and 1 <= level <= 5:
        return f"{level} {RELATIONSHIP_NAMES[level - 1]}"
    return "—"


# ---- trends


def _week_label(week: dict[str, Any]) -> str:
    wk = str(week.get("week", ""))
    as_of = str(week.get("as_of", ""))
    return f"{wk[5:] or wk} · {as_of[5:]}" if as_of else wk


def scope_series(history: tuple[dict[str, Any], ...], m: Measures, config: Config) -> dict[tuple[str, str], Series]:
    """The series of the department, every team and every rep of the site, in one pass over the history.

    Pipeline values come from each week's projects (open stages, value × probability, the stage's default
    probability when the row has none), stale counts from the week's stale accounts, data problems from the
    week's summary (a team counts its current members' problems). A week recorded without per-rep problem
    counts gives None (a gap) for teams and reps.
    """
    open_stages = [s.name for s in config.stages if s.open]
    default_p = {s.name: s.probability for s in config.stages}
    n = len(history)
    team_names = [s.name for s in m.teams]
    rep_names = [s.name for s in m.reps]
    members = {s.name: s.reps for s in m.teams}

    def empty() -> Series:
        return Series([str(w.get("week", "")) for w in history], [_week_label(w) for w in history],
                      {st: [0.0] * n for st in open_stages}, [0.0] * n, [0.0] * n, [0] * n, [None] * n, [None] * n)

    dept = empty()
    teams = {name: empty() for name in team_names}
    reps = {name: empty() for name in rep_names}
    team_weeks: dict[str, list[dict[str, Any]]] = {name: [] for name in team_names}
    team_of_rep = m.index.team_of_rep
    for i, w in enumerate(history):
        where: dict[str, list[Series]] = {}
        week_accounts: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for a in w.get("accounts", []):
            team = a.get("team") or team_of_rep.get(a.get("rep", ""), "")
            targets = [dept]
            if team in teams:
                targets.append(teams[team])
                week_accounts[team].append(a)
            if a.get("rep") in reps:
                targets.append(reps[a["rep"]])
            where[a["id"]] = targets
            for p in a.get("projects", []):
                st = p.get("stage")
                if st not in dept.by_stage:
                    continue
                v = p.get("value") or 0.0
                prob = p.get("probability")
                wv = v * (prob if prob is not None else default_p.get(st, 0.0))
                for s in targets:
                    s.by_stage[st][i] += v
                    s.open_total[i] += v
                    s.weighted[i] += wv
        for name in team_names:
            team_weeks[name].append({"as_of": w.get("as_of"), "week": w.get("week"),
                                     "accounts": week_accounts.get(name, [])})
        summary = w.get("summary", {})
        for aid in summary.get("stale_accounts", []):
            for s in where.get(aid, [dept]):
                s.stale[i] += 1
        issues = summary.get("issues") or {}
        if "error" in issues:
            dept.errors[i] = int(issues.get("error", 0))
            dept.warnings[i] = int(issues.get("warning", 0))
        by_rep = summary.get("issues_by_rep")
        if isinstance(by_rep, dict):
            for name, s in reps.items():
                got = by_rep.get(name, {})
                s.errors[i], s.warnings[i] = int(got.get("error", 0)), int(got.get("warning", 0))
            for name, s in teams.items():
                got_all = [by_rep.get(r, {}) for r in members.get(name, ())]
                s.errors[i] = sum(int(g.get("error", 0)) for g in got_all)
                s.warnings[i] = sum(int(g.get("warning", 0)) for g in got_all)
    for s in (dept, *teams.values(), *reps.values()):
        s.open_total = [round(v, 2) for v in s.open_total]
        s.weighted = [round(v, 2) for v in s.weighted]
        s.by_stage = {k: [round(v, 2) for v in vals] for k, vals in s.by_stage.items()}
    dept.conversion = conversion(history, config) if history else []
    for name, s in teams.items():
        s.conversion = conversion(tuple(team_weeks[name]), config) if history else []
    out: dict[tuple[str, str], Series] = {("department", ""): dept}
    out.update({("team", k): v for k, v in teams.items()})
    out.update({("rep", k): v for k, v in reps.items()})
    return out
