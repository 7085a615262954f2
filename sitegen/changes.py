"""What moved since last week: a pure comparison of two weekly snapshots (see history.py).

`compare(previous, current, config)` returns a `Changes` value whose `to_json()` is the documented shape of
`output/data/changes.json`:

    {
      "as_of": "2026-11-27", "week": "2026-W48",
      "previous_week": "2026-W47" | null, "previous_as_of": "2026-11-20" | null,
      "counts": {"<kind>": n, ...},
      "changes": [
        {"kind": "<kind>", "account": "KA-001", "account_name": "...", "rep": "...", "team": "...",
         "project": "<project name or ''>", "person": "<key person or ''>", "party": "<competitor or ''>",
         "from": <old value or null>, "to": <new value or null>, "delta": <number or null>,
         "url": "accounts/....html" | null},
        ...
      ],
      "contacts": [{"rep": "...", "team": "...", "this_week": n, "last_week": n,
                     "effective_this_week": n, "effective_last_week": n}, ...]
    }

Kinds: account_new, account_removed, stage_advanced, stage_fell_back, close_slipped (delta = days later),
close_pulled_in (delta = days earlier, negative), value_changed (delta in 万元), won, lost, person_added,
person_removed, attitude_changed, relationship_changed, competitor_new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypedDict

from .config import Config
from .history import week_key

KINDS = (
    "account_new", "account_removed", "stage_advanced", "stage_fell_back", "close_slipped", "close_pulled_in",
    "value_changed", "won", "lost", "person_added", "person_removed", "attitude_changed",
    "relationship_changed", "competitor_new",
)


@dataclass(frozen=True)
class Change:
    kind: str
    account: str
    account_name: str
    rep: str
    team: str
    project: str = ""
    person: str = ""
    party: str = ""
    old: Any = None
    new: Any = None
    delta: float | int | None = None

    def to_json(self, url: str | None) -> dict[str, Any]:
        return {
            "kind": self.kind, "account": self.account, "account_name": self.account_name, "rep": self.rep,
            "team": self.team, "project": self.project, "person": self.person, "party": self.party,
            "from": self.old, "to": self.new, "delta": self.delta, "url": url,
        }


@dataclass(frozen=True)
class ContactDelta:
    rep: str
    team: str
    this_week: int
    last_week: int
    effective_this_week: int
    effective_last_week: int


class _Base(TypedDict):
    """The fields every change of one account has."""

    account: str
    account_name: str
    rep: str
    team: str


@dataclass(frozen=True)
class Changes:
    as_of: str
    week: str
    previous_week: str | None
    previous_as_of: str | None
    items: tuple[Change, ...]
    contacts: tuple[ContactDelta, ...]

    def counts(self) -> dict[str, int]:
        out = {k: 0 for k in KINDS}
        for c in self.items:
            out[c.kind] += 1
        return out

    def for_account(self, account: str) -> list[Change]:
        return [c for c in self.items if c.account == account]

    def for_rep(self, rep: str) -> list[Change]:
        return [c for c in self.items if c.rep == rep]

    def for_team(self, team: str) -> list[Change]:
        return [c for c in self.items if c.team == team]

    def to_json(self, url_of: dict[str, str]) -> dict[str, Any]:
        return {
            "as_of": self.as_of, "week": self.week, "previous_week": self.previous_week,
            "previous_as_of": self.previous_as_of, "counts": self.counts(),
            "changes": [c.to_json(url_of.get(c.account)) for c in self.items],
            "contacts": [c.__dict__ for c in self.contacts],
        }


def _stage_rank(config: Config) -> dict[str, int]:
    """Order of the stages a deal moves through (open stages, then won stages); end states lost/on hold excluded."""
    ranked = [s.name for s in config.stages if s.open] + [s.name for s in config.stages if s.won]
    return {name: i for i, name in enumerate(ranked)}


def compare(previous: dict[str, Any] | None, current: dict[str, Any], config: Config) -> Changes:
    items: list[Change] = []
    cur_accounts = {a["id"]: a for a in current["accounts"]}
    prev_accounts = {a["id"]: a for a in previous["accounts"]} if previous else {}
    if previous is not None:
        rank = _stage_rank(config)
        won = {s.name for s in config.stages if s.won}
        lost = {s.name for s in config.stages if s.lost}
        for aid, a in sorted(cur_accounts.items()):
            base = _Base(account=aid, account_name=a["name"], rep=a["rep"], team=a["team"])
            old = prev_accounts.get(aid)
            if old is None:
                items.append(Change("account_new", **base))
                continue
            old_projects = {p["name"]: p for p in old["projects"]}
            for p in a["projects"]:
                q = old_projects.get(p["name"])
                if q is None:
                    continue
                items.extend(_project_changes(base, p, q, rank, won, lost))
        for aid, a in sorted(prev_accounts.items()):
            if aid not in cur_accounts:
                items.append(Change("account_removed", account=aid, account_name=a["name"], rep=a["rep"], team=a["team"]))
        items.extend(_person_changes(previous, current, cur_accounts))
        items.extend(_competitor_changes(previous, current, cur_accounts))
    contacts = _contacts(current)
    return Changes(current["as_of"], current["week"], previous["week"] if previous else None,
                   previous["as_of"] if previous else None, tuple(items), contacts)


def _project_changes(base: _Base, p: dict[str, Any], q: dict[str, Any], rank: dict[str, int],
                     won: set[str], lost: set[str]) -> list[Change]:
    out: list[Change] = []
    proj = p["name"]
    s_new, s_old = p["stage"], q["stage"]
    if s_new != s_old:
        if s_new in won and s_old not in won:
            out.append(Change("won", project=proj, old=s_old, new=s_new, **base))
        elif s_new in lost and s_old not in lost:
            out.append(Change("lost", project=proj, old=s_old, new=s_new, **base))
        elif s_new in rank and s_old in rank:
            kind = "stage_advanced" if rank[s_new] > rank[s_old] else "stage_fell_back"
            out.append(Change(kind, project=proj, old=s_old, new=s_new, delta=rank[s_new] - rank[s_old], **base))
        else:
            # into or out of an end state such as 暂停: a move backwards unless it reopens to a later stage
            out.append(Change("stage_fell_back" if s_new not in rank else "stage_advanced", project=proj,
                              old=s_old, new=s_new, **base))
    c_new, c_old = p.get("expected_close"), q.get("expected_close")
    if c_new and c_old and c_new != c_old:
        days = (date.fromisoformat(c_new) - date.fromisoformat(c_old)).days
        out.append(Change("close_slipped" if days > 0 else "close_pulled_in", project=proj, old=c_old, new=c_new,
                          delta=days, **base))
    v_new, v_old = p.get("value"), q.get("value")
    if v_new is not None and v_old is not None and abs(v_new - v_old) > 1e-9:
        out.append(Change("value_changed", project=proj, old=v_old, new=v_new, delta=round(v_new - v_old, 4), **base))
    return out


def _person_changes(previous: dict[str, Any], current: dict[str, Any], accounts: dict[str, Any]) -> list[Change]:
    out: list[Change] = []
    cur = {(p["account"], p["name"]): p for p in current["persons"]}
    old = {(p["account"], p["name"]): p for p in previous["persons"]}
    prev_accounts = {a["id"] for a in previous["accounts"]}

    def base(aid: str) -> _Base:
        a = accounts.get(aid) or {"name": aid, "rep": "", "team": ""}
        return _Base(account=aid, account_name=a["name"], rep=a["rep"], team=a["team"])

    for key, p in sorted(cur.items()):
        aid, name = key
        q = old.get(key)
        if q is None:
            if aid in prev_accounts:  # persons of a new account are part of "account_new"
                out.append(Change("person_added", person=name, new=p.get("title") or None, **base(aid)))
            continue
        if p.get("attitude") != q.get("attitude") and p.get("attitude") and q.get("attitude"):
            out.append(Change("attitude_changed", person=name, old=q["attitude"], new=p["attitude"], **base(aid)))
        if p.get("relationship") != q.get("relationship") and p.get("relationship") and q.get("relationship"):
            out.append(Change("relationship_changed", person=name, old=q["relationship"], new=p["relationship"],
                              delta=p["relationship"] - q["relationship"], **base(aid)))
    for key, q in sorted(old.items()):
        aid, name = key
        if key not in cur and aid in accounts:
            out.append(Change("person_removed", person=name, old=q.get("title") or None, **base(aid)))
    return out


def _competitor_changes(previous: dict[str, Any], current: dict[str, Any], accounts: dict[str, Any]) -> list[Change]:
    prev_accounts = {a["id"] for a in previous["accounts"]}
    old = {(c["account"], c["party"]) for c in previous["competition"]}
    out = []
    for c in sorted(current["competition"], key=lambda c: (c["account"], c["party"])):
        key = (c["account"], c["party"])
        if key in old or c["account"] not in prev_accounts or c["account"] not in accounts:
            continue
        a = accounts[c["account"]]
        out.append(Change("competitor_new", account=c["account"], account_name=a["name"], rep=a["rep"],
                          team=a["team"], party=c["party"], new=c.get("threat") or None))
    return out


def _contacts(current: dict[str, Any]) -> tuple[ContactDelta, ...]:
    as_of = date.fromisoformat(current["as_of"])
    this_wk = week_key(as_of)
    last_wk = week_key(as_of - timedelta(days=7))
    team_of: dict[str, str] = {}
    for a in current["accounts"]:
        team_of.setdefault(a["rep"], a["team"])
    reps = sorted(set(current["activity"]) | set(team_of))
    out = []
    for rep in reps:
        weeks = current["activity"].get(rep, {})
        t = weeks.get(this_wk, [0, 0])
        lw = weeks.get(last_wk, [0, 0])
        out.append(ContactDelta(rep, team_of.get(rep, ""), t[0], lw[0], t[1], lw[1]))
    return tuple(sorted(out, key=lambda c: (c.team, c.rep)))


def trends(weeks: tuple[dict[str, Any], ...]) -> dict[str, Any]:
    """Series across the weeks in history, for the trend charts."""
    labels = [s["week"] for s in weeks]
    stages: dict[str, list[float]] = {}
    for i, s in enumerate(weeks):
        by_stage = s.get("summary", {}).get("pipeline", {}).get("by_stage", {})
        for name, value in by_stage.items():
            stages.setdefault(name, [0.0] * len(weeks))[i] = value
    return {
        "weeks": labels,
        "pipeline_by_stage": stages,
        "weighted": [s.get("summary", {}).get("pipeline", {}).get("weighted_total", 0) for s in weeks],
        "open_total": [s.get("summary", {}).get("pipeline", {}).get("open_total", 0) for s in weeks],
        "stale": [len(s.get("summary", {}).get("stale_accounts", [])) for s in weeks],
        "errors": [s.get("summary", {}).get("issues", {}).get("error", 0) for s in weeks],
        "warnings": [s.get("summary", {}).get("issues", {}).get("warning", 0) for s in weeks],
    }


def conversion(weeks: tuple[dict[str, Any], ...], config: Config) -> list[dict[str, Any]]:
    """Stage-to-stage conversion measured from history: of the projects seen in stage k in some week,
    how many were later seen in a later stage (k+1 or beyond), and the median number of days it took."""
    rank = _stage_rank(config)
    ordered = sorted(rank, key=rank.get)  # type: ignore[arg-type]
    first_seen: dict[tuple[str, str], dict[int, date]] = {}
    for s in weeks:
        d = date.fromisoformat(s["as_of"])
        for a in s["accounts"]:
            for p in a["projects"]:
                r = rank.get(p["stage"])
                if r is None:
                    continue
                seen = first_seen.setdefault((a["id"], p["name"]), {})
                seen.setdefault(r, d)
    out = []
    for k in range(len(ordered) - 1):
        entered = [seen for seen in first_seen.values() if k in seen]
        reached = [seen for seen in entered if any(r > k for r in seen)]
        days = sorted((min(seen[r] for r in seen if r > k) - seen[k]).days for seen in reached)
        median = days[len(days) // 2] if days else None
        out.append({"from": ordered[k], "to": ordered[k + 1], "entered": len(entered), "advanced": len(reached),
                    "rate": round(len(reached) / len(entered), 4) if entered else None, "median_days": median})
    return out
